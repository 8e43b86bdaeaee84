import { ErrorCode, HeddleError } from '../errors.js';
import { monotonicNow, SlidingWindow, type Clock, type Outcome, type WindowOptions } from './sliding-window.js';

/** Thresholds and timings of a {@link CircuitBreaker}; defaults are Kitex's (`circuitbreak`
 * package over bytedance/gopkg's circuitbreaker). */
export interface CircuitBreakerOptions extends WindowOptions {
  /** Opens when (failures + timeouts) / samples reaches this. Default 0.5. */
  errorRate?: number;
  /** ...over at least this many samples in the window. Default 200. */
  minSamples?: number;
  /** How long an open breaker refuses every call before letting probes through. Default 5000 ms. */
  coolingMs?: number;
  /** Half-open: at most one probe per this many ms. Default 200 ms. */
  detectMs?: number;
  /** Half-open: consecutive successful probes that close the breaker. Default 2. */
  halfOpenSuccesses?: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A state change, for logging or metrics. */
export interface BreakerTransition {
  readonly key: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** Samples and error rate in the window when the change happened. */
  readonly samples: number;
  readonly errorRate: number;
}

/**
 * An error-rate circuit breaker with gopkg's state machine. Closed: every call goes; an error
 * that leaves the window at `errorRate` over `minSamples` or more opens it. Open: calls are
 * refused for `coolingMs`; the first call after that turns it half-open and goes. Half-open: one
 * probe per `detectMs` goes; a failure opens it again, `halfOpenSuccesses` successes in a row
 * close it with an empty window. Outcomes of calls let through while closed are counted;
 * half-open probes only drive the state.
 */
export class CircuitBreaker {
  readonly window: SlidingWindow;
  private current: BreakerState = 'closed';
  private openedAt = 0;
  private lastProbeAt = 0;
  private probeSuccesses = 0;
  private readonly errorRate: number;
  private readonly minSamples: number;
  private readonly coolingMs: number;
  private readonly detectMs: number;
  private readonly halfOpenSuccesses: number;

  constructor(
    options: CircuitBreakerOptions = {},
    private readonly now: Clock = monotonicNow,
    private readonly onTransition?: (from: BreakerState, to: BreakerState, window: SlidingWindow) => void,
  ) {
    const o = normalizeBreakerOptions(options);
    this.errorRate = o.errorRate;
    this.minSamples = o.minSamples;
    this.coolingMs = o.coolingMs;
    this.detectMs = o.detectMs;
    this.halfOpenSuccesses = o.halfOpenSuccesses;
    this.window = new SlidingWindow(now, options);
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a call may go now; a refused call must not be reported back. */
  allow(): boolean {
    if (this.current === 'closed') return true;
    const now = this.now();
    if (this.current === 'open') {
      if (now - this.openedAt < this.coolingMs) return false;
      this.move('half-open');
      this.probeSuccesses = 0;
      this.lastProbeAt = now;
      return true;
    }
    if (now - this.lastProbeAt < this.detectMs) return false;
    this.lastProbeAt = now;
    return true;
  }

  /** Reports the outcome of a call {@link allow} let through; `now` saves a clock reading when
   * the caller has one. */
  record(outcome: Outcome, now?: number): void {
    if (outcome === 'success') {
      if (this.current === 'closed') this.window.record('success', now);
      else if (this.current === 'half-open' && ++this.probeSuccesses >= this.halfOpenSuccesses) {
        this.window.reset();
        this.move('closed');
      }
      return;
    }
    this.window.record(outcome, now);
    if (this.current === 'half-open' || (this.current === 'closed' && this.window.samples >= this.minSamples && this.window.errorRate >= this.errorRate)) {
      this.openedAt = now ?? this.now();
      this.move('open');
    }
  }

  private move(to: BreakerState): void {
    const from = this.current;
    this.current = to;
    this.onTransition?.(from, to, this.window);
  }
}

/** Breakers by key (service level: `from/to/method`; instance level: the address), made on first use. */
export class BreakerPanel {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly options: CircuitBreakerOptions = {},
    private readonly now: Clock = monotonicNow,
    private readonly onTransition?: (transition: BreakerTransition) => void,
  ) {
    normalizeBreakerOptions(options);
  }

