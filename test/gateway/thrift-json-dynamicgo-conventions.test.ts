/**
 * Where heddle's Thrift JSON transcoders and CloudWeGo dynamicgo v0.8.0 differ on the conventions
 * heddle follows by default (dynamicgo with the matching conv.Options, dynamicgo-diff.ts): each
 * difference a named case asserting both sides' outcomes, on every heddle path here, and the
 * behaviours both share. docs/gateway.md ("Against CloudWeGo dynamicgo") lists the same.
 */
import { beforeAll, expect, it } from 'vitest';
import { thrift } from '../../src-ts/index.js';
import { describeWithPeers } from '../helpers/peers.js';
import { dynamicgo, heddlePaths, hex, J2T, setUpDynamicgo, T2J, type Case, type Outcome } from './dynamicgo-diff.js';

setUpDynamicgo();

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

const bytes = (...parts: Array<string | number[]>): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

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
    { struct: 'P', j2t: '{"byBinary":{"AQID":1}}', heddle: { hex: '0d00070b0800000001000000030102030000000100' }, dynamicgo: { hex: '0d00070b080000000100000004415149440000000100' } },
    { struct: 'P', t2j: { byBinary: new Map([[Uint8Array.of(0x41, 0x42), 1]]) }, heddle: { json: '{"byBinary":{"QUI=":1}}' }, dynamicgo: { json: '{"byBinary":{"AB":1}}' } },
  ],
  'map<bool, _> keys: heddle only; map<double, _> keys: heddle both ways, dynamicgo JSON to Thrift only': [
    { struct: 'P', j2t: '{"byBool":{"true":1}}', heddle: { hex: '0d0008020800000001010000000100' }, dynamicgo: { error: /unsupported thrift type BOOL/ } },
    { struct: 'P', t2j: { byBool: new Map([[true, 1]]) }, heddle: { json: '{"byBool":{"true":1}}' }, dynamicgo: { error: /byBool/ } },
    { struct: 'P', j2t: '{"byDouble":{"1.5":1}}', heddle: { hex: '0d00090408000000013ff80000000000000000000100' }, dynamicgo: { hex: '0d00090408000000013ff80000000000000000000100' } },
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
    { struct: 'P', t2j: '0f000b0b00000001000000017800', heddle: { error: 'ERR_BAD_TYPE' }, dynamicgo: { error: /dismatched type/ } },
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
    { struct: 'P', t2j: '0400047ff800000000000000', heddle: { error: 'ERR_BAD_VALUE' }, dynamicgo: { error: /converting field d/ } },
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
