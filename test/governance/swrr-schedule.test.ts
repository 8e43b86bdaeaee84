import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SmoothWeightedRoundRobin } from '../../src-ts/governance/load-balancer.js';

/** nginx's smooth weighted round robin, written plainly: the reference the picker must follow. */
function reference(weights: number[], picks: number): number[] {
  const current = weights.map(() => 0);
  const total = weights.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  for (let n = 0; n < picks; n++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    out.push(best);
  }
  return out;
}

describe('smooth weighted round robin from a precomputed cycle', () => {
  it('picks exactly what the algorithm picks, over several cycles, for any integer weights', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 40 }), (weights) => {
        const items = weights.map((weight, id) => ({ id, weight }));
        // random() = 0: no rotation, so item i is reference index i.
        const picker = new SmoothWeightedRoundRobin(items, () => 0);
        const total = weights.reduce((a, b) => a + b, 0);
        const picks = Array.from({ length: total * 3 + 7 }, () => picker.pick().id);
        expect(picks).toEqual(reference(weights, total * 3 + 7));
      }),
      { numRuns: 200 },
    );
  });

  it('falls back to stepping for fractional weights and totals beyond the schedule, with the same picks', () => {
    for (const weights of [[0.5, 1.5, 2], [40000, 30000, 1]]) {
      const picker = new SmoothWeightedRoundRobin(weights.map((weight, id) => ({ id, weight })), () => 0);
      expect(Array.from({ length: 500 }, () => picker.pick().id)).toEqual(reference(weights, 500));
    }
  });
});
