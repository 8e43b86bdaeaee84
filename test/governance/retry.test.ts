import { describe, expect, it } from 'vitest';
import { ErrorCode, HeddleError } from '../../src-ts/errors.js';
import { backoffMs, isRetryableError, RetryBudget, RetryPolicies, runWithRetry, type RetryRun } from '../../src-ts/governance/index.js';
import { fakeTimers } from '../helpers/fake-timers.js';

const timeout = () => new HeddleError(ErrorCode.ERR_TIMEOUT, 'timed out');
const refused = () => new HeddleError(ErrorCode.ERR_CONNECTION, 'refused');

function run(policy: RetryRun['policy'], attempt: RetryRun['attempt'], extra: Partial<RetryRun> = {}): RetryRun {
  return { policy, method: 'echo', budget: undefined, budgetKey: 'a/b/echo', servingRetry: false, limit: undefined, attempt, ...extra };
}

describe('retry policies', () => {
  it("fills Kitex's defaults: failure retry, 2 retries, on timeouts, no backoff, another node, a 10 % budget", () => {
    const p = new RetryPolicies({}).policyFor('echo')!;
    expect(p).toMatchObject({ type: 'failure', maxRetries: 2, retryOnTimeout: true, retrySameNode: false, maxDurationMs: 0, backoff: { type: 'none' }, budget: {}, disableChainStop: false });
    expect(new RetryPolicies({ type: 'backup', delayMs: 20 }).policyFor('x')!.maxRetries).toBe(1);
  });

  it('per-method overrides inherit the base and `false` turns retry off for a method', () => {
    const policies = new RetryPolicies({ maxRetries: 3, methods: { slow: { type: 'backup', delayMs: 50, maxRetries: 2 }, write: false } });
    expect(policies.policyFor('echo')!.maxRetries).toBe(3);
    expect(policies.policyFor('slow')).toMatchObject({ type: 'backup', delayMs: 50, maxRetries: 2 });
    expect(policies.policyFor('write')).toBeUndefined();
  });

  it('rejects what Kitex rejects, naming the option', () => {
    const bad = (config: object, message: RegExp) => expect(() => new RetryPolicies(config)).toThrow(message);
    bad({ maxRetries: 6 }, /retry: maxRetries must be an integer from 0 to 5/);
    bad({ type: 'backup' }, /backup requests need delayMs > 0/);
    bad({ methods: { echo: { type: 'backup', delayMs: 5, maxRetries: 3 } } }, /retry.methods.echo: maxRetries must be an integer from 0 to 2/);
    bad({ retryOnCodes: ['ERR_NOPE'] }, /unknown code "ERR_NOPE"/);
    bad({ backoff: { type: 'random', minMs: 10, maxMs: 5 } }, /0 <= minMs <= maxMs/);
    bad({ maxRetry: 1 }, /retry: unknown option "maxRetry"/);
    bad({ methods: { echo: 3 } }, /retry.methods.echo: must be an object of retry options or false/);
  });

  it('retries timeouts by default, other codes and predicates when asked, never an open breaker', () => {
    const base = new RetryPolicies({}).policyFor('m')!;
    expect(isRetryableError(base, timeout(), 'm')).toBe(true);
    expect(isRetryableError(base, refused(), 'm')).toBe(false);
    const wide = new RetryPolicies({ retryOnTimeout: false, retryOnCodes: ['ERR_CONNECTION'], shouldRetry: (e) => (e as Error).message === 'busy' }).policyFor('m')!;
    expect(isRetryableError(wide, timeout(), 'm')).toBe(false);
    expect(isRetryableError(wide, refused(), 'm')).toBe(true);
    expect(isRetryableError(wide, new Error('busy'), 'm')).toBe(true);
    expect(isRetryableError(wide, new HeddleError(ErrorCode.ERR_CIRCUIT_OPEN, 'open'), 'm')).toBe(false);
  });

  it('backoff: fixed, and random within [minMs, maxMs]', () => {
    expect(backoffMs({ type: 'fixed', ms: 30 })).toBe(30);
    expect(backoffMs({ type: 'random', minMs: 10, maxMs: 20 }, () => 0)).toBe(10);
    expect(backoffMs({ type: 'random', minMs: 10, maxMs: 20 }, () => 0.9999)).toBe(20);
    expect(backoffMs({ type: 'none' })).toBe(0);
  });
});

