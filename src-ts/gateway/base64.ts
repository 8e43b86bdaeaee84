/**
 * Base64 for Thrift `binary` and Protobuf `bytes` fields. Decoding accepts the standard and the URL-safe alphabets, with or
 * without `=` padding (as Kitex's JSON generic call accepts what Go's encoders produce); encoding
 * writes standard padded base64, as Go's encoding/json does for []byte.
 */
import { ErrorCode } from '../errors.js';
import type { ByteSink } from './byte-sink.js';
import type { JsonReader } from './json-reader.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENCODE = new Uint8Array(64);
/** Sextet of each byte, or 255 when the byte is not base64. */
const DECODE = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) {
  ENCODE[i] = ALPHABET.charCodeAt(i);
  DECODE[ALPHABET.charCodeAt(i)] = i;
}
DECODE[0x2d] = 62; // '-'
DECODE[0x5f] = 63; // '_'

/**
 * The decoded size of base64 text `src[start, end)`, or -1 when its length or padding is invalid.
 */
export function decodedSize(src: Uint8Array, start: number, end: number): number {
  let pad = 0;
  while (pad < 3 && end - pad > start && src[end - pad - 1] === 0x3d) pad++;
  if (pad > 2 || (pad > 0 && (end - start) % 4 !== 0)) return -1;
  const n = end - start - pad;
  if (n % 4 === 1) return -1;
  return ((n >> 2) * 3) + (n % 4 === 0 ? 0 : (n % 4) - 1);
}

/**
 * Decodes base64 text `src[start, end)` into `out` (room already made for {@link decodedSize}
 * bytes). Returns -1 on success, else the offset of the first bad byte.
 */
export function decodeBase64(src: Uint8Array, start: number, end: number, out: ByteSink): number {
  while (end > start && src[end - 1] === 0x3d) end--;
  const b = out.buf;
  let pos = out.pos;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const a = DECODE[src[i]!]!, c = DECODE[src[i + 1]!]!, d = DECODE[src[i + 2]!]!, e = DECODE[src[i + 3]!]!;
    if ((a | c | d | e) === 255) return badAt(src, i, i + 4);
    b[pos++] = (a << 2) | (c >> 4);
    b[pos++] = (c << 4) | (d >> 2);
    b[pos++] = (d << 6) | e;
  }
  const left = end - i;
  if (left >= 2) {
    const a = DECODE[src[i]!]!, c = DECODE[src[i + 1]!]!;
    const d = left === 3 ? DECODE[src[i + 2]!]! : 0;
    if ((a | c | d) === 255) return badAt(src, i, end);
    b[pos++] = (a << 2) | (c >> 4);
    if (left === 3) b[pos++] = (c << 4) | (d >> 2);
  }
  out.pos = pos;
  return -1;
}

function badAt(src: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (DECODE[src[i]!] === 255) return i;
  return from;
}

/** Writes `src[start, end)` as standard padded base64. */
export function encodeBase64(src: Uint8Array, start: number, end: number, out: ByteSink): void {
  out.ensure((((end - start + 2) / 3) | 0) * 4);
  const b = out.buf;
  let pos = out.pos;
  let i = start;
  for (; i + 3 <= end; i += 3) {
    const v = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!;
    b[pos++] = ENCODE[v >> 18]!;
    b[pos++] = ENCODE[(v >> 12) & 63]!;
    b[pos++] = ENCODE[(v >> 6) & 63]!;
    b[pos++] = ENCODE[v & 63]!;
  }
  if (end - i === 1) {
    const v = src[i]!;
    b[pos++] = ENCODE[v >> 2]!;
    b[pos++] = ENCODE[(v & 3) << 4]!;
    b[pos++] = 0x3d;
    b[pos++] = 0x3d;
  } else if (end - i === 2) {
    const v = (src[i]! << 8) | src[i + 1]!;
    b[pos++] = ENCODE[v >> 10]!;
    b[pos++] = ENCODE[(v >> 4) & 63]!;
    b[pos++] = ENCODE[(v & 15) << 2]!;
    b[pos++] = 0x3d;
  }
  out.pos = pos;
}

/**
 * Reads the JSON string at the reader's position (a quote, already checked) as base64 and writes
 * its decoded bytes to `out`, after `writeLength(size)` has written their length prefix.
 * `scratch` holds the text when it has escapes. Returns the decoded size.
 */
export function readBase64String(r: JsonReader, scratch: ByteSink, out: ByteSink, writeLength: (size: number) => void): number {
  const close = r.scanString();
  let src = r.src;
  let start = r.start;
  let end = close;
  if (r.escaped) {
    scratch.pos = 0;
    r.unescape(start, end, scratch);
    src = scratch.buf;
    start = 0;
    end = scratch.pos;
  }
  const size = decodedSize(src, start, end);
  if (size < 0) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'invalid base64: bad length or padding', r.start);
  writeLength(size);
  out.ensure(size);
  const bad = decodeBase64(src, start, end, out);
  if (bad >= 0) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'invalid base64 character', r.escaped ? r.start : bad);
  return size;
}
