import { LINK_THRESHOLD } from '../buffer/link-buffer.js';
import { asHeddleError, ErrorCode, HeddleError } from '../errors.js';
import type { ShmChunk } from '../shm/chunk.js';
import type { ShmStream } from '../shm/stream.js';
import type { Frame } from '../transport/index.js';
import { ChunkFramer, type FrameConnection, type FrameConnectionOptions, type FrameSink, type Framing } from './frame-connection.js';

/**
 * Chunks from this size up are decoded in place: the slice is lent to the frame (and to values
 * decoded as views of it) until garbage collection gives it back, instead of being copied out.
 * Below it a copy is cheaper than the external ArrayBuffer and the slice it keeps from the pool.
 */
export const HOLD_THRESHOLD = 64 * 1024;

/**
 * RPC frames over one shmipc stream (or its Unix-socket/TCP fallback, which the shm client picks
 * when shared memory is unavailable). Outgoing frames are copied once, straight into shared-memory
 * slices. Incoming frames are read straight from the slices, and decoded values that view their
 * frame stay valid: a chunk in one slice of at least {@link HOLD_THRESHOLD} bytes is lent to its
 * frames until they and the values viewing them are collected (no copy); a smaller one is copied
 * into the frame reader's pooled slabs (one copy, no allocation) and its slices go back at once;
 * what neither covers (several slices, no external buffers) is copied once into a buffer of its own.
 */
export class ShmFrameConnection implements FrameConnection {
  readonly kind = 'shm';
  readonly remoteAddress: string;
  private readonly framer: ChunkFramer;
  private finished = false;
  private failure: HeddleError | undefined;

  constructor(
    private readonly stream: ShmStream,
    options: FrameConnectionOptions,
    private readonly sink: FrameSink,
  ) {
    this.remoteAddress = options.peer ?? `shm stream ${stream.id} (${stream.transport})`;
    this.framer = new ChunkFramer(options);
    stream.onEnd((error) => {
      this.finished = true;
      this.sink.closed(this.failure ?? (error === undefined ? undefined : new HeddleError(error.code, error.message, { cause: error })));
    });
    stream.setDataHandler((chunk) => this.onChunk(chunk));
  }

  /** Whether this stream runs over shared memory or fell back to a socket. */
  get transport(): ShmStream['transport'] {
    return this.stream.transport;
  }

  get framing(): Framing {
    return this.framer.framing;
  }

  get partialBytes(): number {
    return this.framer.buffered;
  }

  write(frames: readonly Uint8Array[]): boolean {
    if (this.finished || this.stream.closed) return false;
    let total = 0;
    for (const frame of frames) total += frame.length;
    try {
      const out = this.stream.allocate(total);
      let at = 0;
      for (const frame of frames) {
        out.set(frame, at);
        at += frame.length;
      }
      out.send();
    } catch (error) {
      this.fail(asHeddleError(error, ErrorCode.ERR_CONNECTION));
      return false;
    }
    return true;
  }

  // A shmipc stream has no read-side flow control of its own: the peer's pool bounds what it can
  // send, and a server that stops taking calls simply lets the queue fill.
  pause(): void {}

  resume(): void {}

  destroy(): void {
    if (this.finished) return;
    this.stream.close();
  }

  private fail(error: HeddleError): void {
    this.failure ??= error;
    this.stream.close();
  }

  private onChunk(chunk: ShmChunk): void {
    let frames: Frame[];
    try {
      frames = this.take(chunk);
    } catch (error) {
      chunk.release();
      this.fail(asHeddleError(error, ErrorCode.ERR_BAD_FRAME));
      return;
    }
    if (frames.length > 0) this.sink.frames(frames);
  }

  /** The frames `chunk` completes, none of them depending on the chunk's slices after release(). */
  private take(chunk: ShmChunk): Frame[] {
    if (this.stream.transport !== 'shm' || chunk.views.length === 0) {
      // A fallback socket's chunks are heap buffers that stay valid: nothing to copy.
      let frames: Frame[] = [];
      for (const view of chunk.views) frames = frames.concat(this.framer.push(view));
      chunk.release();
      return frames;
    }
    if (chunk.byteLength >= HOLD_THRESHOLD) {
      const held = chunk.hold();
      if (held !== undefined) return this.framer.push(held);
    }
    if (chunk.views.length > 1 || chunk.byteLength >= LINK_THRESHOLD) {
      // The reader would link (not copy) a view this large: give it a copy of its own.
      const bytes = chunk.toBuffer();
      chunk.release();
      return this.framer.push(bytes);
    }
    // Under LINK_THRESHOLD the reader copies into its pooled slabs, so the slice can go at once.
    const frames = this.framer.push(chunk.views[0]!);
    chunk.release();
    return frames;
  }
}
