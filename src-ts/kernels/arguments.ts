import { ErrorCode, HeddleError } from '../errors.js';

/** Throws ERR_INVALID_ARGUMENT unless `value` is an integer in [0, max]. */
export function checkIndex(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${name} must be an integer in [0, ${max}], got ${String(value)}`);
  }
}

/** Throws ERR_INVALID_ARGUMENT unless `value` is a non-negative integer. */
export function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${name} must be a non-negative integer, got ${String(value)}`);
  }
}

/**
 * Checks a fixed-width read of `count` elements of `width` bytes at `offset`: bad arguments are
 * ERR_INVALID_ARGUMENT; elements past the end of `src` are ERR_TRUNCATED at `offset`, before any
 * allocation, so a hostile count cannot make the decoder allocate.
 */
export function checkFixedRead(src: Uint8Array, offset: number, count: number, width: number): void {
  checkIndex('offset', offset, src.length);
  checkCount('count', count);
  if (count > (src.length - offset) / width) {
    throw new HeddleError(
      ErrorCode.ERR_TRUNCATED,
      `${count} elements of ${width} bytes need ${count * width} bytes, only ${src.length - offset} remain`,
      { offset },
    );
  }
}

/** Checks that `byteLength` bytes fit in `dst` at `offset`; a short `dst` is the caller's bug. */
export function checkWrite(dst: Uint8Array, offset: number, byteLength: number): void {
  checkIndex('offset', offset, dst.length);
  if (byteLength > dst.length - offset) {
    throw new HeddleError(
      ErrorCode.ERR_INVALID_ARGUMENT,
      `dst too small: ${byteLength} bytes do not fit at offset ${offset} of a ${dst.length}-byte buffer`,
    );
  }
}

/** Checks a byte range [start, end) of `src`. */
export function checkRange(src: Uint8Array, start: number, end: number): void {
  checkIndex('end', end, src.length);
  checkIndex('start', start, end);
}