  get(key: string): CircuitBreaker {
    let breaker = this.breakers.get(key);
    if (breaker === undefined) {
      const report = this.onTransition;
      breaker = new CircuitBreaker(this.options, this.now, report && ((from, to, window) => report({ key, from, to, samples: window.samples, errorRate: window.errorRate })));
      this.breakers.set(key, breaker);
    }
    return breaker;
  }

  /** The breaker of `key` if one was made. */
  peek(key: string): CircuitBreaker | undefined {
    return this.breakers.get(key);
  }

  /** Drops the breaker of `key` (an instance that left the registry). */
  delete(key: string): void {
    this.breakers.delete(key);
  }
}

/** Kitex's service-level breaker key: `fromService/toService/method`. */
export function serviceBreakerKey(fromService: string, toService: string, method: string): string {
  return `${fromService}/${toService}/${method}`;
}

/** Codes that say nothing about the callee's health, so no breaker counts them (Kitex ignores
 * discovery, load-balancing and internal errors the same way). */
const IGNORED = new Set<string>([ErrorCode.ERR_NO_INSTANCE, ErrorCode.ERR_DISCOVERY, ErrorCode.ERR_CIRCUIT_OPEN, ErrorCode.ERR_INVALID_ARGUMENT, ErrorCode.ERR_CANCELLED]);

/**
 * What a finished call counts as for the service-level breaker (Kitex's ErrorTypeOnServiceLevel):
 * a result, a declared exception or a business status is a success (the service answered);
 * ERR_TIMEOUT a timeout; any other HeddleError a failure; codes that say nothing about the callee
 * are not counted (`undefined`).
 */
export function serviceOutcome(error: unknown, failed: boolean): Outcome | undefined {
  if (!failed || !(error instanceof HeddleError) || error.code === ErrorCode.ERR_BIZ_STATUS) return 'success';
  if (IGNORED.has(error.code)) return undefined;
  return error.code === ErrorCode.ERR_TIMEOUT ? 'timeout' : 'failure';
}

/** What a finished call counts as for the instance-level breaker (Kitex's
 * ErrorTypeOnInstanceLevel): only a connection failure is one. */
export function instanceOutcome(error: unknown, failed: boolean): Outcome {
  return failed && error instanceof HeddleError && error.code === ErrorCode.ERR_CONNECTION ? 'failure' : 'success';
}

/** The threshold fields: a misspelt one is an error, not a silent default. */
export const BREAKER_OPTION_NAMES: ReadonlySet<string> = new Set(['errorRate', 'minSamples', 'coolingMs', 'detectMs', 'halfOpenSuccesses', 'bucketMs', 'buckets']);

function normalizeBreakerOptions(options: CircuitBreakerOptions): Required<Omit<CircuitBreakerOptions, keyof WindowOptions>> {
  if (options === null || typeof options !== 'object') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'circuit breaker options must be an object');
  for (const name of Object.keys(options)) {
    if (!BREAKER_OPTION_NAMES.has(name)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `unknown circuit breaker option ${JSON.stringify(name)}`);
  }
  const errorRate = options.errorRate ?? 0.5;
  if (!(errorRate > 0 && errorRate <= 1)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `circuitBreaker errorRate must be in (0, 1], got ${options.errorRate}`);
  const minSamples = options.minSamples ?? 200;
  const coolingMs = options.coolingMs ?? 5000;
  const detectMs = options.detectMs ?? 200;
  const halfOpenSuccesses = options.halfOpenSuccesses ?? 2;
  for (const [name, value] of [['minSamples', minSamples], ['halfOpenSuccesses', halfOpenSuccesses]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `circuitBreaker ${name} must be a positive integer, got ${value}`);
  }
  for (const [name, value] of [['coolingMs', coolingMs], ['detectMs', detectMs]] as const) {
    if (!Number.isFinite(value) || value < 0) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `circuitBreaker ${name} must be a non-negative number of ms, got ${value}`);
  }
  return { errorRate, minSamples, coolingMs, detectMs, halfOpenSuccesses };
}
