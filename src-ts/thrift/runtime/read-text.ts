/**
 * Strict UTF-8 decoding of string fields, tuned for the short and medium strings messages carry.
 *
 * - Short ASCII strings (≤ 32 bytes: map keys, tags, enum-like values, which repeat from message
 *   to message) come from the cache shared with the Protobuf decoders (text/short-ascii-cache.ts).
 * - Text made mostly of multi-byte characters (Chinese titles, addresses, notes), and short text
 *   that is not ASCII: JavaScript loops that validate as they decode (text/utf8-read.ts).
 * - Other longer strings: Node's utf8Slice, which replaces invalid bytes with U+FFFD instead of failing.
 *   When the result has one UTF-16 unit per byte and no U+FFFD, every byte was ASCII, so it is
 *   valid; both checks are O(1) for the one-byte strings ASCII makes. Measured for 30-40 byte
 *   strings, ~2x faster than TextDecoder and ~15% faster than scanning for ASCII in JavaScript.
 * - Anything else is validated by the kernels' UTF-8 validator (and utf8Slice's result kept).
 * - Generated decoders call {@link readText}, which also batches the medium ASCII strings of one
 *   input: the native call (~40 ns) is most of a 30-byte string's cost, so from the second such
 *   string on, one latin1 copy of the next KiB of input is made and each ASCII string in it is a
 *   `substring` of that copy (V8 makes it a slice, no copy) after an ASCII check in JavaScript.
 *   Measured on 32-40 byte strings: ~35-50 ns instead of ~60-65 ns each; Nesting decodes ~20%
 *   faster. The price: such a string keeps its window (at most WINDOW_BYTES) alive, as a view
 *   keeps its buffer.
 */
import type { HeddleError } from '../../errors.js';
import { validateUtf8 } from '../../kernels/index.js';
import { isAscii } from '../../text/is-ascii.js';
import { cachedAscii, CACHED_ASCII_BYTES } from '../../text/short-ascii-cache.js';
import { decodeUtf8Units } from '../../kernels/utf8.js';
import { UTF8_UNITS_MAX_BYTES } from '../../kernels/thresholds.js';
import { decodeShortNonAscii, looksMultibyte } from '../../text/utf8-read.js';
import { badValue } from './codec-failure.js';
import type { ReadState } from './read-state.js';

interface NodeBufferSlices {
  latin1Slice(this: Uint8Array, start: number, end: number): string;
  utf8Slice(this: Uint8Array, start: number, end: number): string;
}

const { latin1Slice, utf8Slice } = Buffer.prototype as unknown as NodeBufferSlices;

/** Strings up to this many bytes may be cut from a shared window; longer ones amortise their own native call. */
const WINDOWED_MAX = 256;
/** Bytes of input one window copies: what a retained windowed string can keep alive at most. */
const WINDOW_BYTES = 1024;

/** Decodes buf[start, end) as strict UTF-8; invalid bytes are ERR_BAD_VALUE at their offset. */
export function readUtf8(buf: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= CACHED_ASCII_BYTES) return cachedAscii(buf, start, end) ?? strictly(decodeShortNonAscii, buf, start, end);
  if (length <= UTF8_UNITS_MAX_BYTES && looksMultibyte(buf, start, end)) return strictly(decodeUtf8Units, buf, start, end);
  const text = utf8Slice.call(buf, start, end);
  if (text.length === length && text.indexOf('\ufffd') < 0) return text;
  const invalid = validateUtf8(buf, start, end);
  if (invalid >= 0) throw badValue(invalid, 'invalid UTF-8');
  return text;
}

/**
 * Decodes r.buf[start, end) as strict UTF-8 like {@link readUtf8}, cutting ASCII strings of up to
 * WINDOWED_MAX bytes from a latin1 window of the input that `r` keeps (reset with the input).
 */
export function readText(r: ReadState, start: number, end: number): string {
  const length = end - start;
  const buf = r.buf;
  // Short strings come from the cache; the first long string of an input is sliced alone, as a
  // message with one would not reuse a window.
  if (length <= CACHED_ASCII_BYTES || length > WINDOWED_MAX || r.longStrings++ === 0) return readUtf8(buf, start, end);
  if (!isAscii(buf, start, end)) return readUtf8(buf, start, end);
  if (start < r.textStart || end > r.textEnd) {
    const stop = Math.min(r.end, start + WINDOW_BYTES);
    r.text = latin1Slice.call(buf, start, stop);
    r.textStart = start;
    r.textEnd = stop;
  }
  return r.text.substring(start - r.textStart, end - r.textStart);
}

/** Runs a decoder of text/utf8-read.ts, reporting invalid UTF-8 as generated Thrift code reports it. */
function strictly(decode: (buf: Uint8Array, start: number, end: number) => string, buf: Uint8Array, start: number, end: number): string {
  try {
    return decode(buf, start, end);
  } catch (error) {
    throw badValue((error as HeddleError).offset ?? start, 'invalid UTF-8');
  }
}
