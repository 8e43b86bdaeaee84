/**
 * Where encoders write: a slab shared by successive encodes. Each encode writes after the
 * previous one's bytes and returns a view of its own, so an encode allocates one small view and
 * copies nothing (measured: allocating and copying an exact-size result cost ~100 ns for a
 * 100-byte message, as much as encoding it). Views keep their slab alive, as pooled Buffers do.
 */
import { sizeLimit } from './codec-failure.js';

/** Size of a fresh slab. */
const SLAB_SIZE = 64 * 1024;
/** An encode starts on a fresh slab when less than this is left, so small messages never grow. */
const MIN_ROOM = 16 * 1024;
/** A slab that grew beyond this is dropped after use instead of being kept for the next encode. */
const RETAINED_CAPACITY = 1024 * 1024;

/** Generated encoders read and write `buf`, `view` and `pos` directly. */
export class WriteBuffer {
  buf: Buffer;
  view: DataView;
  /** Write position, absolute in `buf`, synchronised by generated code around calls. */
  pos = 0;
  /** Where the message being written starts. */
  start = 0;
  /** Size of the last message handed out: the room the next one probably needs. */
  private lastSize = 0;

  /** A buffer of `capacity` fresh bytes, or one that writes into `target` (a region reserved in a
   * LinkBuffer) until it outgrows it. */
  constructor(capacity: number = SLAB_SIZE, target?: Buffer) {
    this.buf = target ?? Buffer.allocUnsafeSlow(capacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /**
   * Makes room for `needed` more bytes after `pos` and returns the new buffer. The message so far
   * is copied to the same offsets of a larger buffer, so positions held by generated code stay
   * valid; the bytes before it belong to earlier messages and are not copied.
   */
  grow(pos: number, needed: number): Buffer {
    let capacity = this.buf.length * 2;
    while (capacity < pos + needed) capacity *= 2;
    const next = Buffer.allocUnsafeSlow(capacity);
    next.set(this.buf.subarray(this.start, pos), this.start);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    return next;
  }

  /**
   * Starts a message at the first free byte, on a fresh slab when less room is left than small
   * messages or the last message need (so a run of large messages does not grow every time).
   */
  begin(): void {
    const room = Math.max(MIN_ROOM, this.lastSize);
    if (this.buf.length - this.pos < room) {
      this.buf = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, 2 * room));
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
      this.pos = 0;
    }
    this.start = this.pos;
  }

  /** Hands out the message written since {@link begin} as a view, checking the size limit. */
  finish(maxSize: number): Uint8Array {
    const size = this.pos - this.start;
    if (size > maxSize) throw sizeLimit(undefined, size, maxSize);
    const out = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.start, size);
    this.start = this.pos;
    this.lastSize = size;
    return out;
  }

  /** Forgets a message that failed: its bytes were never handed out, so the room is reused. */
  abandon(): void {
    this.pos = this.start;
  }
}

let shared: WriteBuffer | undefined = new WriteBuffer();

/**
 * Takes the shared write buffer, positioned for a new message, or a fresh one when it is in use
 * (an encode re-entered from a getter on the value being encoded). Pair with
 * {@link releaseWriteBuffer}.
 */
export function acquireWriteBuffer(): WriteBuffer {
  const writer = shared ?? new WriteBuffer();
  shared = undefined;
  writer.begin();
  return writer;
}

/** Returns a buffer taken by {@link acquireWriteBuffer}, dropping a failed message's bytes. */
export function releaseWriteBuffer(writer: WriteBuffer): void {
  writer.abandon();
  if (shared !== undefined) return;
  shared = writer.buf.length > RETAINED_CAPACITY ? new WriteBuffer() : writer;
}
