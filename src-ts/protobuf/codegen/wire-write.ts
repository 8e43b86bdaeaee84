import { claimPoolWindow, closePoolWindow, copyBytes, copyOutsidePool, copyToBuffer, hasNodeBuffer, openPoolWindow, poolWindow, POOL_WINDOW_MAX } from './byte-pool.js';
import { loneSurrogateAt, writeUtf8 } from '../../text/utf8-write.js';
import { CodecFault } from './codec-fault.js';
import { HIGH, LOW, word32, word64 } from './int64-word.js';

/**
 * Writing helpers called by generated encoders. Encoders write into one shared scratch buffer
 * (`output.buf`), growing it as needed, and the codec copies the result out; so encoding a message
 * allocates one exact-size Uint8Array. Under the protobufjs profile `output.buf` is instead the
 * byte pool's current slab, and the result is a view of it (see {@link encodeToPool}). Length
 * prefixes of nested messages are reserved as one byte and widened afterwards in the rare case the
 * content reaches 128 bytes.
 */

const INITIAL_SIZE = 64 * 1024;
/** A scratch buffer that grew past this is dropped after use, so one huge message does not pin memory. */
const RETAIN_LIMIT = 4 * 1024 * 1024;

function createOutput(size: number): { buf: Uint8Array; view: DataView } {
  const buf = new Uint8Array(size);
  return { buf, view: new DataView(buf.buffer) };
}

/** The scratch buffer and a DataView over it, replaced together when they grow. */
export const output = createOutput(INITIAL_SIZE);

/** Makes room for `need` more bytes after `pos`; returns the (possibly new) buffer. */
export function grow(pos: number, need: number): Uint8Array {
  const old = output.buf;
  if (pos + need <= old.length) return old;
  // Growing the pool window would copy the whole slab before it and allocate twice that; the
  // message is encoded again in scratch memory instead (see encodeToPool).
  if (pooledEncoding && old === poolWindow.bytes) throw OUTGREW_POOL_WINDOW;
  let size = old.length * 2;
  while (size < pos + need) size *= 2;
  const next = createOutput(size);
  next.buf.set(old.subarray(0, pos));
  output.buf = next.buf;
  output.view = next.view;
  return next.buf;
}

/** The scratch buffer while an `encodeInto` target stands in for it. */
let savedScratch: { buf: Uint8Array; view: DataView } | undefined;

/**
 * Runs `encode(value, 0)` with `target` as the output buffer, so the message is written where
 * the caller wants it (a LinkBuffer's reserved space). If it outgrows `target`, `grow` moves it
 * to a new buffer as usual and `output.buf` says where it is. Call {@link restoreScratch} after.
 */
export function encodeInto<T>(target: Uint8Array, encode: (value: T, start: number) => number, value: T): number {
  savedScratch ??= { buf: output.buf, view: output.view };
  output.buf = target;
  output.view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  return encode(value, 0);
}

/** Puts the scratch buffer back after {@link encodeInto}; the target, or what it grew into, stays the caller's. */
export function restoreScratch(): void {
  if (savedScratch === undefined) return;
  output.buf = savedScratch.buf;
  output.view = savedScratch.view;
  savedScratch = undefined;
}

/** Copies the encoded bytes out and shrinks the scratch buffer if one message made it huge. */
export function takeOutput(end: number): Uint8Array {
  const result = copyBytes(output.buf, 0, end);
  if (output.buf.length > RETAIN_LIMIT) shrinkOutput();
  return result;
}

/** {@link takeOutput}, as a Node Buffer (the protobufjs profile's encode result). */
export function takeOutputBuffer(end: number): Uint8Array {
  const result = copyToBuffer(output.buf, 0, end);
  if (output.buf.length > RETAIN_LIMIT) shrinkOutput();
  return result;
}

/** Whether an encoder is writing into the pool window (an Any's packed message, encoded inside
 * it, takes the scratch path). */
