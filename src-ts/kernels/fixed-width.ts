/**
 * Pure-TypeScript twins of the fixed-width array kernels: decode `count` elements of either byte
 * order from a byte buffer into a new TypedArray, or encode a TypedArray into a byte buffer.
 *
 * Arguments are validated by the caller (see index.ts). Every function is bit-exact, NaN payloads
 * included, so it can be compared byte for byte with the native kernels.
 */

/** True when TypedArrays hold elements little-endian (x64, arm64): same-order data is a plain copy. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * V8 keeps TypedArrays of up to 64 bytes on its own heap; taking such an array's `.buffer` moves
 * it off-heap, which costs more than a short per-element loop.
 */
const ON_HEAP_MAX_BYTES = 64;

/** A TypedArray whose elements are 2, 4 or 8 bytes wide. */
export type WideTypedArray =
  | Int16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** The bytes of `values` as a view (no copy). */
export function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function viewOf(bytes: Uint8Array, offset: number, byteLength: number): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, byteLength);
}

/**
 * Fills `out` with `out.length` elements read at `src[offset]` in the given byte order.
 * Same-order data longer than a few elements is one TypedArray#set (a memcpy). Float64 goes through getFloat64, which keeps NaN payloads; 8-byte integers go through two
 * 32-bit halves so no BigInt is ever created; float32 goes through its bits because a float32
 * read widens to double and would quiet a signalling NaN.
 */
export function decodeFixed<T extends WideTypedArray>(src: Uint8Array, offset: number, out: T, littleEndian: boolean): T {
  const count = out.length;
  const width = out.BYTES_PER_ELEMENT;
  const byteLength = count * width;
  if (littleEndian === HOST_LITTLE_ENDIAN && byteLength > ON_HEAP_MAX_BYTES) {
    bytesOf(out).set(src.subarray(offset, offset + byteLength));
    return out;
  }
  const view = viewOf(src, offset, byteLength);
  if (out instanceof Float64Array) {
    for (let i = 0, p = 0; i < count; i++, p += 8) out[i] = view.getFloat64(p, littleEndian);
  } else if (width === 8 && byteLength <= ON_HEAP_MAX_BYTES) {
    // A few BigInts cost less than moving `out` off-heap to view its words.
    const big = out as BigInt64Array;
    for (let i = 0, p = 0; i < count; i++, p += 8) big[i] = view.getBigInt64(p, littleEndian);
  } else if (width === 8) {
    const words = new Int32Array(out.buffer, out.byteOffset, count * 2);
    // In opposite order the wire's second word is the first in memory.
    const first = littleEndian === HOST_LITTLE_ENDIAN ? 0 : 4;
    const second = 4 - first;
    for (let i = 0, p = 0; i < words.length; i += 2, p += 8) {
      words[i] = view.getInt32(p + first, littleEndian);
      words[i + 1] = view.getInt32(p + second, littleEndian);
    }
  } else if (width === 4) {
    const words = out instanceof Float32Array ? new Int32Array(out.buffer, out.byteOffset, count) : (out as Int32Array | Uint32Array);
    for (let i = 0, p = 0; i < count; i++, p += 4) words[i] = view.getInt32(p, littleEndian);
  } else {
    const halves = out as Int16Array;
    for (let i = 0, p = 0; i < count; i++, p += 2) halves[i] = view.getInt16(p, littleEndian);
  }
  return out;
}

/** Writes every element of `values` at `dst[offset]` in the given byte order. */
export function encodeFixed(values: WideTypedArray, dst: Uint8Array, offset: number, littleEndian: boolean): void {
  const count = values.length;
  const width = values.BYTES_PER_ELEMENT;
  if (littleEndian === HOST_LITTLE_ENDIAN) {
    dst.set(bytesOf(values), offset);
    return;
  }
  const view = viewOf(dst, offset, count * width);
  if (values instanceof Float64Array) {
    for (let i = 0, p = 0; i < count; i++, p += 8) view.setFloat64(p, values[i], littleEndian);
  } else if (width === 8) {
    const words = new Int32Array(values.buffer, values.byteOffset, count * 2);
    for (let i = 0, p = 0; i < words.length; i += 2, p += 8) {
      view.setInt32(p + 4, words[i], littleEndian);
      view.setInt32(p, words[i + 1], littleEndian);
    }
  } else if (width === 4) {
    const words = values instanceof Float32Array ? new Int32Array(values.buffer, values.byteOffset, count) : (values as Int32Array | Uint32Array);
    for (let i = 0, p = 0; i < count; i++, p += 4) view.setInt32(p, words[i], littleEndian);
  } else {
    const halves = values as Int16Array;
    for (let i = 0, p = 0; i < count; i++, p += 2) view.setInt16(p, halves[i], littleEndian);
  }
}
