import { describe, expect, it } from 'vitest';
import { ErrorCode, HeddleError } from '../../src-ts/errors.js';
import { BreakerPanel, CircuitBreaker, instanceOutcome, serviceBreakerKey, serviceOutcome, type BreakerTransition } from '../../src-ts/governance/index.js';

function fakeClock(start = 10_000) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

/** Moves the clock on by `ms` and asks the breaker whether a call may go. */
function allowAfter(clock: { t: number }, breaker: CircuitBreaker, ms: number): boolean {
  clock.t += ms;
  return breaker.allow();
}

/** Records `failures` failures and `successes` successes at the current time. */
function feed(breaker: CircuitBreaker, successes: number, failures: number): void {
  for (let i = 0; i < successes; i++) breaker.record('success');
  for (let i = 0; i < failures; i++) breaker.record('failure');
}

describe('CircuitBreaker (Kitex defaults)', () => {
  // [successes, failures, then one more outcome, state after it]
  it.each([
    ['199 failures, then a timeout: 200 samples at 100 %', 0, 199, 'timeout', 'open'],
    ['100 successes, 99 failures, then a failure: exactly 0.5 over 200', 100, 99, 'failure', 'open'],
    ['101 successes, 98 failures, then a failure: just under 0.5', 101, 98, 'failure', 'closed'],
    ['0 successes, 198 failures, then a failure: 199 samples, under the floor', 0, 198, 'failure', 'closed'],
  ] as const)('%s', (_name, successes, failures, last, state) => {
    const breaker = new CircuitBreaker({}, fakeClock().now);
    feed(breaker, successes, failures);
    expect(breaker.state).toBe('closed');
    expect(breaker.allow()).toBe(true);
    breaker.record(last);
    expect(breaker.state).toBe(state);
  });

  it('counts only the last 10 s: old failures age out and do not open it', () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker({}, clock.now);
    feed(breaker, 0, 150);
    clock.t += 10_000;
    feed(breaker, 100, 60);
    expect(breaker.window.samples).toBe(160);
    expect(breaker.state).toBe('closed');
  });

  it('refuses calls for 5 s, then lets one probe per 200 ms through half-open; two successes close it', () => {
    const clock = fakeClock();
    const transitions: string[] = [];
    const breaker = new CircuitBreaker({}, clock.now, (from, to) => transitions.push(`${from}->${to}`));
    feed(breaker, 0, 200);
    expect(breaker.state).toBe('open');
    expect(allowAfter(clock, breaker, 4999)).toBe(false);
    expect(allowAfter(clock, breaker, 1)).toBe(true);
    expect(breaker.state).toBe('half-open');
    // A second call within the detect interval is refused.
    expect(allowAfter(clock, breaker, 199)).toBe(false);
    breaker.record('success');
    expect(breaker.state).toBe('half-open');
    expect(allowAfter(clock, breaker, 1)).toBe(true);
    breaker.record('success');
    expect(breaker.state).toBe('closed');
    // Closing starts from an empty window.
    expect(breaker.window.samples).toBe(0);
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('a failed probe opens it again for another full cooling time', () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker({ minSamples: 10 }, clock.now);
    feed(breaker, 0, 10);
    expect(allowAfter(clock, breaker, 5000)).toBe(true);
    breaker.record('success');
    expect(allowAfter(clock, breaker, 200)).toBe(true);
    breaker.record('timeout');
    expect(breaker.state).toBe('open');
    expect(allowAfter(clock, breaker, 4999)).toBe(false);
    expect(allowAfter(clock, breaker, 1)).toBe(true);
    expect(breaker.state).toBe('half-open');
  });

  it('takes custom thresholds and rejects impossible ones', () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker({ errorRate: 0.2, minSamples: 5, coolingMs: 100, halfOpenSuccesses: 1 }, clock.now);
    feed(breaker, 4, 1);
    expect(breaker.state).toBe('open');
    expect(allowAfter(clock, breaker, 100)).toBe(true);
    breaker.record('success');
    expect(breaker.state).toBe('closed');
    for (const bad of [{ errorRate: 0 }, { errorRate: 1.5 }, { minSamples: 0 }, { coolingMs: -1 }, { halfOpenSuccesses: 0.5 }]) {
      expect(() => new CircuitBreaker(bad)).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
    }
  });
});

describe('BreakerPanel', () => {
  it('keeps one breaker per key and reports transitions with the key and the window', () => {
    const clock = fakeClock();
    const seen: BreakerTransition[] = [];
    const panel = new BreakerPanel({ minSamples: 4 }, clock.now, (t) => seen.push(t));
    const key = serviceBreakerKey('caller', 'echo', 'Echo');
    expect(key).toBe('caller/echo/Echo');
    feed(panel.get(key), 2, 2);
    expect(panel.get(key).state).toBe('open');
    expect(panel.get('caller/echo/Other').state).toBe('closed');
    expect(seen).toEqual([{ key, from: 'closed', to: 'open', samples: 4, errorRate: 0.5 }]);
    panel.delete(key);
    expect(panel.peek(key)).toBeUndefined();
  });
});

describe('outcome classification', () => {
  const err = (code: ErrorCode) => new HeddleError(code, 'x');
  it('service level: timeouts and failures count, answers and callee-neutral errors do not', () => {
    expect(serviceOutcome(undefined, false)).toBe('success');
    expect(serviceOutcome(err(ErrorCode.ERR_TIMEOUT), true)).toBe('timeout');
    expect(serviceOutcome(err(ErrorCode.ERR_CONNECTION), true)).toBe('failure');
    expect(serviceOutcome(err(ErrorCode.ERR_REMOTE), true)).toBe('failure');
    expect(serviceOutcome(err(ErrorCode.ERR_BIZ_STATUS), true)).toBe('success');
    expect(serviceOutcome(new Error('declared exception'), true)).toBe('success');
    expect(serviceOutcome(err(ErrorCode.ERR_NO_INSTANCE), true)).toBeUndefined();
    expect(serviceOutcome(err(ErrorCode.ERR_CIRCUIT_OPEN), true)).toBeUndefined();
  });
  it('instance level: only connection failures count', () => {
    expect(instanceOutcome(err(ErrorCode.ERR_CONNECTION), true)).toBe('failure');
    expect(instanceOutcome(err(ErrorCode.ERR_TIMEOUT), true)).toBe('success');
    expect(instanceOutcome(undefined, false)).toBe('success');
  });
});
