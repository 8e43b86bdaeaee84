/**
 * The Kitex/dynamicgo options of the Thrift JSON transcoders: `binary: 'raw'` both ways
 * (Kitex's SetBinaryWithBase64(g, false), dynamicgo's NoBase64Binary) and the fill options of
 * fromJSON (`writeRequired`, `writeDefault`, `writeOptional`: dynamicgo's WriteRequireField,
 * WriteDefaultField, WriteOptionalField). Exact
 * bytes on the twin and the native transcoder, Binary and Compact, the bad input the options
 * meet, and dynamicgo v0.8.0 on the same IDL and bodies byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { buildDescriptor, ThriftJsonTranscoder } from '../../src-ts/gateway/thrift-json/index.js';
import type { HeddleError } from '../../src-ts/errors.js';
import { native, thrift } from '../../src-ts/index.js';
import { catchError } from '../kernels/assertions.js';
import { describeWithPeers } from '../helpers/peers.js';
import { dynamicgo, heddlePaths, hex, J2T, setUpDynamicgo, T2J, type Case } from './dynamicgo-diff.js';

setUpDynamicgo();

const IDL = `
enum Color { RED = 1, GREEN = 2 }
struct Inner { 1: required i32 must, 2: string s }
struct B {
  1: optional binary b
  2: optional map<binary, i32> byBinary
  3: optional list<binary> bs
}
struct Fill {
  1: required i32 reqInt
  2: required string reqStr
  3: required binary reqBin
  4: required bool reqBool
  5: required double reqDouble
  6: required list<i32> reqList
  7: required map<string, i64> reqMap
  8: required Inner reqInner
  9: required Color reqColor
  10: required i64 reqWithDefault = 7
  11: i32 plain
  12: i16 plainDefault = 3
  13: optional i8 opt
  14: optional string optDefault = "x"
  15: optional bool optBool = true
  16: required set<string> reqSet
}
`;
const doc = thrift.parse(IDL);

describe("binary: 'raw'", () => {
  const codec = doc.codec('B');
  for (const { label, t } of heddlePaths(doc, 'B')) {
    it(`${label}: JSON strings are the bytes, escapes decoded, map keys and list elements too`, () => {
      const body = '{"b":"h\\u00e9\\n茶","byBinary":{"k":1},"bs":["","ab"]}';
      const wire = t.fromJSON(body, { binary: 'raw' });
      const decoded = codec.decode(wire) as { b: Uint8Array; byBinary: Map<Uint8Array, number>; bs: Uint8Array[] };
      expect(Buffer.from(decoded.b).toString('utf8')).toBe('hé\n茶');
      expect([...decoded.byBinary].map(([k, v]) => [Buffer.from(k).toString('utf8'), v])).toEqual([['k', 1]]);
      expect(decoded.bs.map((b) => Buffer.from(b).toString('utf8'))).toEqual(['', 'ab']);
      // Back out as the same strings, escaped as strings are; base64 by default.
      expect(t.toJSON(wire, { binary: 'raw' }).toString()).toBe('{"b":"hé\\n茶","byBinary":{"k":1},"bs":["","ab"]}');
      expect(t.toJSON(wire).toString()).toBe(`{"b":"${Buffer.from('hé\n茶').toString('base64')}","byBinary":{"aw==":1},"bs":["","YWI="]}`);
      // What is base64 text by default is taken as its own characters under 'raw'.
      expect(hex(t.fromJSON('{"b":"AQID"}', { binary: 'raw' }))).toBe(`0b000100000004${Buffer.from('AQID').toString('hex')}00`);
      expect(hex(t.fromJSON('{"b":"AQID"}'))).toBe('0b00010000000301020300');
    });

    it(`${label}: bytes that are not UTF-8 have no raw JSON form: ERR_BAD_VALUE with offset and path`, () => {
      const wire = codec.encode({ b: Uint8Array.of(0x61, 0xff, 0x62) });
      const err = catchError(() => t.toJSON(wire, { binary: 'raw' }));
      expect([err.code, err.offset, err.path]).toEqual(['ERR_BAD_VALUE', 8, 'b']);
      expect(t.toJSON(wire).toString()).toBe('{"b":"Yf9i"}');
    });

    it(`${label}: a raw binary must be a JSON string; bad option values are refused`, () => {
      const err = catchError(() => t.fromJSON('{"bs":["a",7]}', { binary: 'raw' }));
      expect([err.code, err.offset, err.path]).toEqual(['ERR_BAD_VALUE', 11, 'bs[1]']);
      expect(catchError(() => t.fromJSON('{}', { binary: 'hex' as 'raw' })).code).toBe('ERR_INVALID_ARGUMENT');
      expect(catchError(() => t.toJSON(new Uint8Array([0]), { binary: 'text' as 'raw' })).code).toBe('ERR_INVALID_ARGUMENT');
    });
  }
});

// Binary hex of the fills: field header (type, id), value.
const REQ_ZEROS =
  '08000100000000' + // reqInt 0
  '0b000200000000' + // reqStr ""
  '0b000300000000' + // reqBin ""
  '02000400' + // reqBool false
  '0400050000000000000000' + // reqDouble 0
  '0f00060800000000' + // reqList []
  '0d00070b0a00000000' + // reqMap {}
  '0c000800' + // reqInner: an empty struct (its own required field is not filled)
  '08000900000000' + // reqColor 0
  '0a000a0000000000000007'; // reqWithDefault 7
const REQ_SET = '0e00100b00000000'; // reqSet []

describe('fill options of fromJSON', () => {
  for (const { label, t } of heddlePaths(doc, 'Fill')) {
    it(`${label}: without options a missing required field is ERR_REQUIRED_FIELD; plainDefault is written`, () => {
      const err = catchError(() => t.fromJSON('{}'));
      expect([err.code, err.offset]).toEqual(['ERR_REQUIRED_FIELD', 1]);
      expect(err.message).toContain("'reqInt'");
    });

    it(`${label}: writeRequired writes IDL defaults, else zeros, in field order with the default-requiredness defaults`, () => {
      expect(hex(t.fromJSON('{}', { writeRequired: true }))).toBe(REQ_ZEROS + '06000c0003' + REQ_SET + '00');
      // Present fields are kept; a JSON null counts as missing.
      expect(hex(t.fromJSON('{"reqInt":5,"reqStr":null}', { writeRequired: true }))).toBe('08000100000005' + REQ_ZEROS.slice(14) + '06000c0003' + REQ_SET + '00');
    });

    it(`${label}: writeDefault and writeOptional; an optional field's IDL default is written only under writeOptional`, () => {
      const base = REQ_ZEROS + '06000c0003';
      expect(hex(t.fromJSON('{}', { writeRequired: true, writeDefault: true }))).toBe(REQ_ZEROS + '08000b00000000' + '06000c0003' + REQ_SET + '00');
      expect(hex(t.fromJSON('{}', { writeRequired: true }))).toBe(base + REQ_SET + '00');
      expect(hex(t.fromJSON('{}', { writeRequired: true, writeOptional: true }))).toBe(base + '03000d00' + '0b000e0000000178' + '02000f01' + REQ_SET + '00');
    });

    it(`${label}: the fills meet the size limit`, () => {
      const small = buildDescriptor(doc.struct('Fill'), (key) => doc.structByKey(key));
      const tiny = new ThriftJsonTranscoder(small, { compact: false, maxDepth: 64, maxSize: 40 }, label === 'native');
      expect(catchError(() => tiny.fromJSON('{}', { writeRequired: true })).code).toBe('ERR_SIZE_LIMIT');
    });
  }

  it('Compact: native and twin give the same bytes, which decode to the zeros and defaults', () => {
    const paths = heddlePaths(doc, 'Fill', true);
    const codec = doc.codec('Fill', { protocol: 'compact' });
    // reqInner given: its fill is an empty struct, which decode refuses for its required field.
    const BODY = '{"reqBool":true,"reqInner":{"must":1}}';
    for (const options of [{ writeRequired: true }, { writeRequired: true, writeDefault: true, writeOptional: true }, { writeRequired: true, writeOptional: true }]) {
      const outs = paths.map(({ t }) => hex(t.fromJSON(BODY, options)));
      expect(new Set(outs).size).toBe(1);
      const v = codec.decode(paths[0]!.t.fromJSON(BODY, options)) as Record<string, unknown>;
      expect([v.reqBool, v.reqInt, v.reqStr, v.reqWithDefault, v.plainDefault]).toEqual([true, 0, '', 7n, 3]);
      // decode gives optional fields their IDL defaults itself; `opt` has none, so only writeOptional writes it.
      expect(v.opt).toBe('writeOptional' in options ? 0 : undefined);
    }
  });
});

describeWithPeers(['go'], 'the options against dynamicgo v0.8.0 (NoBase64Binary, WriteRequireField, WriteDefaultField, WriteOptionalField, SetOptionalBitmap)', () => {
  const bodies = ['{"b":"plain"}', '{"b":"h\\u00e9\\"\\\\\\t茶","bs":["x","","\\ud83d\\ude00"]}', '{"bs":[]}', '{"b":""}'];
  const fills = ['{}', '{"reqInt":1,"reqInner":{"must":2,"s":"a"},"plain":4}', '{"reqMap":{"a":1},"reqList":[1,2],"opt":3}'];

  it('j2t: the same Thrift Binary bytes; t2j: the same JSON', () => {
    const cases: Case[] = [
      ...bodies.map((body): Case => ({ dir: 'j2t', method: 'B', body, options: { ...J2T, NoBase64Binary: true } })),
      ...bodies.map((body): Case => ({ dir: 't2j', method: 'B', body: doc.codec('B').fromJSON(body, { binary: 'raw' }), options: { ...T2J, NoBase64Binary: true } })),
      ...fills.map((body): Case => ({ dir: 'j2t', method: 'Fill', body, options: { ...J2T, WriteRequireField: true } })),
      // The IDL parsed with SetOptionalBitmap, without and with WriteOptionalField.
      ...fills.map((body): Case => ({ dir: 'j2t', method: 'Fill', body, options: { ...J2T, WriteRequireField: true }, optionalBitmap: true })),
      ...fills.map((body): Case => ({ dir: 'j2t', method: 'Fill', body, options: { ...J2T, WriteRequireField: true, WriteOptionalField: true }, optionalBitmap: true })),
    ];
    const theirs = dynamicgo(IDL, ['B', 'Fill'], cases);
    for (const { label, t } of heddlePaths(doc, 'B')) {
      bodies.forEach((body, i) => {
        expect(theirs[i]!.error, `${label} ${body}`).toBeUndefined();
        expect(hex(t.fromJSON(body, { binary: 'raw' })), `${label} j2t ${body}`).toBe(hex(theirs[i]!.out!));
        const wire = cases[bodies.length + i]!.body as Uint8Array;
        expect(t.toJSON(wire, { binary: 'raw' }).toString(), `${label} t2j ${body}`).toBe(theirs[bodies.length + i]!.out!.toString());
      });
    }
    for (const { label, t } of heddlePaths(doc, 'Fill')) {
      fills.forEach((body, i) => {
        const o = theirs[2 * bodies.length + i]!;
        expect(o.error, `${label} ${body}`).toBeUndefined();
        // dynamicgo writes the fills as it meets the struct's end, in field-id order, after the members given.
        expect(hex(t.fromJSON(body, { writeRequired: true, writeDefault: true })), `${label} fill ${body}`).toBe(hex(o.out!));
        // Optional fields' IDL defaults are not written without WriteOptionalField, even when the bitmap has them.
        const bitmap = theirs[2 * bodies.length + fills.length + i]!;
        expect(bitmap.error, `${label} ${body}`).toBeUndefined();
        expect(hex(t.fromJSON(body, { writeRequired: true, writeDefault: true })), `${label} bitmap ${body}`).toBe(hex(bitmap.out!));
        const all = theirs[2 * bodies.length + 2 * fills.length + i]!;
        expect(all.error, `${label} ${body}`).toBeUndefined();
        expect(hex(t.fromJSON(body, { writeRequired: true, writeDefault: true, writeOptional: true })), `${label} optional fills ${body}`).toBe(hex(all.out!));
      });
    }
  });
});

describe('fill options at the depth limit', () => {
  // A filled struct or container is a level below the struct it is written into: fromJSON must
  // not write bytes deeper than maxDepth, which decode and toJSON would then refuse (found by the
  // fuzz target: a body nested to the limit, filled, failed toJSON with "nesting deeper than 4").
  const nodeDoc = thrift.parse('struct Node { 1: Node next, 2: list<i32> xs, 3: i32 n }');
  const desc = buildDescriptor(nodeDoc.struct('Node'), (key) => nodeDoc.structByKey(key));
  const nested = (levels: number): string => (levels === 0 ? '{}' : `{"next":${nested(levels - 1)}}`);
  for (const compact of [false, true]) {
    it(`${compact ? 'Compact' : 'Binary'}: each output decodes under the same maxDepth, or fromJSON refuses it with ERR_DEPTH_LIMIT, native as the twin`, () => {
      let refused = 0;
      let written = 0;
      for (let maxDepth = 1; maxDepth <= 4; maxDepth++) {
        const limits = { compact, maxDepth, maxSize: 1 << 20 };
        const transcoders = [new ThriftJsonTranscoder(desc, limits, false)];
        if (native.loaded) transcoders.push(new ThriftJsonTranscoder(desc, limits, true));
        const codec = nodeDoc.codec('Node', { protocol: compact ? 'compact' : 'binary', maxDepth });
        for (let levels = 0; levels < maxDepth; levels++) {
          const body = nested(levels);
          const outcomes = transcoders.map((t) => {
            try {
              return hex(t.fromJSON(body, { writeDefault: true }));
            } catch (error) {
              return `${(error as HeddleError).code} ${(error as HeddleError).message}`;
            }
          });
          expect(new Set(outcomes).size, `maxDepth ${maxDepth}, ${levels} levels`).toBe(1);
          if (outcomes[0]!.startsWith('ERR_')) {
            expect(outcomes[0]).toMatch(/^ERR_DEPTH_LIMIT nesting deeper than /);
            refused++;
          } else {
            const wire = transcoders[0]!.fromJSON(body, { writeDefault: true });
            expect(() => codec.decode(wire)).not.toThrow();
            written++;
          }
        }
      }
      expect(refused).toBeGreaterThan(0);
      expect(written).toBeGreaterThan(0);
    });
  }
});
