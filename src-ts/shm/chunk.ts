import { ErrorCode, HeddleError } from '../errors.js';

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
  #release: (() => void) | undefined;
  readonly #hold: (() => Uint8Array | undefined) | undefined;

  /** @internal Built by streams; `release` returns the slices to the pool; `hold` lends the one
   * slice of a chunk as memory of its own (see {@link ShmChunk.hold}). */
  constructor(views: readonly Uint8Array[], byteLength: number, release?: () => void, hold?: () => Uint8Array | undefined) {
    this.views = views;
    this.byteLength = byteLength;
    this.inSharedMemory = release !== undefined;
    this.#release = release;
    this.#hold = hold;
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
    if (this.#hold === undefined || this.released) return undefined;
    const held = this.#hold();
    if (held !== undefined) this.#release = noRelease;
    return held;
  }

  /** True once {@link ShmChunk.release} was called. */
  get released(): boolean {
    return this.#release === noRelease;
  }

  /**
   * Returns the shared-memory slices to the pool, so the peer can reuse them. Call it as soon as
   * the bytes are decoded or copied; afterwards the views must not be read. Calling it twice is
   * a no-op.
   */
  release(): void {
    const release = this.#release;
    this.#release = noRelease;
    if (release !== undefined && release !== noRelease) release();
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

function noRelease(): void {}
