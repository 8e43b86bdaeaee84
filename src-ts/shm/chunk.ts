import { ErrorCode, HeddleError } from '../errors.js';

/** @internal Where a shared-memory chunk's slices go back to: its session. */
export interface ShmSliceOwner {
  /** Returns `slices` (one slice offset, or several in order) to the pool. */
  releaseSlices(slices: number | readonly number[]): void;
  /** The chunk's one slice lent as memory of its own (see {@link ShmChunk.hold}), or undefined. */
  holdSlice(sliceOffset: number, dataOffset: number, length: number): Uint8Array | undefined;
}

/**
 * One chunk of bytes received on a stream: what the peer sent with one flush. Streams carry raw
 * bytes, so a chunk is not a message boundary; framing (Framed or TTHeader Thrift) is the reader's.
 *
 * Lifetime: over shared memory, `views` are views of the peer-shared buffer, valid until
 * {@link ShmChunk.release} or until the session closes (then they read as empty). Chunks that
 * came through a socket are heap buffers that stay valid; release() is still required by the
 * API, so code never has to know which transport it got.
 */
export class ShmChunk {
  /** The bytes, in order; one view per shared-memory slice, or a single heap buffer. */
  readonly views: readonly Uint8Array[];
  /** Total bytes over all views. */
  readonly byteLength: number;
  /** True when the views are slices of the shared buffer (valid until release()); false for heap
   * buffers (FallbackData, or a fallback socket's chunks), which stay valid. */
  readonly inSharedMemory: boolean;
  // The session and the slice offsets (a number for the usual one slice) instead of closures over
  // them: a chunk arrives with every small call.
  readonly #owner: ShmSliceOwner | undefined;
  readonly #slices: number | readonly number[] | undefined;
  #released = false;

  /** @internal Built by streams; for a shared-memory chunk, `owner` takes `slices` back on
   * release() and lends a single one on hold(). */
  constructor(views: readonly Uint8Array[], byteLength: number, owner?: ShmSliceOwner, slices?: number | readonly number[]) {
    this.views = views;
    this.byteLength = byteLength;
    this.inSharedMemory = owner !== undefined;
    this.#owner = owner;
    this.#slices = slices;
  }

  /**
   * @internal For a chunk in a single shared-memory slice: its bytes as a view of an ArrayBuffer
   * of their own, which keeps the slice out of the pool until it is garbage collected. Views of it
   * (decoded values that point into their frame) stay valid for as long as anything references
   * them, also after the session closes. The chunk counts as released afterwards (its `views`
   * must not be read). Undefined when the chunk cannot be held (several slices, a socket chunk,
   * released, or a runtime without external buffers): copy and release() instead.
   *
   * The peer can still write to a held slice (a hostile one could change the bytes under a value
   * already decoded), as it can to any view of shared memory.
   */
  hold(): Uint8Array | undefined {
    if (this.#owner === undefined || this.#released || typeof this.#slices !== 'number') return undefined;
    const view = this.views[0]!;
    const held = this.#owner.holdSlice(this.#slices, view.byteOffset, view.byteLength);
    if (held !== undefined) this.#released = true;
    return held;
  }

  /** True once {@link ShmChunk.release} was called. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Returns the shared-memory slices to the pool, so the peer can reuse them. Call it as soon as
   * the bytes are decoded or copied; afterwards the views must not be read. Calling it twice is
   * a no-op.
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#owner !== undefined && this.#slices !== undefined) this.#owner.releaseSlices(this.#slices);
  }

  /** Copies the bytes into `target` at `offset` (throws if they do not fit); returns the byte count. */
  copyTo(target: Uint8Array, offset = 0): number {
    if (this.released) throw new HeddleError(ErrorCode.ERR_USE_AFTER_RELEASE, 'shm: chunk read after release()');
    if (offset < 0 || offset + this.byteLength > target.length) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `shm: ${this.byteLength} bytes do not fit at offset ${offset} of ${target.length}`);
    }
    let at = offset;
    for (const view of this.views) {
      target.set(view, at);
      at += view.length;
    }
    return this.byteLength;
  }

  /** The bytes as one new Buffer (a copy), valid after release(). */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.byteLength);
    this.copyTo(out);
    return out;
  }
}
