/**
 * The 64-bit varint reader both wire-to-JSON transcoders use (Thrift Compact and Protobuf): the
 * value comes back as two 32-bit halves, so no bigint is made per integer.
 */

/** The halves of the last varint {@link readVarint64} read. */
export const varint = { hi: 0, lo: 0 };

/** Varint ended with the input. */
export const VARINT_TRUNCATED = -1;
/** Varint ran past 10 bytes. */
export const VARINT_TOO_LONG = -2;

/**
 * Reads a varint of up to 10 bytes at `pos` of `b[.., end)` into {@link varint}. Returns the
 * position after it, or VARINT_TRUNCATED / VARINT_TOO_LONG.
 */
export function readVarint64(b: Uint8Array, pos: number, end: number): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return VARINT_TRUNCATED;
    const c = b[pos++]!;
    const bits = c & 0x7f;
    const shift = 7 * i;
    if (shift < 28) lo |= bits << shift;
    else if (shift === 28) {
      lo |= bits << 28;
      hi |= bits >>> 4;
    } else hi |= bits << (shift - 32);
    if (c < 0x80) {
      varint.lo = lo;
      varint.hi = hi;
      return pos;
    }
  }
  return VARINT_TOO_LONG;
}
