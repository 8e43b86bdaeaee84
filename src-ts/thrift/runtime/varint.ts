/**
 * Compact protocol varints and zigzag, as Apache Thrift writes them: 32-bit values in at most 5
 * bytes, 64-bit values (as int32 halves) in at most 10.
 */
import { badValue, truncated } from './codec-failure.js';
import { halves } from './int64.js';
import type { ReadState } from './read-state.js';

/** Writes `value` as an unsigned varint (its 32 bits taken as unsigned); returns the new position. */
export function writeVarint32(buf: Uint8Array, pos: number, value: number): number {
  let v = value >>> 0;
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Writes the unsigned 64-bit value with halves (lo, hi) as a varint; returns the new position. */
export function writeVarint64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  let low = lo >>> 0;
  let high = hi >>> 0;
  while (high !== 0 || low > 0x7f) {
    buf[pos++] = (low & 0x7f) | 0x80;
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  buf[pos++] = low;
  return pos;
}

/** Zigzag-encodes the i64 in `halves` and writes it as a varint; returns the new position. */
export function writeZigzag64(buf: Uint8Array, pos: number): number {
  const lo = halves[0]!;
  const hi = halves[1]!;
  const sign = hi >> 31;
  return writeVarint64(buf, pos, (lo << 1) ^ sign, ((hi << 1) | (lo >>> 31)) ^ sign);
}

/** Bytes a varint of the unsigned 32-bit `value` takes. */
export function varint32Size(value: number): number {
  const v = value >>> 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/**
 * Reads a varint of at most 5 bytes at `pos`; returns its low 32 bits as an int32 and leaves the
 * position after it in `r.pos`.
 */
export function readVarint32(r: ReadState, pos: number): number {
  const buf = r.buf;
  const end = r.end;
  const start = pos;
  let result = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) throw truncated(start, 'a varint');
    const byte = buf[pos++]!;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      r.pos = pos;
      return result;
    }
  }
  throw badValue(start, 'varint longer than 5 bytes');
}

/** Reads a zigzag varint32 (i16, i32 and lengths of signed fields) at `pos`; see readVarint32. */
export function readZigzag32(r: ReadState, pos: number): number {
  const n = readVarint32(r, pos);
  return (n >>> 1) ^ -(n & 1);
}

/**
 * Reads a zigzag varint64 at `pos` into `halves` [lo, hi] (decoded, signed) and leaves the position
 * after it in `r.pos`. With ten bytes of input left, the bytes are read without a bounds check
 * each (i64 ids and timestamps take 5-7 bytes).
 */
export function readZigzag64(r: ReadState, pos: number): void {
  if (pos + 10 > r.end) return readZigzag64Checked(r, pos);
  const buf = r.buf;
  let next = pos;
  let lo = 0;
  let b = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    b = buf[next++]!;
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) return unzigzag(r, next, lo, 0);
  }
  // Byte 5 holds bits 28-34: four for lo, three for hi.
  b = buf[next++]!;
  lo |= b << 28;
  let hi = (b & 0x7f) >>> 4;
  for (let shift = 3; b >= 0x80; shift += 7) {
    if (shift > 31) throw badValue(pos, 'varint longer than 10 bytes');
    b = buf[next++]!;
    hi |= (b & 0x7f) << shift;
  }
  unzigzag(r, next, lo, hi);
}

/** Leaves the varint's end in `r.pos` and its halves, zigzag-decoded, in `halves`. */
function unzigzag(r: ReadState, end: number, lo: number, hi: number): void {
  r.pos = end;
  const sign = -(lo & 1);
  halves[0] = ((lo >>> 1) | (hi << 31)) ^ sign;
  halves[1] = (hi >>> 1) ^ sign;
}

/** {@link readZigzag64} near the end of the input: every byte checked against it. */
function readZigzag64Checked(r: ReadState, pos: number): void {
  const buf = r.buf;
  const end = r.end;
  const start = pos;
  let lo = 0;
  let hi = 0;
  for (let shift = 0; ; shift += 7) {
    if (shift >= 70) throw badValue(start, 'varint longer than 10 bytes');
    if (pos >= end) throw truncated(start, 'a varint');
    const bits = buf[pos++]! & 0x7f;
    if (shift < 28) lo |= bits << shift;
    else if (shift === 28) {
      lo |= bits << 28;
      hi |= bits >>> 4;
    } else hi |= bits << (shift - 32);
    if (buf[pos - 1]! < 0x80) break;
  }
  unzigzag(r, pos, lo, hi);
}

/** Reads a zigzag varint i16 at `pos`; a value outside the i16 range is ERR_BAD_VALUE. */
export function readZigzag16(r: ReadState, pos: number): number {
  const value = readZigzag32(r, pos);
  if (value !== (value << 16) >> 16) throw badValue(pos, `i16 value ${value} is out of range`);
  return value;
}
