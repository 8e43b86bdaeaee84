/**
 * The native ProtoJSON-to-wire transcoder against its TypeScript twin on the same tables:
 * identical bytes for every body both accept and identical HeddleErrors (code, message, byte
 * offset, field path) for every body they refuse; and, where @bufbuild/protobuf (the conformance
 * oracle) reads a body, both write a message that decodes to what fromJsonString reads. Inputs:
 * random schemas and values in bufbuild's JSON forms, those bodies mutated at random, and
 * hand-written edges (int64 limits, escapes, surrogate pairs, invalid UTF-8, base64 variants,
 * floats, enums, oneofs, map keys, well-known types, limits). Also fromJSONTo into a LinkBuffer.
 */
import { equals, fromBinary, fromJsonString, toBinary, toJsonString, type DescMessage } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { serializeProtoTable } from '../../src-ts/gateway/proto-json/native-table.js';
import { native, nativeAddon } from '../../src-ts/native.js';
import { protobuf } from '../protobuf/helpers/heddle.js';
import { compileEdge } from './proto-json-fixtures.js';
import { pair, randomSchemaCaseArb, randomSchemaPair } from './proto-json-pair.js';
import { outcome, type Outcome } from './transcode-outcome.js';

/** Bodies the native side converted itself (not handed to the twin), to show the comparisons test it. */
let convertedNatively = 0;

function nativeConverts(p: ReturnType<typeof pair>, body: Uint8Array, ignore: boolean): boolean {
  if (!native.loaded) return false;
  const table = nativeAddon!.protoJsonTable!(...Object.values(serializeProtoTable(p.desc, p.limits)) as [Int32Array, Uint8Array]);
  const result = nativeAddon!.protoJsonFromJsonInto!(table, body, ignore ? 1 : 0, new Uint8Array(1 << 20));
  return result !== null;
}

function expectSame(p: ReturnType<typeof pair>, body: Uint8Array | string, ignoreUnknownFields = false): Outcome {
  const ours = outcome(() => p.nat.fromJSON(body, { ignoreUnknownFields }));
  const theirs = outcome(() => p.twin.fromJSON(body, { ignoreUnknownFields }));
  expect({ body: body.toString(), ...ours }).toEqual({ body: body.toString(), ...theirs });
  return ours;
}

/**
 * Bodies bufbuild's reader accepts and heddle refuses, on both paths (a choice of the twin, kept
 * by the native side): base64 with '=' inside or a lone '=', numbers in strings written with
 * escapes, unquoted integers past the int64 range that a double rounds back into it, and 32-bit
 * integers written with more than 15 digits (leading zeros included; the twin reads at most 15),
 * and integer strings with spaces around the digits or in hexadecimal.
 */
