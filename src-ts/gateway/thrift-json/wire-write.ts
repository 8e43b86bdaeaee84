/**
 * Thrift wire pieces the JSON transcoder writes outside the value switch: patched counts, Compact
 * field headers, doubles, UUIDs. All write into a {@link ByteSink}.
 */
import type { ByteSink } from '../byte-sink.js';

/** Overwrites the big-endian i32 at `at` (a Binary container count written as 0 first). */
export function patchI32(out: ByteSink, at: number, v: number): void {
  const b = out.buf;
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

/** A Compact field header: the id as a delta from `lastId` when it fits in the nibble. */
export function fieldHeaderCompact(out: ByteSink, ctype: number, id: number, lastId: number): void {
  const delta = id - lastId;
  if (delta > 0 && delta <= 15) out.byte((delta << 4) | ctype);
  else {
    out.byte(ctype);
    out.varint((id << 1) ^ (id >> 31));
  }
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** A double: big-endian for Binary, little-endian for Compact. */
export function writeDouble(out: ByteSink, v: number, compact: boolean): void {
  f64[0] = v;
  out.ensure(8);
  const b = out.buf;
  if (compact) for (let i = 0; i < 8; i++) b[out.pos++] = f64Bytes[i]!;
  else for (let i = 7; i >= 0; i--) b[out.pos++] = f64Bytes[i]!;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The 16 bytes of the canonical UUID text `src[start, end)`; false when it is not one. */
export function writeUuid(out: ByteSink, src: Uint8Array, start: number, end: number): boolean {
  const text = Buffer.from(src.buffer, src.byteOffset + start, end - start).toString('latin1');
  if (!UUID.test(text)) return false;
  const hex = text.replace(/-/g, '');
  out.ensure(16);
  for (let i = 0; i < 16; i++) out.buf[out.pos++] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return true;
}
