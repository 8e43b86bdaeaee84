import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src-ts/errors.js';
import { SlidingWindow, type Outcome } from '../../src-ts/governance/index.js';

function fakeClock(start = 0) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe('SlidingWindow', () => {
  it('defaults to gopkg circuitbreaker sizes: 100 buckets of 100 ms', () => {
    const w = new SlidingWindow(() => 0);
    expect([w.bucketMs, w.buckets, w.windowMs]).toEqual([100, 100, 10_000]);
  });

  it('counts an outcome for exactly one window: gone once its bucket is `buckets` buckets old', () => {
    const clock = fakeClock(1_000_050);
    const w = new SlidingWindow(clock.now);
    w.record('failure');
    w.record('success');
    w.record('timeout');
    expect([w.successes, w.failures, w.timeouts, w.samples]).toEqual([1, 1, 1, 3]);
    expect(w.errorRate).toBeCloseTo(2 / 3);
    // The outcomes sit in the bucket starting at 1_000_000; it leaves at 1_000_000 + 10_000.
    clock.t = 1_009_999;
    expect(w.samples).toBe(3);
    clock.t = 1_010_000;
    expect(w.samples).toBe(0);
    expect(w.errorRate).toBe(0);
  });

  it('drops everything after a jump longer than the window, then counts afresh', () => {
    const clock = fakeClock();
    const w = new SlidingWindow(clock.now, { bucketMs: 10, buckets: 4 });
    for (let i = 0; i < 5; i++) w.record('failure');
    clock.t = 1_000_000;
    w.record('success');
    expect([w.successes, w.failures]).toEqual([1, 0]);
  });

  it('reset forgets every outcome', () => {
    const w = new SlidingWindow(() => 5);
    w.record('failure');
    w.reset();
    expect(w.samples).toBe(0);
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => new SlidingWindow(() => 0, { bucketMs: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
    expect(() => new SlidingWindow(() => 0, { buckets: 1.5 })).toThrow(/buckets must be a positive integer/);
  });

  it('always equals a model that keeps every outcome with its time (property)', () => {
    const event = fc.record({ dt: fc.integer({ min: 0, max: 700 }), outcome: fc.constantFrom<Outcome>('success', 'failure', 'timeout'), read: fc.boolean() });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }), fc.array(event, { maxLength: 200 }), (bucketMs, buckets, start, events) => {
        const clock = fakeClock(start);
        const w = new SlidingWindow(clock.now, { bucketMs, buckets });
        const log: Array<{ bucket: number; outcome: Outcome }> = [];
        for (const e of events) {
          clock.t += e.dt;
          const current = Math.floor(clock.t / bucketMs);
          if (e.read) {
            const live = log.filter((x) => x.bucket > current - buckets);
            const count = (o: Outcome) => live.filter((x) => x.outcome === o).length;
            expect([w.successes, w.failures, w.timeouts]).toEqual([count('success'), count('failure'), count('timeout')]);
          } else {
            w.record(e.outcome);
            log.push({ bucket: current, outcome: e.outcome });
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
