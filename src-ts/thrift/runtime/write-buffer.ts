/**
 * The growable scratch buffer encoders write into. One is kept per process and reused, so an
 * encode costs a single allocation in the common case: the exact-size result copied out at the
 * end. Measured against a size-first pass, this is faster for Thrift because computing UTF-8
 * lengths up front means walking every string twice.
 */
import { sizeLimit } from './codec-failure.js';

const INITIAL_CAPACITY = 16 * 1024;
/** A scratch buffer that grew beyond this is dropped after use instead of kept for the next. */
const RETAINED_CAPACITY = 1024 * 1024;

/** Where generated encoders write. `buf`, `view` and `pos` are read and written directly. */
export class WriteBuffer {
  buf: Buffer;
  view: DataView;
  /** Write position, synchronised by generated code around calls that may grow `buf`. */
  pos = 0;

  constructor(capacity: number = INITIAL_CAPACITY) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /**
   * Makes room for `needed` more bytes after `pos`, keeping bytes [0, pos), and returns the new
   * buffer. Generated code calls it only when `pos + needed > buf.length`.
   */
  grow(pos: number, needed: number): Buffer {
    let capacity = this.buf.length * 2;
    while (capacity < pos + needed) capacity *= 2;
    const next = Buffer.allocUnsafeSlow(capacity);
    this.buf.copy(next, 0, 0, pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    return next;
  }

  /** Copies bytes [0, pos) into a new exact-size array, checking the size limit first. */
  finish(maxSize: number): Uint8Array {
    const size = this.pos;
    if (size > maxSize) throw sizeLimit(undefined, size, maxSize);
    const out = Buffer.allocUnsafe(size);
    out.set(this.buf.subarray(0, size));
    return out;
  }
}

let shared: WriteBuffer | undefined = new WriteBuffer();

/**
 * Takes the shared scratch buffer, or a fresh one when it is in use (an encode re-entered from a
 * getter on the value being encoded). Pair with {@link releaseWriteBuffer}.
 */
export function acquireWriteBuffer(): WriteBuffer {
  const writer = shared;
  if (writer === undefined) return new WriteBuffer(1024);
  shared = undefined;
  writer.pos = 0;
  return writer;
}

/** Returns a buffer taken by {@link acquireWriteBuffer}; oversized ones are let go. */
export function releaseWriteBuffer(writer: WriteBuffer): void {
  if (shared !== undefined) return;
  shared = writer.buf.length > RETAINED_CAPACITY ? new WriteBuffer() : writer;
}
