/**
 * Writing `string` and `binary` values with their length prefix, for both protocols. Short
 * strings go through a JavaScript UTF-8 loop; long ones through Buffer#utf8Write, whose native
 * call only pays off past a few dozen characters.
 */
import { loneSurrogateAt, writeAsciiPrefix, writeUtf8 } from '../../text/utf8-write.js';
import { badValue, wrongValue } from './codec-failure.js';
import { writeVarint32, varint32Size } from './varint.js';
import type { WriteBuffer } from './write-buffer.js';

/** Strings up to this many UTF-16 units are encoded by the JavaScript loop (also in place by
 * generated Binary encoders: codegen/dialect.ts). */
const SHORT_STRING = 48;

interface NodeBufferInternals {
  utf8Write(text: string, offset: number, length: number): number;
}

/**
 * Encodes `text` as UTF-8 at `pos` (the caller guarantees 3 bytes per UTF-16 unit of room) and
 * returns the position after it: its ASCII prefix four chars at a time, the rest char by char.
 * An unpaired surrogate is ERR_BAD_VALUE: it has no UTF-8 form, and silently writing U+FFFD
 * would change the value.
 */
function writeUtf8Short(buf: Uint8Array, view: DataView, pos: number, text: string): number {
  const ascii = writeAsciiPrefix(buf, view, pos, text);
  if (ascii === text.length) return pos + ascii;
  return writeUtf8(buf, pos + ascii, text, ascii, unpairedSurrogate);
}

/** The fault for a string with an unpaired surrogate at `index`; generated encoders pass it to `writeUtf8`. */
export function unpairedSurrogate(index: number) {
  return badValue(undefined, `string has an unpaired surrogate at index ${index}`);
}

/** Checks a long string and returns its exact UTF-8 length. */
function longUtf8Length(text: string): number {
  const lone = loneSurrogateAt(text);
  if (lone >= 0) throw unpairedSurrogate(lone);
  return Buffer.byteLength(text, 'utf8');
}

/** Writes a Binary-protocol string (i32 length, UTF-8 bytes) at `pos`; returns the new position. */
export function writeStringBinary(w: WriteBuffer, pos: number, text: unknown): number {
  if (typeof text !== 'string') throw wrongValue('a string', text);
  let buf = w.buf;
  if (text.length <= SHORT_STRING) {
    if (pos + 4 + text.length * 3 > buf.length) buf = w.grow(pos, 4 + text.length * 3);
    const end = writeUtf8Short(buf, w.view, pos + 4, text);
    const length = end - pos - 4;
    buf[pos] = length >>> 24;
    buf[pos + 1] = length >>> 16;
    buf[pos + 2] = length >>> 8;
    buf[pos + 3] = length;
    return end;
  }
  const length = longUtf8Length(text);
  if (pos + 4 + length > buf.length) buf = w.grow(pos, 4 + length);
  buf[pos] = length >>> 24;
  buf[pos + 1] = length >>> 16;
  buf[pos + 2] = length >>> 8;
  buf[pos + 3] = length;
  (buf as unknown as NodeBufferInternals).utf8Write(text, pos + 4, length);
  return pos + 4 + length;
}

/** Writes a Compact-protocol string (varint length, UTF-8 bytes) at `pos`; returns the new position. */
export function writeStringCompact(w: WriteBuffer, pos: number, text: unknown): number {
  if (typeof text !== 'string') throw wrongValue('a string', text);
  let buf = w.buf;
  const n = text.length;
  if (n <= SHORT_STRING) {
    // The UTF-8 length is between n and 3n: reserve the prefix size for n, and move the bytes in
    // the rare case the real length needs a longer prefix.
    const reserved = n < 0x80 ? 1 : 2;
    if (pos + reserved + n * 3 > buf.length) buf = w.grow(pos, reserved + n * 3 + 1);
    const end = writeUtf8Short(buf, w.view, pos + reserved, text);
    const length = end - pos - reserved;
    const prefix = varint32Size(length);
    if (prefix !== reserved) {
      if (end + 1 > buf.length) buf = w.grow(end, 1);
      buf.copyWithin(pos + prefix, pos + reserved, end);
    }
    writeVarint32(buf, pos, length);
    return pos + prefix + length;
  }
  const length = longUtf8Length(text);
  if (pos + 5 + length > buf.length) buf = w.grow(pos, 5 + length);
  pos = writeVarint32(buf, pos, length);
  (buf as unknown as NodeBufferInternals).utf8Write(text, pos, length);
  return pos + length;
}

/**
 * Writes a Binary-protocol `binary` (i32 length, bytes) at `pos`; returns the new position. A
 * value of at least `w.linkFrom` bytes is linked after its length, not copied (WriteBuffer.link).
 */
export function writeBytesBinary(w: WriteBuffer, pos: number, bytes: unknown): number {
  if (!(bytes instanceof Uint8Array)) throw wrongValue('a Uint8Array', bytes);
  const length = bytes.length;
  const linked = length >= w.linkFrom;
  const room = linked ? 4 : 4 + length;
  let buf = w.buf;
  if (pos + room > buf.length) buf = w.grow(pos, room);
  buf[pos] = length >>> 24;
  buf[pos + 1] = length >>> 16;
  buf[pos + 2] = length >>> 8;
  buf[pos + 3] = length;
  if (linked) {
    w.link(pos + 4, bytes);
    return pos + 4;
  }
  copyBytes(buf, pos + 4, bytes);
  return pos + 4 + length;
}

/** Writes a Compact-protocol `binary` (varint length, bytes) at `pos`; returns the new position.
 * Links a value of at least `w.linkFrom` bytes, as {@link writeBytesBinary} does. */
export function writeBytesCompact(w: WriteBuffer, pos: number, bytes: unknown): number {
  if (!(bytes instanceof Uint8Array)) throw wrongValue('a Uint8Array', bytes);
  const length = bytes.length;
  const linked = length >= w.linkFrom;
  const room = linked ? 5 : 5 + length;
  let buf = w.buf;
  if (pos + room > buf.length) buf = w.grow(pos, room);
  pos = writeVarint32(buf, pos, length);
  if (linked) {
    w.link(pos, bytes);
    return pos;
  }
  copyBytes(buf, pos, bytes);
  return pos + length;
}

/** Copies `bytes` to `buf` at `pos`: a loop for a few bytes, where `set`'s fixed cost dominates. */
function copyBytes(buf: Uint8Array, pos: number, bytes: Uint8Array): void {
  const n = bytes.length;
  if (n <= 16) for (let i = 0; i < n; i++) buf[pos + i] = bytes[i]!;
  else buf.set(bytes, pos);
}
