/**
 * Pure-TypeScript twins of the varint run decoders (Thrift Compact lists, Protobuf packed fields).
 *
 * A varint may be up to 10 bytes; a longer one is ERR_BAD_VALUE, one cut off by the end of the
 * range is ERR_TRUNCATED, both at the byte offset where that varint starts. Bits above the 64th
 * (the high bits of a 10th byte) are dropped, as protobuf does; a 32-bit decode keeps the low 32
 * bits of the 64-bit value, so negative int32s written as 10 sign-extended bytes come back.
 * Arguments are validated by the caller (see index.ts).
 */
import { ErrorCode, HeddleError } from '../errors.js';
import { HOST_LITTLE_ENDIAN } from './fixed-width.js';

/** The longest varint the wire formats allow (a 64-bit value in 7-bit groups). */
export const MAX_VARINT_BYTES = 10;

// Index of the low and high 32-bit halves of a 64-bit element in an Int32Array view.
const LO = HOST_LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;

// Where the last readVarint call stopped and the high half it read; module state instead of an
// object per varint, because this runs once per element.
let position = 0;
let high = 0;

/** The error for a varint that does not end within 10 bytes, at the offset where it starts. */
export function varintTooLong(offset: number): HeddleError {
  return new HeddleError(ErrorCode.ERR_BAD_VALUE, `varint longer than ${MAX_VARINT_BYTES} bytes`, { offset });
}

/** The error for a varint cut off by the end of the input, at the offset where it starts. */
export function varintTruncated(offset: number): HeddleError {
  return new HeddleError(ErrorCode.ERR_TRUNCATED, 'varint runs past the end of the input', { offset });
}

function varintError(src: Uint8Array, start: number, end: number): HeddleError {
  let p = start;
  while (p < end && p - start < MAX_VARINT_BYTES && src[p]! >= 0x80) p++;
  return p - start >= MAX_VARINT_BYTES ? varintTooLong(start) : varintTruncated(start);
}

/**
 * Reads the varint at `start` (which must be < end), returns its low 32 bits, leaves its high 32
 * bits in `high` and the offset after it in `position`.
 */
function readVarint(src: Uint8Array, start: number, end: number): number {
  let p = start;
  let b = src[p++]!;
  let lo = b & 0x7f;
  high = 0;
  if (b < 0x80) return (position = p), lo;
  if (end - start >= MAX_VARINT_BYTES) {
    // Enough bytes for the longest varint: no bounds checks inside.
    b = src[p++]!; lo |= (b & 0x7f) << 7; if (b < 0x80) return (position = p), lo;
    b = src[p++]!; lo |= (b & 0x7f) << 14; if (b < 0x80) return (position = p), lo;
    b = src[p++]!; lo |= (b & 0x7f) << 21; if (b < 0x80) return (position = p), lo;
    b = src[p++]!; lo |= b << 28; high = (b & 0x7f) >>> 4; if (b < 0x80) return (position = p), lo;
    b = src[p++]!; high |= (b & 0x7f) << 3; if (b < 0x80) return (position = p), lo;
    b = src[p++]!; high |= (b & 0x7f) << 10; if (b < 0x80) return (position = p), lo;
    b = src[p++]!; high |= (b & 0x7f) << 17; if (b < 0x80) return (position = p), lo;
    b = src[p++]!; high |= (b & 0x7f) << 24; if (b < 0x80) return (position = p), lo;
    b = src[p++]!; high |= b << 31; if (b < 0x80) return (position = p), lo;
    throw varintError(src, start, end);
  }
  for (let shift = 7; p < end; shift += 7) {
    b = src[p++]!;
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else if (shift === 28) (lo |= b << 28), (high = (b & 0x7f) >>> 4);
    else high |= (b & 0x7f) << (shift - 32);
    if (b < 0x80) return (position = p), lo;
  }
  throw varintError(src, start, end);
}

