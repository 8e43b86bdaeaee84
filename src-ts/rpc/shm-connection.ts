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
 * Over shared memory, Thrift `binary` values from this size are linked into the encoded message
 * (`MessageFormat.encodeCall` / `encodeReply` with `linkFrom`) instead of copied into the
 * encoder's buffer: the write copies every byte into the slices anyway, so the encoder's copy, and
 * the fresh buffer twice the message's size it needs for a large message, would be waste.
 */
export const LINKED_BINARY_MIN = 16 * 1024;

/** Size of the buffers small received chunks are copied into ({@link ReceiveArena}): the native
 * socket's read slab size, so a value kept from a reply pins as much memory over either. */
const ARENA_SIZE = 64 * 1024;
/** Chunks from this size up get a buffer of their own instead: an arena wastes less than this. */
const ARENA_OWN_BUFFER = ARENA_SIZE / 4;

/** Writes up to this size are joined in a scratch buffer and sent with one copying call. */
const SMALL_WRITE = 4096;
const scratch = Buffer.allocUnsafe(SMALL_WRITE);

/** `frames` (at most SMALL_WRITE bytes in all) side by side in the scratch buffer; valid until the
 * next call (write() copies it at once). */
function joinSmall(frames: readonly Uint8Array[], total: number): Uint8Array {
  let at = 0;
  for (const frame of frames) {
    scratch.set(frame, at);
    at += frame.length;
  }
  return scratch.subarray(0, total);
}

/** How soon frames refused by a saturated session are offered again: first after 1 ms, then
 * doubling to 16 ms while the session stays saturated (each attempt costs an allocation try). */
const RETRY_FIRST_MS = 1;
const RETRY_MAX_MS = 16;

/**
 * RPC frames over one shmipc stream (or its Unix-socket/TCP fallback, which the shm client picks
 * when shared memory is unavailable). Outgoing frames are copied once, straight into shared-memory
 * slices. Incoming frames are read straight from the slices, and decoded values that view their
 * frame stay valid: a chunk in one slice of at least {@link HOLD_THRESHOLD} bytes is lent to its
 * frames until they and the values viewing them are collected (no copy); a smaller one (or one
 * that cannot be lent) is copied next to the chunks before it ({@link ReceiveArena}) and its slice
 * goes back at once; a chunk over several slices is copied once into a buffer of its own.
 */
export class ShmFrameConnection implements FrameConnection {
  readonly kind = 'shm';
  readonly remoteAddress: string;
  private readonly framer: ChunkFramer;
  private readonly arena = new ReceiveArena();
  /** Frames refused for now (see send()), oldest first. */
  private backlog: Array<readonly Uint8Array[]> = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryMs = RETRY_FIRST_MS;
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
      clearTimeout(this.retryTimer);
      this.backlog = [];
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

  write(chunks: readonly Uint8Array[], frameEnds?: readonly number[]): boolean {
    if (this.finished || this.stream.closed) return false;
    const writes = this.cut(chunks, frameEnds);
    let sent = 0;
    if (this.backlog.length === 0) {
      for (; sent < writes.length; sent++) {
        const outcome = this.send(writes[sent]!);
        if (outcome === 'failed') return false;
        if (outcome === 'later') break;
      }
      if (sent === writes.length) return !this.finished;
    }
    // Held back, in order, until the peer catches up; drain() follows.
    for (; sent < writes.length; sent++) this.backlog.push(writes[sent]!);
    this.retryLater();
    return false;
  }

  /**
   * `chunks` cut into writes of whole frames: a frame of {@link HOLD_THRESHOLD} bytes or more (or
   * larger than a slice) alone, smaller frames packed together under that size. The receiver
   * decides by a chunk's size alone: a chunk from HOLD_THRESHOLD up, one large frame, is lent to
   * it and read in place; a smaller one is copied into its receive arena and the slice goes back at
   * once. A pack of many small frames lent instead (64 replies of 4 KiB are 265 KB) kept its slice
   * out of the pool until garbage collection and made the collector run often; a frame cut in two
   * would be copied twice. Without frame boundaries, or on a socket, everything goes in one write.
   */
  private cut(chunks: readonly Uint8Array[], frameEnds: readonly number[] | undefined): Array<readonly Uint8Array[]> {
    const limit = this.stream.sliceCapacity;
    if (frameEnds === undefined || frameEnds.length <= 1 || limit === Infinity) return [chunks];
    const packLimit = Math.min(limit, HOLD_THRESHOLD - 1);
    const writes: Array<readonly Uint8Array[]> = [];
    let writeStart = 0;
    let writeBytes = 0;
    let frameStart = 0;
    for (const frameEnd of frameEnds) {
      let frameBytes = 0;
      for (let i = frameStart; i < frameEnd; i++) frameBytes += chunks[i]!.length;
      if (writeBytes > 0 && writeBytes + frameBytes > packLimit) {
        writes.push(chunks.slice(writeStart, frameStart));
        writeStart = frameStart;
        writeBytes = 0;
      }
      writeBytes += frameBytes;
      frameStart = frameEnd;
      if (writeBytes > packLimit && frameStart < chunks.length) {
        // A large frame: alone, so the receiver lends it a slice of its own.
        writes.push(chunks.slice(writeStart, frameStart));
        writeStart = frameStart;
        writeBytes = 0;
      }
    }
    if (writeStart < chunks.length) writes.push(chunks.slice(writeStart));
    return writes;
  }

