import { ErrorCode, HeddleError } from '../errors.js';
import type { RetryBudgetOptions } from './retry-budget.js';

/** The persistent metainfo name a retried attempt carries (Kitex `retry.TransitKey`): on the wire
 * `RPC_PERSIST_RetryReq`, its value the retry's number (`"1"` for the first retry). A server
 * serving such a call does not retry its own downstream calls (Kitex's chain stop). */
export const RETRY_TRANSIT_KEY = 'RetryReq';

/** Waiting between a failed attempt and the next. */
export type RetryBackoff = { type: 'none' } | { type: 'fixed'; ms: number } | { type: 'random'; minMs: number; maxMs: number };

/**
 * One retry policy (the `retry` client option, or one entry of its `methods`). `type: 'failure'`
 * (default) sends the next attempt after an attempt failed with a retryable error; `type:
 * 'backup'` sends it when no reply came within `delayMs`, and the first reply of any attempt wins.
 */
export interface RetryOptions {
  type?: 'failure' | 'backup';
  /** Retries after the first attempt. Default 2 for failure retry (at most 5), 1 for backup
   * requests (at most 2), as Kitex. */
  maxRetries?: number;
  /** Backup requests: ms to wait for a reply before sending the next attempt. Required for backup. */
  delayMs?: number;
  /** Failure retry: retry on ERR_TIMEOUT. Default true. */
  retryOnTimeout?: boolean;
  /** Failure retry: further HeddleError codes to retry on, e.g. `['ERR_CONNECTION']`. */
  retryOnCodes?: readonly string[];
  /** Failure retry: retry when this returns true for a failed attempt's error (besides the above). */
  shouldRetry?: (error: unknown, method: string) => boolean;
  /** Failure retry: retry when a reply's result makes this return true (Kitex's RespRetry), e.g.
   * a result that says "try elsewhere". Default none. */
  shouldRetryResult?: (result: unknown, method: string) => boolean;
  /** Failure retry: wait before each retry. Default none. */
  backoff?: RetryBackoff;
  /** Send retries to the instance that failed rather than another one. Default false. */
  retrySameNode?: boolean;
  /** Stop retrying once this many ms passed since the first attempt (Kitex MaxDurationMS); 0 for
   * no limit besides the call's own deadline, which always bounds every attempt. Default 0. */
  maxDurationMs?: number;
  /** The retry percentage limit (default `{ errorRate: 0.1 }`), or `false` for none. */
  budget?: RetryBudgetOptions | false;
  /** Retry even while serving a call that is itself a retry (Kitex DisableChainStop). Default false. */
  disableChainStop?: boolean;
}

/** The `retry` client option: a policy for every method, and per-method overrides (`false`
 * turns retry off for that method). */
export interface RetryConfig extends RetryOptions {
  methods?: Record<string, RetryOptions | false>;
}

/** A checked policy with every default filled in. */
export interface RetryPolicy {
  readonly type: 'failure' | 'backup';
  readonly maxRetries: number;
  readonly delayMs: number;
  readonly retryOnTimeout: boolean;
  readonly retryOnCodes: ReadonlySet<string>;
  readonly shouldRetry: ((error: unknown, method: string) => boolean) | undefined;
  readonly shouldRetryResult: ((result: unknown, method: string) => boolean) | undefined;
  readonly backoff: RetryBackoff;
  readonly retrySameNode: boolean;
  readonly maxDurationMs: number;
  readonly budget: RetryBudgetOptions | false;
  readonly disableChainStop: boolean;
}

/** Checks a `retry` option and resolves each method's policy once: `policyFor(method)` returns
 * the method's policy, or undefined where retry is off. */
export class RetryPolicies {
  private readonly base: RetryPolicy;
  private readonly methods = new Map<string, RetryPolicy | undefined>();

  constructor(config: RetryConfig) {
    if (config === null || typeof config !== 'object') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'retry must be an object of retry options');
    const { methods, ...base } = config;
    this.base = checkRetryOptions(base, 'retry');
    for (const [method, options] of Object.entries(methods ?? {})) {
      if (options !== false && (options === null || typeof options !== 'object')) {
        throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `retry.methods.${method}: must be an object of retry options or false`);
      }
      this.methods.set(method, options === false ? undefined : checkRetryOptions({ ...base, ...options }, `retry.methods.${method}`));
    }
  }

  policyFor(method: string): RetryPolicy | undefined {
    return this.methods.has(method) ? this.methods.get(method) : this.base;
  }

  /** Every distinct policy, for sizing shared state such as budgets. */
  all(): RetryPolicy[] {
    return [this.base, ...this.methods.values()].filter((p): p is RetryPolicy => p !== undefined);
  }
}