let pooledEncoding = false;
/** The scratch buffer set aside while an encoder writes into the pool window. */
const scratchWhilePooled: { buf: Uint8Array; view: DataView } = { buf: output.buf, view: output.view };

/** Thrown by {@link grow} when a message outgrows the pool window; not an Error, so generated
 * encoders' path-adding catch blocks rethrow it untouched (asFault rethrows what it does not know). */
const OUTGREW_POOL_WINDOW = Object.freeze({ outgrewPoolWindow: true });

/**
 * Encodes `value` straight into the shared byte pool and returns the message as a Node Buffer view
 * of it (the protobufjs profile's encode result), so there is no scratch copy: the encoder writes
 * at the pool's free position, and only the bytes written are then claimed. `sizeHint` (the last
 * message's size) asks for room for four times that before starting (strings reserve up to three
 * bytes a char before writing); a message that still outgrows the slab is encoded again by the
 * scratch path. Messages expected above {@link POOL_WINDOW_MAX} take {@link takeOutputBuffer}, and
 * encodes nested in one {@link encodeNestedInPooled}. Handed-out views are never written again:
 * the pool only moves forward.
 */
export function encodeToPool<T>(encode: (value: T, start: number) => number, value: T, sizeHint: number): Uint8Array {
  if (pooledEncoding) return encodeNestedInPooled(encode, value);
  if (!hasNodeBuffer || sizeHint > POOL_WINDOW_MAX) return takeOutputBuffer(encode(value, 0));
  const window = openPoolWindow(4 * sizeHint + 256);
  const scratch = output.buf;
  const scratchView = output.view;
  scratchWhilePooled.buf = scratch;
  scratchWhilePooled.view = scratchView;
  output.buf = window.bytes;
  output.view = window.view;
  pooledEncoding = true;
  let end: number;
  try {
    end = encode(value, window.start);
  } catch (error) {
    closePoolWindow();
    if (error !== OUTGREW_POOL_WINDOW) throw error;
    end = -1;
  } finally {
    pooledEncoding = false;
    output.buf = scratch;
    output.view = scratchView;
  }
  return end < 0 ? takeOutputBuffer(encode(value, 0)) : claimPoolWindow(end);
}

/**
 * An encode started while another writes into the pool window: an Any's packed message (its hook
 * sets a buffer of its own aside first) or user code the outer encode ran, a getter say (then
 * `output.buf` is still the window, whose slab holds views already handed out, so this one writes
 * in the set-aside scratch buffer instead). Its bytes get an ArrayBuffer of their own: the window
 * owns the rest of the current slab, and carving from the pool now would abandon that slab for a
 * fresh one on every such message.
 */
function encodeNestedInPooled<T>(encode: (value: T, start: number) => number, value: T): Uint8Array {
  const outerBuf = output.buf;
  const outerView = output.view;
  if (outerBuf === poolWindow.bytes) {
    output.buf = scratchWhilePooled.buf;
    output.view = scratchWhilePooled.view;
  }
  try {
    const end = encode(value, 0);
    return copyOutsidePool(output.buf, end);
  } finally {
    output.buf = outerBuf;
    output.view = outerView;
  }
}

/** The encoded bytes where they lie, in the scratch buffer: valid until the next encode. A scratch
 * buffer one message made huge goes to the caller with the view (a fresh one replaces it), so it is
 * not pinned. */
export function scratchView(end: number): Uint8Array {
  const view = output.buf.subarray(0, end);
  if (output.buf.length > RETAIN_LIMIT) shrinkOutput();
  return view;
}

function shrinkOutput(): void {
  const fresh = createOutput(INITIAL_SIZE);
  output.buf = fresh.buf;
  output.view = fresh.view;
}

/** Bytes a varint takes for a uint32. */
export function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/**
 * A nested message was written after a one-byte length placeholder at `start`; writes its real
 * length there, moving the content right if the length needs more bytes. Returns the new end.
 */