/** Decodes `count` varints from `src[offset]` (the end of `src` bounds them) into int32s. */
export function decodeVarint32s(src: Uint8Array, offset: number, count: number, zigzag: boolean): { values: Int32Array; end: number } {
  const values = new Int32Array(count);
  const end = decodeVarint32Into(src, offset, src.length, values, zigzag);
  return { values, end };
}

/** Decodes `values.length` varints from [start, end) into `values`; returns the offset after them. */
export function decodeVarint32Into(src: Uint8Array, start: number, end: number, values: Int32Array, zigzag: boolean): number {
  let p = start;
  const count = values.length;
  for (let i = 0; i < count; i++) {
    if (p >= end) throw varintTruncated(p);
    let v = src[p]!;
    if (v < 0x80) p++;
    else (v = readVarint(src, p, end)), (p = position);
    values[i] = zigzag ? (v >>> 1) ^ -(v & 1) : v;
  }
  return p;
}

/** Decodes `count` varints from `src[offset]` into int64s, as 32-bit halves (no BigInt made). */
export function decodeVarint64s(src: Uint8Array, offset: number, count: number, zigzag: boolean): { values: BigInt64Array; end: number } {
  const values = new BigInt64Array(count);
  const end = decodeVarint64Into(src, offset, src.length, values, zigzag);
  return { values, end };
}

/** Decodes `values.length` varints from [start, end) into `values`; returns the offset after them. */
export function decodeVarint64Into(
  src: Uint8Array,
  start: number,
  end: number,
  values: BigInt64Array | BigUint64Array,
  zigzag: boolean,
): number {
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  let p = start;
  for (let i = 0; i < words.length; i += 2) {
    if (p >= end) throw varintTruncated(p);
    let lo = src[p]!;
    let hi = 0;
    if (lo < 0x80) p++;
    else (lo = readVarint(src, p, end)), (hi = high), (p = position);
    if (zigzag) {
      const sign = -(lo & 1);
      lo = ((lo >>> 1) | (hi << 31)) ^ sign;
      hi = (hi >>> 1) ^ sign;
    }
    words[i + LO] = lo;
    words[i + HI] = hi;
  }
  return p;
}

/**
 * Counts the varints in [start, end) by their last bytes. A trailing incomplete varint is not
 * counted; decoding that many varints then stops before it, and the caller reports it.
 */
export function countVarints(src: Uint8Array, start: number, end: number): number {
  let count = 0;
  for (let p = start; p < end; p++) count += src[p]! >>> 7 ^ 1;
  return count;
}

/**
 * Throws the error for the incomplete varint at `p` (ERR_BAD_VALUE if it already has more than
 * 10 bytes, else ERR_TRUNCATED), when a packed range does not end on a varint boundary.
 */
export function checkPackedEnd(src: Uint8Array, p: number, end: number): void {
  if (p < end) throw varintError(src, p, end);
}

/** Decodes every varint in [start, end) into int32s. */
export function decodePackedVarint32(src: Uint8Array, start: number, end: number, zigzag: boolean): Int32Array {
  const values = new Int32Array(countVarints(src, start, end));
  checkPackedEnd(src, decodeVarint32Into(src, start, end, values, zigzag), end);
  return values;
}

/** Decodes every varint in [start, end) into int64s. */
export function decodePackedVarint64(src: Uint8Array, start: number, end: number, zigzag: boolean): BigInt64Array {
  const values = new BigInt64Array(countVarints(src, start, end));
  checkPackedEnd(src, decodeVarint64Into(src, start, end, values, zigzag), end);
  return values;
}

/** Decodes every varint in [start, end) into uint64s (protobuf uint64). */
export function decodePackedUint64(src: Uint8Array, start: number, end: number): BigUint64Array {
  const values = new BigUint64Array(countVarints(src, start, end));
  checkPackedEnd(src, decodeVarint64Into(src, start, end, values, false), end);
  return values;
}
