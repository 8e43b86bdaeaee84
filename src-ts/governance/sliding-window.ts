import { ErrorCode, HeddleError } from '../errors.js';

/** Milliseconds now; injectable so breaker and budget tests run on a fake clock. */
export type Clock = () => number;

/** Sizes of a {@link SlidingWindow}. */
export interface WindowOptions {
  /** Width of one bucket. Default 100 ms, as bytedance/gopkg's circuitbreaker. */
  bucketMs?: number;
  /** Buckets in the window. Default 100 (a 10 s window). */
  buckets?: number;
}

/** What one outcome counts as. */
export type Outcome = 'success' | 'failure' | 'timeout';

/**
 * Success, failure and timeout counts over the last `buckets × bucketMs` milliseconds, kept as a
 * ring of buckets as gopkg's circuitbreaker window keeps them: an outcome lands in the bucket of
 * its time (`floor(now / bucketMs)`), and a bucket leaves the totals once it is `buckets` buckets
 * old. Totals are kept running, so reading them costs nothing.
 */
export class SlidingWindow {
  readonly bucketMs: number;
  readonly buckets: number;
  private readonly counts: Int32Array;
  /** The bucket number (time / bucketMs) each ring slot holds, -1 for none. */
  private readonly epochs: Float64Array;
  private latest = -1;
  private successTotal = 0;
  private failureTotal = 0;
  private timeoutTotal = 0;

  constructor(
    private readonly now: Clock,
    options: WindowOptions = {},
  ) {
    this.bucketMs = options.bucketMs ?? 100;
    this.buckets = options.buckets ?? 100;
    if (!Number.isInteger(this.bucketMs) || this.bucketMs < 1) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `bucketMs must be a positive integer, got ${options.bucketMs}`);
    if (!Number.isInteger(this.buckets) || this.buckets < 1) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `buckets must be a positive integer, got ${options.buckets}`);
    this.counts = new Int32Array(this.buckets * 3);
    this.epochs = new Float64Array(this.buckets).fill(-1);
  }

  /** The window's width in ms. */
  get windowMs(): number {
    return this.bucketMs * this.buckets;
  }

  /** Counts `outcome` at `now` (the window's clock when not given). */
  record(outcome: Outcome, now: number = this.now()): void {
    const slot = this.advance(now) * 3;
    if (outcome === 'success') {
      this.counts[slot]!++;
      this.successTotal++;
    } else if (outcome === 'failure') {
      this.counts[slot + 1]!++;
      this.failureTotal++;
    } else {
      this.counts[slot + 2]!++;
      this.timeoutTotal++;
    }
  }

  get successes(): number {
    this.advance();
    return this.successTotal;
  }

  get failures(): number {
    this.advance();
    return this.failureTotal;
  }

  get timeouts(): number {
    this.advance();
    return this.timeoutTotal;
  }

  /** Every outcome in the window. */
  get samples(): number {
    this.advance();
    return this.successTotal + this.failureTotal + this.timeoutTotal;
  }

  /** (failures + timeouts) / samples; 0 for an empty window. */
  get errorRate(): number {
    const samples = this.samples;
    return samples === 0 ? 0 : (this.failureTotal + this.timeoutTotal) / samples;
  }

  /** Forgets every outcome. */
  reset(): void {
    this.counts.fill(0);
    this.epochs.fill(-1);
    this.latest = -1;
    this.successTotal = this.failureTotal = this.timeoutTotal = 0;
  }

  /** Drops buckets that fell out of the window and returns the ring slot of the current one. */
  private advance(now: number = this.now()): number {
    const current = Math.floor(now / this.bucketMs);
    if (current > this.latest) {
      // Only the slots reused since the last outcome can hold expired counts; at most all of them.
      const from = Math.max(this.latest + 1, current - this.buckets + 1);
      for (let epoch = from; epoch <= current; epoch++) this.clear(epoch % this.buckets, epoch);
      this.latest = current;
    }
    // A clock that steps back (never the monotonic default) counts into the latest bucket.
    return this.latest % this.buckets;
  }

  private clear(slot: number, epoch: number): void {
    if (this.epochs[slot] !== -1) {
      const at = slot * 3;
      this.successTotal -= this.counts[at]!;
      this.failureTotal -= this.counts[at + 1]!;
      this.timeoutTotal -= this.counts[at + 2]!;
      this.counts[at] = this.counts[at + 1] = this.counts[at + 2] = 0;
    }
    this.epochs[slot] = epoch;
  }
}

/** A monotonic millisecond clock: wall-clock steps do not open or close breakers. */
export const monotonicNow: Clock = () => performance.now();
