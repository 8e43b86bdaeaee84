/**
 * Thrift JSON against CloudWeGo dynamicgo v0.8.0 (conv/j2t and conv/t2j, Binary), built from the
 * Go module proxy (test/interop/dynamicgo-diff): the same IDL and bodies through both, on random
 * schemas and values and on hand-written edges (i64 at 2^53+1 and the int64 limits, escapes,
 * surrogate pairs, Chinese text, every map key kind dynamicgo writes, enums, base64 binary), on
 * every heddle path here (the native transcoder and the TypeScript twin).
 *
 * - t2j: dynamicgo's JSON for heddle's encode of a value equals heddle's toJSON of it byte for
 *   byte (after `shortEscapes`) and read losslessly (exactValue: int64 digits compared exactly),
 *   and heddle's fromJSON of it gives the encoded bytes back; likewise with i64 as strings
 *   (Int642String against `i64: 'string'`).
 * - j2t: dynamicgo's bytes for heddle's JSON (numbers, i64 strings, and a variant with whitespace,
 *   \u escapes of all non-ASCII text and unknown members) equal heddle's encode byte for byte
 *   (both write fields in the JSON's order, which is the IDL's).
 *
 * Where the two differ by convention, thrift-json-dynamicgo-conventions.test.ts names the case and
 * asserts both outcomes; docs/gateway.md lists the same differences.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { thrift } from '../../src-ts/index.js';
import { describeWithPeers } from '../helpers/peers.js';
import { dynamicgo, heddlePaths, hex, J2T, setUpDynamicgo, T2J, T2J_I64_STRING, type Case, type Doc, type Outcome } from './dynamicgo-diff.js';
import { exactValue } from './exact-json.js';
import { randomSchema } from './random-schema.js';
import { referenceJson } from './reference-json.js';

setUpDynamicgo();

/**
 * dynamicgo's JSON text with `\u0008` and `\u000c` written `\b` and `\f`, as heddle (and
 * JSON.stringify) write them; an escaped backslash before a `u` is left as it is.
 */
const shortEscapes = (json: string): string => json.replace(/\\(?:\\|u0008|u000c)/g, (e) => (e === '\\u0008' ? '\\b' : e === '\\u000c' ? '\\f' : e));

/**
 * Both directions for every value of each struct in `values` (struct name to values), all cases
 * in one dynamicgo process on `idl`. Returns how many values were compared.
 */
function compareBothWays(doc: Doc, idl: string, values: Map<string, Array<Record<string, unknown>>>): number {
  const prepared = [...values].flatMap(([name, list]) => {
    const codec = doc.codec(name);
    const struct = doc.struct(name);
    const paths = heddlePaths(doc, name);
    return list.map((value, i) => {
      const wire = codec.encode(value).slice();
      const json = paths[0]!.t.toJSON(wire).toString('utf8');
      const jsonI64 = paths[0]!.t.toJSON(wire, { i64: 'string' }).toString('utf8');
      const varied = referenceJson(doc, struct, value, 'number', { loose: i % 2 === 0, escapeAll: true, unknown: true });
      return { name, paths, wire, json, jsonI64, varied, where: `${name} value ${i}: ${json.slice(0, 300)}` };
    });
  });
  const cases = prepared.flatMap(({ name, wire, json, jsonI64, varied }): Case[] => [
    { dir: 't2j', method: name, body: wire, options: T2J },
    { dir: 't2j', method: name, body: wire, options: T2J_I64_STRING },
    { dir: 'j2t', method: name, body: json, options: J2T },
    { dir: 'j2t', method: name, body: jsonI64, options: J2T },
    { dir: 'j2t', method: name, body: varied, options: J2T },
  ]);
  const theirs = dynamicgo(idl, [...values.keys()], cases);
  for (const [i, { paths, wire, json, jsonI64, where }] of prepared.entries()) {
    const [t2j, t2jI64, j2t, j2tI64, j2tVaried] = theirs.slice(i * 5, i * 5 + 5) as [Outcome, Outcome, Outcome, Outcome, Outcome];
    for (const o of [t2j, t2jI64, j2t, j2tI64, j2tVaried]) expect(o.error, where).toBeUndefined();
    // j2t: dynamicgo's bytes for heddle's JSON are heddle's encode of the value.
    expect(hex(j2t.out!), where).toBe(hex(wire));
    expect(hex(j2tI64.out!), where).toBe(hex(wire));
    expect(hex(j2tVaried.out!), where).toBe(hex(wire));
    // t2j: the same JSON value, int64 digits exact.
    const theirJson = t2j.out!.toString('utf8');
    const theirJsonI64 = t2jI64.out!.toString('utf8');
    expect(exactValue(theirJson), where).toStrictEqual(exactValue(json));
    expect(exactValue(theirJsonI64), where).toStrictEqual(exactValue(jsonI64));
    // Byte for byte, but for the two escapes the writers spell differently.
    expect(shortEscapes(theirJson), where).toBe(json);
    expect(shortEscapes(theirJsonI64), where).toBe(jsonI64);
    for (const { label, t } of paths) {
      expect(t.toJSON(wire).toString('utf8'), `${label} ${where}`).toBe(json);
      expect(t.toJSON(wire, { i64: 'string' }).toString('utf8'), `${label} ${where}`).toBe(jsonI64);
      // heddle reads dynamicgo's JSON back to the same bytes.
      expect(hex(t.fromJSON(t2j.out!)), `${label} ${where}`).toBe(hex(wire));
      expect(hex(t.fromJSON(t2jI64.out!)), `${label} ${where}`).toBe(hex(wire));
    }
  }
  return prepared.length;
}

