/**
 * Pure-TypeScript UTF-8 validation and strict decoding, exactly as WHATWG's UTF-8 decoder with
 * `fatal: true` accepts bytes: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
 * U+10FFFF, no truncated sequences.
 */
import { ErrorCode, HeddleError } from '../errors.js';
import { HOST_LITTLE_ENDIAN } from './fixed-width.js';
import { UCS2_SLICE_FROM_UNITS, UTF8_JS_LOOP_MAX_BYTES } from './thresholds.js';

/**
 * Returns -1 when src[start, end) is valid UTF-8, else the offset where the first invalid
 * sequence starts (a sequence cut off by `end` is invalid at its lead byte).
 */
export function validateUtf8(src: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const lead = src[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = sequenceLength(src, i, end, lead);
    if (length === 0) return i;
    i += length;
  }
  return -1;
}

/**
 * Length (2..4) of the valid multi-byte sequence with lead byte `lead` at src[i], or 0 if it is
 * invalid. The second byte's range depends on the lead: that is where overlongs, surrogates and
 * code points above U+10FFFF are excluded (Unicode Table 3-7).
 */
function sequenceLength(src: Uint8Array, i: number, end: number, lead: number): number {
  if (lead < 0xc2 || lead > 0xf4) return 0;
  const length = lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
  if (end - i < length) return 0;
  const second = src[i + 1]!;
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
  if (second < low || second > high) return 0;
  if (length > 2 && (src[i + 2]! & 0xc0) !== 0x80) return 0;
  if (length > 3 && (src[i + 3]! & 0xc0) !== 0x80) return 0;
  return length;
}

/** The error a strict decoder throws for the invalid sequence at `offset`. */
export function invalidUtf8(offset: number): HeddleError {
  return new HeddleError(ErrorCode.ERR_BAD_VALUE, 'invalid UTF-8', { offset });
}

/**
 * Decodes src[start, end) with a JavaScript loop; the fastest way for short strings, where the
 * fixed cost of TextDecoder or Buffer#utf8Slice dominates. Throws ERR_BAD_VALUE on invalid UTF-8.
 */
export function decodeUtf8Short(src: Uint8Array, start: number, end: number): string {
  let text = '';
  let i = start;
  while (i < end) {
    const lead = src[i]!;
    if (lead < 0x80) {
      text += String.fromCharCode(lead);
      i++;
      continue;
    }
    const length = sequenceLength(src, i, end, lead);
    if (length === 2) {
      text += String.fromCharCode(((lead & 0x1f) << 6) | (src[i + 1]! & 0x3f));
    } else if (length === 3) {
      text += String.fromCharCode(((lead & 0x0f) << 12) | ((src[i + 1]! & 0x3f) << 6) | (src[i + 2]! & 0x3f));
    } else if (length === 4) {
      const cp = ((lead & 0x07) << 18) | ((src[i + 1]! & 0x3f) << 12) | ((src[i + 2]! & 0x3f) << 6) | (src[i + 3]! & 0x3f);
      text += String.fromCharCode(0xd7c0 + (cp >> 10), 0xdc00 | (cp & 0x3ff));
    } else {
      throw invalidUtf8(i);
    }
    i += length;
  }
  return text;
}

/** Code units of the string being decoded by {@link decodeUtf8Units}; grown on demand. */
let units = new Uint16Array(1024);

interface NodeBufferUcs2 {
  ucs2Slice(this: Uint8Array, start: number, end: number): string;
}
const NodeBuffer = (globalThis as { Buffer?: { prototype: NodeBufferUcs2; from(buffer: ArrayBuffer): Uint8Array } }).Buffer;
/**
 * Node's UTF-16LE decoder, which makes a string of `units` with one copy; undefined outside Node
 * and on big-endian hosts, where the units' bytes are not UTF-16LE.
 */
const ucs2Slice = HOST_LITTLE_ENDIAN ? NodeBuffer?.prototype.ucs2Slice : undefined;
/** `units` as a Buffer, for ucs2Slice; replaced with `units` when it grows. */
let unitBytes: Uint8Array | undefined = NodeBuffer?.from(units.buffer);