/** Whether a failed attempt's error calls for another attempt under `policy` (failure retry). */
export function isRetryableError(policy: RetryPolicy, error: unknown, method: string): boolean {
  if (error instanceof HeddleError) {
    // A breaker's refusal or a bad argument would only fail the same way again.
    if (error.code === ErrorCode.ERR_CIRCUIT_OPEN || error.code === ErrorCode.ERR_INVALID_ARGUMENT) return false;
    if (policy.retryOnTimeout && error.code === ErrorCode.ERR_TIMEOUT) return true;
    if (policy.retryOnCodes.has(error.code)) return true;
  }
  return policy.shouldRetry !== undefined && policy.shouldRetry(error, method) === true;
}

/** Ms to wait before retry number `retry` (1-based); `random` is a source in [0, 1). */
export function backoffMs(backoff: RetryBackoff, random: () => number = Math.random): number {
  switch (backoff.type) {
    case 'fixed':
      return backoff.ms;
    case 'random':
      return backoff.minMs + Math.floor(random() * (backoff.maxMs - backoff.minMs + 1));
    default:
      return 0;
  }
}

/** The fields a retry option may have: a misspelt one is an error, not a silent default. */
const RETRY_OPTION_NAMES = new Set(['type', 'maxRetries', 'delayMs', 'retryOnTimeout', 'retryOnCodes', 'shouldRetry', 'shouldRetryResult', 'backoff', 'retrySameNode', 'maxDurationMs', 'budget', 'disableChainStop']);

function checkRetryOptions(options: RetryOptions, where: string): RetryPolicy {
  const fail = (message: string): never => {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${where}: ${message}`);
  };
  if (options === null || typeof options !== 'object') fail('must be an object of retry options or false');
  for (const name of Object.keys(options)) if (!RETRY_OPTION_NAMES.has(name)) fail(`unknown option ${JSON.stringify(name)}`);
  const type = options.type ?? 'failure';
  if (type !== 'failure' && type !== 'backup') fail(`type must be 'failure' or 'backup', got ${JSON.stringify(options.type)}`);
  const most = type === 'failure' ? 5 : 2;
  const maxRetries = options.maxRetries ?? (type === 'failure' ? 2 : 1);
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > most) fail(`maxRetries must be an integer from 0 to ${most} for ${type} retry, got ${options.maxRetries}`);
  const delayMs = options.delayMs ?? 0;
  if (type === 'backup' && !(Number.isFinite(delayMs) && delayMs > 0)) fail(`backup requests need delayMs > 0 (set it near the method's p99 latency), got ${options.delayMs}`);
  const maxDurationMs = options.maxDurationMs ?? 0;
  if (!Number.isFinite(maxDurationMs) || maxDurationMs < 0) fail(`maxDurationMs must be a non-negative number, got ${options.maxDurationMs}`);
  const codes = options.retryOnCodes ?? [];
  const known = new Set<string>(Object.values(ErrorCode));
  for (const code of codes) if (!known.has(code)) fail(`retryOnCodes has unknown code ${JSON.stringify(code)}`);
  for (const name of ['shouldRetry', 'shouldRetryResult'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') fail(`${name} must be a function`);
  }
  const backoff = options.backoff ?? { type: 'none' };
  if (backoff.type === 'fixed') {
    if (!(Number.isFinite(backoff.ms) && backoff.ms >= 0)) fail(`backoff.ms must be a non-negative number, got ${backoff.ms}`);
  } else if (backoff.type === 'random') {
    if (!(Number.isInteger(backoff.minMs) && Number.isInteger(backoff.maxMs) && backoff.minMs >= 0 && backoff.maxMs >= backoff.minMs)) {
      fail(`backoff needs integers 0 <= minMs <= maxMs, got ${backoff.minMs} and ${backoff.maxMs}`);
    }
  } else if (backoff.type !== 'none') fail(`backoff.type must be 'none', 'fixed' or 'random', got ${JSON.stringify((backoff as { type: unknown }).type)}`);
  const budget = options.budget ?? {};
  if (budget !== false && (budget === null || typeof budget !== 'object')) fail('budget must be an object or false');
  return {
    type,
    maxRetries,
    delayMs,
    retryOnTimeout: options.retryOnTimeout ?? true,
    retryOnCodes: new Set(codes),
    shouldRetry: options.shouldRetry,
    shouldRetryResult: options.shouldRetryResult,
    backoff,
    retrySameNode: options.retrySameNode ?? false,
    maxDurationMs,
    budget,
    disableChainStop: options.disableChainStop ?? false,
  };
}
