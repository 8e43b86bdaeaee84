/**
 * The native Thrift JSON transcoder against its TypeScript twin, on the same descriptor table:
 * identical bytes for every input both accept, and identical HeddleErrors (code, message, byte
 * offset, field path) for every input they reject. Inputs: random schemas and values (as the
 * encode/decode differential test makes them), those JSON bodies and wire messages mutated at
 * random (truncated, bytes replaced, inserted, deleted), and hand-written edge cases. Also
 * `fromJSONTo` into a LinkBuffer on both paths.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/index.js';
import { buildDescriptor, ThriftJsonTranscoder } from '../../src-ts/gateway/thrift-json/index.js';
import { native } from '../../src-ts/native.js';
import { thrift } from '../../src-ts/index.js';
import { IDL } from './fixtures.js';
import { randomSchema } from './random-schema.js';
import { referenceJson } from './reference-json.js';
import { oneEdit } from './byte-edits.js';
import { outcome } from './transcode-outcome.js';

const EXTRA_IDL = `
struct Keys {
  1: map<double, i32> byDouble
  2: map<bool, string> byBool
  3: map<binary, i8> byBinary
  4: map<uuid, i16> byUuid
  5: map<i8, list<i64>> bySmall
  6: optional Keys next
  7: required binary blob
  8: double d = 1.5
  9: bool flag = true
  10: list<string> names = ["a", "b"]
  11: map<string, i64> m = {"k": 9007199254740993}
}
`;

/** UTF-8 text around raw bytes (invalid UTF-8 a string literal cannot hold). */
const raw = (before: string, bytes: number[], after: string): Buffer => Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);

const LIMITS = [
  { maxDepth: 64, maxSize: 4 * 1024 * 1024 },
  { maxDepth: 3, maxSize: 64 },
];

/** Twin and native transcoders of one type over one descriptor table. */
function pair(doc: ReturnType<typeof thrift.parse>, name: string, compact: boolean, limit = LIMITS[0]!) {
  const desc = buildDescriptor(doc.struct(name), (key) => doc.structByKey(key));
  const limits = { compact, ...limit };
  return { twin: new ThriftJsonTranscoder(desc, limits, false), nat: new ThriftJsonTranscoder(desc, limits, true) };
}

const INTERESTING = [...'"\\{}[],:0-e.nut1 /'].map((c) => c.charCodeAt(0)).concat([0x00, 0x1f, 0x7f, 0x80, 0xbf, 0xc3, 0xe4, 0xed, 0xf0, 0xf4, 0xff]);

/** A body with one random edit (byte-edits.ts). */
const mutation = (bytes: Uint8Array) => oneEdit(bytes, INTERESTING);

