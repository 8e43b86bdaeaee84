import { monotonicNow, type Clock } from './sliding-window.js';
import type { RetryBudget } from './retry-budget.js';
import { backoffMs, isRetryableError, type RetryPolicy } from './retry-policy.js';

/** Timers, injectable so the runner is tested on a fake clock. */
export interface Timers {
  now: Clock;
  /** Runs `fn` after `ms`; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
  random?: () => number;
}

/** Real timers over the monotonic clock. */
export const realTimers: Timers = {
  now: monotonicNow,
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** One call's retry run. */
export interface RetryRun {
  /** Undefined: one attempt, no retry. */
  policy: RetryPolicy | undefined;
  method: string;
  budget: RetryBudget | undefined;
  /** The budget's key (Kitex's service breaker key, `from/to/method`). */
  budgetKey: string;
  /** Serving a call that is itself a retry: no retries (Kitex's chain stop), unless the policy disables that. */
  servingRetry: boolean;
  /** The latest time (on `timers.now`) an attempt may still run until: the policy's
   * maxDurationMs and the serving call's deadline, whichever comes first; undefined for none. */
  limit: number | undefined;
  /**
   * Makes attempt `n` (0 for the first try). `timeLeftMs` is what remains before `limit`
   * (undefined without one): the attempt's own timeout must not run past it.
   */
  attempt(n: number, timeLeftMs: number | undefined): Promise<unknown>;
}

/** How a run ended: the deciding attempt's outcome, which attempt that was, and how many were sent. */
export interface RetryOutcome {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: unknown;
  /** Index of the attempt whose outcome this is. */
  readonly winner: number;
  /** Attempts sent, the first included. */
  readonly attempts: number;
}

/** Runs a call's attempts under its policy: failure retry or backup requests. Never rejects. */
export function runWithRetry(run: RetryRun, timers: Timers = realTimers): Promise<RetryOutcome> {
  if (run.policy?.type === 'backup') return runBackup(run, run.policy, timers);
  return runFailure(run, timers);
}

/**
 * Least time left for which another attempt starts. Deadlines are whole milliseconds (Date.now)
 * and Node's timers may fire up to a millisecond before a performance.now() reading says they
 * should, so an attempt that timed out at the limit can find one or two milliseconds apparently
 * left: an attempt in them would only time out again.
 */
const MIN_ATTEMPT_MS = 3;

/** Whether one more attempt may start now: retries left, no chain stop, budget and time left. */
function mayRetry(run: RetryRun, policy: RetryPolicy, sent: number, timers: Timers): boolean {
  if (sent > policy.maxRetries) return false;
  if (run.servingRetry && !policy.disableChainStop) return false;
  if (run.limit !== undefined && timers.now() >= run.limit - MIN_ATTEMPT_MS) return false;
  return run.budget === undefined || run.budget.allowRetry(run.budgetKey);
}

/** Records attempt `n` in the budget and makes it. */
function send(run: RetryRun, n: number, timers: Timers): Promise<unknown> {
  run.budget?.recordAttempt(run.budgetKey, n > 0);
  const timeLeft = run.limit === undefined ? undefined : Math.max(1, run.limit - timers.now());
  try {
    return run.attempt(n, timeLeft);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Failure retry as a promise chain: a call that succeeds first time costs one `then`. */
function runFailure(run: RetryRun, timers: Timers): Promise<RetryOutcome> {
  const next = (n: number): Promise<RetryOutcome> =>
    send(run, n, timers).then(
      (value) => decide(n, true, value, undefined),
      (error: unknown) => decide(n, false, undefined, error),
    );
  const decide = (n: number, ok: boolean, value: unknown, error: unknown): RetryOutcome | Promise<RetryOutcome> => {
    const done: RetryOutcome = { ok, value, error, winner: n, attempts: n + 1 };
    const policy = run.policy;
    if (policy === undefined) return done;
    const again = ok ? policy.shouldRetryResult?.(value, run.method) === true : isRetryableError(policy, error, run.method);
    if (!again || !mayRetry(run, policy, n + 1, timers)) return done;
    const wait = backoffMs(policy.backoff, timers.random);
    if (wait <= 0) return next(n + 1);
    // A wait that would reach the limit leaves no time for the attempt after it.
    if (run.limit !== undefined && timers.now() + wait >= run.limit - MIN_ATTEMPT_MS) return done;
    return new Promise<RetryOutcome>((resolve) => timers.setTimer(() => resolve(next(n + 1)), wait));
  };
  return next(0);
}

function runBackup(run: RetryRun, policy: RetryPolicy, timers: Timers): Promise<RetryOutcome> {
  return new Promise((resolve) => {
    let sent = 0;
    let settled = false;
    let cancel: (() => void) | undefined;
    const fire = (): void => {
      const n = sent++;
      const settle = (ok: boolean, value: unknown, error: unknown): void => {
        // The first reply, success or error, is the call's; later ones are abandoned.
        if (settled) return;
        settled = true;
        cancel?.();
        resolve({ ok, value, error, winner: n, attempts: sent });
      };
      send(run, n, timers).then(
        (value) => settle(true, value, undefined),
        (error: unknown) => settle(false, undefined, error),
      );
      arm();
    };
    const arm = (): void => {
      cancel = timers.setTimer(() => {
        cancel = undefined;
        if (!settled && mayRetry(run, policy, sent, timers)) fire();
      }, policy.delayMs);
    };
    fire();
  });
}
