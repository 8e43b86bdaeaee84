/**
 * The native (C++/SIMD) kernels behind index.ts, as thin calls into heddle.node. Each takes the
 * variant to run, so tests can compare every implementation the CPU has with the TypeScript twin;
 * index.ts always passes `KernelVariant.auto`. Only call these when `nativeAddon` is defined.
 */
import { nativeAddon, type NativeAddon } from '../native.js';
import type { WideTypedArray } from './fixed-width.js';
import { invalidUtf8 } from './utf8.js';
import { checkPackedEnd, varintTooLong, varintTruncated } from './varint-decode.js';

/** Kernel implementations, mirroring simd::KernelVariant (src-native/simd/kernel_variant.h). */
export const KernelVariant = { auto: 0, scalar: 1, 'sse4.2': 2, avx2: 3, avx512bw: 4, neon: 5 } as const;

/** The name of a kernel implementation. */
export type KernelVariantName = keyof typeof KernelVariant;

/** Variants this process may run ('auto' and 'scalar' first); empty without the addon. */
export const nativeVariants: readonly KernelVariantName[] = nativeAddon === undefined ? [] : Object.freeze(nativeAddon.kernelVariants());

// Callers check nativeAddon first; the non-null view keeps that check out of every call.
const addon = nativeAddon as NativeAddon;

/** Fills `out` with `out.length` elements at `src[offset]`, each byte-reversed. */
export function swapDecode<T extends WideTypedArray>(src: Uint8Array, offset: number, out: T, variant: number = KernelVariant.auto): T {
  addon.swapBytes(src, offset, out, 0, out.length, out.BYTES_PER_ELEMENT, variant);
  return out;
}

/** Writes every element of `values` at `dst[offset]`, each byte-reversed. */
export function swapEncode(values: WideTypedArray, dst: Uint8Array, offset: number, variant: number = KernelVariant.auto): void {
  addon.swapBytes(values, 0, dst, offset, values.length, values.BYTES_PER_ELEMENT, variant);
}

/** Copies the elements of `src` at `offset` into `out` unchanged (memcpy): same-order data. */
export function copyDecode<T extends WideTypedArray>(src: Uint8Array, offset: number, out: T): T {
  addon.swapBytes(src, offset, out, 0, out.byteLength, 1, KernelVariant.auto);
  return out;
}

/** Statuses of a failed kernel, mirroring codec::KernelStatus (src-native/codec/kernel_status.h). */
const KernelStatus = { truncated: 1, tooLong: 2 } as const;

/** Takes a negative kernel result, -(offset * 4 + status), apart: where it failed, and whether a
 * varint was too long there (else the input ended inside one). */
export function kernelFailure(result: number): { tooLong: boolean; offset: number } {
  const status = -result % 4;
  return { tooLong: status === KernelStatus.tooLong, offset: (-result - status) / 4 };
}

/** Turns a negative kernel result into the HeddleError it stands for. */
function kernelError(result: number): Error {
  const { tooLong, offset } = kernelFailure(result);
  return tooLong ? varintTooLong(offset) : varintTruncated(offset);
}

/**
 * Decodes `out.length` varints from src[start, end) into `out` (low 32 bits for an Int32Array);
 * returns the offset after the last one. Throws like the TypeScript twin.
 */
export function nativeDecodeVarints(
  src: Uint8Array,
  start: number,
  end: number,
  out: Int32Array | BigInt64Array | BigUint64Array,
  zigzag: boolean,
  variant: number = KernelVariant.auto,
): number {
  const result = addon.decodeVarints(src, start, end, out, zigzag, variant);
  if (result < 0) throw kernelError(result);
  return result;
}

/** How many varints end in src[start, end): the length of the packed field there. */
export function nativeCountVarints(src: Uint8Array, start: number, end: number, variant: number = KernelVariant.auto): number {
  return addon.countVarints(src, start, end, variant);
}

/** Decodes every varint of the packed range src[start, end) into a new array made by `make`. */
export function nativeDecodePacked<A extends Int32Array | BigInt64Array | BigUint64Array>(
  src: Uint8Array,
  start: number,
  end: number,
  zigzag: boolean,
  make: (count: number) => A,
  variant: number = KernelVariant.auto,
): A {
  const values = make(nativeCountVarints(src, start, end, variant));
  checkPackedEnd(src, nativeDecodeVarints(src, start, end, values, zigzag, variant), end);
  return values;
}

/** Bytes {@link nativeEncodeVarints} writes for `values`. */
export function nativeVarintsSize(values: Int32Array | BigInt64Array | BigUint64Array, zigzag: boolean): number {
  return addon.varintsSize(values, zigzag);
}

/**
 * Writes `values` as varints at dst[offset]; returns the offset after the last byte, or -1 when
 * `dst` has no room for them all (a prefix may have been written).
 */
export function nativeEncodeVarints(
  values: Int32Array | BigInt64Array | BigUint64Array,
  zigzag: boolean,
  dst: Uint8Array,
  offset: number,
  variant: number = KernelVariant.auto,
): number {
  return addon.encodeVarints(values, zigzag, dst, offset, variant);
}

/** -1 when src[start, end) is valid UTF-8, else the offset of the first invalid sequence. */
export function nativeValidateUtf8(src: Uint8Array, start: number, end: number, variant: number = KernelVariant.auto): number {
  return addon.validateUtf8(src, start, end, variant);
}

/**
 * Node's own UTF-8 to string conversion (simdutf inside), which replaces invalid bytes with
 * U+FFFD; callers validate first. Not in @types/node, but present on Buffer.prototype since
 * Node 0.x and callable on any Uint8Array.
 */
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Uint8Array, start: number, end: number): string }).utf8Slice;

/** Strict decode: native validation, then Buffer#utf8Slice. Throws ERR_BAD_VALUE at the first invalid sequence. */
export function nativeDecodeUtf8(src: Uint8Array, start: number, end: number, variant: number = KernelVariant.auto): string {
  const invalidAt = addon.validateUtf8(src, start, end, variant);
  if (invalidAt !== -1) throw invalidUtf8(invalidAt);
  return utf8Slice.call(src, start, end);
}
