import { decodeUtf8 } from '../../kernels/index.js';
import { decodeUtf8Units } from '../../kernels/utf8.js';
import { UTF8_UNITS_MAX_BYTES } from '../../kernels/thresholds.js';
import { looksMultibyte } from '../../text/utf8-read.js';
import { HOST_LITTLE_ENDIAN } from '../../kernels/fixed-width.js';
import { asciiText, latin1Slice } from '../../text/ascii-window.js';
import { isAscii } from '../../text/is-ascii.js';
import { cachedText, CACHED_ASCII_BYTES } from '../../text/short-ascii-cache.js';
import { CodecFault } from './codec-fault.js';
import { HIGH, LOW, word32, word64, wordU64 } from './int64-word.js';

/**
 * Reading helpers called by generated decoders. Generated code inlines the one-byte varint case
 * and calls these for the rest. Helpers that advance by a variable amount return the value and
 * leave the new position in `cursor.pos`, so no object is allocated per read.
 */

/** Where the last variable-length read ended. */
export const cursor = { pos: 0, lo: 0, hi: 0 };

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const f32 = new Float32Array(1);
const f32Bytes = new Uint8Array(f32.buffer);

/** Small non-negative bigints, so one-byte int64 varints allocate nothing. */
export const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: 128 }, (_, i) => BigInt(i));
/** Their decimal text, for one-byte int64 varints decoded as strings. */
export const SMALL_DECIMALS: readonly string[] = Array.from({ length: 128 }, (_, i) => String(i));

/** An empty byte string shared by every decoded `bytes` field that is absent; it cannot change. */
export const EMPTY_BYTES = new Uint8Array(0);

/** Empty TypedArrays for repeated numeric fields decoded with `typedArrays`, shared likewise. */
export const EMPTY_FLOAT64ARRAY = new Float64Array(0);
export const EMPTY_FLOAT32ARRAY = new Float32Array(0);
export const EMPTY_INT32ARRAY = new Int32Array(0);
export const EMPTY_UINT32ARRAY = new Uint32Array(0);
export const EMPTY_BIGINT64ARRAY = new BigInt64Array(0);
export const EMPTY_BIGUINT64ARRAY = new BigUint64Array(0);

/** The fault for input that ends inside the field starting at `offset`. */
export function truncated(offset: number): CodecFault {
  return new CodecFault('ERR_TRUNCATED', 'input ended inside a field', offset);
}

/**
 * Reads a varint whose first byte, at `pos`, has the continuation bit set; returns its low 32
 * bits as an int32 (what int32, uint32 >>> 0, enum and sint32 need). Up to 10 bytes.
 */
export function readVarint32(buf: Uint8Array, pos: number): number {
  let b = buf[pos]!;
  let value = b & 0x7f;
  b = buf[pos + 1]!;
  value |= (b & 0x7f) << 7;
  if (b < 0x80) return finish(pos + 2, value);
  b = buf[pos + 2]!;
  value |= (b & 0x7f) << 14;
  if (b < 0x80) return finish(pos + 3, value);
  b = buf[pos + 3]!;
  value |= (b & 0x7f) << 21;
  if (b < 0x80) return finish(pos + 4, value);
  b = buf[pos + 4]!;
  value |= b << 28;
  if (b < 0x80) return finish(pos + 5, value);
  // The high bits of a 64-bit varint do not change the low 32; skip them.
  for (let i = 5; i < 10; i++) {
    if (buf[pos + i]! < 0x80) return finish(pos + i + 1, value);
  }
  return overlong(buf, pos);
}

function finish(pos: number, value: number): number {
  cursor.pos = pos;
  return value;
}

function overlong(buf: Uint8Array, pos: number): never {
  if (pos + 10 > buf.length) throw truncated(pos);
  throw new CodecFault('ERR_BAD_VALUE', 'varint longer than 10 bytes', pos);
}

/**
 * Reads a whole varint at `pos` into `cursor.lo` / `cursor.hi` (uint32 halves) and sets
 * `cursor.pos` past it.
 */
export function readVarint64(buf: Uint8Array, pos: number): void {
  let lo = 0;
  let hi = 0;
  let b = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    b = buf[pos++]!;
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) {
      cursor.lo = lo >>> 0;
      cursor.hi = 0;
      cursor.pos = pos;
      return;
    }
  }
  b = buf[pos++]!;
  lo |= (b & 0x0f) << 28;
  hi = (b & 0x7f) >> 4;
  if (b >= 0x80) {
    for (let shift = 3; shift < 32; shift += 7) {
      b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      if (shift === 31) overlong(buf, pos - 10);
    }
  }
  cursor.lo = lo >>> 0;
  cursor.hi = hi >>> 0;
  cursor.pos = pos;
}