/**
 * Decodes src[start, end) with a JavaScript loop into a reused Uint16Array, then makes the string
 * from it eight units per String.fromCharCode call ({@link stringFromUnits}). Faster than
 * Buffer#utf8Slice (which does not even validate) on text made mostly of multi-byte characters,
 * the product titles, addresses and notes of real messages; see UTF8_CONCAT_MAX_BYTES in
 * thresholds.ts. Throws ERR_BAD_VALUE on invalid UTF-8.
 */
export function decodeUtf8Units(src: Uint8Array, start: number, end: number): string {
  // A UTF-8 input never has more UTF-16 units than bytes.
  if (units.length < end - start) {
    units = new Uint16Array(Math.max(end - start, units.length * 2));
    unitBytes = NodeBuffer?.from(units.buffer);
  }
  const out = units;
  let n = 0;
  let i = start;
  while (i < end) {
    const lead = src[i]!;
    if (lead < 0x80) {
      out[n++] = lead;
      i++;
    } else if (lead >= 0xe1 && lead <= 0xef && lead !== 0xed && i + 2 < end) {
      // Most of the BMP, CJK included: with these leads no overlong or surrogate is possible, so
      // two continuation bytes are all there is to check.
      const b1 = src[i + 1]!;
      const b2 = src[i + 2]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) throw invalidUtf8(i);
      out[n++] = ((lead & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      i += 3;
    } else {
      const length = sequenceLength(src, i, end, lead);
      if (length === 2) {
        out[n++] = ((lead & 0x1f) << 6) | (src[i + 1]! & 0x3f);
      } else if (length === 3) {
        out[n++] = ((lead & 0x0f) << 12) | ((src[i + 1]! & 0x3f) << 6) | (src[i + 2]! & 0x3f);
      } else if (length === 4) {
        const cp = ((lead & 0x07) << 18) | ((src[i + 1]! & 0x3f) << 12) | ((src[i + 2]! & 0x3f) << 6) | (src[i + 3]! & 0x3f);
        out[n++] = 0xd7c0 + (cp >> 10);
        out[n++] = 0xdc00 | (cp & 0x3ff);
      } else {
        throw invalidUtf8(i);
      }
      i += length;
    }
  }
  // Past a few dozen units one native copy beats building the string in pieces.
  if (n >= UCS2_SLICE_FROM_UNITS && ucs2Slice !== undefined) return ucs2Slice.call(unitBytes!, 0, 2 * n);
  return stringFromUnits(out, n);
}

/**
 * The string of units[0, n). String.fromCharCode with eight arguments builds a flat string with
 * no array in between, where `apply` over a subarray pays for the view and the spread (about
 * 100 ns before the first unit); the pieces are joined by `+=`. Chinese text, ns per string,
 * the string read afterwards (so any rope is flattened), apply / eight at a time: 24 B 210/45,
 * 48 B 199/114, 99 B 424/343, 255 B 1040/841, 600 B 2108/1649, 2001 B 9161/7392 (Node 20,
 * shared machine; sixteen arguments measured slower than eight, as V8 optimises short calls).
 */
function stringFromUnits(u: Uint16Array, n: number): string {
  let text = '';
  let k = 0;
  for (; k + 8 <= n; k += 8) text += String.fromCharCode(u[k]!, u[k + 1]!, u[k + 2]!, u[k + 3]!, u[k + 4]!, u[k + 5]!, u[k + 6]!, u[k + 7]!);
  if (k + 4 <= n) {
    text += String.fromCharCode(u[k]!, u[k + 1]!, u[k + 2]!, u[k + 3]!);
    k += 4;
  }
  for (; k < n; k++) text += String.fromCharCode(u[k]!);
  return text;
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Strict decode of src[start, end): the JavaScript loop for short input, TextDecoder (which
 * validates in C++) above {@link UTF8_JS_LOOP_MAX_BYTES}. Throws ERR_BAD_VALUE at the first
 * invalid sequence.
 */
export function decodeUtf8(src: Uint8Array, start: number, end: number): string {
  if (end - start <= UTF8_JS_LOOP_MAX_BYTES) return decodeUtf8Short(src, start, end);
  try {
    return fatalDecoder.decode(src.subarray(start, end));
  } catch (error) {
    throw new HeddleError(ErrorCode.ERR_BAD_VALUE, 'invalid UTF-8', { offset: validateUtf8(src, start, end), cause: error });
  }
}
