import { ErrorCode, HeddleError } from '../errors.js';

/** Size of the small slab class: most frames and headers fit one. */
export const SMALL_SLAB_SIZE = 8 * 1024;
/** Size of the large slab class, used when a single allocation outgrows a small slab. */
export const LARGE_SLAB_SIZE = 64 * 1024;
/** Byte written over every slab returned to the pool when poisoning is on, so a stale view reads
 * an unmistakable pattern instead of another message's bytes. */
export const POISON_BYTE = 0xdb;

/**
 * One contiguous piece of memory that LinkBuffer nodes and slices point into, with a reference
 * count. Pooled stores go back to their pool when the count reaches zero; stores that wrap caller
 * memory (linked `writeBinary` inputs, pushed socket chunks) or oversize allocations are simply
 * left to the garbage collector.
 */
export class BackingStore {
  /** The memory. Its ArrayBuffer is dedicated to this store (never Node's shared Buffer pool), so it
   * can be handed to native code as an iovec. */
  readonly bytes: Buffer;
  /** `bytes` as a plain Uint8Array, for cutting views. */
  readonly raw: Uint8Array;
  /** The pool this store returns to, or undefined for caller memory and oversize allocations. */
  readonly pool: SlabPool | undefined;
  /** How many nodes reference this store. */
  refs = 1;

  constructor(bytes: Buffer, pool: SlabPool | undefined) {
    this.bytes = bytes;
    this.raw = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    this.pool = pool;
  }

  /** Adds a reference: a new node or slice now points into this store. */
  retain(): void {
    this.refs++;
  }

  /** Drops a reference; the last one returns a pooled store to its pool. Unpooled stores are only
   * counted for pooled ones' sake: the garbage collector owns them. */
  unref(): void {
    if (this.pool === undefined) return;
    const refs = --this.refs;
    if (refs > 0) return;
    if (refs < 0) {
      // Recycling twice would hand the same memory to two owners; fail loudly instead.
      throw new HeddleError(ErrorCode.ERR_USE_AFTER_RELEASE, 'backing store released more times than it was retained');
    }
    this.pool.recycle(this);
  }
}

/** Options for a {@link SlabPool}. */
export interface SlabPoolOptions {
  /** Bytes kept for reuse per size class; slabs beyond it are left to the garbage collector.
   * Default 8 MiB. */
  maxRetainedBytes?: number;
  /** Overwrite recycled slabs with {@link POISON_BYTE}. Default: on when `HEDDLE_DEBUG_BUFFERS=1`. */
  poison?: boolean;
}

/** Counters describing what a pool has done, for tests and tuning. */
export interface SlabPoolStats {
  /** Slabs created because no free one was available. */
  allocated: number;
  /** Acquisitions served from the free lists. */
  reused: number;
  /** Slabs currently waiting for reuse, per class. */
  freeSmall: number;
  freeLarge: number;
  /** Allocations larger than the large class: exact size, never pooled. */
  oversize: number;
}

/**
 * A pool of slabs in two size classes (8 KiB and 64 KiB). Allocation sizes above 64 KiB get an
 * exact-size store that is not pooled. Pools are per thread: a worker has its own default pool.
 */
export class SlabPool {
  private readonly freeSmall: BackingStore[] = [];
  private readonly freeLarge: BackingStore[] = [];
  private readonly maxSmall: number;
  private readonly maxLarge: number;
  private readonly poison: boolean;
  private counters = { allocated: 0, reused: 0, oversize: 0 };

  constructor(options: SlabPoolOptions = {}) {
    const retained = options.maxRetainedBytes ?? 8 * 1024 * 1024;
    if (!Number.isInteger(retained) || retained < 0) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `maxRetainedBytes must be a non-negative integer, got ${retained}`);
    }
    this.maxSmall = Math.floor(retained / SMALL_SLAB_SIZE);
    this.maxLarge = Math.floor(retained / LARGE_SLAB_SIZE);
    this.poison = options.poison ?? process.env.HEDDLE_DEBUG_BUFFERS === '1';
  }

  /** Returns a store of at least `minSize` bytes with one reference, owned by the caller. Its
   * contents are unspecified: the caller writes before anyone reads. */
  acquire(minSize: number): BackingStore {
    if (minSize <= SMALL_SLAB_SIZE) return this.take(this.freeSmall, SMALL_SLAB_SIZE);
    if (minSize <= LARGE_SLAB_SIZE) return this.take(this.freeLarge, LARGE_SLAB_SIZE);
    this.counters.oversize++;
    return new BackingStore(Buffer.allocUnsafeSlow(minSize), undefined);
  }

  /** Takes a store whose reference count reached zero back into its free list. Called by
   * {@link BackingStore.unref}; not for direct use. */
  recycle(store: BackingStore): void {
    const size = store.bytes.length;
    const free = size === SMALL_SLAB_SIZE ? this.freeSmall : size === LARGE_SLAB_SIZE ? this.freeLarge : undefined;
    const max = size === SMALL_SLAB_SIZE ? this.maxSmall : this.maxLarge;
    if (free === undefined || free.length >= max) return;
    if (this.poison) store.bytes.fill(POISON_BYTE);
    free.push(store);
  }

  /** What the pool has done so far. */
  stats(): SlabPoolStats {
    return { ...this.counters, freeSmall: this.freeSmall.length, freeLarge: this.freeLarge.length };
  }

  private take(free: BackingStore[], size: number): BackingStore {
    const store = free.pop();
    if (store !== undefined) {
      // A free store keeps refs at 0 so a stray extra unref() goes negative and throws.
      store.refs = 1;
      this.counters.reused++;
      return store;
    }
    this.counters.allocated++;
    return new BackingStore(Buffer.allocUnsafeSlow(size), this);
  }
}

/** The pool LinkBuffers use unless given another. One per thread. */
export const defaultSlabPool = new SlabPool();
