/**
 * Skipping whole Thrift values in one contiguous input, as fast as a JS loop allows: peek and
 * patch spend most of their time stepping over the fields before the one they want.
 *
 * The codecs' skipper (runtime/skip.ts) also reads input in pieces, which costs a call per value
 * to ask for more bytes; this one sees one Uint8Array, keeps buffer and end in locals, jumps over
 * lists and maps of fixed-width elements in one step and reads Compact varints inline. It checks
 * what that one checks: every length and count against the bytes that remain (before any loop
 * over elements), wire types, and nesting against maxDepth.
 */
import { kernelFailure } from '../../kernels/native-kernels.js';
import { nativeAddon } from '../../native.js';
import { badLength, badType, badValue, depthLimit, truncated } from '../../thrift/runtime/codec-failure.js';

/** Binary: fixed width by type id (0 for variable-size types, -1 for ids that are not types). */
const BINARY_WIDTH = Int8Array.from({ length: 17 }, (_, type) => ({ 2: 1, 3: 1, 4: 8, 6: 2, 8: 4, 10: 8, 16: 16, 11: 0, 12: 0, 13: 0, 14: 0, 15: 0 })[type] ?? -1);
/** Binary: the fewest bytes a value of each type takes, for checking counts. */
const BINARY_MIN = Int8Array.from({ length: 17 }, (_, type) => ({ 2: 1, 3: 1, 4: 8, 6: 2, 8: 4, 10: 8, 16: 16, 11: 4, 12: 1, 13: 6, 14: 5, 15: 5 })[type] ?? -1);
/** Compact: the fewest bytes a value of each type takes as an element (-1: not a type). */
const COMPACT_MIN = Int8Array.from({ length: 14 }, (_, type) => ({ 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 8, 8: 1, 9: 1, 10: 1, 11: 1, 12: 1, 13: 16 })[type] ?? -1);

function i32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

/** The end of the Binary value of type `type` at `pos`, nested `depth` levels deep. */
export function skipBinaryValue(buf: Uint8Array, pos: number, end: number, type: number, depth: number, maxDepth: number): number {
  const width = type < 17 ? BINARY_WIDTH[type]! : -1;
  if (width > 0) {
    if (pos + width > end) throw truncated(pos, `a value of ${width} bytes`);
    return pos + width;
  }
  switch (type) {
    case 11: {
      if (pos + 4 > end) throw truncated(pos, 'a length');
      const length = i32(buf, pos);
      if (length < 0 || length > end - pos - 4) throw badLength(pos, 'length', length, end - pos - 4);
      return pos + 4 + length;
    }
    case 12: {
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      for (;;) {
        if (pos >= end) throw truncated(pos, 'a field header');
        const fieldType = buf[pos]!;
        if (fieldType === 0) return pos + 1;
        if (pos + 3 > end) throw truncated(pos, 'a field header');
        const fieldWidth = fieldType < 17 ? BINARY_WIDTH[fieldType]! : -1;
        if (fieldWidth > 0) {
          pos += 3 + fieldWidth;
          if (pos > end) throw truncated(pos - fieldWidth, `a value of ${fieldWidth} bytes`);
        } else pos = skipBinaryValue(buf, pos + 3, end, fieldType, depth + 1, maxDepth);
      }
    }
    case 13: {
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      if (pos + 6 > end) throw truncated(pos, 'a map header');
      const keyType = buf[pos]!;
      const valueType = buf[pos + 1]!;
      const count = i32(buf, pos + 2);
      const at = pos;
      pos += 6;
      if (count === 0) return pos;
      const keyMin = keyType < 17 ? BINARY_MIN[keyType]! : -1;
      const valueMin = valueType < 17 ? BINARY_MIN[valueType]! : -1;
      if (keyMin < 0 || valueMin < 0) throw badType(at, `map key or value type ${keyMin < 0 ? keyType : valueType} is not a Thrift type`);
      if (count < 0 || count * (keyMin + valueMin) > end - pos) throw badLength(at + 2, 'map size', count, end - pos);
      const keyWidth = BINARY_WIDTH[keyType]!;
      const valueWidth = BINARY_WIDTH[valueType]!;
      if (keyWidth > 0 && valueWidth > 0) return pos + count * (keyWidth + valueWidth);
      for (let i = 0; i < count; i++) {
        pos = keyWidth > 0 ? pos + keyWidth : skipBinaryValue(buf, pos, end, keyType, depth + 1, maxDepth);
        pos = valueWidth > 0 ? pos + valueWidth : skipBinaryValue(buf, pos, end, valueType, depth + 1, maxDepth);
        if (pos > end) throw truncated(end, 'a map entry');
      }
      return pos;
    }
    case 14:
    case 15: {
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      if (pos + 5 > end) throw truncated(pos, 'a list header');
      const elementType = buf[pos]!;
      const count = i32(buf, pos + 1);
      const at = pos;
      pos += 5;
      if (count === 0) return pos;
      const elementMin = elementType < 17 ? BINARY_MIN[elementType]! : -1;
      if (elementMin < 0) throw badType(at, `element type ${elementType} is not a Thrift type`);
      if (count < 0 || count * elementMin > end - pos) throw badLength(at + 1, 'list size', count, end - pos);
      const elementWidth = BINARY_WIDTH[elementType]!;
      if (elementWidth > 0) return pos + count * elementWidth;
      if (elementType === 11) {
        // Lists of strings and binaries: the commonest variable-size elements, skipped inline.
        for (let i = 0; i < count; i++) {
          if (pos + 4 > end) throw truncated(pos, 'a length');
          const length = i32(buf, pos);
          if (length < 0 || length > end - pos - 4) throw badLength(pos, 'length', length, end - pos - 4);
          pos += 4 + length;
        }
        return pos;
      }
      for (let i = 0; i < count; i++) pos = skipBinaryValue(buf, pos, end, elementType, depth + 1, maxDepth);
      return pos;
    }
    default:
      throw badType(pos, `wire type ${type} is not a Thrift type`);
  }
}

