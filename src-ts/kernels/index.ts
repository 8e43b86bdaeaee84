/**
 * Whole-buffer kernels shared by the Thrift and Protobuf codecs: fixed-width arrays of either
 * byte order, varint runs, UTF-8.
 *
 * Every function validates its arguments (ERR_INVALID_ARGUMENT) and checks counts against the
 * bytes present before allocating. Decoders throw HeddleError with `offset`, the absolute byte
 * offset in `src` of the element that failed: ERR_TRUNCATED when the input ends early,
 * ERR_BAD_VALUE for a varint over 10 bytes or invalid UTF-8. Callers add the field path.
 *
 * Each function has a pure-TypeScript twin (fixed-width.ts, varint-*.ts, utf8.ts) and, where
 * a benchmark shows it pays, a native kernel used only above the size in thresholds.ts.
 */
import { ErrorCode, HeddleError } from '../errors.js';
import { nativeAddon } from '../native.js';
import { checkCount, checkFixedRead, checkIndex, checkRange, checkWrite } from './arguments.js';
import { decodeFixed, encodeFixed, HOST_LITTLE_ENDIAN, type WideTypedArray } from './fixed-width.js';
import * as varintDecode from './varint-decode.js';
import * as varintEncode from './varint-encode.js';
import * as utf8 from './utf8.js';
import {
  nativeDecodePacked,
  nativeDecodeVarints,
  nativeEncodeVarints,
  nativeValidateUtf8,
  nativeVarintsSize,
  swapDecode,
  swapEncode,
} from './native-kernels.js';
import * as T from './thresholds.js';

const hasNative = nativeAddon !== undefined;

/** Fills `out` from `src[offset]`: natively when the order differs from the host's and `out` is long enough. */
function decodeArray<A extends WideTypedArray>(src: Uint8Array, offset: number, out: A, littleEndian: boolean, nativeFrom: number): A {
  if (hasNative && littleEndian !== HOST_LITTLE_ENDIAN && out.length >= nativeFrom) return swapDecode(src, offset, out);
  return decodeFixed(src, offset, out, littleEndian);
}

function encodeArray(values: WideTypedArray, dst: Uint8Array, offset: number, littleEndian: boolean, nativeFrom: number): void {
  checkWrite(dst, offset, values.byteLength);
  if (hasNative && littleEndian !== HOST_LITTLE_ENDIAN && values.length >= nativeFrom) swapEncode(values, dst, offset);
  else encodeFixed(values, dst, offset, littleEndian);
}

/** Reads `count` big-endian doubles at `src[offset]` (Thrift Binary list<double>). */
export function decodeFloat64BE(src: Uint8Array, offset: number, count: number): Float64Array {
  checkFixedRead(src, offset, count, 8);
  return decodeArray(src, offset, new Float64Array(count), false, T.DECODE_FLOAT64_BE_NATIVE_FROM);
}

/** Reads `count` big-endian int64s at `src[offset]` (Thrift Binary list<i64>). */
export function decodeInt64BE(src: Uint8Array, offset: number, count: number): BigInt64Array {
  checkFixedRead(src, offset, count, 8);
  return decodeArray(src, offset, new BigInt64Array(count), false, T.DECODE_INT64_BE_NATIVE_FROM);
}

/** Reads `count` big-endian int32s at `src[offset]` (Thrift Binary list<i32>). */
export function decodeInt32BE(src: Uint8Array, offset: number, count: number): Int32Array {
  checkFixedRead(src, offset, count, 4);
  return decodeArray(src, offset, new Int32Array(count), false, T.DECODE_INT32_BE_NATIVE_FROM);
}

/** Reads `count` big-endian int16s at `src[offset]` (Thrift Binary list<i16>). */
export function decodeInt16BE(src: Uint8Array, offset: number, count: number): Int16Array {
  checkFixedRead(src, offset, count, 2);
  return decodeArray(src, offset, new Int16Array(count), false, T.DECODE_INT16_BE_NATIVE_FROM);
}