  /**
   * Copies `frames` into shared memory as one chunk. 'later': nothing was sent because the pool is
   * exhausted and the FallbackData already waiting for the peer reached its bound (ERR_SIZE_LIMIT,
   * which is backpressure, not a failure: many large calls at once); 'failed' closes the stream.
   */
  private send(frames: readonly Uint8Array[]): 'sent' | 'later' | 'failed' {
    let total = 0;
    for (const frame of frames) total += frame.length;
    try {
      if (total <= SMALL_WRITE) {
        // One native call that copies, instead of allocate(), views of the slices, and commit.
        this.stream.write(frames.length === 1 ? frames[0]! : joinSmall(frames, total));
        return 'sent';
      }
      const out = this.stream.allocate(total);
      let at = 0;
      for (const frame of frames) {
        out.set(frame, at);
        at += frame.length;
      }
      out.send();
      return 'sent';
    } catch (error) {
      if (error instanceof HeddleError && error.code === ErrorCode.ERR_SIZE_LIMIT && !this.stream.closed) return 'later';
      this.fail(asHeddleError(error, ErrorCode.ERR_CONNECTION));
      return 'failed';
    }
  }

  private retryLater(): void {
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      while (this.backlog.length > 0 && !this.finished) {
        const outcome = this.send(this.backlog[0]!);
        if (outcome === 'later') {
          this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
          return this.retryLater();
        }
        if (outcome === 'failed') break;
        this.backlog.shift();
      }
      this.retryMs = RETRY_FIRST_MS;
      const drained = this.backlog.length === 0;
      this.backlog = [];
      if (drained && !this.finished) this.sink.drain();
    }, this.retryMs);
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
    if (!chunk.inSharedMemory) {
      // FallbackData and a fallback socket's chunks are heap buffers that stay valid: no copy.
      let frames: Frame[] = [];
      for (const view of chunk.views) frames = frames.concat(this.framer.push(view));
      chunk.release();
      return frames;
    }
    if (chunk.byteLength >= HOLD_THRESHOLD) {
      const held = chunk.hold();
      if (held !== undefined) return this.framer.push(held, true);
    }
    if (chunk.views.length > 1) {
      // A frame over several slices: one copy of its own, so its payload is contiguous.
      const bytes = chunk.toBuffer();
      chunk.release();
      return this.framer.push(bytes, true);
    }
    // Copied next to the chunks before it, so the slice can go back at once.
    const bytes = this.arena.copy(chunk.views[0]!);
    chunk.release();
    return this.framer.push(bytes, true);
  }
}

/**
 * Where a connection copies the small chunks it receives: back to back in buffers of
 * {@link ARENA_SIZE}, a fresh one when a chunk does not fit what is left (chunks from
 * {@link ARENA_OWN_BUFFER} up get an exact buffer of their own). Frames are read where
 * they lie and values decoded from them view the copy, so no byte of an arena is written twice;
 * an arena goes back to the collector with the last value viewing it.
 *
 * Copied into the frame reader's pooled slabs instead, a 4 KiB echo reply took an 8 KiB slab of
 * its own (the next one did not fit the rest, and slabs viewed by decoded values never go back to
 * the pool): twice the external memory of the Unix socket's reads, which pack replies into 64 KiB
 * slabs, and twice its mark-compacts, which external memory is what starts.
 */
export class ReceiveArena {
  private bytes: Buffer = Buffer.alloc(0);
  private used = 0;

  /** A copy of `view` that stays valid for as long as it is referenced. */
  copy(view: Uint8Array): Buffer {
    const n = view.length;
    if (n >= ARENA_OWN_BUFFER) {
      // A buffer of its own: packed, chunks of 61 and 8 KB (64 replies of 4 KiB) left a third of
      // every arena unused.
      const own = Buffer.allocUnsafeSlow(n);
      own.set(view);
      return own;
    }
    if (this.bytes.length - this.used < n) {
      this.bytes = Buffer.allocUnsafeSlow(ARENA_SIZE);
      this.used = 0;
    }
    const at = this.used;
    this.bytes.set(view, at);
    this.used = at + n;
    return this.bytes.subarray(at, at + n);
  }
}