export function patchLength(start: number, end: number): number {
  const length = end - start - 1;
  let buf = output.buf;
  if (length < 0x80) {
    buf[start] = length;
    return end;
  }
  const extra = varintSize(length) - 1;
  buf = grow(end, extra);
  buf.copyWithin(start + 1 + extra, start + 1, end);
  writeVarint32(buf, start, length);
  return end + extra;
}

/**
 * A length-delimited body was written after `reserved` bytes kept at `start` for its length;
 * writes the length there, moving the body left if the length takes fewer bytes. Returns the end.
 */
export function finishLength(start: number, reserved: number, bodyEnd: number): number {
  const bodyStart = start + reserved;
  const length = bodyEnd - bodyStart;
  const buf = output.buf;
  const prefix = varintSize(length);
  if (prefix < reserved) buf.copyWithin(start + prefix, bodyStart, bodyEnd);
  writeVarint32(buf, start, length);
  return start + prefix + length;
}

/** Writes a uint32 varint. */
export function writeVarint32(buf: Uint8Array, pos: number, value: number): number {
  while (value > 0x7f) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[pos++] = value;
  return pos;
}

/** Writes an int32 varint: negative values take 10 bytes, sign-extended to 64 bits. */
export function writeInt32(buf: Uint8Array, pos: number, value: number): number {
  if (value >= 0) return writeVarint32(buf, pos, value);
  return writeVarint64(buf, pos, value >>> 0, 0xffffffff);
}

/** Writes a varint from uint32 halves. */
export function writeVarint64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  while (hi !== 0) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  return writeVarint32(buf, pos, lo);
}

/** Writes 8 bytes little-endian from uint32 halves. */
export function writeFixed64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  buf[pos] = lo; buf[pos + 1] = lo >>> 8; buf[pos + 2] = lo >>> 16; buf[pos + 3] = lo >>> 24;
  buf[pos + 4] = hi; buf[pos + 5] = hi >>> 8; buf[pos + 6] = hi >>> 16; buf[pos + 7] = hi >>> 24;
  return pos + 8;
}

/** Writes 4 bytes little-endian. */
export function writeFixed32(buf: Uint8Array, pos: number, value: number): number {
  buf[pos] = value; buf[pos + 1] = value >>> 8; buf[pos + 2] = value >>> 16; buf[pos + 3] = value >>> 24;
  return pos + 4;
}

/** Where {@link splitInt64} leaves its result. */
export const halves = { lo: 0, hi: 0 };

const TWO_32 = 0x100000000;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;

/**
 * Splits a 64-bit integer given as bigint, safe-integer number or decimal string into uint32
 * halves (two's complement) in `halves`. Fails with ERR_BAD_VALUE on anything else or out of range.
 * Values that fit 53 bits, nearly all in practice, are split without bigint arithmetic.
 */
export function splitInt64(value: unknown, signed: boolean): void {
  let n: number;
  if (typeof value === 'number') {
    n = value;
    if (!Number.isSafeInteger(n)) throw badInt64(value, signed);
  } else if (typeof value === 'bigint') {
    // Range first, then the bits through a 64-bit scratch word: no bigint arithmetic, no
    // conversion to double.
    splitBig(value, value, signed);
    return;
  } else if (typeof value === 'string') {
    n = parseSafeDecimal(value);
    if (Number.isNaN(n)) {
      if (!/^-?\d+$/.test(value)) throw badInt64(value, signed);
      return splitBig(BigInt(value), value, signed);
    }
  } else {
    throw badInt64(value, signed);
  }
  if (n >= 0) {
    if (n <= 0xffffffff) {
      halves.lo = n;
      halves.hi = 0;
    } else {
      // `>>> 0` is n mod 2^32, exact for safe integers; `%` on doubles is a call to fmod.
      const lo = n >>> 0;
      halves.lo = lo;
      halves.hi = (n - lo) / TWO_32;
    }
    return;
  }
  if (!signed) throw badInt64(value, signed);
  // Two's complement of the magnitude: invert and add one.
  const magnitude = -n;
  let lo = magnitude >>> 0;
  let hi = (magnitude - lo) / TWO_32;
  lo = (~lo >>> 0) + 1;
  hi = ~hi >>> 0;
  if (lo === TWO_32) {
    lo = 0;
    hi = (hi + 1) >>> 0;
  }
  halves.lo = lo;
  halves.hi = hi;
}

