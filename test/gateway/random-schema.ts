/**
 * Random Thrift schemas for the JSON transcoder tests: structs whose fields take every base type,
 * enums, lists, sets, maps and earlier structs, with fast-check arbitraries of their values.
 */
import fc from 'fast-check';

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

/** Key kinds the other tests leave out (their schemas stay as they were for the same seeds). */
const MORE_KEYS: Array<() => Gen> = [
  () => ({ idl: 'i16', arb: fc.integer({ min: -32768, max: 32767 }) }),
  () => ({ idl: 'Color', arb: fc.constantFrom(1, 2, 7) }),
];

/**
 * A random schema: `count` structs, each field of a random type, possibly a struct declared earlier.
 * Map keys are strings, i8, i32 and i64, and also i16 and enums with `moreKeyKinds`.
 */
export function randomSchema(seed: number, count: number, { moreKeyKinds = false } = {}): { idl: string; arbs: Map<string, fc.Arbitrary<Record<string, unknown>>> } {
  const rnd = mulberry(seed);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const structs: Array<{ name: string; arb: fc.Arbitrary<Record<string, unknown>> }> = [];
  const lines = ['enum Color { RED = 1, GREEN = 2, BLUE = 7 }'];
  const arbs = new Map<string, fc.Arbitrary<Record<string, unknown>>>();
  const keys = moreKeyKinds ? [...KEYS, ...MORE_KEYS] : KEYS;
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
      const k = pick(keys)();
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

