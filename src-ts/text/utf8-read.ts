/**
 * Strict UTF-8 decoding of text that is not ASCII, shared by the Thrift and Protobuf decoders:
 * JavaScript loops where they beat Buffer#utf8Slice, which is on text made mostly of multi-byte
 * characters (Chinese, Japanese, Korean product titles, addresses, notes). Measurements in
 * kernels/thresholds.ts (UTF8_CONCAT_MAX_BYTES).
 */
import { decodeUtf8Short, decodeUtf8Units } from '../kernels/utf8.js';
import { UTF8_CONCAT_MAX_BYTES } from '../kernels/thresholds.js';

/**
 * Decodes buf[start, end), known to hold a byte of 0x80 or more, strictly; for short strings
 * (the callers send at most 32 bytes). Throws ERR_BAD_VALUE at the first invalid sequence.
 */
export function decodeShortNonAscii(buf: Uint8Array, start: number, end: number): string {
  return end - start <= UTF8_CONCAT_MAX_BYTES ? decodeUtf8Short(buf, start, end) : decodeUtf8Units(buf, start, end);
}

/**
 * Whether buf[start, end) looks like text made mostly of multi-byte characters: two of three
 * sampled bytes (first, middle, last) are 0x80 or more. Three loads, no scan; a wrong guess
 * costs only speed, never correctness. Such text up to UTF8_UNITS_MAX_BYTES goes to
 * decodeUtf8Units.
 */
export function looksMultibyte(buf: Uint8Array, start: number, end: number): boolean {
  return (buf[start]! >> 7) + (buf[(start + end) >> 1]! >> 7) + (buf[end - 1]! >> 7) >= 2;
}