const EDGE_IDL = `
enum Color { RED = 1, GREEN = 2, BLUE = 7 }
struct Leaf { 1: required string title, 2: optional i64 id, 3: optional binary blob }
struct Edge {
  1: optional i64 big
  2: optional list<i64> bigs
  3: optional string text
  4: optional list<string> texts
  5: optional map<string, i64> byString
  6: optional map<i8, string> byI8
  7: optional map<i16, bool> byI16
  8: optional map<i32, double> byI32
  9: optional map<i64, Leaf> byI64
  10: optional map<Color, list<Color>> byColor
  11: optional set<string> tags
  12: optional list<binary> blobs
  13: optional Leaf leaf
  14: optional list<map<string, list<Leaf>>> nested
  15: optional double d
  16: optional i8 small
  17: optional i16 mid
  18: optional i32 n
  19: optional bool ok
  20: optional Color color
}
`;

const I64_EDGES = [2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n, 0n, -1n, 9007199254740993n, 1234567890123456789n];
const TEXTS = ['', 'plain', '"quoted" \\back\\ /slash/', '\n\r\t\b\f\u0000\u0001\u001f\u007f', '中文测试：你好，世界！', '😀🍵𝄞 astral', '<script>&amp;</script>', '\u2028\u2029 separators', 'é\u0301 combining', '\uffff\ufffd\u00a0'];

const EDGE_VALUES: Array<Record<string, unknown>> = [
  { big: I64_EDGES[0], bigs: I64_EDGES, text: TEXTS[2], texts: TEXTS },
  { big: 2n ** 63n - 1n, byString: new Map(TEXTS.map((t, i) => [t, I64_EDGES[i % I64_EDGES.length]!])) },
  { big: -(2n ** 63n), byI8: new Map([[-128, '最小'], [127, 'max'], [0, '']]), byI16: new Map([[-32768, true], [32767, false]]) },
  { byI32: new Map([[-(2 ** 31), 0.1], [2 ** 31 - 1, -1.5e300], [0, 5e-324], [7, 123456.789]]), d: 1e21, n: -(2 ** 31), small: -128, mid: 32767 },
  { byI64: new Map(I64_EDGES.map((k) => [k, { title: `键${k}`, id: -k - 1n >= -(2n ** 63n) ? -k - 1n : k }])) },
  { byColor: new Map([[1, [1, 2, 7]], [7, []], [2, [7]]]), color: 7, ok: false },
  { tags: ['b', 'a', '中'], blobs: [new Uint8Array(), Uint8Array.of(0), Uint8Array.of(0xff, 0xfe, 0xfd), Uint8Array.from({ length: 100 }, (_, i) => i * 7)] },
  { leaf: { title: '叶 "leaf"', id: 2n ** 53n + 1n, blob: Uint8Array.of(1, 2, 3, 250) }, nested: [new Map([['a', [{ title: 'x' }, { title: '😀', id: -1n }]], ['', []]]), new Map()] },
  { d: 0.1 + 0.2, text: '\ud83d\ude00\u4e2d', ok: true, small: 0 },
  { d: -2.2250738585072014e-308, big: -(2n ** 53n) - 1n },
  { d: 1.7976931348623157e308, text: 'x'.repeat(300) + '中'.repeat(200) },
  { d: 123e-20 },
];

describeWithPeers(['go'], 'Thrift JSON against dynamicgo v0.8.0', () => {
  it('hand-written edges: i64 limits, escapes, surrogate pairs, Chinese, every key kind, binary', () => {
    const doc = thrift.parse(EDGE_IDL);
    expect(compareBothWays(doc, EDGE_IDL, new Map([['Edge', EDGE_VALUES]]))).toBe(EDGE_VALUES.length);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('random schema %i: both directions on 15 values of each of its 4 structs', (seed) => {
    const { idl, arbs } = randomSchema(seed * 6151, 4, { moreKeyKinds: true });
    const doc = thrift.parse(idl);
    const values = new Map([...arbs].map(([name, arb]) => [name, fc.sample(arb, { numRuns: 15, seed })]));
    expect(compareBothWays(doc, idl, values)).toBe(60);
  });
});