/** Writes `values` big-endian at `dst[offset]`; `dst` must have room for them. */
export function encodeFloat64BE(values: Float64Array, dst: Uint8Array, offset: number): void {
  encodeArray(values, dst, offset, false, T.ENCODE_FLOAT64_BE_NATIVE_FROM);
}

/** Writes `values` big-endian at `dst[offset]`; `dst` must have room for them. */
export function encodeInt64BE(values: BigInt64Array, dst: Uint8Array, offset: number): void {
  encodeArray(values, dst, offset, false, T.ENCODE_INT64_BE_NATIVE_FROM);
}

/** Writes `values` big-endian at `dst[offset]`; `dst` must have room for them. */
export function encodeInt32BE(values: Int32Array, dst: Uint8Array, offset: number): void {
  encodeArray(values, dst, offset, false, T.ENCODE_INT32_BE_NATIVE_FROM);
}

/** Writes `values` big-endian at `dst[offset]`; `dst` must have room for them. */
export function encodeInt16BE(values: Int16Array, dst: Uint8Array, offset: number): void {
  encodeArray(values, dst, offset, false, T.ENCODE_INT16_BE_NATIVE_FROM);
}

/** Reads `count` little-endian doubles at `src[offset]` (Compact list<double>, protobuf packed double). */
export function decodeFloat64LE(src: Uint8Array, offset: number, count: number): Float64Array {
  checkFixedRead(src, offset, count, 8);
  return decodeArray(src, offset, new Float64Array(count), true, T.DECODE_FLOAT64_BE_NATIVE_FROM);
}

/** Reads `count` little-endian floats at `src[offset]` (protobuf packed float). */
export function decodeFloat32LE(src: Uint8Array, offset: number, count: number): Float32Array {
  checkFixedRead(src, offset, count, 4);
  return decodeArray(src, offset, new Float32Array(count), true, T.DECODE_INT32_BE_NATIVE_FROM);
}

/** Reads `count` little-endian int64s at `src[offset]` (protobuf packed sfixed64). */
export function decodeInt64LE(src: Uint8Array, offset: number, count: number): BigInt64Array {
  checkFixedRead(src, offset, count, 8);
  return decodeArray(src, offset, new BigInt64Array(count), true, T.DECODE_INT64_BE_NATIVE_FROM);
}

/** Reads `count` little-endian uint64s at `src[offset]` (protobuf packed fixed64). */
export function decodeUint64LE(src: Uint8Array, offset: number, count: number): BigUint64Array {
  checkFixedRead(src, offset, count, 8);
  return decodeArray(src, offset, new BigUint64Array(count), true, T.DECODE_INT64_BE_NATIVE_FROM);
}

/** Reads `count` little-endian int32s at `src[offset]` (protobuf packed sfixed32). */
export function decodeInt32LE(src: Uint8Array, offset: number, count: number): Int32Array {
  checkFixedRead(src, offset, count, 4);
  return decodeArray(src, offset, new Int32Array(count), true, T.DECODE_INT32_BE_NATIVE_FROM);
}

/** Reads `count` little-endian uint32s at `src[offset]` (protobuf packed fixed32). */
export function decodeUint32LE(src: Uint8Array, offset: number, count: number): Uint32Array {
  checkFixedRead(src, offset, count, 4);
  return decodeArray(src, offset, new Uint32Array(count), true, T.DECODE_INT32_BE_NATIVE_FROM);
}

/** Writes `values` little-endian at `dst[offset]`; `dst` must have room for them. */
export function encodeFloat64LE(values: Float64Array, dst: Uint8Array, offset: number): void {
  encodeArray(values, dst, offset, true, T.ENCODE_FLOAT64_BE_NATIVE_FROM);
}

/** Writes `values` little-endian at `dst[offset]`; `dst` must have room for them. */
export function encodeFloat32LE(values: Float32Array, dst: Uint8Array, offset: number): void {
  encodeArray(values, dst, offset, true, T.ENCODE_INT32_BE_NATIVE_FROM);
}