/** A bigint, or a decimal string beyond 53 bits as one: range-checked, then split via the scratch word. */
function splitBig(big: bigint, original: unknown, signed: boolean): void {
  if (signed ? big < INT64_MIN || big > INT64_MAX : big < 0n || big > UINT64_MAX) throw badInt64(original, signed);
  word64[0] = big;
  halves.lo = word32[LOW]!;
  halves.hi = word32[HIGH]!;
}

/** A decimal string of at most 15 digits (optionally negative) as a number, else NaN. */
export function parseSafeDecimal(text: string): number {
  const negative = text.charCodeAt(0) === 45;
  const first = negative ? 1 : 0;
  const length = text.length;
  if (length === first || length - first > 15) return NaN;
  // Two small-integer accumulators, the last 9 digits and the (at most 6) before them, rather
  // than one double: integer multiply-adds do not wait on each other the way floating-point ones
  // do. A 13-digit map key parsed in about 30% less time.
  const split = length - 9 > first ? length - 9 : first;
  let high = 0;
  let low = 0;
  let i = first;
  for (; i < split; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit >>> 0 > 9) return NaN;
    high = high * 10 + digit;
  }
  for (; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit >>> 0 > 9) return NaN;
    low = low * 10 + digit;
  }
  const n = high * 1e9 + low;
  return negative ? -n : n;
}

function badInt64(value: unknown, signed: boolean): CodecFault {
  return badValue(`expected ${signed ? 'an int64' : 'a uint64'} (bigint, safe integer or decimal string), got ${describe(value)}`);
}

/**
 * Writes a 64-bit integer (bigint, safe number or decimal string) as a varint; values below
 * 2^32 take the uint32 path.
 */
export function writeInt64Varint(buf: Uint8Array, pos: number, value: unknown, signed: boolean): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    if (value >= 0) {
      if (value <= 0xffffffff) return writeVarint32(buf, pos, value);
      const lo = value >>> 0;
      return writeVarint64(buf, pos, lo, (value - lo) / TWO_32);
    }
    // ToUint32 and a floored division give a negative safe integer's two's complement words.
    if (signed) return writeNegativeVarint(buf, pos, value >>> 0, Math.floor(value / TWO_32) >>> 0);
  }
  splitInt64(value, signed);
  return halves.hi === 0 ? writeVarint32(buf, pos, halves.lo) : writeVarint64(buf, pos, halves.lo, halves.hi);
}

/**
 * The ten bytes of a negative int64 whose high word is at least 0xffe00000 (a safe integer), written
 * without a loop: the `longs: String` and `Number` forms of signed ids, offsets and deltas.
 */
function writeNegativeVarint(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  buf[pos] = lo | 0x80;
  buf[pos + 1] = (lo >>> 7) | 0x80;
  buf[pos + 2] = (lo >>> 14) | 0x80;
  buf[pos + 3] = (lo >>> 21) | 0x80;
  buf[pos + 4] = (lo >>> 28) | (hi << 4) | 0x80;
  buf[pos + 5] = (hi >>> 3) | 0x80;
  buf[pos + 6] = (hi >>> 10) | 0x80;
  buf[pos + 7] = (hi >>> 17) | 0x80;
  buf[pos + 8] = (hi >>> 24) | 0x80;
  buf[pos + 9] = 1;
  return pos + 10;
}

/** zigzag-encodes uint32 halves in place in `halves`. */
export function zigzag64(): void {
  const { lo, hi } = halves;
  const sign = hi >> 31;
  halves.lo = ((lo << 1) ^ sign) >>> 0;
  halves.hi = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0;
}

/** The fault for a value of the wrong type or out of range; the encoder adds the field path. */
export function badValue(detail: string): CodecFault {
  return new CodecFault('ERR_BAD_VALUE', detail);
}

