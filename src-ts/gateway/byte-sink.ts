/**
 * A growable byte buffer both transcoders write into: one per direction, reused across calls
 * (transcoding runs no user code, so it never re-enters), with the result copied out once.
 */
export class ByteSink {
  buf: Uint8Array = new Uint8Array(64 * 1024);
  pos = 0;

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  i16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    b[this.pos++] = v >> 8;
    b[this.pos++] = v;
  }

  i32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    b[this.pos++] = v >>> 24;
    b[this.pos++] = v >>> 16;
    b[this.pos++] = v >>> 8;
    b[this.pos++] = v;
  }

  /** An unsigned 32-bit varint. */
  varint(v: number): void {
    this.ensure(5);
    const b = this.buf;
    v >>>= 0;
    while (v >= 0x80) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  /** An unsigned 64-bit varint given as two 32-bit halves. */
  varint64(hi: number, lo: number): void {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0) return this.varint(lo);
    this.ensure(10);
    const b = this.buf;
    for (let i = 0; i < 4; i++) {
      b[this.pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    // 28 bits written; the next group takes 4 bits of lo and 3 of hi.
    let rest = lo | ((hi & 0x7) << 4);
    hi >>>= 3;
    while (hi !== 0) {
      b[this.pos++] = (rest & 0x7f) | 0x80;
      rest = hi & 0x7f;
      hi >>>= 7;
    }
    b[this.pos++] = rest;
  }

  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    // Below a few hundred bytes a loop beats making the subarray view set() needs.
    if (n < 256) {
      const b = this.buf;
      for (let i = start; i < end; i++) b[this.pos++] = src[i]!;
    } else {
      this.buf.set(src.subarray(start, end), this.pos);
      this.pos += n;
    }
  }

  /** ASCII text (names, numbers) as bytes. */
  ascii(text: string): void {
    const n = text.length;
    this.ensure(n);
    const b = this.buf;
    for (let i = 0; i < n; i++) b[this.pos++] = text.charCodeAt(i);
  }

  /** Moves bytes [from, pos) by `delta` (positive: right), for headers whose size is known late. */
  shift(from: number, delta: number): void {
    if (delta > 0) this.ensure(delta);
    this.buf.copyWithin(from + delta, from, this.pos);
    this.pos += delta;
  }

  /** A copy of what was written since `start`, in a Buffer of its own; empties the sink. */
  take(start: number): Buffer {
    const out = Buffer.allocUnsafe(this.pos - start);
    out.set(this.buf.subarray(start, this.pos));
    this.pos = 0;
    if (this.buf.length > 1024 * 1024) this.buf = new Uint8Array(64 * 1024);
    return out;
  }
}

/** Bytes a 32-bit unsigned varint takes. */
export function varintSize(v: number): number {
  v >>>= 0;
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}
