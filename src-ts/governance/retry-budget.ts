import { ErrorCode, HeddleError } from '../errors.js';
import { monotonicNow, SlidingWindow, type Clock, type WindowOptions } from './sliding-window.js';

/** Kitex's retry percentage limit (`StopPolicy.CBPolicy`). */
export interface RetryBudgetOptions extends WindowOptions {
  /** Retries stop while retries / attempts in the window is at least this. Default 0.1. */
  errorRate?: number;
}

/** Kitex counts the limit only once the window holds this many attempts (`cbMinSample`). */
export const RETRY_BUDGET_MIN_SAMPLES = 10;

/**
 * The share of attempts that are retries, per key (Kitex keys it like the service breaker,
 * `from/to/method`), over a 10 s window: every attempt is recorded before it is sent (a first
 * try as a success, a retry as a failure, as Kitex's `recordRetryStat`), and {@link allowRetry}
 * says no once the window holds at least 10 attempts and retries reach `errorRate` of them. So a
 * failing service sees at most about 10 % more calls, not three times as many.
 */
export class RetryBudget {
  readonly errorRate: number;
  private readonly windows = new Map<string, SlidingWindow>();

  constructor(
    private readonly options: RetryBudgetOptions = {},
    private readonly now: Clock = monotonicNow,
  ) {
    this.errorRate = options.errorRate ?? 0.1;
    if (!(this.errorRate > 0 && this.errorRate <= 1)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `retry budget errorRate must be in (0, 1], got ${options.errorRate}`);
    new SlidingWindow(now, options);
  }

  /** Records one attempt of a call under `key`: `retry` false for the first try. */
  recordAttempt(key: string, retry: boolean): void {
    this.windowOf(key).record(retry ? 'failure' : 'success');
  }

  /** Whether another retry may go under `key` now. */
  allowRetry(key: string): boolean {
    const window = this.windows.get(key);
    if (window === undefined) return true;
    return window.samples < RETRY_BUDGET_MIN_SAMPLES || window.errorRate < this.errorRate;
  }

  /** Attempts and retries in `key`'s window. */
  stats(key: string): { attempts: number; retries: number } {
    const window = this.windows.get(key);
    return window === undefined ? { attempts: 0, retries: 0 } : { attempts: window.samples, retries: window.failures };
  }

  private windowOf(key: string): SlidingWindow {
    let window = this.windows.get(key);
    if (window === undefined) {
      window = new SlidingWindow(this.now, this.options);
      this.windows.set(key, window);
    }
    return window;
  }
}
