import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src-ts/errors.js';
import { ConsistentHash, createPicker, hash32, SmoothWeightedRoundRobin, WeightedRandom } from '../../src-ts/governance/index.js';

const a = { address: '10.0.0.1:8888', weight: 10 };
const b = { address: '10.0.0.2:8888', weight: 30 };

function tally<T extends { address: string }>(picks: T[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of picks) counts[p.address] = (counts[p.address] ?? 0) + 1;
  return counts;
}

describe('smooth weighted round robin', () => {
  it('gives weights 10 and 30 exactly 100 and 300 of 400 picks, from any starting rotation', () => {
    for (const start of [0, 0.5, 0.999]) {
      const picker = new SmoothWeightedRoundRobin([a, b], () => start);
      const picks = Array.from({ length: 400 }, () => picker.pick());
      expect(tally(picks)).toEqual({ [a.address]: 100, [b.address]: 300 });
      // Every window of one total weight (40 picks) holds exactly 10 and 30.
      for (let w = 0; w < 400; w += 40) expect(tally(picks.slice(w, w + 40))).toEqual({ [a.address]: 10, [b.address]: 30 });
    }
  });

  it('interleaves rather than bursts: nginx weights 5, 1, 1 give a a b a c a a', () => {
    const items = [{ address: 'a', weight: 5 }, { address: 'b', weight: 1 }, { address: 'c', weight: 1 }];
    const picker = new SmoothWeightedRoundRobin(items, () => 0);
    expect(Array.from({ length: 14 }, () => picker.pick().address).join('')).toBe('aabacaaaabacaa');
  });

  it('with weights 10 and 30 never sends the light instance two picks in a row', () => {
    const picker = new SmoothWeightedRoundRobin([a, b], () => 0);
    const sequence = Array.from({ length: 40 }, () => (picker.pick() === a ? 'a' : 'b')).join('');
    expect(sequence).not.toContain('aa');
    // Ties go to the first item, as in nginx and Kitex: 40,20 then 20,20 (a wins), 50, 40.
    expect(sequence).toBe('babb'.repeat(10));
  });
});

describe('weighted random', () => {
  it('maps the random draw onto weight intervals: 400 evenly spread draws give exactly 100/300', () => {
    let i = 0;
    const picker = new WeightedRandom([a, b], () => (i++ + 0.5) / 400);
    expect(tally(Array.from({ length: 400 }, () => picker.pick()))).toEqual({ [a.address]: 100, [b.address]: 300 });
  });

  it('puts the boundary draw on the next item', () => {
    const draws = [0, 0.2499, 0.25, 0.9999];
    const picker = new WeightedRandom([a, b], () => draws.shift()!);
    expect([picker.pick(), picker.pick(), picker.pick(), picker.pick()]).toEqual([a, a, b, b]);
  });
});

describe('consistent hash', () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

  it('sends a key to the same instance every time, and spreads keys roughly by weight', () => {
    const picker = new ConsistentHash([a, b]);
    const first = keys.map((k) => picker.pick(k));
    expect(keys.map((k) => new ConsistentHash([a, b]).pick(k) === first[keys.indexOf(k)]).every(Boolean)).toBe(true);
    const share = tally(first)[b.address]! / keys.length;
    expect(share).toBeGreaterThan(0.65);
    expect(share).toBeLessThan(0.85);
  });

  it('moves only the keys of an instance that left', () => {
    const c = { address: '10.0.0.3:8888', weight: 20 };
    const before = new ConsistentHash([a, b, c]);
    const after = new ConsistentHash([a, b]);
    let moved = 0;
    for (const key of keys) {
      const was = before.pick(key);
      const now = after.pick(key);
      if (was !== c) expect(now).toBe(was);
      else moved++;
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('needs a key', () => {
    expect(() => new ConsistentHash([a]).pick()).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
  });

  it('hashes deterministically (FNV-1a then murmur3 fmix32)', () => {
    expect(hash32('user-1')).toBe(hash32('user-1'));
    expect(hash32('')).toBe(hash32(''));
    expect(new Set(keys.slice(0, 1000).map(hash32)).size).toBe(1000);
  });
});

describe('createPicker', () => {
  it('fails an empty list, or one with no positive weight, with ERR_NO_INSTANCE', () => {
    expect(() => createPicker('weighted-round-robin', [])).toThrow(expect.objectContaining({ code: ErrorCode.ERR_NO_INSTANCE, message: 'no instance to pick from' }));
    expect(() => createPicker('weighted-random', [{ weight: 0 }, { weight: -1 }])).toThrow(
      expect.objectContaining({ code: ErrorCode.ERR_NO_INSTANCE, message: 'none of 2 instance(s) has a positive weight' }),
    );
  });

  it('leaves out instances of weight 0, as Kitex does', () => {
    const zero = { address: 'z', weight: 0 };
    const picker = createPicker('weighted-round-robin', [zero, a]);
    expect(Array.from({ length: 10 }, () => picker.pick())).toEqual(Array(10).fill(a));
  });

  it('rejects an unknown balancer name', () => {
    expect(() => createPicker('round-robin' as never, [a])).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
  });
});