/**
 * Reads a length prefix whose first byte, at `pos`, has the continuation bit set. Lengths are
 * int32 on the wire: anything from 2 GiB up is ERR_SIZE_LIMIT, not silently truncated.
 */
export function readLength(buf: Uint8Array, pos: number): number {
  readVarint64(buf, pos);
  if (cursor.hi !== 0 || cursor.lo > 0x7fffffff) throw new CodecFault('ERR_SIZE_LIMIT', 'length prefix of 2 GiB or more', pos);
  return cursor.lo;
}

/** A varint as int64 in the codec's int64 form. `signed` false means uint64. */
export function readInt64Bigint(buf: Uint8Array, pos: number): bigint {
  readVarint64(buf, pos);
  return toBigInt(cursor.lo, cursor.hi, true);
}

/** A varint as uint64 bigint. */
export function readUint64Bigint(buf: Uint8Array, pos: number): bigint {
  readVarint64(buf, pos);
  return toBigInt(cursor.lo, cursor.hi, false);
}

/** A zigzag varint as sint64 bigint. */
export function readSint64Bigint(buf: Uint8Array, pos: number): bigint {
  readVarint64(buf, pos);
  const { lo, hi } = unzigzag(cursor.lo, cursor.hi);
  return toBigInt(lo, hi, true);
}

function unzigzag(lo: number, hi: number): { lo: number; hi: number } {
  const negative = lo & 1;
  const newLo = ((lo >>> 1) | (hi << 31)) ^ -negative;
  const newHi = (hi >>> 1) ^ -negative;
  return { lo: newLo >>> 0, hi: newHi >>> 0 };
}

/**
 * Builds a bigint from uint32 halves, always through the scratch word: even for `hi === 0` it
 * measured about 12 ns against 19 ns for BigInt(lo).
 */
export function toBigInt(lo: number, hi: number, signed: boolean): bigint {
  word32[LOW] = lo;
  word32[HIGH] = hi;
  return signed ? word64[0]! : wordU64[0]!;
}

/** uint32 halves to a JS number, or a fault when the value is not a safe integer. */
export function toSafeNumber(lo: number, hi: number, signed: boolean, offset: number): number {
  if (signed && hi >= 0x80000000) {
    const value = (hi - 0x100000000) * 0x100000000 + lo;
    if (value < Number.MIN_SAFE_INTEGER) throw unsafe(toBigInt(lo, hi, true), offset);
    return value;
  }
  const value = hi * 0x100000000 + lo;
  if (value > Number.MAX_SAFE_INTEGER) throw unsafe(toBigInt(lo, hi, signed), offset);
  return value;
}

function unsafe(value: bigint, offset: number): CodecFault {
  return new CodecFault('ERR_BAD_VALUE',
    `64-bit value ${value} does not fit a JS number; use int64: 'bigint' or 'string'`, offset);
}

/** int64 from a varint at `pos` in number mode. */
export function readInt64Number(buf: Uint8Array, pos: number, kind: 'int64' | 'uint64' | 'sint64'): number {
  readVarint64(buf, pos);
  let { lo, hi } = cursor;
  if (kind === 'sint64') ({ lo, hi } = unzigzag(lo, hi));
  return toSafeNumber(lo, hi, kind !== 'uint64', pos);
}

/** int64 from a varint at `pos` in string mode (also map keys). */
export function readInt64String(buf: Uint8Array, pos: number, kind: 'int64' | 'uint64' | 'sint64'): string {
  readVarint64(buf, pos);
  let { lo, hi } = cursor;
  if (kind === 'sint64') ({ lo, hi } = unzigzag(lo, hi));
  return toDecimal(lo, hi, kind !== 'uint64');
}

/**
 * The decimal text of recently decoded non-negative 64-bit values, by value, in 256 slots.
 * Integer-like text above 2^32 is the slowest kind of property key in V8: each fresh string is
 * parsed as a number and interned before the store, about 300 ns a key, where a string the engine
 * has already interned costs about 100 ns. Map keys and string-mode ids tend to repeat from message
 * to message, so handing back the same string is most of the cost of a map<int64, V> saved; a
 * miss costs a compare and three stores. `hi` of 0xffffffff marks an empty slot (cached values have
 * hi < 2^21).
 */
const decimalLo = new Uint32Array(256);
const decimalHi = new Uint32Array(256).fill(0xffffffff);
const decimalText: string[] = new Array<string>(256).fill('');

