/**
 * Strict UTF-8 decoding of string fields, tuned for the short and medium strings messages carry.
 *
 * - Map keys up to 32 bytes, ASCII or not, come from the cache shared with the Protobuf decoders
 *   (`cachedText` in text/short-ascii-cache.ts): keys repeat from message to message (颜色, 尺码,
 *   Color), and a string V8 has seen as a property key before stores much faster than a fresh
 *   one ({@link readKeyText}). Short text that is not ASCII (provinces, cities, sizes, tags)
 *   comes from the same cache, as in the Protobuf decoders: on the realistic order stream this
 *   took Binary decode from 19.2 to 18.9 us and 33.2 to 31.5 us in two alternating runs at loads
 *   of 6 and 14 (bench/realistic/thrift-decode.mjs has the rows). Invalid UTF-8 is never cached.
 * - Other ASCII strings up to WINDOWED_MAX bytes, short ones included, are cut with `substring`
 *   from one latin1 copy of the input (up to WINDOW_BYTES of it) that the read state keeps
 *   ({@link readText}): one native call (~40-100 ns, most of a fresh string's cost) for all the
 *   strings of a message instead of one each, and `substring` costs ~10 ns. This holds on values
 *   that never repeat (ids, phone numbers, URLs), where a cache only adds a miss. The price: a
 *   string of 13 characters or more is a slice of its window and keeps it alive (at most
 *   WINDOW_BYTES), as a `binary` view keeps its input.
 * - Longer text made mostly of multi-byte characters (Chinese titles, addresses, notes):
 *   JavaScript loops that validate as they decode (text/utf8-read.ts, kernels/utf8.ts).
 * - Other longer strings: Node's utf8Slice, which replaces invalid bytes with U+FFFD instead of failing.
 *   When the result has one UTF-16 unit per byte and no U+FFFD, every byte was ASCII, so it is
 *   valid; both checks are O(1) for the one-byte strings ASCII makes. Measured for 30-40 byte
 *   strings, ~2x faster than TextDecoder and ~15% faster than scanning for ASCII in JavaScript.
 * - Anything else is validated by the kernels' UTF-8 validator (and utf8Slice's result kept).
 */
import type { HeddleError } from '../../errors.js';
import { validateUtf8 } from '../../kernels/index.js';
import { WINDOW_BYTES } from '../../text/ascii-window.js';
import { isAscii } from '../../text/is-ascii.js';
import { cachedText, CACHED_ASCII_BYTES } from '../../text/short-ascii-cache.js';
import { decodeUtf8Units } from '../../kernels/utf8.js';
import { UTF8_UNITS_MAX_BYTES } from '../../kernels/thresholds.js';
import { looksMultibyte } from '../../text/utf8-read.js';
import { badValue } from './codec-failure.js';
import { EMPTY_VIEW, viewInput, type ReadState } from './read-state.js';

interface NodeBufferSlices {
  latin1Slice(this: Uint8Array, start: number, end: number): string;
  utf8Slice(this: Uint8Array, start: number, end: number): string;
}

const { latin1Slice, utf8Slice } = Buffer.prototype as unknown as NodeBufferSlices;

/** Strings up to this many bytes may be cut from a shared window; longer ones amortise their own native call. */
export const WINDOWED_MAX = 256;

/** Decodes buf[start, end) as strict UTF-8; invalid bytes are ERR_BAD_VALUE at their offset. */
export function readUtf8(buf: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= CACHED_ASCII_BYTES) return strictly(cachedText, buf, start, end);
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
 *
 * Only a string inside the current window is handled here, and everything else is
 * {@link readTextOutsideWindow}'s: a call per string, with the window logic behind it, was a fifth
 * of a compat Binary decode of the baseline Order. Generated decoders write this window hit out at
 * each string field themselves (dialect.ts), because V8's inlining budget for a large decoder ran
 * out after a few calls of it; keep the two conditions the same.
 */
export function readText(r: ReadState, start: number, end: number): string {
  const at = start - r.textStart;
  if (at >= 0 && end <= r.textEnd && end - start <= WINDOWED_MAX && isAsciiInView(r.view, start, end)) return r.text.substring(at, end - r.textStart);
  return readTextOutsideWindow(r, start, end);
}

/**
 * {@link readText} for a string that is not ASCII inside the current window: it may open one.
 * Generated decoders call it after their own copy of readText's window hit (dialect.ts).
 */
export function readTextOutsideWindow(r: ReadState, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  const buf = r.buf;
  // A lead byte of 0x80 or more (Chinese text, say) goes straight to the UTF-8 decoders; so does
  // a string inside the window, which is not ASCII if it got here.
  if (length <= WINDOWED_MAX && buf[start]! < 0x80 && !(start >= r.textStart && end <= r.textEnd)) {
    if (r.strings++ === 0) {
      // The first string of an input is made alone: a message with one string would not reuse a window.
      return readUtf8(buf, start, end);
    }
    if (isAscii(buf, start, end)) {
      const stop = Math.min(r.end, start + WINDOW_BYTES);
      r.text = latin1Slice.call(buf, start, stop);
      r.textStart = start;
      r.textEnd = stop;
      if (r.view === EMPTY_VIEW) {
        // Through viewInput, so a message with binary fields reads `buf.buffer` (a builtin call) once, not twice.
        if (r.viewsOf !== buf) viewInput(r, buf);
        r.view = new DataView(r.ab, r.abOffset, buf.length);
      }
      return r.text.substring(0, length);
    }
  }
  return length <= CACHED_ASCII_BYTES ? strictly(cachedText, buf, start, end) : readUtf8(buf, start, end);
}

/**
 * Whether view[start, end) is ASCII, reading 32-bit words: the first and the last (overlapping
 * the others when they must, so no byte loop is needed from 4 bytes on), then two words a step
 * between them. Words are read little-endian, which skips the byte swap of a big-endian read on
 * the hosts Node runs on; the 0x80808080 mask tests every byte whatever the order. Shorter
 * strings read their first, middle and last byte, which covers all of 1 to 3.
 * On the baseline Order (39 strings) this took a compat Binary decode from 35,816 to 33,555
 * valgrind instructions, where the 4-byte big-endian loop it replaces cost 5,800 of them.
 */
export function isAsciiInView(view: DataView, start: number, end: number): boolean {
  const length = end - start;
  if (length < 4) {
    if (length <= 0) return true;
    return (view.getUint8(start) | view.getUint8(start + (length >> 1)) | view.getUint8(end - 1)) < 0x80;
  }
  const last = end - 4;
  let bits = view.getInt32(start, true) | view.getInt32(last, true);
  let i = start + 4;
  for (; i + 4 <= last; i += 8) bits |= view.getInt32(i, true) | view.getInt32(i + 4, true);
  if (i < last) bits |= view.getInt32(i, true);
  return (bits & 0x80808080) === 0;
}

/**
 * Decodes a map key at r.buf[start, end): short ASCII keys through the cache (the same string
 * object each time the same key comes back), anything else as {@link readText} does.
 */
export function readKeyText(r: ReadState, start: number, end: number): string {
  if (end - start <= CACHED_ASCII_BYTES) return strictly(cachedText, r.buf, start, end);
  return readText(r, start, end);
}

/** Runs a decoder of text/utf8-read.ts, reporting invalid UTF-8 as generated Thrift code reports it. */
function strictly(decode: (buf: Uint8Array, start: number, end: number) => string, buf: Uint8Array, start: number, end: number): string {
  try {
    return decode(buf, start, end);
  } catch (error) {
    throw badValue((error as HeddleError).offset ?? start, 'invalid UTF-8');
  }
}
