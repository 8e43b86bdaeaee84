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
  /**
   * `binary` values of at least this many bytes are linked into the message instead of copied
   * (see {@link WriteBuffer.link}); Infinity, the default, copies every value. Set per message by
   * {@link acquireWriteBuffer}.
   */
  linkFrom = Infinity;
  /** The message so far, when values were linked: views of `buf` and the linked values, in order. */
  private parts: Uint8Array[] | undefined;
  /** Where the bytes written since the last linked value start (`start` when none was linked). */
  private partStart = 0;
  /** Bytes of the linked values in `parts`. */
  private linkedBytes = 0;
  /** Bytes of `buf` the last message used: the room the next one probably needs. */
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
   * valid; the bytes before it belong to earlier messages, or to parts already handed to
   * {@link WriteBuffer.link}, and are not copied.
   */
  grow(pos: number, needed: number): Buffer {
    let capacity = this.buf.length * 2;
    while (capacity < pos + needed) capacity *= 2;
    const next = Buffer.allocUnsafeSlow(capacity);
    next.set(this.buf.subarray(this.partStart, pos), this.partStart);
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
    this.start = this.partStart = this.pos;
  }

  /**
   * Puts `value` into the message at `pos` (where the bytes written so far end) without copying
   * it: the message becomes parts, the bytes of `buf` up to `pos`, then `value`, then what is
   * written next (at `pos` again). The value is read when the parts are written out, so it must
   * not change until then. Only {@link finishParts} hands out a message with linked values.
   */
  link(pos: number, value: Uint8Array): void {
    (this.parts ??= []).push(this.region(this.partStart, pos), value);
    this.partStart = pos;
    this.linkedBytes += value.length;
  }

  /** Hands out the message written since {@link begin} as a view, checking the size limit. For
   * writers whose `linkFrom` is Infinity (nothing linked); see {@link finishParts}. */
  finish(maxSize: number): Uint8Array {
    const size = this.pos - this.start;
    if (size > maxSize) throw sizeLimit(undefined, size, maxSize);
    const out = this.region(this.start, this.pos);
    this.start = this.partStart = this.pos;
    this.lastSize = size;
    return out;
  }

  /**
   * Hands out the message written since {@link begin} as parts, checking the size limit: one view
   * of `buf` when nothing was linked, else views and linked values in order (no empty views).
   */
  finishParts(maxSize: number): Uint8Array[] {
    const resident = this.pos - this.start;
    const size = resident + this.linkedBytes;
    if (size > maxSize) throw sizeLimit(undefined, size, maxSize);
    const last = this.region(this.partStart, this.pos);
    let parts: Uint8Array[];
    if (this.parts === undefined) parts = [last];
    else {
      parts = this.parts.filter((part) => part.length > 0);
      if (last.length > 0) parts.push(last);
    }
    this.start = this.partStart = this.pos;
    this.lastSize = resident;
    this.parts = undefined;
    this.linkedBytes = 0;
    return parts;
  }

  /** Forgets a message that failed: its bytes were never handed out, so the room is reused. */
  abandon(): void {
    this.pos = this.partStart = this.start;
    this.parts = undefined;
    this.linkedBytes = 0;
  }

  private region(from: number, to: number): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + from, to - from);
  }
}

let shared: WriteBuffer | undefined = new WriteBuffer();

/**
 * Takes the shared write buffer, positioned for a new message, or a fresh one when it is in use
 * (an encode re-entered from a getter on the value being encoded). Pair with
 * {@link releaseWriteBuffer}. `linkFrom`: see {@link WriteBuffer.linkFrom}.
 */
export function acquireWriteBuffer(linkFrom = Infinity): WriteBuffer {
  const writer = shared ?? new WriteBuffer();
  shared = undefined;
  writer.begin();
  writer.linkFrom = linkFrom;
  return writer;
}

/** Returns a buffer taken by {@link acquireWriteBuffer}, dropping a failed message's bytes. */
export function releaseWriteBuffer(writer: WriteBuffer): void {
  writer.abandon();
  writer.linkFrom = Infinity;
  if (shared !== undefined) return;
  shared = writer.buf.length > RETAINED_CAPACITY ? new WriteBuffer() : writer;
}