/** uint32 halves as a decimal string, without bigint arithmetic when the value fits 53 bits. */
function toDecimal(lo: number, hi: number, signed: boolean): string {
  if (hi < 0x200000) {
    const slot = (lo ^ (hi << 5)) & 255;
    if (decimalLo[slot] === lo && decimalHi[slot] === hi) return decimalText[slot]!;
    const text = safeIntegerText(hi * 0x100000000 + lo);
    decimalLo[slot] = lo;
    decimalHi[slot] = hi;
    decimalText[slot] = text;
    return text;
  }
  if (signed && hi >= 0xffe00000) return '-' + safeIntegerText((0x100000000 - hi) * 0x100000000 - lo);
  return toBigInt(lo, hi, signed).toString();
}

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000'];

/**
 * A non-negative safe integer in decimal. V8 formats integers above 2^31 as doubles, several
 * times slower than two small-integer conversions joined.
 */
function safeIntegerText(value: number): string {
  if (value < 0x80000000) return String(value);
  const high = Math.floor(value / 1e9);
  const low = String(value - high * 1e9);
  return String(high) + ZEROS[9 - low.length]! + low;
}

/** Reads 8 bytes little-endian as uint32 halves into `cursor.lo` / `cursor.hi`. */
export function readFixed64(buf: Uint8Array, pos: number): void {
  cursor.lo = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
  cursor.hi = (buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24)) >>> 0;
}

/** A fixed64/sfixed64 in the requested form. */
export function readFixed64As(buf: Uint8Array, pos: number, signed: boolean, mode: 'bigint' | 'number' | 'string'): bigint | number | string {
  readFixed64(buf, pos);
  if (mode === 'number') return toSafeNumber(cursor.lo, cursor.hi, signed, pos);
  if (mode === 'string') return toDecimal(cursor.lo, cursor.hi, signed);
  return toBigInt(cursor.lo, cursor.hi, signed);
}

/** A little-endian double at `pos`. */
export function readDouble(buf: Uint8Array, pos: number): number {
  if (HOST_LITTLE_ENDIAN) {
    f64Bytes[0] = buf[pos]!; f64Bytes[1] = buf[pos + 1]!; f64Bytes[2] = buf[pos + 2]!; f64Bytes[3] = buf[pos + 3]!;
    f64Bytes[4] = buf[pos + 4]!; f64Bytes[5] = buf[pos + 5]!; f64Bytes[6] = buf[pos + 6]!; f64Bytes[7] = buf[pos + 7]!;
  } else {
    for (let i = 0; i < 8; i++) f64Bytes[7 - i] = buf[pos + i]!;
  }
  return f64[0]!;
}

/** A little-endian float at `pos`. */
export function readFloat(buf: Uint8Array, pos: number): number {
  if (HOST_LITTLE_ENDIAN) {
    f32Bytes[0] = buf[pos]!; f32Bytes[1] = buf[pos + 1]!; f32Bytes[2] = buf[pos + 2]!; f32Bytes[3] = buf[pos + 3]!;
  } else {
    for (let i = 0; i < 4; i++) f32Bytes[3 - i] = buf[pos + i]!;
  }
  return f32[0]!;
}

/** True if the varint at `pos` is non-zero in any of its bits (bool); sets `cursor.pos`. */
export function readBool(buf: Uint8Array, pos: number): boolean {
  readVarint64(buf, pos);
  return cursor.lo !== 0 || cursor.hi !== 0;
}

/** Node's native UTF-8 decoder (replacing, not validating); undefined outside Node. */
const utf8Slice = (globalThis as { Buffer?: { prototype: { utf8Slice?: (this: Uint8Array, start: number, end: number) => string } } })
  .Buffer?.prototype.utf8Slice;

/** Longest ASCII string scanned here before the UTF-8 kernel (TextDecoder) is cheaper. */
const ASCII_SCAN_MAX = 64;

/**
 * Strict UTF-8, as proto3 requires for `string` fields. Names, keys and titles are mostly short:
 * up to 32 bytes, ASCII or not, they come from the short-string cache shared with the Thrift
 * decoders, which also spares a map store interning a fresh key (those the cache does not keep,
 * under 13 characters, are cut from a window of the input while a codec's decode has one open:
 * text/ascii-window.ts); longer ASCII up to 64 bytes from Node's native Latin-1 decoder
 * (identical on ASCII). Text made mostly of multi-byte characters (Chinese titles,
 * addresses, notes) is decoded by JavaScript loops, which validate as they go and beat Node's
 * decoder on it (text/utf8-read.ts). Other text is decoded by Node's UTF-8 decoder, which replaces
 * every invalid sequence (overlong, surrogate, truncated, out of range) with U+FFFD: text without
 * one was valid. Text with a U+FFFD, and text outside Node, goes to the UTF-8 kernel, which
 * validates (and throws ERR_BAD_VALUE with the offset of the first bad byte).
 */
