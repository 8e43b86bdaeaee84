/**
 * i64 values in their three JS forms (bigint, number, decimal string), converted to and from a
 * pair of int32 halves through one shared 8-byte scratch. Going through a BigInt64Array is the
 * fastest bigint <-> bytes path measured on V8 (DataView#getBigInt64 allocates more; building a
 * bigint from two numbers with shifts is slower still).
 */
import { badValue, wrongValue } from './codec-failure.js';
import { HOST_LITTLE_ENDIAN } from '../../kernels/fixed-width.js';

// The typed-array views below put the low half first and copy double bytes in little-endian
// order; every platform Node ships for is little-endian except s390x, which heddle does not support.
if (!HOST_LITTLE_ENDIAN) {
  throw new Error('heddle thrift codecs need a little-endian host');
}

const scratch = new ArrayBuffer(8);
/** [lo, hi] of the last value split or to be joined (little-endian host order). */
export const halves = new Int32Array(scratch);
const asBigInt = new BigInt64Array(scratch);
const asFloat = new Float64Array(scratch);
/** The scratch's bytes, for byte-wise copies of doubles and i64s. */
const scratchBytes = new Uint8Array(scratch);

const TWO_POW_32 = 4294967296;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** Splits a bigint into `halves`; throws ERR_BAD_VALUE unless it is a bigint in i64 range. */
export function splitBigint(value: unknown): void {
  if (typeof value !== 'bigint' || value < I64_MIN || value > I64_MAX) {
    throw wrongValue('an i64 bigint', value);
  }
  asBigInt[0] = value;
}

/** Splits a safe integer into `halves`; unsafe or fractional numbers are ERR_BAD_VALUE. */
export function splitNumber(value: unknown): void {
  if (!Number.isSafeInteger(value)) throw wrongValue('an i64 as a safe integer number', value);
  const n = value as number;
  const hi = Math.floor(n / TWO_POW_32);
  halves[1] = hi;
  halves[0] = n - hi * TWO_POW_32;
}

const DECIMAL = /^-?\d{1,19}$/;

/** Splits a decimal string into `halves`; anything but an i64 in decimal is ERR_BAD_VALUE. */
export function splitString(value: unknown): void {
  if (typeof value !== 'string' || !DECIMAL.test(value)) throw wrongValue('an i64 as a decimal string', value);
  const n = BigInt(value);
  if (n < I64_MIN || n > I64_MAX) throw wrongValue('an i64 as a decimal string', value);
  asBigInt[0] = n;
}

/** The bigint whose halves are (lo, hi). */
export function joinBigint(lo: number, hi: number, _offset?: number): bigint {
  halves[0] = lo;
  halves[1] = hi;
  return asBigInt[0]!;
}

/** The number whose halves are (lo, hi); ERR_BAD_VALUE at `offset` when it is not safe. */
export function joinNumber(lo: number, hi: number, offset: number): number {
  const n = hi * TWO_POW_32 + (lo >>> 0);
  if (n > Number.MAX_SAFE_INTEGER || n < -Number.MAX_SAFE_INTEGER) {
    throw badValue(offset, `i64 ${joinBigint(lo, hi)} is not a safe integer; decode with i64: 'bigint' or 'string'`);
  }
  return n;
}

/** The decimal string whose halves are (lo, hi); through a number when that is exact (most values). */
export function joinString(lo: number, hi: number, _offset?: number): string {
  // Exact below 2^53 in magnitude; a larger value rounds to 2^53 or beyond, which is not safe.
  const n = hi * TWO_POW_32 + (lo >>> 0);
  return Number.isSafeInteger(n) ? String(n) : joinBigint(lo, hi).toString();
}

/** Reads a big-endian double at `pos` (bounds already checked). */
export function readDoubleBE(buf: Uint8Array, pos: number): number {
  scratchBytes[7] = buf[pos]!;
  scratchBytes[6] = buf[pos + 1]!;
  scratchBytes[5] = buf[pos + 2]!;
  scratchBytes[4] = buf[pos + 3]!;
  scratchBytes[3] = buf[pos + 4]!;
  scratchBytes[2] = buf[pos + 5]!;
  scratchBytes[1] = buf[pos + 6]!;
  scratchBytes[0] = buf[pos + 7]!;
  return asFloat[0]!;
}

/** Reads a little-endian double at `pos` (bounds already checked). */
export function readDoubleLE(buf: Uint8Array, pos: number): number {
  scratchBytes[0] = buf[pos]!;
  scratchBytes[1] = buf[pos + 1]!;
  scratchBytes[2] = buf[pos + 2]!;
  scratchBytes[3] = buf[pos + 3]!;
  scratchBytes[4] = buf[pos + 4]!;
  scratchBytes[5] = buf[pos + 5]!;
  scratchBytes[6] = buf[pos + 6]!;
  scratchBytes[7] = buf[pos + 7]!;
  return asFloat[0]!;
}