/** Writes `values` little-endian at `dst[offset]`; `dst` must have room for them. */
export function encodeInt64LE(values: BigInt64Array, dst: Uint8Array, offset: number): void {
  encodeArray(values, dst, offset, true, T.ENCODE_INT64_BE_NATIVE_FROM);
}

/** Writes `values` little-endian at `dst[offset]`; `dst` must have room for them. */
export function encodeUint64LE(values: BigUint64Array, dst: Uint8Array, offset: number): void {
  encodeArray(values, dst, offset, true, T.ENCODE_INT64_BE_NATIVE_FROM);
}

/** Writes `values` little-endian at `dst[offset]`; `dst` must have room for them. */
export function encodeInt32LE(values: Int32Array, dst: Uint8Array, offset: number): void {
  encodeArray(values, dst, offset, true, T.ENCODE_INT32_BE_NATIVE_FROM);
}

/** Writes `values` little-endian at `dst[offset]`; `dst` must have room for them. */
export function encodeUint32LE(values: Uint32Array, dst: Uint8Array, offset: number): void {
  encodeArray(values, dst, offset, true, T.ENCODE_INT32_BE_NATIVE_FROM);
}

const newInt32Array = (count: number): Int32Array => new Int32Array(count);
const newBigInt64Array = (count: number): BigInt64Array => new BigInt64Array(count);
const newBigUint64Array = (count: number): BigUint64Array => new BigUint64Array(count);

function checkVarintRun(src: Uint8Array, offset: number, count: number): void {
  checkIndex('offset', offset, src.length);
  checkCount('count', count);
  // Every varint takes at least one byte: a larger count cannot be satisfied, whatever follows.
  if (count > src.length - offset) {
    throw new HeddleError(ErrorCode.ERR_TRUNCATED, `${count} varints need at least ${count} bytes, only ${src.length - offset} remain`, { offset });
  }
}

/**
 * Reads `count` varints at `src[offset]` as int32s (Thrift Compact list<i16|i32> with `zigzag`,
 * protobuf int32 without). Returns the values and the offset after the last one.
 */
export function decodeVarint32s(src: Uint8Array, offset: number, count: number, zigzag: boolean): { values: Int32Array; end: number } {
  checkVarintRun(src, offset, count);
  if (!hasNative || count < T.DECODE_VARINTS_NATIVE_FROM) return varintDecode.decodeVarint32s(src, offset, count, zigzag);
  const values = new Int32Array(count);
  return { values, end: nativeDecodeVarints(src, offset, src.length, values, zigzag) };
}

/**
 * Reads `count` varints at `src[offset]` as int64s (Thrift Compact list<i64> with `zigzag`).
 * Returns the values and the offset after the last one.
 */
export function decodeVarint64s(src: Uint8Array, offset: number, count: number, zigzag: boolean): { values: BigInt64Array; end: number } {
  checkVarintRun(src, offset, count);
  if (!hasNative || count < T.DECODE_VARINTS_NATIVE_FROM) return varintDecode.decodeVarint64s(src, offset, count, zigzag);
  const values = new BigInt64Array(count);
  return { values, end: nativeDecodeVarints(src, offset, src.length, values, zigzag) };
}

/** Reads every varint in src[start, end) as int32s (protobuf packed int32/sint32/enum). */
export function decodePackedVarint32(src: Uint8Array, start: number, end: number, zigzag: boolean): Int32Array {
  checkRange(src, start, end);
  if (hasNative && end - start >= T.DECODE_PACKED_VARINTS_NATIVE_FROM_BYTES) return nativeDecodePacked(src, start, end, zigzag, newInt32Array);
  return varintDecode.decodePackedVarint32(src, start, end, zigzag);
}