export function readStringStrict(buf: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= CACHED_ASCII_BYTES) {
    return cachedText(buf, start, end);
  }
  if (length <= ASCII_SCAN_MAX && buf[start]! < 0x80 && latin1Slice !== undefined && isAscii(buf, start, end)) return asciiText(buf, start, end);
  if (length <= UTF8_UNITS_MAX_BYTES && looksMultibyte(buf, start, end)) return decodeUtf8Units(buf, start, end);
  if (utf8Slice !== undefined) {
    const text = utf8Slice.call(buf, start, end);
    if (text.indexOf('\uFFFD') === -1) return text;
  }
  return decodeUtf8(buf, start, end);
}

const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** UTF-8 with invalid sequences replaced by U+FFFD, as proto2 `string` fields allow them. */
export function readStringLenient(buf: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end && ascii; i++) ascii = buf[i]! < 0x80;
  if (ascii && end - start < 32) {
    let text = '';
    for (let i = start; i < end; i++) text += String.fromCharCode(buf[i]!);
    return text;
  }
  return lenientDecoder.decode(buf.subarray(start, end));
}

/**
 * Skips the field whose tag, starting at `fieldStart`, was just read (the value starts at `pos`);
 * returns the position after it. Groups are scanned to their matching end tag, nested at most
 * `depthLeft` deep.
 */
export function skipField(buf: Uint8Array, pos: number, end: number, tag: number, depthLeft: number, fieldStart: number): number {
  switch (tag & 7) {
    case 0: {
      const valueStart = pos;
      for (;;) {
        if (pos >= end) throw truncated(fieldStart);
        if (buf[pos++]! < 0x80) return pos;
        if (pos - valueStart === 10) throw new CodecFault('ERR_BAD_VALUE', 'varint longer than 10 bytes', valueStart);
      }
    }
    case 1:
      pos += 8;
      break;
    case 2: {
      let length = buf[pos++]!;
      if (length >= 0x80) {
        length = readLength(buf, pos - 1);
        pos = cursor.pos;
      }
      // Written as !(<=) so a length byte past the input (undefined) fails too.
      if (!(length <= end - pos)) throw truncated(fieldStart);
      pos += length;
      break;
    }
    case 3:
      return skipGroup(buf, pos, end, tag >>> 3, depthLeft);
    case 4:
      throw new CodecFault('ERR_BAD_TYPE', `unexpected end-group tag for field ${tag >>> 3}`, fieldStart);
    case 5:
      pos += 4;
      break;
    default:
      throw new CodecFault('ERR_BAD_TYPE', `invalid wire type ${tag & 7}`, fieldStart);
  }
  if (pos > end) throw truncated(fieldStart);
  return pos;
}

function skipGroup(buf: Uint8Array, pos: number, end: number, fieldNumber: number, depthLeft: number): number {
  if (depthLeft <= 0) throw new CodecFault('ERR_DEPTH_LIMIT', 'maximum recursion depth reached', pos);
  while (pos < end) {
    const tagStart = pos;
    const tag = readTag(buf, pos, end);
    pos = cursor.pos;
    if ((tag & 7) === 4) {
      if (tag >>> 3 !== fieldNumber) throw new CodecFault('ERR_BAD_TYPE', 'invalid end-group tag', tagStart);
      return pos;
    }
    pos = skipField(buf, pos, end, tag, depthLeft - 1, tagStart);
  }
  throw truncated(pos);
}

/** Reads a tag at `pos` (any length); sets `cursor.pos`. Rejects field number 0. */
export function readTag(buf: Uint8Array, pos: number, end: number): number {
  let tag = buf[pos]!;
  if (tag >= 0x80) {
    tag = readVarint32(buf, pos) >>> 0;
    // A tag is a uint32: at most 5 bytes, the fifth holding only its top 4 bits.
    if (cursor.pos - pos > 5 || (cursor.pos - pos === 5 && buf[pos + 4]! > 0x0f)) {
      throw new CodecFault('ERR_BAD_VALUE', 'tag does not fit 32 bits', pos);
    }
  } else {
    cursor.pos = pos + 1;
  }
  if (cursor.pos > end) throw truncated(pos);
  if (tag >>> 3 === 0) throw new CodecFault('ERR_BAD_TYPE', 'invalid field number 0', pos);
  return tag;
}

/** The fault for a tag that closes a group the message is not in. */
export function strayEndGroup(offset: number, tag: number): CodecFault {
  return new CodecFault('ERR_BAD_TYPE', `unexpected end-group tag for field ${tag >>> 3}`, offset);
}

/** The fault for nesting deeper than `maxDepth`. */
export function tooDeep(offset: number): CodecFault {
  return new CodecFault('ERR_DEPTH_LIMIT', 'maximum recursion depth reached', offset);
}

/** The fault for a tag with field number 0, which no message can have. */
export function badFieldNumber(offset: number): CodecFault {
  return new CodecFault('ERR_BAD_TYPE', 'invalid field number 0', offset);
}
