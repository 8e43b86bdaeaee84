/**
 * fromJSON and toJSON against heddle's own encode and decode on random schemas and values: for
 * every value, `fromJSON(reference JSON)` must equal `encode(value)` byte for byte, `toJSON(encode(
 * value))` must equal the reference JSON byte for byte, and JSON.parse must agree on the result;
 * the same JSON with whitespace everywhere, every non-ASCII character escaped and unknown members
 * added must still give encode's bytes.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { thrift } from '../../src-ts/index.js';
import { referenceJson } from './reference-json.js';

type Gen = { idl: string; arb: fc.Arbitrary<unknown> };

const BASES: Array<() => Gen> = [
  () => ({ idl: 'bool', arb: fc.boolean() }),
  () => ({ idl: 'i8', arb: fc.integer({ min: -128, max: 127 }) }),
  () => ({ idl: 'i16', arb: fc.integer({ min: -32768, max: 32767 }) }),
  () => ({ idl: 'i32', arb: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  () => ({ idl: 'i64', arb: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }),
  // -0 has no JSON form apart from 0, so it cannot round-trip byte for byte.
  () => ({ idl: 'double', arb: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)) }),
  () => ({ idl: 'string', arb: fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'grapheme' })) }),
  () => ({ idl: 'binary', arb: fc.uint8Array({ maxLength: 20 }) }),
  () => ({ idl: 'Color', arb: fc.constantFrom(1, 2, 7) }),
];

const KEYS: Array<() => Gen> = [
  () => ({ idl: 'string', arb: fc.string({ unit: 'binary', maxLength: 8 }) }),
  () => ({ idl: 'i32', arb: fc.integer() }),
  () => ({ idl: 'i64', arb: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }),
  () => ({ idl: 'i8', arb: fc.integer({ min: -128, max: 127 }) }),
];

/** A random schema: `count` structs, each field of a random type, possibly a struct declared earlier. */
function schema(seed: number, count: number): { idl: string; arbs: Map<string, fc.Arbitrary<Record<string, unknown>>> } {
  const rnd = mulberry(seed);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const structs: Array<{ name: string; arb: fc.Arbitrary<Record<string, unknown>> }> = [];
  const lines = ['enum Color { RED = 1, GREEN = 2, BLUE = 7 }'];
  const arbs = new Map<string, fc.Arbitrary<Record<string, unknown>>>();
  const typeGen = (depth: number): Gen => {
    const r = rnd();
    if (depth < 2 && r < 0.12) {
      const e = typeGen(depth + 1);
      return { idl: `list<${e.idl}>`, arb: fc.array(e.arb, { maxLength: 20 }) };
    }
    if (depth < 2 && r < 0.18) {
      const e = pick(BASES)();
      return { idl: `set<${e.idl}>`, arb: fc.array(e.arb, { maxLength: 5 }) };
    }
    if (depth < 2 && r < 0.28) {
      const k = pick(KEYS)();
      const v = typeGen(depth + 1);
      return { idl: `map<${k.idl},${v.idl}>`, arb: fc.array(fc.tuple(k.arb, v.arb), { maxLength: 140 }).map((es) => new Map(es)) };
    }
    if (structs.length > 0 && r < 0.36) {
      const s = pick(structs);
      return { idl: s.name, arb: s.arb };
    }
    return pick(BASES)();
  };
  for (let i = 0; i < count; i++) {
    const fields: string[] = [];
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    const required: string[] = [];
    const n = 1 + Math.floor(rnd() * 7);
    let id = 0;
    for (let f = 0; f < n; f++) {
      const t = typeGen(0);
      const req = rnd() < 0.2 ? 'required' : 'optional';
      id += 1 + Math.floor(rnd() * 20);
      fields.push(`  ${id}: ${req} ${t.idl} f${f}`);
      shape[`f${f}`] = t.arb;
      if (req === 'required') required.push(`f${f}`);
    }
    const name = `S${i}`;
    lines.push(`struct ${name} {\n${fields.join('\n')}\n}`);
    const arb = fc.record(shape, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
    structs.push({ name, arb });
    arbs.set(name, arb);
  }
  return { idl: lines.join('\n'), arbs };
}

function mulberry(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

describe.each(['binary', 'compact'] as const)('%s: fromJSON and toJSON equal encode and decode', (protocol) => {
  test.each(Array.from({ length: 12 }, (_, i) => i + 1))('random schema %i', (seed) => {
    const { idl, arbs } = schema(seed * 7919, 4);
    const doc = thrift.parse(idl);
    const name = 'S3';
    const codec = doc.codec(name, { protocol });
    const struct = doc.struct(name);
    fc.assert(
      fc.property(arbs.get(name)!, (value) => {
        const wire = codec.encode(value);
        const json = referenceJson(doc, struct, value);
        // JSON → wire equals JSON-free encode, byte for byte.
        expect(hex(codec.fromJSON(json))).toBe(hex(wire));
        expect(hex(codec.fromJSON(Buffer.from(json)))).toBe(hex(wire));
        // wire → JSON equals the reference rendering, byte for byte.
        const out = codec.toJSON(wire);
        expect(out.toString('utf8')).toBe(json);
        expect(JSON.parse(out.toString('utf8'))).toStrictEqual(JSON.parse(json));
        // i64 as strings, and those strings accepted back.
        const asStrings = codec.toJSON(wire, { i64: 'string' }).toString('utf8');
        expect(asStrings).toBe(referenceJson(doc, struct, value, 'string'));
        expect(hex(codec.fromJSON(asStrings))).toBe(hex(wire));
        // Whitespace, \u escapes of all non-ASCII text and unknown members change nothing.
        const varied = referenceJson(doc, struct, value, 'number', { loose: true, escapeAll: true, unknown: true });
        expect(JSON.parse(varied).zz_unknown.a[2]).toBe('é"');
        expect(hex(codec.fromJSON(varied))).toBe(hex(wire));
        // decode of the transcoded bytes gives the value back.
        expect(codec.decode(codec.fromJSON(json))).toStrictEqual(codec.decode(wire));
      }),
      { numRuns: 60, seed },
    );
  });
});