const STRICTER_THAN_BUFBUILD = [/"(data|wBytes)":"(AQIDBA=|AQ==AQ==|AQ=DBA==)"/, /":"\\u0031"/, /"i64":-9223372036854775809\}/, /"i32":"0000000000000001"/, /"i64":"( 1|1 |0x10)"/];

/** Both transcoders agree, and where bufbuild reads the body the bytes decode to what it reads. */
function expectOracle(p: ReturnType<typeof pair>, desc: DescMessage, json: string, ignoreUnknownFields = false): void {
  const ours = expectSame(p, json, ignoreUnknownFields);
  let theirs;
  try {
    theirs = fromJsonString(desc, json, { ignoreUnknownFields });
  } catch {
    theirs = undefined;
  }
  // Where bufbuild refuses, heddle may still read: unquoted integers beyond 2^53 are exact here,
  // where bufbuild reads them through a double. Where bufbuild reads, heddle must read the same.
  if (theirs === undefined) return;
  expect({ json, ok: 'bytes' in ours }).toEqual({ json, ok: !STRICTER_THAN_BUFBUILD.some((re) => re.test(json)) });
  if (!('bytes' in ours)) return;
  // Through bufbuild's own wire form: a float field holds a double in its object, not on the wire.
  const expected = fromBinary(desc, toBinary(desc, theirs));
  const decoded = fromBinary(desc, Buffer.from(ours.bytes, 'hex'));
  if (!equals(desc, decoded, expected)) expect(toJsonString(desc, decoded)).toBe(toJsonString(desc, expected));
}

/** The body with one random edit: cut, a byte replaced, inserted or deleted. */
const mutationArb = (body: Buffer) =>
  fc.oneof(
    fc.nat(body.length).map((n) => body.subarray(0, n)),
    fc.tuple(fc.nat(Math.max(0, body.length - 1)), fc.constantFrom(0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x30, 0x2d, 0x6e, 0x65, 0x2e, 0xff, 0xe4, 0x41))
      .map(([at, b]) => Buffer.concat([body.subarray(0, at), Buffer.of(b), body.subarray(at + 1)])),
    fc.tuple(fc.nat(body.length), fc.constantFrom('"', '\\', '\\u', 'null', '-', '1e3', ',', '}', '"x":1,', '\u00e9', '\ud83d\ude00'))
      .map(([at, s]) => Buffer.concat([body.subarray(0, at), Buffer.from(s), body.subarray(at)])),
    fc.nat(Math.max(0, body.length - 1)).map((at) => Buffer.concat([body.subarray(0, at), body.subarray(at + 1)])),
  );

describe('native ProtoJSON to wire against the TypeScript twin and @bufbuild/protobuf', () => {
  test('random schemas and values, in bufbuild JSON forms, and those bodies mutated', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        randomSchemaCaseArb,
        (c) => {
          const { root, desc, values, seed } = c;
          const p = randomSchemaPair(c);
          const codec = root.codec('rnd.M0');
          for (const value of values) {
            const message = fromBinary(desc, codec.encode(value));
            for (const options of [{}, { useProtoFieldName: true }, { enumAsInteger: true, alwaysEmitImplicit: true }]) {
              let json: string;
              try {
                json = toJsonString(desc, message, options);
              } catch {
                continue;
              }
              expectOracle(p, desc, json);
              if (nativeConverts(p, Buffer.from(json), false)) convertedNatively++;
              const body = Buffer.from(json);
              fc.assert(fc.property(mutationArb(body), (mutated) => void expectSame(p, mutated)), { numRuns: 8, seed });
              compared++;
            }
          }
        },
      ),
      { numRuns: 100 },
    );
    expect(compared).toBeGreaterThan(150);
    if (native.loaded) expect(convertedNatively).toBeGreaterThan(100);
    // A few seconds alone; several times that beside other suites on a loaded 2-core machine.
  }, 240_000);

  const { root, edge } = compileEdge();
  const p = pair(root, 'pj.Edge');

  test('int64 and the other integers at their limits, as numbers and as strings', () => {
    const cases: Array<[string, string]> = [
      ['i64', '9223372036854775807'], ['i64', '-9223372036854775808'], ['i64', '9223372036854775808'], ['i64', '-9223372036854775809'],
      ['i64', '9007199254740993'], ['i64', '-9007199254740993'], ['i64', '0009007199254740993'], ['i64', '-0'], ['i64', '123456789012345678901'],
      ['u64', '18446744073709551615'], ['u64', '18446744073709551616'], ['u64', '-1'], ['u64', '-0'], ['u64', '9223372036854775808'],
      ['s64', '-9223372036854775808'], ['s64', '9223372036854775807'], ['f64', '18446744073709551615'], ['sf64', '-9223372036854775808'],
      ['i32', '2147483647'], ['i32', '-2147483648'], ['i32', '2147483648'], ['i32', '-2147483649'], ['i32', '0000000000000001'],
      ['u32', '4294967295'], ['u32', '4294967296'], ['u32', '-1'], ['s32', '-2147483648'], ['f32', '4294967295'], ['sf32', '-2147483648'],
      ['i64', '1e3'], ['i64', '1.5'], ['i32', '5.0'], ['u64', '1.8446744073709551615e19'], ['i64', ''], ['i64', ' 1'], ['i64', '1 '], ['i64', '0x10'],
    ];
    for (const [field, text] of cases) {
      expectOracle(p, edge, `{"${field}":"${text}"}`);
      // Unquoted, bufbuild reads through a double; heddle exactly, so only the two paths are compared.
      if (text !== '' && !/[ x]/.test(text)) expectSame(p, `{"${field}":${text}}`);
    }
    const exact = root.codec('pj.Edge', { int64: 'bigint' });
    expect(exact.decode(p.nat.fromJSON('{"i64":9007199254740993,"u64":18446744073709551615,"s64":-9223372036854775808}'))).toMatchObject({
      i64: 9007199254740993n, u64: 18446744073709551615n, s64: -9223372036854775808n,
    });
    expectOracle(p, edge, '{"ids":["9223372036854775807",-1,"-9223372036854775808",0,"9007199254740993"]}');
    expectOracle(p, edge, '{"byId":{"9223372036854775807":"a","-9223372036854775808":"b","01":"c"}}');
    expectOracle(p, edge, '{"byId":{"1":"a","1":"b"}}');
    expectOracle(p, edge, '{"byNum":{"4294967295":"RED","-1":"RED"}}');
  });

  test('strings: escapes, surrogate pairs, Chinese, invalid UTF-8, and escaped member names', () => {
    for (const text of ['a\\"b\\\\c\\/d\\b\\f\\n\\r\\t', '\\u00e9\\u4e2d\\ud83d\\ude00', '敏捷的棕色狐狸', '\\ud800', '\\udc00', '\\ud800\\u0041', '\\u12', '\\x', 'tab\there']) {
      expectOracle(p, edge, `{"text":"${text}"}`);
      expectOracle(p, edge, `{"tags":["${text}","x"]}`);
      expectOracle(p, edge, `{"byName":{"${text}":{"name":"${text}"}}}`);
    }
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe4, 0xb8], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98]]) {
      expectSame(p, Buffer.concat([Buffer.from('{"text":"ab'), Buffer.from(bad), Buffer.from('"}')]));
      expectSame(p, Buffer.concat([Buffer.from('{"byName":{"k'), Buffer.from(bad), Buffer.from('":{}}}')]));
    }
    // Cut right after an escape's backslash: "JSON ends inside a string" at the input's end, not
    // one past it (the twin once said one past; random mutations found it).
    for (const body of ['{"text":"ab\\', '{"tags":["x\\', '{"byName":{"k\\']) {
      expect(expectSame(p, body)).toMatchObject({ code: 'ERR_TRUNCATED', offset: Buffer.byteLength(body) });
    }
    expectOracle(p, edge, '{"\\u0074ext":"escaped name","json_named":"proto name","customName":"dup"}');
    expectOracle(p, edge, '{"customName":"json name"}');
    expectOracle(p, edge, '{"byName":{"a":{},"\\u0061":{}}}');
    // Unknown member names longer than the 40 bytes an error quotes, cut inside a Chinese character.
    expectSame(p, `{"${'中'.repeat(20)}":1}`);
    expectSame(p, `{"a${'中'.repeat(20)}":1}`);
    expectSame(p, `{"${'中'.repeat(20)}":1}`, true);
  });

  test('bytes: standard and URL-safe base64, with and without padding, and bad base64', () => {
    for (const b64 of ['', 'AQID', 'AQIDBA==', 'AQIDBA', '-_-_', '+/+/', 'AQIDBA=', 'AQ=DBA==', 'A', 'AQI*', 'AQ\\u0049D', '\\u002b/+/', 'AQ==AQ==']) {
      expectOracle(p, edge, `{"data":"${b64}"}`);
      expectOracle(p, edge, `{"wBytes":"${b64}"}`);
    }
  });

  test('floats and doubles: special values, exponents, ranges', () => {
    for (const v of ['0', '-0', '1.5', '1e308', '1e309', '-1e309', '"NaN"', '"Infinity"', '"-Infinity"', '"1.5"', '"1e5"', '"00.5"', '"-"', '"\\u0031"', '3.5e38', '-3.5e38',
      '3.4028234663852886e38', '1e-50', '"1e400"', '4.9e-324', '0.1', '"nan"', 'true']) {
      expectOracle(p, edge, `{"db":${v}}`);
      expectOracle(p, edge, `{"fl":${v}}`);
      expectOracle(p, edge, `{"wFloat":${v}}`);
    }
  });

  test('enums, oneofs, nulls, repeated and map values', () => {
    for (const body of [
      '{"color":"RED"}', '{"color":2}', '{"color":7}', '{"color":"BLUE"}', '{"color":"R\\u0045D"}', '{"color":-1}', '{"color":null}', '{"colors":["RED",1,"BLUE"]}',
      '{"pickText":"a","pickInner":{}}', '{"pickText":null,"pickInner":{}}', '{"pickColor":null,"pickText":"x"}', '{"pickInner":null}',
      '{"nul":null}', '{"nul":"NULL_VALUE"}', '{"val":null}', '{"vals":[null,1]}', '{"valMap":{"a":null}}', '{"tags":[null]}', '{"byName":{"a":null}}',
      '{"maybe":0}', '{"i32":0,"text":"","flag":false}', '{"i32":1,"i32":2}', '{"i32":1,"i_32":2}', '{"byFlag":{"true":1,"false":2,"yes":3}}',
      '{"byFlag":{"true":1,"true":2}}', '{"items":[{"ids":[1,2]},{"child":{"child":{}}}]}', '{"inner":{"name":"x","unknown":1}}', '{"wInt64":"9223372036854775807"}',
      '{"wUint32":0}', '{"wBool":false}', '{"wString":""}', '{"wInt32":null}', '{ "i32" : 1 , "text" : "a" }', '{}', '', 'null', '[]', '{"i32":1}{',
    ]) {
      expectOracle(p, edge, body);
      expectOracle(p, edge, body, true);
    }
  });

  test.skipIf(!native.loaded)('a descriptor table with more oneofs than fields is refused (found in review: the count sized a vector for every object read)', () => {
    // magic, maxDepth, maxSize, message count, enum count; one message: name offset and length, wkt, hasRequired, oneof count, field count.
    const table = (oneofs: number) => new Int32Array([0x504a5331, 64, 1 << 20, 1, 0, 0, 1, 0, 0, oneofs, 0]);
    const name = new TextEncoder().encode('M');
    const accepted = nativeAddon!.protoJsonTable!(table(0), name);
    expect(nativeAddon!.protoJsonFromJsonInto!(accepted, Buffer.from('{}'), 0, new Uint8Array(16))).toBe(0);
    for (const oneofs of [1, 1 << 24, 0x7fffffff]) expect(() => nativeAddon!.protoJsonTable!(table(oneofs), name)).toThrow(/malformed Protobuf JSON descriptor table/);
  });

  test('maps of many integer and string keys: every entry kept, a late duplicate refused as the twin refuses it', () => {
    // Past 32 keys the native duplicate check hashes (found in review: integer keys were compared
    // against every earlier key, quadratic in the key count).
    const ids = Array.from({ length: 300 }, (_, i) => String(i * 7919 - 1_000_000));
    const byId = `{"byId":{${ids.map((id) => `"${id}":"v${id}"`).join(',')}}}`;
    const byName = `{"byName":{${ids.map((id) => `"k${id}":{}`).join(',')}}}`;
    for (const body of [byId, byName]) {
      expect(expectSame(p, body)).toHaveProperty('bytes');
      if (native.loaded) expect(nativeConverts(p, Buffer.from(body), false)).toBe(true);
    }
    expect(Object.keys((root.codec('pj.Edge').decode(p.nat.fromJSON(byId)) as { byId: object }).byId)).toHaveLength(300);
    for (const body of [byId.replace(/}}$/, `,"${ids[150]}":"again"}}`), byName.replace(/}}$/, `,"k${ids[40]}":{}}}`)]) {
      const refused = expectSame(p, body);
      expect(refused).toMatchObject({ code: 'ERR_BAD_VALUE', message: expect.stringMatching(/duplicate map key/) });
      expect((refused as { offset: number }).offset).toBeGreaterThan(body.length - 30);
    }
  });

  test('well-known types with JSON forms of their own (Struct, Value, ListValue native; the others by the twin for both)', () => {
    for (const body of [
      '{"ts":"2024-02-29T12:34:56.789Z"}', '{"ts":"10000-01-01T00:00:00Z"}', '{"dur":"-1.5s"}', '{"dur":"1.5"}', '{"mask":"a.bC,d"}',
      '{"st":{"a":[1,"x",null,{"b":true}]}}', '{"val":{"k":1}}', '{"list":[1,[2]]}', '{"any":{"@type":"type.googleapis.com/pj.Inner","name":"x"}}',
      '{"any":{"@type":"type.googleapis.com/google.protobuf.Duration","value":"1s"}}', '{"any":{"@type":"type.googleapis.com/nope"}}', '{"empty":{}}',
      '{"i32":1,"ts":"bad"}', '{"i32":"x","ts":"2024-01-01T00:00:00Z"}', '{"vals":[1,"a",{"b":[]},true,null]}', '{"st":{"a":x}}',
    ]) expectOracle(p, edge, body);
    // bufbuild reads a Value number past the double range as an infinity; heddle refuses it.
    expect(expectSame(p, '{"val":1e400}')).toMatchObject({ code: 'ERR_BAD_VALUE', offset: 7, path: 'val' });
    // Struct, Value and ListValue are converted natively; the other forms are handed to the twin.
    if (native.loaded) {
      for (const body of ['{"st":{"a":[1,"x",null,{"b":true}]}}', '{"val":{"k":1}}', '{"list":[1,[2]]}', '{"vals":[1,"a",{"b":[]}]}', '{"wInt64":"1"}']) {
        expect({ body, native: nativeConverts(p, Buffer.from(body), false) }).toEqual({ body, native: true });
      }
      for (const body of ['{"ts":"2024-02-29T12:34:56Z"}', '{"dur":"1s"}', '{"mask":"a"}', '{"any":{}}', '{"i64":"1e3"}']) {
        expect({ body, native: nativeConverts(p, Buffer.from(body), false) }).toEqual({ body, native: false });
      }
    }
  });

  test('limits: nesting depth and output size', () => {
    const shallow = pair(root, 'pj.Edge', { maxDepth: 3, maxSize: 64 });
    for (const body of ['{"inner":{"child":{"child":{}}}}', '{"inner":{"child":{}}}', '{"items":[{"child":{}}]}', '{"byName":{"a":{"child":{}}}}',
      '{"unknown":[[[[1]]]]}', `{"text":"${'x'.repeat(70)}"}`, `{"text":"${'x'.repeat(40)}"}`, `{"inner":${'{"child":'.repeat(5)}{}${'}'.repeat(5)}}`]) {
      expectSame(shallow, body);
      expectSame(shallow, body, true);
    }
    const deep = pair(root, 'pj.Edge', { maxDepth: 1000, maxSize: 1 << 20 });
    expectSame(deep, `{"inner":${'{"child":'.repeat(990)}{}${'}'.repeat(991)}`);
    expectSame(deep, `{"inner":${'{"child":'.repeat(1001)}{}${'}'.repeat(1002)}`);
  });

  test('fromJSONTo writes what fromJSON gives, through a kept result when it outgrows the reservation, and nothing on error', () => {
    for (const body of ['{"text":"a"}', `{"tags":[${Array.from({ length: 3000 }, (_, i) => `"tag ${i} 标签"`).join(',')}]}`, '{"ts":"2024-01-01T00:00:00Z","i64":"-1"}']) {
      const out = new LinkBuffer();
      out.malloc(3).set([1, 2, 3]);
      const size = p.nat.fromJSONTo(body, out);
      const expected = p.twin.fromJSON(body);
      expect(size).toBe(expected.length);
      out.flush();
      expect(Buffer.from(out.next(out.length)).equals(Buffer.concat([Buffer.of(1, 2, 3), expected]))).toBe(true);
    }
    const out = new LinkBuffer();
    expect(() => p.nat.fromJSONTo('{"i32":"x"}', out)).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', offset: 7, path: 'i32' }));
    out.flush();
    expect(out.length).toBe(0);
  });
});
