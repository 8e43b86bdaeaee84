import { asHeddleError, ErrorCode, HeddleError } from '../errors.js';
import type { ShmChunk } from '../shm/chunk.js';
import type { ShmStream } from '../shm/stream.js';
import type { Frame } from '../transport/index.js';
import { ChunkFramer, type FrameConnection, type FrameConnectionOptions, type FrameSink, type Framing } from './frame-connection.js';

/** The bytes of a chunk as one private buffer: shared-memory views die at release(), and decoded
 * values may keep views of their frame, so a frame must own its memory. */
function ownBytes(chunk: ShmChunk): Buffer {
  if (chunk.views.length === 1) return Buffer.from(chunk.views[0]!);
  return chunk.toBuffer();
}

/**
 * RPC frames over one shmipc stream (or its Unix-socket/TCP fallback, which the shm client picks
 * when shared memory is unavailable). Outgoing frames are copied once, straight into shared-memory
 * slices; incoming bytes are copied out of the shared buffer before the slices go back to the
 * peer's pool.
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
      const bytes = ownBytes(chunk);
      chunk.release();
      frames = this.framer.push(bytes);
    } catch (error) {
      chunk.release();
      this.fail(asHeddleError(error, ErrorCode.ERR_BAD_FRAME));
      return;
    }
    if (frames.length > 0) this.sink.frames(frames);
  }
}