/** Reads every varint in src[start, end) as int64s (protobuf packed int64/sint64). */
export function decodePackedVarint64(src: Uint8Array, start: number, end: number, zigzag: boolean): BigInt64Array {
  checkRange(src, start, end);
  if (hasNative && end - start >= T.DECODE_PACKED_VARINTS_NATIVE_FROM_BYTES) return nativeDecodePacked(src, start, end, zigzag, newBigInt64Array);
  return varintDecode.decodePackedVarint64(src, start, end, zigzag);
}

/** Reads every varint in src[start, end) as uint64s (protobuf packed uint64). */
export function decodePackedUint64(src: Uint8Array, start: number, end: number): BigUint64Array {
  checkRange(src, start, end);
  if (hasNative && end - start >= T.DECODE_PACKED_VARINTS_NATIVE_FROM_BYTES) return nativeDecodePacked(src, start, end, false, newBigUint64Array);
  return varintDecode.decodePackedUint64(src, start, end);
}

/** Bytes {@link encodeVarint32s} writes for `values`. */
export function varint32sSize(values: Int32Array, zigzag: boolean): number {
  if (hasNative && values.length >= T.VARINT32S_SIZE_NATIVE_FROM) return nativeVarintsSize(values, zigzag);
  return varintEncode.varint32sSize(values, zigzag);
}

/** Bytes {@link encodeVarint64s} writes for `values`. */
export function varint64sSize(values: BigInt64Array | BigUint64Array, zigzag: boolean): number {
  if (hasNative && values.length >= T.VARINT64S_SIZE_NATIVE_FROM) return nativeVarintsSize(values, zigzag);
  return varintEncode.varint64sSize(values, zigzag);
}

function checkVarintsWritten(dst: Uint8Array, end: number): number {
  if (end > dst.length) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `dst too small: the varints need ${end} bytes, dst has ${dst.length}`);
  }
  return end;
}

function checkNativeVarintsWritten(dst: Uint8Array, end: number): number {
  if (end < 0) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `dst too small for the varints: it has ${dst.length} bytes`);
  return end;
}

/**
 * Writes `values` as varints at `dst[offset]` (negative int32s take 10 bytes without `zigzag`);
 * returns the offset after the last byte. `dst` must have {@link varint32sSize} bytes of room.
 */
export function encodeVarint32s(values: Int32Array, zigzag: boolean, dst: Uint8Array, offset: number): number {
  checkIndex('offset', offset, dst.length);
  if (hasNative && values.length >= T.ENCODE_VARINT32S_NATIVE_FROM) return checkNativeVarintsWritten(dst, nativeEncodeVarints(values, zigzag, dst, offset));
  return checkVarintsWritten(dst, varintEncode.encodeVarint32s(values, zigzag, dst, offset));
}

/**
 * Writes `values` as varints at `dst[offset]`; returns the offset after the last byte. `dst` must
 * have {@link varint64sSize} bytes of room.
 */
export function encodeVarint64s(values: BigInt64Array | BigUint64Array, zigzag: boolean, dst: Uint8Array, offset: number): number {
  checkIndex('offset', offset, dst.length);
  if (hasNative && values.length >= T.ENCODE_VARINT64S_NATIVE_FROM) return checkNativeVarintsWritten(dst, nativeEncodeVarints(values, zigzag, dst, offset));
  return checkVarintsWritten(dst, varintEncode.encodeVarint64s(values, zigzag, dst, offset));
}

/** -1 when src[start, end) is valid UTF-8, else the offset of the first invalid sequence. */
export function validateUtf8(src: Uint8Array, start: number, end: number): number {
  checkRange(src, start, end);
  if (hasNative && end - start >= T.VALIDATE_UTF8_NATIVE_FROM_BYTES) return nativeValidateUtf8(src, start, end);
  return utf8.validateUtf8(src, start, end);
}

/**
 * Decodes src[start, end) as strict UTF-8; throws ERR_BAD_VALUE with `offset` on invalid bytes.
 * Always the TypeScript path: native validation never beat TextDecoder here (thresholds.ts).
 */
export function decodeUtf8(src: Uint8Array, start: number, end: number): string {
  checkRange(src, start, end);
  return utf8.decodeUtf8(src, start, end);
}
