import { ErrorCode, HeddleError } from '../errors.js';
import type { ShmStream } from './stream.js';

/** How a write buffer's bytes leave: `byteLength` of them, or nothing when cancelled. @internal */
export interface WriteBufferSink {
  send(byteLength: number): void;
  cancel(): void;
}

/**
 * Space for one outgoing chunk, reserved with `stream.allocate(n)`. Encode straight into
 * `segments` (in order; over shared memory each is a slice of the peer-shared buffer, so nothing
 * is copied after the encode), then call {@link ShmWriteBuffer.send}.
 *
 * Lifetime: the segments are valid until send() or cancel(); writing to them afterwards corrupts
 * whatever the pool hands out next.
 */
export class ShmWriteBuffer {
  /** Writable views totalling exactly the requested length. */
  readonly segments: readonly Uint8Array[];
  /** The requested length. */
  readonly byteLength: number;
  /** False when the pool was exhausted and the segments are a heap buffer sent as FallbackData. */
  readonly inSharedMemory: boolean;
  #sink: WriteBufferSink | undefined;

  /** @internal Built by streams. */
  constructor(segments: readonly Uint8Array[], byteLength: number, inSharedMemory: boolean, sink: WriteBufferSink) {
    this.segments = segments;
    this.byteLength = byteLength;
    this.inSharedMemory = inSharedMemory;
    this.#sink = sink;
  }

  /** Copies `bytes` into the segments at `offset`, across segment boundaries. A convenience for
   * callers that already hold the bytes; encoders should write the segments directly. */
  set(bytes: Uint8Array, offset = 0): void {
    if (offset < 0 || offset + bytes.length > this.byteLength) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `shm: ${bytes.length} bytes at ${offset} overrun a ${this.byteLength}-byte write buffer`);
    }
    let skip = offset;
    let from = 0;
    for (const segment of this.segments) {
      if (from === bytes.length) break;
      if (skip >= segment.length) {
        skip -= segment.length;
        continue;
      }
      const n = Math.min(segment.length - skip, bytes.length - from);
      segment.set(bytes.subarray(from, from + n), skip);
      from += n;
      skip = 0;
    }
  }

  /** Sends the first `byteLength` bytes (default: all). The buffer is spent afterwards, also when
   * this throws ERR_SIZE_LIMIT because it had to go as FallbackData and the peer is not reading
   * (see {@link ShmStream.write}). */
  send(byteLength = this.byteLength): void {
    if (!Number.isInteger(byteLength) || byteLength <= 0 || byteLength > this.byteLength) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `shm: send(${byteLength}) outside 1..${this.byteLength}`);
    }
    this.#take().send(byteLength);
  }

  /** Gives the space back without sending. */
  cancel(): void {
    if (this.#sink !== undefined) this.#take().cancel();
  }

  #take(): WriteBufferSink {
    const sink = this.#sink;
    if (sink === undefined) throw new HeddleError(ErrorCode.ERR_USE_AFTER_RELEASE, 'shm: write buffer already sent or cancelled');
    this.#sink = undefined;
    return sink;
  }
}