describe.skipIf(!native.loaded)('native Thrift JSON transcoder equals the TypeScript twin', () => {
  test('the native path is the one codecs use when the addon is loaded', () => {
    const doc = thrift.parse(IDL);
    expect(pair(doc, 'Order', false).nat.isNative).toBe(true);
    expect(pair(doc, 'Order', false).twin.isNative).toBe(false);
  });

  describe.each([false, true])('compact=%s', (compact) => {
    test.each(Array.from({ length: 8 }, (_, i) => i + 1))('random schema %i: values and mutated bodies and messages', (seed) => {
      const { idl, arbs } = randomSchema(seed * 104729, 4);
      const doc = thrift.parse(idl);
      const struct = doc.struct('S3');
      const codec = doc.codec('S3', { protocol: compact ? 'compact' : 'binary' });
      for (const limit of LIMITS) {
        const { twin, nat } = pair(doc, 'S3', compact, limit);
        fc.assert(
          fc.property(
            arbs.get('S3')!.chain((value) => {
              const json = referenceJson(doc, struct, value, 'number', { loose: seed % 2 === 0, escapeAll: seed % 3 === 0, unknown: seed % 4 === 0 });
              const wire = codec.encode(value).slice();
              return fc.tuple(fc.constant(json), fc.constant(wire), mutation(Buffer.from(json)), mutation(wire));
            }),
            fc.constantFrom<'skip' | 'reject'>('skip', 'reject'),
            fc.constantFrom<'number' | 'string'>('number', 'string'),
            ([json, wire, badJson, badWire], unknownFields, i64) => {
              for (const body of [json, Buffer.from(json), badJson]) {
                expect(outcome(() => nat.fromJSON(body, { unknownFields }))).toStrictEqual(outcome(() => twin.fromJSON(body, { unknownFields })));
              }
              for (const bytes of [wire, badWire]) {
                expect(outcome(() => nat.toJSON(bytes, { i64 }))).toStrictEqual(outcome(() => twin.toJSON(bytes, { i64 })));
              }
            },
          ),
          { numRuns: 40, seed },
        );
      }
    });

    test('hand-written edge cases', () => {
      const doc = thrift.parse(IDL + EXTRA_IDL);
      const cases: Array<[string, string | Buffer]> = [
        ['Order', '{"id":9223372036854775807,"n":-2147483648,"small":-128,"mid":32767}'],
        ['Order', '{"id":-9223372036854775808}'],
        ['Order', '{"id":9223372036854775808}'],
        ['Order', '{"id":"-9223372036854775809"}'],
        ['Order', '{"id":"0000000000000000000000009007199254740993"}'],
        ['Order', '{"id":"9007199254740993"}'],
        ['Order', '{"id":"-"}'],
        ['Order', '{"id":"1\\u0032"}'],
        ['Order', '{"price":1e400,"n":0}'],
        ['Order', '{"price":-1e-400}'],
        ['Order', '{"price":0.1e1,"note":"\\ud83d\\ude00\\u00e9\\/"}'],
        ['Order', '{"price":123456789012345678901234567890.5e-3}'],
        ['Order', '{"price":-0}'],
        ['Order', '{"note":"\\ud83d"}'],
        ['Order', '{"note":"\\ude00"}'],
        ['Order', '{"note":"\\ud83d\\u0041"}'],
        ['Order', '{"note":"\\u12"}'],
        ['Order', '{"note":"ab\\'],
        ['Order', '{"note":"\\é"}'],
        ['Order', raw('{"note":"中文', [0xff], '"}')],
        ['Order', raw('{"note":"中', [0xe4, 0xb8], '"}')],
        ['Order', raw('{"note":"', [0xed, 0xa0, 0x80], '"}')],
        ['Order', raw('{"note":"\\', [0xc3, 0xa9], '"}')],
        ['Order', raw('{"zz":"', [0xf4, 0x90, 0x80, 0x80], '","id":1}')],
        ['Order', '{"no\\u0074e":"x","id":1}'],
        ['Order', '{"id":1,"id":2}'],
        ['Order', '{"zz":{"a":[1,{"b":"\\q"}]}}'],
        ['Order', '{"zz":[[[[[[[[[[[[1]]]]]]]]]]]]}'],
        ['Order', '{"names":{"12":"a","-0":"b","01":"c"}}'],
        ['Order', '{"names":{"9223372036854775808":"a"}}'],
        ['Order', '{"names":{"1\\u0032":"a"}}'],
        ['Order', '{"counts":{"a\\nb":1,"":2}}'],
        ['Order', '{"uid":"123e4567-e89b-12d3-a456-426614174000"}'],
        ['Order', '{"uid":"123E4567-E89B-12D3-A456-42661417400G"}'],
        ['Order', '{"tags":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"flags":[true,false,true]}'],
        ['Order', `{"counts":{${Array.from({ length: 200 }, (_, i) => `"k${i}":${i}`).join(',')}}}`],
        ['Order', '{"items":[{"title":"a","blob":"3q2-7w"},{"title":"b","blob":"3q2+7w=="}]}'],
        ['Order', '{"items":[{"title":"a","blob":"3q2+7w="}]}'],
        ['Order', '{"items":[{"title":"a","blob":"3q2*7w=="}]}'],
        ['Order', '{"items":[{"title":"a","blob":"\\u0033q2+7w=="}]}'],
        ['Order', '{"items":[{"blob":""}]}'],
        ['Order', '{"ok":null,"note":null}'],
        ['Order', ' \t\r\n{ "id" : 1 } \n'],
        ['Order', '{"id":1}{'],
        ['U', '{"a":1}'],
        ['U', '{"a":1,"b":"x"}'],
        ['U', '{}'],
        ['Deep', '{"next":{"next":{"next":{"next":{}}}}}'],
        ['Keys', '{"blob":"","byDouble":{"1.5":1,"-2e3":2,"0":3}}'],
        ['Keys', '{"blob":"","byDouble":{" 1":1}}'],
        ['Keys', '{"blob":"","byDouble":{"0x10":1}}'],
        ['Keys', '{"blob":"","byDouble":{"Infinity":1}}'],
        ['Keys', '{"blob":"","byDouble":{"abc":1}}'],
        ['Keys', '{"blob":"","byBool":{"true":"t","false":"f"}}'],
        ['Keys', '{"blob":"","byBool":{"yes":"t"}}'],
        ['Keys', '{"blob":"","byBinary":{"AAE=":1,"_-8":2}}'],
        ['Keys', '{"blob":"","byUuid":{"123e4567-e89b-12d3-a456-426614174000":1}}'],
        ['Keys', '{"blob":"","bySmall":{"-128":[1,"2"],"127":[]}}'],
        ['Keys', '{"blob":"","bySmall":{"128":[]}}'],
        ['Keys', '{"blob":"","next":{"blob":"AA"}}'],
        ['Keys', '{"blob":"","next":{}}'],
        ['Keys', '{}'],
      ];
      for (const [name, json] of cases) {
        for (const limit of LIMITS) {
          const { twin, nat } = pair(doc, name, compact, limit);
          for (const unknownFields of ['skip', 'reject'] as const) {
            const body = Buffer.from(json);
            const expected = outcome(() => twin.fromJSON(body, { unknownFields }));
            expect(outcome(() => nat.fromJSON(body, { unknownFields })), `${name} ${body.toString()}`).toStrictEqual(expected);
            if ('bytes' in expected) {
              const wire = Buffer.from(expected.bytes, 'hex');
              for (const i64 of ['number', 'string'] as const) {
                expect(outcome(() => nat.toJSON(wire, { i64 }))).toStrictEqual(outcome(() => twin.toJSON(wire, { i64 })));
              }
            }
          }
        }
      }
    });

    // The one-pass integer scan (ScanSmallInteger) takes the common forms and leaves the rest to
    // the two-pass path, whose errors the twin's match: every width's edges, 19 and 20 digits,
    // leading zeros, fractions and exponents after the digits, as values, list elements and keys.
    test('integer text of every form, at the edges of every width, converts as the twin does', () => {
      const doc = thrift.parse(IDL);
      const { twin, nat } = pair(doc, 'Order', compact);
      const edges = ['0', '1', '9', '127', '128', '255', '32767', '32768', '2147483647', '2147483648', '4294967296', '9007199254740993', '9223372036854775807', '9223372036854775808', '9999999999999999999', '10000000000000000000', '18446744073709551616', '123456789012345678901'];
      const digits = fc.oneof(fc.constantFrom(...edges), fc.stringMatching(/^[0-9]{0,22}$/));
      const number = fc
        .tuple(fc.constantFrom('', '-', '--', '+'), fc.constantFrom('', '0', '00'), digits, fc.constantFrom('', '.5', '.', 'e3', 'E-1', 'e', '0', ' ', 'x', '"', '-1'))
        .map(([sign, zeros, ds, tail]) => `${sign}${zeros}${ds}${tail}`);
      fc.assert(
        fc.property(number, fc.constantFrom('id', 'small', 'mid', 'n', 'withDefault'), fc.nat(2), (text, field, where) => {
          const body = where === 0 ? `{"${field}":${text}}` : where === 1 ? `{"tags":[${text}],"${field}":${text}}` : `{"names":{"${text.replaceAll('"', '')}":"v"}}`;
          expect(outcome(() => nat.fromJSON(body)), body).toStrictEqual(outcome(() => twin.fromJSON(body)));
        }),
        { numRuns: 3000, seed: 20 },
      );
    });

    // Doubles of up to 19 digits, at most 22 after the point and a mantissa up to 2^53 take the
    // fast path (FastDouble), the rest from_chars: either way the twin's Number() value, to the bit.
    test('double text near the limits of the fast path converts as the twin does', () => {
      const doc = thrift.parse(IDL + EXTRA_IDL);
      const order = pair(doc, 'Order', compact);
      const keys = pair(doc, 'Keys', compact);
      const digitRun = (max: number) => fc.oneof(fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`)), fc.constantFrom('9007199254740992', '9007199254740993', '18014398509481985', '0'));
      const number = fc
        .tuple(fc.constantFrom('', '-'), digitRun(20), fc.option(digitRun(25)), fc.constantFrom('', 'e5', 'E-300', 'e+22', 'e400'))
        .map(([sign, whole, fraction, exponent]) => `${sign}${whole.replace(/^0+(?=\d)/, '')}${fraction === null ? '' : `.${fraction}`}${exponent}`);
      fc.assert(
        fc.property(number, (text) => {
          const body = `{"price":${text}}`;
          expect(outcome(() => order.nat.fromJSON(body)), body).toStrictEqual(outcome(() => order.twin.fromJSON(body)));
          const keyed = `{"blob":"","byDouble":{"${text}":1}}`;
          expect(outcome(() => keys.nat.fromJSON(keyed)), keyed).toStrictEqual(outcome(() => keys.twin.fromJSON(keyed)));
        }),
        { numRuns: 3000, seed: 21 },
      );
    });

    // The member the field order predicts is matched with its quotes and colon (key_fast); any
    // other spelling of it, or another member, goes through the member-name scan.
    test('member names in and out of field order, escaped, repeated, spaced, prefixed', () => {
      const doc = thrift.parse(IDL);
      const bodies = [
        '{"id":1,"items":[{"title":"t","id":2,"blob":"AA=="}],"names":{"1":"a"},"small":1,"mid":2,"n":3,"price":1.5,"ok":true,"memo":"m"}',
        '{"n":3,"id":1,"mid":2,"small":1}',
        '{"\u0069d":1,"items":[]}',
        '{"id":1,"i\u0074ems":[{"t\u0069tle":"x"}]}',
        '{"id":1,"items":[],"id":2}',
        '{"id":1,"id":2}',
        '{"id" :1,"items" : []}',
        '{"idx":1,"id":2,"it":3,"items":[]}',
        '{"id":1,"items":[{"title":"a"},{"id":3,"title":"b"},{"title":"c","title":"d"}]}',
        '{"id":1,"note":"n","memo":"m"}',
        '{"id":1,"itemsX":[],"items":[]}',
        '{"id":1,"items":[{"title":"a","titl":1}]}',
        '{"id":1,"ite',
        '{"id":1,"items":',
        '{"i',
      ];
      for (const body of bodies) {
        const { twin, nat } = pair(doc, 'Order', compact);
        for (const unknownFields of ['skip', 'reject'] as const) {
          expect(outcome(() => nat.fromJSON(body, { unknownFields })), body).toStrictEqual(outcome(() => twin.fromJSON(body, { unknownFields })));
        }
      }
    });

    test('results larger than the 64 KiB scratch buffer come back whole', () => {
      const doc = thrift.parse(IDL);
      const { twin, nat } = pair(doc, 'Order', compact);
      const items = Array.from({ length: 3000 }, (_, i) => `{"title":"标题 ${i} ${'x'.repeat(i % 40)}","id":${i * 1e6},"blob":"AQIDBA=="}`);
      const json = `{"id":1,"items":[${items.join(',')}]}`;
      const wire = nat.fromJSON(json);
      expect(wire.length).toBeGreaterThan(64 * 1024);
      expect(Buffer.from(wire).equals(Buffer.from(twin.fromJSON(json)))).toBe(true);
      const back = nat.toJSON(wire);
      expect(back.length).toBeGreaterThan(64 * 1024);
      expect(back.equals(twin.toJSON(wire))).toBe(true);
      // The next small result is not mixed up with the large one kept in the addon.
      expect(Buffer.from(nat.fromJSON('{"id":2}')).equals(Buffer.from(twin.fromJSON('{"id":2}')))).toBe(true);
    });

    test('wire messages: truncated, wrong types, bad lengths, bad UTF-8, non-finite doubles, trailing bytes', () => {
      const doc = thrift.parse(IDL + EXTRA_IDL);
      const codec = doc.codec('Order', { protocol: compact ? 'compact' : 'binary' });
      const { twin, nat } = pair(doc, 'Order', compact);
      const wire = codec.fromJSON('{"id":-5,"items":[{"title":"中文\\n\\"x","id":7,"blob":"AQID"}],"names":{"1":"a"},"price":2.5e-7,"ok":true,"tags":[3],"uid":"123e4567-e89b-12d3-a456-426614174000","flags":[true],"counts":{"c":1}}').slice();
      const variants: Uint8Array[] = [wire];
      for (let i = 0; i <= wire.length; i++) variants.push(wire.subarray(0, i));
      for (let i = 0; i < wire.length; i++) {
        for (const byte of [0x00, 0x01, 0x02, 0x0b, 0x0c, 0x0f, 0x7f, 0x80, 0xff]) {
          const b = Buffer.from(wire);
          b[i] = byte;
          variants.push(b);
        }
      }
      variants.push(Buffer.concat([wire, Buffer.from([0])]));
      for (const bytes of variants) {
        for (const i64 of ['number', 'string'] as const) {
          expect(outcome(() => nat.toJSON(bytes, { i64 }))).toStrictEqual(outcome(() => twin.toJSON(bytes, { i64 })));
        }
      }
    });
  });
});

describe.each([false, true])('fromJSONTo into a LinkBuffer (native=%s)', (useNative) => {
  test.runIf(!useNative || native.loaded)('writes what fromJSON returns, after what the buffer holds, and nothing on error', () => {
    const doc = thrift.parse(IDL);
    for (const compact of [false, true]) {
      const desc = buildDescriptor(doc.struct('Order'), (key) => doc.structByKey(key));
      const transcoder = new ThriftJsonTranscoder(desc, { compact, maxDepth: 64, maxSize: 1 << 22 }, useNative);
      expect(transcoder.isNative).toBe(useNative);
      const small = '{"id":1,"note":"短"}';
      // Bigger than any reservation made so far: the native path's outgrow branch.
      const big = JSON.stringify({ id: 2, items: Array.from({ length: 300 }, (_, i) => ({ title: `标题 ${i} title`, id: i })) });
      const out = new LinkBuffer();
      out.writeBinary(Buffer.from('hdr'));
      let total = 3;
      for (const body of [small, big, small, big]) {
        const n = transcoder.fromJSONTo(body, out);
        expect(n).toBe(transcoder.fromJSON(body).length);
        total += n;
      }
      expect(() => transcoder.fromJSONTo('{"id":"x"}', out)).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', offset: 6, path: 'id' }));
      out.flush();
      expect(out.length).toBe(total);
      const all = Buffer.from(out.next(total));
      const expected = Buffer.concat([Buffer.from('hdr'), ...[small, big, small, big].map((b) => Buffer.from(transcoder.fromJSON(b)))]);
      expect(all.equals(expected)).toBe(true);
      out.release();
    }
  });

  test('codec.fromJSONTo is the codec path', () => {
    const doc = thrift.parse(IDL);
    const codec = doc.codec('Order', { protocol: 'compact' });
    const out = new LinkBuffer();
    const n = codec.fromJSONTo('{"id":"9007199254740993"}', out);
    out.flush();
    expect(Buffer.from(out.next(n)).equals(Buffer.from(codec.fromJSON('{"id":"9007199254740993"}')))).toBe(true);
    expect(codec.decode(codec.fromJSON('{"id":"9007199254740993"}')).id).toBe(9007199254740993n);
  });
});