/** The fault for a value that is not of the field's type. */
export function badScalar(value: unknown, expected: string): CodecFault {
  return badValue(`expected ${expected}, got ${describe(value)}`);
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'bigint') return `bigint ${value}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'Uint8Array';
  return typeof value;
}

const encoder = new TextEncoder();

/** Node's native UTF-8 writer, which writes into any Uint8Array; undefined outside Node. */
const utf8Write = (globalThis as { Buffer?: { prototype: { utf8Write?: (this: Uint8Array, text: string, offset: number) => number } } })
  .Buffer?.prototype.utf8Write;

/**
 * Generated encoders write strings shorter than this in place, their ASCII prefix four chars at a
 * time and the rest by {@link writeUtf8} (see `EncoderWriter.string`); longer ones go to
 * {@link writeStringUtf8}. Below 43 chars the UTF-8 takes at most 126 bytes, so the length prefix
 * is one byte, known before the text is written. Against Node's native UTF-8 writer (about 85 ns
 * a call plus 2 ns a Chinese char, Node 20), the JavaScript loop takes about 3.5 ns a Chinese char
 * and 1.2 ns an ASCII one: Chinese text breaks even at about 45 chars, ASCII beyond that.
 */
export const UTF8_LOOP_MAX = 43;

/**
 * Writes `text` as UTF-8 with its length prefix, for strings the generated in-place writer does
 * not take ({@link UTF8_LOOP_MAX} chars or longer): by Node's native UTF-8 writer (TextEncoder
 * elsewhere) after a prefix sized for ASCII, moved if the text turns out longer in bytes. Lone
 * surrogates cannot be encoded as UTF-8 and fail with ERR_BAD_VALUE rather than being replaced.
 */
export function writeStringUtf8(pos: number, text: string): number {
  const length = text.length;
  let buf = output.buf;
  if (pos + 10 + length * 3 > buf.length) buf = grow(pos, 10 + length * 3);
  const reserved = varintSize(length);
  let written: number;
  if (utf8Write !== undefined) {
    // Written whole (there is room for 3 bytes a char), the text took one byte a char only if it
    // is ASCII: any other char takes two or more, and Node writes a lone surrogate as U+FFFD's
    // three. So only text that is not ASCII needs the surrogate check.
    written = utf8Write.call(buf, text, pos + reserved);
    if (written !== length && loneSurrogateAt(text) >= 0) throw loneSurrogate(-1);
  } else {
    if (loneSurrogateAt(text) >= 0) throw loneSurrogate(-1);
    written = encoder.encodeInto(text, buf.subarray(pos + reserved)).written;
  }
  const prefix = varintSize(written);
  if (prefix !== reserved) buf.copyWithin(pos + prefix, pos + reserved, pos + reserved + written);
  writeVarint32(buf, pos, written);
  return pos + prefix + written;
}

/** The fault for a string with a lone surrogate at `index` (-1: somewhere). Generated encoders
 * pass it to {@link writeUtf8}. */
export function loneSurrogate(index: number): CodecFault {
  return badValue(`string has a lone surrogate${index >= 0 ? ` at index ${index}` : ''}; it cannot be encoded as UTF-8`);
}

/** The UTF-8 writer generated encoders call for what follows a string's ASCII prefix. */
export { writeUtf8 };

/** Writes raw bytes (unknown fields kept by `keepUnknown`). */
export function writeRaw(pos: number, bytes: Uint8Array): number {
  let buf = output.buf;
  if (pos + bytes.length > buf.length) buf = grow(pos, bytes.length);
  buf.set(bytes, pos);
  return pos + bytes.length;
}

/** Writes `bytes` with its length prefix. */
export function writeBytes(pos: number, bytes: Uint8Array): number {
  let buf = output.buf;
  const length = bytes.length;
  if (pos + 5 + length > buf.length) buf = grow(pos, 5 + length);
  pos = writeVarint32(buf, pos, length);
  buf.set(bytes, pos);
  return pos + length;
}
