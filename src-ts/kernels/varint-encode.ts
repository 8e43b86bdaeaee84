/**
 * Pure-TypeScript twins of the varint run encoders. Without ZigZag a negative int32 takes 10
 * bytes, sign-extended to 64 bits, as protobuf's int32 requires; with ZigZag (Thrift Compact,
 * protobuf sint32/sint64) small magnitudes of either sign stay short. 64-bit values are read as
 * 32-bit halves, so no BigInt is created; a BigUint64Array is encoded by its bits, and with
 * ZigZag its elements are taken as two's-complement int64.
 */
import { HOST_LITTLE_ENDIAN } from './fixed-width.js';

const LO = HOST_LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;

/** Bytes of the varint of the unsigned 32-bit value `v`. */
function size32(v: number): number {
  return v >>> 7 === 0 ? 1 : v >>> 14 === 0 ? 2 : v >>> 21 === 0 ? 3 : v >>> 28 === 0 ? 4 : 5;
}

/** Bytes of the varint of the 64-bit value hi:lo (both taken as unsigned 32-bit). */
function size64(lo: number, hi: number): number {
  if (hi === 0) return size32(lo);
  // hi holds bits 32..63: bits 28..34 share the 5th byte.
  const top = hi >>> 3;
  return top === 0 ? 5 : top >>> 7 === 0 ? 6 : top >>> 14 === 0 ? 7 : top >>> 21 === 0 ? 8 : top >>> 28 === 0 ? 9 : 10;
}

// The unsigned halves of the element loadWord read last; module state rather than an object per element.
let wordLo = 0;
let wordHi = 0;

/** Loads the 64-bit element at words[i..i+1] into wordLo/wordHi, ZigZag-encoded if asked. */
function loadWord(words: Int32Array, i: number, zigzag: boolean): void {
  let lo = words[i + LO]!;
  let hi = words[i + HI]!;
  if (zigzag) {
    const sign = hi >> 31;
    hi = ((hi << 1) | (lo >>> 31)) ^ sign;
    lo = (lo << 1) ^ sign;
  }
  wordLo = lo >>> 0;
  wordHi = hi >>> 0;
}

function words64(values: BigInt64Array | BigUint64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

/** Bytes that {@link encodeVarint32s} writes for `values`. */
export function varint32sSize(values: Int32Array, zigzag: boolean): number {
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    size += zigzag ? size32((v << 1) ^ (v >> 31)) : v < 0 ? 10 : size32(v);
  }
  return size;
}

/** Bytes that {@link encodeVarint64s} writes for `values`. */
export function varint64sSize(values: BigInt64Array | BigUint64Array, zigzag: boolean): number {
  const words = words64(values);
  let size = 0;
  for (let i = 0; i < words.length; i += 2) {
    loadWord(words, i, zigzag);
    size += size64(wordLo, wordHi);
  }
  return size;
}

/** Writes the varint of unsigned 32-bit `v` at dst[p]; returns the offset after it. */
function write32(v: number, dst: Uint8Array, p: number): number {
  while (v >>> 7 !== 0) {
    dst[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  dst[p++] = v;
  return p;
}

/** Writes the varint of the 64-bit value hi:lo at dst[p]; returns the offset after it. */
function write64(lo: number, hi: number, dst: Uint8Array, p: number): number {
  if (hi === 0) return write32(lo, dst, p);
  for (let i = 0; i < 4; i++) {
    dst[p++] = (lo & 0x7f) | 0x80;
    lo >>>= 7;
  }
  // The 5th byte takes the top 4 bits of lo and the low 3 bits of hi.
  let rest = hi >>> 3;
  dst[p++] = (lo & 0x0f) | ((hi & 7) << 4) | (rest === 0 ? 0 : 0x80);
  if (rest === 0) return p;
  return write32(rest, dst, p);
}

/** Writes every element of `values` as a varint at `dst[offset]`; returns the offset after them. */
export function encodeVarint32s(values: Int32Array, zigzag: boolean, dst: Uint8Array, offset: number): number {
  let p = offset;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (zigzag) p = write32((v << 1) ^ (v >> 31), dst, p);
    else if (v >= 0) p = write32(v, dst, p);
    else p = write64(v, -1, dst, p);
  }
  return p;
}

/** Writes every element of `values` as a varint at `dst[offset]`; returns the offset after them. */
export function encodeVarint64s(values: BigInt64Array | BigUint64Array, zigzag: boolean, dst: Uint8Array, offset: number): number {
  const words = words64(values);
  let p = offset;
  for (let i = 0; i < words.length; i += 2) {
    loadWord(words, i, zigzag);
    p = write64(wordLo, wordHi, dst, p);
  }
  return p;
}
