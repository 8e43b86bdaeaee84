import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InflightTable } from '../../src-ts/rpc/inflight-table.js';

type Op = { kind: 'set'; key: number; value: number } | { kind: 'take'; key: number } | { kind: 'takeOldest' } | { kind: 'clear' };

const key = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 0x7fffffff }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('take' as const), key }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'takeOldest' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

/** Applies `ops` to the table and to a Map (which keeps insertion order the same way), comparing after each. */
function checkAgainstMap(ops: readonly Op[]): void {
  const table = new InflightTable<number>(4);
  const model = new Map<number, number>();
  for (const o of ops) {
    if (o.kind === 'set') {
      table.set(o.key, o.value);
      model.set(o.key, o.value);
    } else if (o.kind === 'take') {
      expect(table.take(o.key)).toBe(model.get(o.key));
      model.delete(o.key);
    } else if (o.kind === 'takeOldest') {
      const oldest = model.keys().next();
      expect(table.first()).toBe(oldest.done ? undefined : model.get(oldest.value));
      if (!oldest.done) {
        expect(table.take(oldest.value)).toBe(model.get(oldest.value));
        model.delete(oldest.value);
      }
    } else {
      table.clear();
      model.clear();
    }
    expect(table.size).toBe(model.size);
  }
  expect(table.values()).toEqual([...model.values()]);
  for (const [k, v] of model) {
    expect(table.get(k)).toBe(v);
    expect(table.has(k)).toBe(true);
  }
}

describe('InflightTable', () => {
  it('behaves as an insertion-ordered Map on random operation sequences (small and int32-wide keys)', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 400 }), checkAgainstMap), { numRuns: 200 });
  });

  it('keeps order, lookups and the oldest entry as a pipelined connection uses it: replies mostly in order, some late', () => {
    const table = new InflightTable<{ seq: number }>();
    const model = new Map<number, { seq: number }>();
    let seq = 0x7fffff00; // wraps to 1 as the client's sequence ids do
    let state = 12345;
    const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    // Plain comparisons in the loop, one expect at the end: the arm64 runs are emulated.
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      seq = seq >= 0x7fffffff ? 1 : seq + 1;
      const call = { seq };
      table.set(seq, call);
      model.set(seq, call);
      if (model.size > 32 || random() < 0.3) {
        // The oldest usually; now and then one further back, answered out of order.
        const keys = [...model.keys()];
        const pick = random() < 0.9 ? keys[0]! : keys[Math.floor(random() * keys.length)]!;
        if (table.take(pick) !== model.get(pick)) mismatches.push(`take ${pick} at ${i}`);
        model.delete(pick);
      }
      if (table.first() !== model.values().next().value) mismatches.push(`first at ${i}`);
      if (table.size !== model.size) mismatches.push(`size at ${i}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(table.values()).toEqual([...model.values()]);
  });

  it('does not grow with the traffic that passes one entry that never leaves', () => {
    const table = new InflightTable<number>();
    table.set(0, -1);
    let largest = 0;
    for (let k = 1; k < 100_000; k++) {
      table.set(k, k);
      table.take(k - 1 === 0 ? k : k - 1);
      largest = Math.max(largest, table.size);
    }
    expect(largest).toBeLessThanOrEqual(2);
    expect(table.get(0)).toBe(-1);
    expect(table.first()).toBe(-1);
    // The ring is compacted while at most half of it is live, never doubled past a few slots.
    expect((table as unknown as { ring: unknown[] }).ring.length).toBeLessThanOrEqual(16);
  });

  it('rejects keys outside non-negative int32', () => {
    const table = new InflightTable<number>();
    for (const bad of [-1, 0x80000000, 1.5, Number.NaN]) expect(() => table.set(bad, 1)).toThrow(RangeError);
    // A peer's sequence id may be anything an int32 holds: -1 marks empty slots, and finds nothing.
    for (let k = 0; k < 8; k++) table.set(k, k);
    for (const stranger of [-1, -2, 0x80000000, 2.5, Number.NaN, 9]) {
      expect(table.get(stranger)).toBeUndefined();
      expect(table.take(stranger)).toBeUndefined();
    }
    expect(table.size).toBe(8);
  });

  it('lets a scavenge collect what it held, where a Map keeps it (child processes with --expose-gc)', () => {
    const root = new URL('../..', import.meta.url).pathname;
    const keptKiB = (kind: 'table' | 'map') => {
      const result = spawnSync(process.execPath, ['--expose-gc', 'test/rpc/fixtures/inflight-survival.mjs', kind, `${root}dist`], { cwd: root, encoding: 'utf8', timeout: 100_000 });
      expect(result.status, result.stderr).toBe(0);
      return Number(result.stdout.trim());
    };
    const table = keptKiB('table');
    // 32 live entries of about 1 KiB, and the table's own arrays.
    expect(table).toBeLessThan(1024);
    // The control: the same churn through a Map keeps megabytes (4.7 MB on Node 20), so the
    // fixture does see retention where there is some.
    expect(keptKiB('map')).toBeGreaterThan(4 * Math.max(table, 256));
  }, 220_000);
});
