import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src-ts/errors.js';
import { RETRY_BUDGET_MIN_SAMPLES, RetryBudget } from '../../src-ts/governance/index.js';

function fakeClock(start = 0) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe('RetryBudget (Kitex retry percentage limit)', () => {
  it('allows retries until retries reach 10 % of at least 10 attempts in the window', () => {
    const budget = new RetryBudget({}, fakeClock().now);
    for (let i = 0; i < 9; i++) budget.recordAttempt('k', true);
    // 9 attempts, all retries: under the 10-sample floor.
    expect(budget.allowRetry('k')).toBe(true);
    const other = new RetryBudget({}, fakeClock().now);
    for (let i = 0; i < 91; i++) other.recordAttempt('k', false);
    for (let i = 0; i < 10; i++) other.recordAttempt('k', true);
    // 10 / 101 < 0.1
    expect(other.allowRetry('k')).toBe(true);
    other.recordAttempt('k', true);
    // 11 / 102 >= 0.1
    expect(other.allowRetry('k')).toBe(false);
    expect(other.stats('k')).toEqual({ attempts: 102, retries: 11 });
    expect(other.allowRetry('unrelated')).toBe(true);
  });

  it('holds a caller whose every call fails to about 10 % extra attempts, not 3x', () => {
    const clock = fakeClock();
    const budget = new RetryBudget({}, clock.now);
    let sent = 0;
    for (let call = 0; call < 1000; call++) {
      clock.t += 5;
      budget.recordAttempt('k', false);
      sent++;
      for (let r = 0; r < 2 && budget.allowRetry('k'); r++, sent++) budget.recordAttempt('k', true);
    }
    // Without the budget: 3000 attempts. With it: 1000 first tries and about 111 retries.
    expect(sent).toBeGreaterThan(1100);
    expect(sent).toBeLessThanOrEqual(1000 + Math.ceil(1000 / 9) + 10);
  });

  it('recovers when the retries age out of the 10 s window', () => {
    const clock = fakeClock();
    const budget = new RetryBudget({}, clock.now);
    for (let i = 0; i < 10; i++) budget.recordAttempt('k', true);
    expect(budget.allowRetry('k')).toBe(false);
    clock.t = 10_000;
    expect(budget.allowRetry('k')).toBe(true);
  });

  it('rejects an impossible rate', () => {
    expect(() => new RetryBudget({ errorRate: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
  });

  it('says what a model keeping every attempt with its time says, and a greedy caller stays near the rate (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 0.5, noNaN: true }), fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 50, maxLength: 400 }), (rate, gaps) => {
        const clock = fakeClock(1000);
        const budget = new RetryBudget({ errorRate: rate }, clock.now);
        const log: Array<{ bucket: number; retry: boolean }> = [];
        const model = () => {
          const live = log.filter((x) => x.bucket > Math.floor(clock.t / 100) - 100);
          const retries = live.filter((x) => x.retry).length;
          return { attempts: live.length, retries, allow: live.length < RETRY_BUDGET_MIN_SAMPLES || retries / live.length < rate };
        };
        const attempt = (retry: boolean) => {
          budget.recordAttempt('k', retry);
          log.push({ bucket: Math.floor(clock.t / 100), retry });
        };
        for (const gap of gaps) {
          clock.t += gap;
          // Every call fails and wants its full 2 retries.
          attempt(false);
          for (let r = 0; r < 2; r++) {
            const expected = model();
            expect(budget.allowRetry('k')).toBe(expected.allow);
            expect(budget.stats('k')).toEqual({ attempts: expected.attempts, retries: expected.retries });
            if (!expected.allow) break;
            attempt(true);
          }
        }
        // With no expiry inside the run, the greedy caller's share ends within one retry of the rate.
        const { attempts, retries } = budget.stats('k');
        if (gaps.reduce((a, b) => a + b, 0) < 9_900 && attempts >= 30) expect(retries).toBeLessThanOrEqual(Math.max(10, rate * attempts + 1));
      }),
      { numRuns: 200 },
    );
  });
});