/** The end of the varint at `pos` (at most `max` bytes). */
function skipVarint(buf: Uint8Array, pos: number, end: number, max: number): number {
  const limit = pos + max;
  for (let at = pos; at < end; ) {
    if (buf[at++]! < 0x80) return at;
    if (at >= limit) throw badValue(pos, `varint longer than ${max} bytes`);
  }
  throw truncated(pos, 'a varint');
}

/**
 * Lists of at least this many varints are skipped by the addon's kernel (eight bytes a step in
 * C++) when it is loaded. Skipping the paths bench's list of 100 i64s (1,001 bytes) took about
 * 12,700 instructions with the JavaScript loop below and about 5,900 with the call (valgrind,
 * whole process per skip); the call's own cost (arguments, typed-array lookup, result) is about
 * 700, below the loop's on 16 varints.
 */
const NATIVE_VARINTS_MIN = 16;
const nativeSkipVarints = nativeAddon?.skipVarints;

/** The end of `count` varints of at most `max` bytes from `pos` (Compact i16/i32/i64 lists). */
export function skipVarints(buf: Uint8Array, pos: number, end: number, count: number, max: number): number {
  if (count < NATIVE_VARINTS_MIN || nativeSkipVarints === undefined) return skipVarintsInJs(buf, pos, end, count, max);
  const result = nativeSkipVarints(buf, pos, end, count, max);
  if (result >= 0) return result;
  const { tooLong, offset } = kernelFailure(result);
  throw tooLong ? badValue(offset, `varint longer than ${max} bytes`) : truncated(offset, 'a varint');
}

/**
 * {@link skipVarints} in JavaScript, without the addon (HEDDLE_NO_NATIVE=1) and for short lists.
 * Long runs are read four bytes at a time through a DataView: the bytes below 0x80 end a
 * varint, so the varints ending in a word are the bits of `~word & 0x80808080`, counted
 * without a branch per byte. A varint whose length is in doubt (a word of continuation bytes
 * near `max`) and the last few varints go through the byte loop, which reports errors exactly.
 * On the Nesting benchmark's 100 i64s beyond 2^53 (1,001 bytes) this took the list's skip from
 * about 1.7 to 1.0 µs of CPU.
 */
export function skipVarintsInJs(buf: Uint8Array, pos: number, end: number, count: number, max: number): number {
  let left = count;
  // Where the varint being read began.
  let start = pos;
  if (count >= 16) {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    // A word ends at most four varints, so more than four left means the list goes past it.
    while (left > 4 && pos + 4 <= end) {
      const ends = ~view.getInt32(pos, true) & 0x80808080;
      if (ends === 0) {
        if (pos + 4 - start >= max) break;
        pos += 4;
        continue;
      }
      // The first varint ending here has pos - start continuation bytes before this word.
      if (pos + ((31 - Math.clz32(ends & -ends)) >> 3) - start >= max) break;
      left -= Math.imul(ends >>> 7, 0x01010101) >>> 24;
      start = pos + ((31 - Math.clz32(ends)) >> 3) + 1;
      pos += 4;
    }
  }
  while (left > 0) {
    if (pos >= end) throw truncated(start, 'a varint');
    if (buf[pos++]! < 0x80) {
      left--;
      start = pos;
    } else if (pos - start >= max) throw badValue(start, `varint longer than ${max} bytes`);
  }
  return pos;
}

/** The unsigned varint32 at `pos`; its end in `varintEnd`. */
let varintEnd = 0;
function readVarint(buf: Uint8Array, pos: number, end: number): number {
  let result = 0;
  const start = pos;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) throw truncated(start, 'a varint');
    const byte = buf[pos++]!;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      varintEnd = pos;
      return result;
    }
  }
  throw badValue(start, 'varint longer than 5 bytes');
}

/** The end of the Compact string or binary at `pos`. */
function skipCompactString(buf: Uint8Array, pos: number, end: number): number {
  const length = readVarint(buf, pos, end);
  const at = varintEnd;
  if (length < 0 || length > end - at) throw badLength(pos, 'length', length, end - at);
  return at + length;
}

