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
 * Where the two differ by convention, the case is named and both outcomes asserted (the last
 * describe block); docs/gateway.md lists the same differences.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import { buildDescriptor, ThriftJsonTranscoder } from '../../src-ts/gateway/thrift-json/index.js';
import { thrift } from '../../src-ts/index.js';
import { native } from '../../src-ts/native.js';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { exactValue } from './exact-json.js';
import { randomSchema } from './random-schema.js';
import { referenceJson } from './reference-json.js';

type Doc = ReturnType<typeof thrift.parse>;

/** conv.Options for heddle's defaults: i64 strings accepted, IDL defaults written, unknown members skipped. */
const J2T = { String2Int64: true, WriteDefaultField: true };
/** conv.Options for heddle's toJSON defaults: i64 as numbers, absent fields left out. */
const T2J = {};
const T2J_I64_STRING = { Int642String: true };

interface Case {
  dir: 'j2t' | 't2j';
  method: string;
  body: string | Uint8Array;
  options: Record<string, boolean>;
}
type Outcome = { out: Buffer; error?: undefined } | { out?: undefined; error: string };

let binary = '';
let workDir = '';
beforeAll(() => {
  if (!hasPeers(['go'])) return;
  binary = buildGoProgram('dynamicgo-diff');
  workDir = mkdtempSync(join(tmpdir(), 'heddle-dgdiff-'));
}, 600_000);
afterAll(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

let idlCount = 0;

/** Runs `cases` through one dynamicgo process on `idl`, plus a service with a method per struct. */
function dynamicgo(idl: string, structs: string[], cases: Case[]): Outcome[] {
  const path = join(workDir, `diff-${idlCount++}.thrift`);
  writeFileSync(path, `${idl}\nservice Diff {\n${structs.map((s) => `  void ${s}(1: ${s} arg)`).join('\n')}\n}\n`);
  const input = cases.map((c) => JSON.stringify({ dir: c.dir, method: c.method, body: Buffer.from(c.body).toString('base64'), options: c.options })).join('\n');
  const out = execFileSync(binary, [path], { input, maxBuffer: 256 << 20 }).toString('utf8');
  const lines = out.trim().split('\n');
  expect(lines).toHaveLength(cases.length);
  return lines.map((line) => {
    const o = JSON.parse(line) as { out?: string; error?: string };
    return o.error === undefined ? { out: Buffer.from(o.out!, 'base64') } : { error: o.error };
  });
}

/** Heddle's transcoders of one Binary struct: the twin, and the native one when the addon is loaded. */
function heddlePaths(doc: Doc, name: string): Array<{ label: string; t: ThriftJsonTranscoder }> {
  const desc = buildDescriptor(doc.struct(name), (key) => doc.structByKey(key));
  const limits = { compact: false, maxDepth: 64, maxSize: 16 << 20 };
  const paths = [{ label: 'twin', t: new ThriftJsonTranscoder(desc, limits, false) }];
  if (native.loaded) {
    const nat = new ThriftJsonTranscoder(desc, limits, true);
    expect(nat.isNative).toBe(true);
    paths.push({ label: 'native', t: nat });
  }
  return paths;
}

/**
 * dynamicgo's JSON text with `\u0008` and `\u000c` written `\b` and `\f`, as heddle (and
 * JSON.stringify) write them; an escaped backslash before a `u` is left as it is.
 */
const shortEscapes = (json: string): string => json.replace(/\\(?:\\|u0008|u000c)/g, (e) => (e === '\\u0008' ? '\\b' : e === '\\u000c' ? '\\f' : e));

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

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
      return { name, codec, paths, value, wire, json, jsonI64, varied, where: `${name} value ${i}: ${json.slice(0, 300)}` };
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
  for (const [i, { codec, paths, value, wire, json, jsonI64, where }] of prepared.entries()) {
    const [t2j, t2jI64, j2t, j2tI64, j2tVaried] = theirs.slice(i * 5, i * 5 + 5) as [Outcome, Outcome, Outcome, Outcome, Outcome];
    for (const o of [t2j, t2jI64, j2t, j2tI64, j2tVaried]) expect(o.error, where).toBeUndefined();
    // j2t: dynamicgo's bytes for heddle's JSON are heddle's encode of the value.
    expect(hex(j2t.out!), where).toBe(hex(wire));
    expect(hex(j2tI64.out!), where).toBe(hex(wire));
    expect(hex(j2tVaried.out!), where).toBe(hex(wire));
    expect(codec.decode(j2t.out!), where).toStrictEqual(codec.decode(codec.encode(value)));
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

const CONVENTION_IDL = `
enum Color { RED = 1, GREEN = 2 }
struct P {
  1: optional i64 big
  2: optional i32 n
  3: optional i8 small
  4: optional double d
  5: optional string s
  6: optional binary b
  7: optional map<binary, i32> byBinary
  8: optional map<bool, i32> byBool
  9: optional map<double, i32> byDouble
  10: optional Color color
  11: optional list<i32> ns
}
struct Dflt { 1: i32 plain, 2: i32 withDefault = 42, 3: optional i32 optDefault = 5, 4: required i32 req }
struct Req { 1: required i32 req, 2: optional i32 o }
union U { 1: i32 a, 2: string b }
`;

/** What one side gives: wire bytes as hex, JSON text, or an error (heddle's code; a fragment of dynamicgo's message). */
type Expected = { hex: string } | { json: string } | { error: string | RegExp };

interface ConventionCase {
  struct: 'P' | 'Dflt' | 'Req' | 'U';
  /** j2t: a JSON body; t2j: a value heddle encodes, or wire bytes as hex. */
  j2t?: string | Buffer;
  t2j?: Record<string, unknown> | string;
  heddle: Expected;
  dynamicgo: Expected;
}

const bytes = (...parts: Array<string | number[]>): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

/**
 * Every difference found between the two on the conventions heddle follows by default, each
 * asserted as it is (docs/gateway.md lists them beside the Kitex conventions), and the refusals
 * both share. The hex is Thrift Binary: field header (type, id), value, 00 stop.
 */
const CONVENTIONS: Record<string, ConventionCase[]> = {
  'binary: heddle also takes base64 without padding and URL-safe base64; dynamicgo refuses them': [
    { struct: 'P', j2t: '{"b":"AQ"}', heddle: { hex: '0b0006000000010100' }, dynamicgo: { error: /base64/ } },
    { struct: 'P', j2t: '{"b":"-_8="}', heddle: { hex: '0b000600000002fbff00' }, dynamicgo: { error: /base64/ } },
    { struct: 'P', j2t: '{"b":"AQID"}', heddle: { hex: '0b00060000000301020300' }, dynamicgo: { hex: '0b00060000000301020300' } },
  ],
  'map<binary, _> keys: base64 in heddle, the raw bytes as text in dynamicgo': [
    { struct: 'P', j2t: '{"byBinary":{"AQID":1}}', heddle: { hex: '0d00070b08000000010000000301020300000001' + '00' }, dynamicgo: { hex: '0d00070b0800000001000000044151494400000001' + '00' } },
    { struct: 'P', t2j: { byBinary: new Map([[Uint8Array.of(0x41, 0x42), 1]]) }, heddle: { json: '{"byBinary":{"QUI=":1}}' }, dynamicgo: { json: '{"byBinary":{"AB":1}}' } },
  ],
  'map<bool, _> keys: heddle only; map<double, _> keys: heddle both ways, dynamicgo JSON to Thrift only': [
    { struct: 'P', j2t: '{"byBool":{"true":1}}', heddle: { hex: '0d0008020800000001010000000100' }, dynamicgo: { error: /unsupported thrift type BOOL/ } },
    { struct: 'P', t2j: { byBool: new Map([[true, 1]]) }, heddle: { json: '{"byBool":{"true":1}}' }, dynamicgo: { error: /byBool/ } },
    { struct: 'P', j2t: '{"byDouble":{"1.5":1}}', heddle: { hex: '0d00090408000000013ff8000000000000000000010' + '0' }, dynamicgo: { hex: '0d00090408000000013ff80000000000000000000100' } },
    { struct: 'P', t2j: { byDouble: new Map([[1.5, 1]]) }, heddle: { json: '{"byDouble":{"1.5":1}}' }, dynamicgo: { error: /byDouble/ } },
  ],
  'strings for i8, i16, i32 and double: dynamicgo takes them (String2Int64), heddle only for i64': [
    { struct: 'P', j2t: '{"n":"12"}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '0800020000000c00' } },
    { struct: 'P', j2t: '{"small":"7"}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '0300030700' } },
    { struct: 'P', j2t: '{"d":"1.5"}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '0400043ff800000000000000' } },
    { struct: 'P', j2t: '{"big":"-9223372036854775808"}', heddle: { hex: '0a0001800000000000000000' }, dynamicgo: { hex: '0a0001800000000000000000' } },
  ],
  'i64 strings with leading zeros: heddle takes them, dynamicgo refuses': [{ struct: 'P', j2t: '{"big":"007"}', heddle: { hex: '0a0001000000000000000700' }, dynamicgo: { error: /invalid char/ } }],
  'integers out of range: heddle refuses, dynamicgo wraps them': [
    { struct: 'P', j2t: '{"big":9223372036854775808}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '0a0001800000000000000000' } },
    { struct: 'P', j2t: '{"n":2147483648}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '0800028000000000' } },
    { struct: 'P', j2t: '{"small":128}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '0300038000' } },
  ],
  'fractions and exponents for integers: heddle refuses, dynamicgo truncates': [
    { struct: 'P', j2t: '{"n":1.5}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '0800020000000100' } },
    { struct: 'P', j2t: '{"n":1e2}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '0800020000006400' } },
    { struct: 'P', j2t: '{"big":1.0}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '0a0001000000000000000100' } },
  ],
  'invalid UTF-8: heddle refuses it both ways; dynamicgo copies it to the wire and writes U+FFFD for it in JSON': [
    { struct: 'P', j2t: bytes('{"s":"', [0xff], '"}'), heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '0b000500000001ff00' } },
    { struct: 'P', t2j: '0b00050000000241ff00', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { json: '{"s":"A\ufffd"}' } },
  ],
  'a member given twice: heddle refuses, dynamicgo writes the field twice': [{ struct: 'P', j2t: '{"n":1,"n":2}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '080002000000010800020000000200' } }],
  'null as a list element: heddle refuses, dynamicgo leaves the element out': [{ struct: 'P', j2t: '{"ns":[1,null]}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '0f000b08000000010000000100' } }],
  'a double past its range (1e400): heddle writes Infinity as JSON.parse reads it, dynamicgo refuses': [
    { struct: 'P', j2t: '{"d":1e400}', heddle: { hex: '0400047ff000000000000000' }, dynamicgo: { error: /infinity/ } },
  ],
  'negative zero: heddle keeps its sign from JSON and writes it as 0 (JSON.stringify); dynamicgo the other way round': [
    { struct: 'P', j2t: '{"d":-0}', heddle: { hex: '040004800000000000000000' }, dynamicgo: { hex: '040004000000000000000000' } },
    { struct: 'P', t2j: '040004800000000000000000', heddle: { json: '{"d":0}' }, dynamicgo: { json: '{"d":-0}' } },
  ],
  'an absent field of default requiredness without an IDL default: dynamicgo (WriteDefaultField) writes its zero, heddle leaves it out': [
    // Both write withDefault's 42 and neither writes the optional field's default.
    { struct: 'Dflt', j2t: '{"req":1}', heddle: { hex: '080004000000010800020000002a00' }, dynamicgo: { hex: '08000400000001080001000000000800020000002a00' } },
    { struct: 'Dflt', t2j: { req: 1 }, heddle: { json: '{"req":1}' }, dynamicgo: { json: '{"req":1}' } },
  ],
  'a union from JSON: heddle needs exactly one member, dynamicgo takes any number': [
    { struct: 'U', j2t: '{"a":1,"b":"x"}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '080001000000010b0002000000017800' } },
    { struct: 'U', j2t: '{}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { hex: '00' } },
    { struct: 'U', t2j: '080001000000010b0002000000017800', heddle: { json: '{"a":1,"b":"x"}' }, dynamicgo: { json: '{"a":1,"b":"x"}' } },
  ],
  'wire types that contradict the IDL: heddle skips such a field and takes such an empty list (as its decode does), dynamicgo refuses both': [
    { struct: 'P', t2j: '0b0002000000017800', heddle: { json: '{}' }, dynamicgo: { error: /read failed/ } },
    { struct: 'P', t2j: '0f000b0b0000000000', heddle: { json: '{"ns":[]}' }, dynamicgo: { error: /dismatched type/ } },
    { struct: 'P', t2j: '0f000b0b000000010000000178' + '00', heddle: { error: 'ERR_BAD_TYPE' }, dynamicgo: { error: /dismatched type/ } },
  ],
  'backspace and form feed: heddle writes \\b and \\f (as JSON.stringify), dynamicgo \\u0008 and \\u000c': [
    { struct: 'P', t2j: { s: '\b\f\n' }, heddle: { json: '{"s":"\\b\\f\\n"}' }, dynamicgo: { json: '{"s":"\\u0008\\u000c\\n"}' } },
  ],
  'the same on both: a null member is absent; an enum value outside the enum is kept': [
    { struct: 'P', j2t: '{"big":null,"n":1,"ns":null}', heddle: { hex: '0800020000000100' }, dynamicgo: { hex: '0800020000000100' } },
    { struct: 'P', j2t: '{"color":5}', heddle: { hex: '08000a0000000500' }, dynamicgo: { hex: '08000a0000000500' } },
    { struct: 'P', t2j: '08000a0000000500', heddle: { json: '{"color":5}' }, dynamicgo: { json: '{"color":5}' } },
  ],
  'refused by both': [
    { struct: 'P', j2t: '{"s":"\\ud800"}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { error: /invalid unicode escape/ } },
    { struct: 'P', j2t: '{"s":12}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { error: /dismatched type/ } },
    { struct: 'P', j2t: '{"ns":{}}', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { error: /dismatched types/ } },
    { struct: 'P', j2t: '[]', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { error: /dismatched types/ } },
    { struct: 'Req', j2t: '{"o":1}', heddle: { error: 'ERR_REQUIRED_FIELD' }, dynamicgo: { error: /missing required field/ } },
    { struct: 'Req', t2j: '0800020000000100', heddle: { error: 'ERR_REQUIRED_FIELD' }, dynamicgo: { error: /missing required field/ } },
    { struct: 'P', t2j: '0400047ff8000000000000' + '00', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { error: /converting field d/ } },
  ],
};

function heddleOutcome(run: () => Uint8Array, dir: 'j2t' | 't2j'): { hex: string } | { json: string } | { error: string } {
  try {
    const out = run();
    return dir === 'j2t' ? { hex: hex(out) } : { json: Buffer.from(out).toString('utf8') };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    return { error: code };
  }
}

describeWithPeers(['go'], 'Thrift JSON conventions where heddle and dynamicgo differ', () => {
  const doc = thrift.parse(CONVENTION_IDL);
  const entries = Object.entries(CONVENTIONS);
  let theirs: Outcome[] = [];
  beforeAll(() => {
    const cases = entries.flatMap(([, list]) => list.map((c): Case => (c.j2t !== undefined ? { dir: 'j2t', method: c.struct, body: c.j2t, options: J2T } : { dir: 't2j', method: c.struct, body: wireOf(c), options: T2J })));
    theirs = dynamicgo(CONVENTION_IDL, ['P', 'Dflt', 'Req', 'U'], cases);
  });

  function wireOf(c: ConventionCase): Uint8Array {
    return typeof c.t2j === 'string' ? Buffer.from(c.t2j, 'hex') : doc.codec(c.struct).encode(c.t2j!);
  }

  let index = 0;
  const starts = entries.map(([, list]) => {
    const start = index;
    index += list.length;
    return start;
  });

  it.each(entries.map(([name, list], i) => ({ name, list, start: starts[i]! })))('$name', ({ list, start }) => {
    for (const [k, c] of list.entries()) {
      const dir = c.j2t !== undefined ? 'j2t' : 't2j';
      const where = `case ${k}: ${c.struct} ${dir} ${c.j2t ?? (typeof c.t2j === 'string' ? c.t2j : JSON.stringify(c.t2j, (_, v) => (v instanceof Map ? [...v] : v)))}`;
      for (const { label, t } of heddlePaths(doc, c.struct)) {
        const ours = heddleOutcome(() => (dir === 'j2t' ? t.fromJSON(c.j2t!) : t.toJSON(wireOf(c))), dir);
        expect(ours, `heddle ${label} ${where}`).toStrictEqual(c.heddle);
      }
      const o = theirs[start + k]!;
      if ('error' in c.dynamicgo) {
        expect(o.error, `dynamicgo ${where}`).toMatch(c.dynamicgo.error);
      } else {
        expect(o.error, `dynamicgo ${where}`).toBeUndefined();
        expect(dir === 'j2t' ? { hex: hex(o.out!) } : { json: o.out!.toString('utf8') }, `dynamicgo ${where}`).toStrictEqual(c.dynamicgo);
      }
    }
  });
});
