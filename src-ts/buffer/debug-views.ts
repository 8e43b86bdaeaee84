import { ErrorCode, HeddleError } from '../errors.js';

/** ArrayBuffers of views whose LinkBuffer has released them. Weak, so checking costs no memory. */
const releasedBuffers = new WeakSet<ArrayBufferLike>();

/** Whether `HEDDLE_DEBUG_BUFFERS=1` turns debug mode on for every LinkBuffer. */
export const debugBuffersByDefault = process.env.HEDDLE_DEBUG_BUFFERS === '1';

/**
 * The views one debug-mode LinkBuffer has handed out since its last `release()`. In debug mode
 * `next`/`peek`/`until` return a private copy instead of a view into a slab; `release()` then
 * detaches every copy (its length drops to 0 and typed-array methods on it throw) and records it,
 * so {@link assertLiveView} can name the bug with `ERR_USE_AFTER_RELEASE`.
 */
export class DebugViews {
  private live: Buffer[] = [];

  /** A detachable copy of `view`, tracked until {@link releaseAll}. */
  track(view: Uint8Array): Buffer {
    // Buffer.alloc never uses Node's shared pool, so each copy owns its ArrayBuffer and can be
    // detached without touching anything else.
    const copy = Buffer.alloc(view.length);
    copy.set(view);
    this.live.push(copy);
    return copy;
  }

  /** Detaches every tracked copy. */
  releaseAll(): void {
    for (const copy of this.live) {
      const buffer = copy.buffer;
      releasedBuffers.add(buffer);
      structuredClone(buffer, { transfer: [buffer as ArrayBuffer] });
    }
    this.live = [];
  }
}

/** Throws `ERR_USE_AFTER_RELEASE` when `view` came from a debug-mode LinkBuffer that has since been
 * released. A no-op for every other view. */
export function assertLiveView(view: Uint8Array, what = 'view'): void {
  if (releasedBuffers.has(view.buffer)) {
    throw new HeddleError(
      ErrorCode.ERR_USE_AFTER_RELEASE,
      `${what} was returned by LinkBuffer next/peek/until and used after release()`,
    );
  }
}