/**
 * The end of the Compact value of type `type` at `pos` (a bool element is one byte; pass a bool
 * field's header type only through {@link skipCompactFieldValue}).
 */
export function skipCompactValue(buf: Uint8Array, pos: number, end: number, type: number, depth: number, maxDepth: number): number {
  switch (type) {
    case 1:
    case 2:
    case 3:
      if (pos >= end) throw truncated(pos, 'a byte');
      return pos + 1;
    case 4:
    case 5:
      return skipVarint(buf, pos, end, 5);
    case 6:
      return skipVarint(buf, pos, end, 10);
    case 7:
      if (pos + 8 > end) throw truncated(pos, 'a double');
      return pos + 8;
    case 13:
      if (pos + 16 > end) throw truncated(pos, 'a uuid');
      return pos + 16;
    case 8:
      return skipCompactString(buf, pos, end);
    case 12: {
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      for (;;) {
        if (pos >= end) throw truncated(pos, 'a field header');
        const header = buf[pos++]!;
        if (header === 0) return pos;
        if (header >> 4 === 0) pos = skipVarint(buf, pos, end, 5);
        const fieldType = header & 0x0f;
        if (fieldType === 1 || fieldType === 2) continue;
        // Integer fields, the commonest, skipped inline: a varint ends at its first byte below 0x80.
        if (fieldType >= 4 && fieldType <= 6 && pos + 10 <= end) {
          const start = pos;
          while (buf[pos++]! >= 0x80) if (pos - start >= (fieldType === 6 ? 10 : 5)) throw badValue(start, `varint longer than ${fieldType === 6 ? 10 : 5} bytes`);
          continue;
        }
        // Strings and binaries, bytes and doubles too: a call into this function per field of a
        // skipped struct cost more than the skip.
        if (fieldType === 8) pos = skipCompactString(buf, pos, end);
        else if (fieldType === 3 && pos < end) pos++;
        else if (fieldType === 7 && pos + 8 <= end) pos += 8;
        else pos = skipCompactValue(buf, pos, end, fieldType, depth + 1, maxDepth);
      }
    }
    case 11: {
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      const count = readVarint(buf, pos, end);
      const at = pos;
      pos = varintEnd;
      if (count === 0) return pos;
      if (pos >= end) throw truncated(pos, 'map key and value types');
      const keyType = buf[pos]! >> 4;
      const valueType = buf[pos]! & 0x0f;
      const keyMin = keyType < 14 ? COMPACT_MIN[keyType]! : -1;
      const valueMin = COMPACT_MIN[valueType] ?? -1;
      if (keyMin < 0 || valueMin < 0) throw badType(pos, `map key or value type ${keyMin < 0 ? keyType : valueType} is not a Thrift type`);
      pos++;
      if (count < 0 || count * (keyMin + valueMin) > end - pos) throw badLength(at, 'map size', count, end - pos);
      // String and integer keys and values, the common ones, without a call into this function each.
      const keyVarint = keyType >= 4 && keyType <= 6 ? (keyType === 6 ? 10 : 5) : 0;
      const valueVarint = valueType >= 4 && valueType <= 6 ? (valueType === 6 ? 10 : 5) : 0;
      for (let i = 0; i < count; i++) {
        if (keyType === 8) pos = skipCompactString(buf, pos, end);
        else if (keyVarint !== 0) pos = skipVarint(buf, pos, end, keyVarint);
        else pos = skipCompactValue(buf, pos, end, keyType, depth + 1, maxDepth);
        if (valueType === 8) pos = skipCompactString(buf, pos, end);
        else if (valueVarint !== 0) pos = skipVarint(buf, pos, end, valueVarint);
        else pos = skipCompactValue(buf, pos, end, valueType, depth + 1, maxDepth);
      }
      return pos;
    }
    case 9:
    case 10: {
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      if (pos >= end) throw truncated(pos, 'a list header');
      const header = buf[pos]!;
      const elementType = header & 0x0f;
      const at = pos;
      let count = header >> 4;
      pos++;
      if (count === 15) {
        count = readVarint(buf, pos, end);
        pos = varintEnd;
      }
      if (count === 0) return pos;
      const elementMin = COMPACT_MIN[elementType] ?? -1;
      if (elementMin < 0) throw badType(at, `element type ${elementType} is not a Thrift type`);
      if (count < 0 || count * elementMin > end - pos) throw badLength(at, 'list size', count, end - pos);
      if (elementType === 7 || elementType === 13 || elementType <= 3) return pos + count * elementMin;
      if (elementType === 4 || elementType === 5 || elementType === 6) return skipVarints(buf, pos, end, count, elementType === 6 ? 10 : 5);
      for (let i = 0; i < count; i++) pos = skipCompactValue(buf, pos, end, elementType, depth + 1, maxDepth);
      return pos;
    }
    default:
      throw badType(pos, `compact type ${type} is not a Thrift type`);
  }
}