describe('runWithRetry: failure retry', () => {
  it('retries a timeout twice and succeeds on the third attempt', async () => {
    const seen: number[] = [];
    const outcome = await runWithRetry(run(new RetryPolicies({}).policyFor('echo'), async (n) => {
      seen.push(n);
      if (n < 2) throw timeout();
      return 'ok';
    }));
    expect(outcome).toMatchObject({ ok: true, value: 'ok', winner: 2, attempts: 3 });
    expect(seen).toEqual([0, 1, 2]);
  });

  it('retries a reply whose result shouldRetryResult rejects, and returns the last reply when retries run out', async () => {
    const policy = new RetryPolicies({ shouldRetryResult: (result) => result === 'busy' }).policyFor('echo');
    const replies = ['busy', 'busy', 'done'];
    expect(await runWithRetry(run(policy, async (n) => replies[n]))).toMatchObject({ ok: true, value: 'done', attempts: 3 });
    expect(await runWithRetry(run(policy, async () => 'busy'))).toMatchObject({ ok: true, value: 'busy', attempts: 3 });
  });

  it('gives up after maxRetries with the last error', async () => {
    let n = 0;
    const outcome = await runWithRetry(run(new RetryPolicies({ maxRetries: 1 }).policyFor('echo'), async () => {
      throw new HeddleError(ErrorCode.ERR_TIMEOUT, `attempt ${n++}`);
    }));
    expect(outcome).toMatchObject({ ok: false, attempts: 2, winner: 1 });
    expect((outcome.error as Error).message).toBe('attempt 1');
  });

  it('does not retry a non-retryable error, nor without a policy', async () => {
    expect(await runWithRetry(run(new RetryPolicies({}).policyFor('echo'), async () => Promise.reject(refused())))).toMatchObject({ ok: false, attempts: 1 });
    expect(await runWithRetry(run(undefined, async () => Promise.reject(timeout())))).toMatchObject({ ok: false, attempts: 1 });
  });

  it('chain stop: serving a retried call, no retry unless disableChainStop', async () => {
    const failing = async () => Promise.reject(timeout());
    expect(await runWithRetry(run(new RetryPolicies({}).policyFor('echo'), failing, { servingRetry: true }))).toMatchObject({ attempts: 1 });
    expect(await runWithRetry(run(new RetryPolicies({ disableChainStop: true }).policyFor('echo'), failing, { servingRetry: true }))).toMatchObject({ attempts: 3 });
  });

  it('waits the backoff between attempts, and not past the time limit', async () => {
    const timers = fakeTimers();
    const startedAt: number[] = [];
    const policy = new RetryPolicies({ backoff: { type: 'fixed', ms: 100 } }).policyFor('echo');
    const done = runWithRetry(run(policy, async () => {
      startedAt.push(timers.now());
      throw timeout();
    }), timers);
    await timers.advance(1000);
    expect(await done).toMatchObject({ attempts: 3 });
    expect(startedAt).toEqual([0, 100, 200]);
    // A limit at 150 ms leaves no room for the second wait.
    const limited: number[] = [];
    const t2 = fakeTimers();
    const done2 = runWithRetry(run(policy, async () => {
      limited.push(t2.now());
      throw timeout();
    }, { limit: 150 }), t2);
    await t2.advance(1000);
    expect(await done2).toMatchObject({ attempts: 2 });
    expect(limited).toEqual([0, 100]);
  });

  it('hands each attempt the time left before the limit', async () => {
    const timers = fakeTimers();
    const left: Array<number | undefined> = [];
    const done = runWithRetry(run(new RetryPolicies({ backoff: { type: 'fixed', ms: 40 } }).policyFor('echo'), async (_n, timeLeft) => {
      left.push(timeLeft);
      throw timeout();
    }, { limit: 100 }), timers);
    await timers.advance(500);
    await done;
    expect(left).toEqual([100, 60, 20]);
  });

  it('stops retrying when the budget is spent, and records every attempt in it', async () => {
    const budget = new RetryBudget({}, () => 0);
    const policy = new RetryPolicies({}).policyFor('echo');
    let attempts = 0;
    for (let i = 0; i < 20; i++) {
      const outcome = await runWithRetry(run(policy, async () => {
        attempts++;
        throw timeout();
      }, { budget }));
      expect(outcome.ok).toBe(false);
    }
    // 20 first tries; retries flow freely during the 10-sample warm-up, then only under 10 %.
    expect(budget.stats('a/b/echo')).toEqual({ attempts, retries: attempts - 20 });
    expect(attempts).toBeLessThan(20 * 3);
    expect(budget.allowRetry('a/b/echo')).toBe(false);
  });
});

describe('runWithRetry: backup requests', () => {
  it('sends a backup after delayMs when no reply came; the first reply wins and the loser is ignored', async () => {
    const timers = fakeTimers();
    const resolvers: Array<(v: string) => void> = [];
    const startedAt: number[] = [];
    const done = runWithRetry(run(new RetryPolicies({ type: 'backup', delayMs: 50 }).policyFor('echo'), (n) => {
      startedAt.push(timers.now());
      return new Promise((resolve) => (resolvers[n] = resolve));
    }), timers);
    await timers.advance(49);
    expect(startedAt).toEqual([0]);
    await timers.advance(1);
    expect(startedAt).toEqual([0, 50]);
    resolvers[1]!('backup');
    await timers.advance(0);
    resolvers[0]!('first');
    expect(await done).toMatchObject({ ok: true, value: 'backup', winner: 1, attempts: 2 });
    // maxRetries 1: no third attempt however long the wait.
    await timers.advance(1000);
    expect(startedAt).toEqual([0, 50]);
  });

  it('sends no backup when the first reply comes in time', async () => {
    const timers = fakeTimers();
    let sent = 0;
    const done = runWithRetry(run(new RetryPolicies({ type: 'backup', delayMs: 50 }).policyFor('echo'), async () => {
      sent++;
      return 'fast';
    }), timers);
    await timers.advance(200);
    expect(await done).toMatchObject({ ok: true, attempts: 1 });
    expect(sent).toBe(1);
  });

  it('the first reply wins even when it is an error, and chain stop sends no backup', async () => {
    const timers = fakeTimers();
    const rejecters: Array<(e: unknown) => void> = [];
    const done = runWithRetry(run(new RetryPolicies({ type: 'backup', delayMs: 10, maxRetries: 2 }).policyFor('echo'), (n) => new Promise((_r, reject) => (rejecters[n] = reject))), timers);
    await timers.advance(25);
    expect(rejecters.length).toBe(3);
    rejecters[2]!(refused());
    expect(await done).toMatchObject({ ok: false, winner: 2, attempts: 3 });
    const t2 = fakeTimers();
    let sent = 0;
    void runWithRetry(run(new RetryPolicies({ type: 'backup', delayMs: 10 }).policyFor('echo'), () => {
      sent++;
      return new Promise(() => undefined);
    }, { servingRetry: true }), t2);
    await t2.advance(100);
    expect(sent).toBe(1);
  });
});
