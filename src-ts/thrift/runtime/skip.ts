/**
 * Skipping values the schema does not know (unknown field ids, or known ids with another wire
 * type, as Apache Thrift's generated code does). Every length and count is checked against the
 * bytes that remain and nesting against maxDepth, so skipping hostile input is as safe as
 * decoding it.
 *
 * The input may be contiguous or in pieces (a {@link ReadState} of either kind): reads go through
 * `r.need` when they run past `r.end`, and skipped lengths through `r.advance`, which for pieces
 * moves the window without touching the bytes in between.
 */
import { badLength, badType, badValue, depthLimit, truncated } from './codec-failure.js';
import type { ReadState } from './read-state.js';
import { readVarint32 } from './varint.js';
import { BINARY_MIN_SIZE, BinaryType, COMPACT_MIN_SIZE, CompactType } from '../wire-types.js';

const BINARY_FIXED_WIDTH: Readonly<Record<number, number>> = {
  [BinaryType.BOOL]: 1,
  [BinaryType.BYTE]: 1,
  [BinaryType.I16]: 2,
  [BinaryType.I32]: 4,
  [BinaryType.I64]: 8,
  [BinaryType.DOUBLE]: 8,
  [BinaryType.UUID]: 16,
};

function readI32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

/** Checks a count of elements of at least `minSize` bytes each against the bytes that remain. */
function checkCount(r: ReadState, at: number, pos: number, count: number, minSize: number, what: string): void {
  if (count < 0 || count * minSize > r.left(pos)) throw badLength(at, what, count, r.left(pos));
}

/** Makes `k` bytes at `pos` readable in `r.buf` (see ReadState.need), or fails naming `what`. */
function ensure(r: ReadState, pos: number, k: number, what: string): number {
  if (pos + k > r.end && (pos = r.need(pos, k)) + k > r.end) throw truncated(pos, what);
  return pos;
}

/** Makes up to `k` bytes at `pos` readable, as many as remain: for varints, which check their own end. */
function prefetch(r: ReadState, pos: number, k: number): number {
  return pos + k > r.end ? r.need(pos, k) : pos;
}

/**
 * Skips one Binary value of wire type `type` at `pos`, nested `depth` levels deep; returns the
 * position after it.
 */
export function skipBinary(r: ReadState, pos: number, type: number, depth: number, maxDepth: number): number {
  const width = BINARY_FIXED_WIDTH[type];
  if (width !== undefined) {
    if (width > r.left(pos)) throw truncated(pos, `a value of ${width} bytes`);
    return r.advance(pos, width);
  }
  switch (type) {
    case BinaryType.STRING: {
      pos = ensure(r, pos, 4, 'a length');
      const length = readI32(r.buf, pos);
      checkCount(r, pos, pos + 4, length, 1, 'length');
      return r.advance(pos, 4 + length);
    }
    case BinaryType.STRUCT: {
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      for (;;) {
        if (pos + 3 > r.end) pos = r.need(pos, 3);
        if (pos >= r.end) throw truncated(pos, 'a field header');
        const fieldType = r.buf[pos]!;
        if (fieldType === BinaryType.STOP) return pos + 1;
        if (pos + 3 > r.end) throw truncated(pos, 'a field header');
        pos = skipBinary(r, pos + 3, fieldType, depth + 1, maxDepth);
      }
    }
    case BinaryType.MAP: {
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      pos = ensure(r, pos, 6, 'a map header');
      const buf = r.buf;
      const keyType = buf[pos]!;
      const valueType = buf[pos + 1]!;
      const count = readI32(buf, pos + 2);
      const at = pos;
      pos += 6;
      if (count === 0) return pos;
      const keyMin = BINARY_MIN_SIZE[keyType];
      const valueMin = BINARY_MIN_SIZE[valueType];
      if (keyMin === undefined) throw badType(at, `map key type ${keyType} is not a Thrift type`);
      if (valueMin === undefined) throw badType(at + 1, `map value type ${valueType} is not a Thrift type`);
      checkCount(r, at + 2, pos, count, keyMin + valueMin, 'map size');
      const keyWidth = BINARY_FIXED_WIDTH[keyType];
      const valueWidth = BINARY_FIXED_WIDTH[valueType];
      if (keyWidth !== undefined && valueWidth !== undefined) return r.advance(pos, count * (keyWidth + valueWidth));
      for (let i = 0; i < count; i++) {
        pos = skipBinary(r, pos, keyType, depth + 1, maxDepth);
        pos = skipBinary(r, pos, valueType, depth + 1, maxDepth);
      }
      return pos;
    }
    case BinaryType.SET:
    case BinaryType.LIST: {
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      pos = ensure(r, pos, 5, 'a list header');
      const elementType = r.buf[pos]!;
      const count = readI32(r.buf, pos + 1);
      const at = pos;
      pos += 5;
      if (count === 0) return pos;
      const elementMin = BINARY_MIN_SIZE[elementType];
      if (elementMin === undefined) throw badType(at, `element type ${elementType} is not a Thrift type`);
      checkCount(r, at + 1, pos, count, elementMin, 'list size');
      const elementWidth = BINARY_FIXED_WIDTH[elementType];
      if (elementWidth !== undefined) return r.advance(pos, count * elementWidth);
      for (let i = 0; i < count; i++) pos = skipBinary(r, pos, elementType, depth + 1, maxDepth);
      return pos;
    }
    default:
      throw badType(pos, `wire type ${type} is not a Thrift type`);
  }
}

/**
 * Skips one Compact value of compact type `type` at `pos` (a bool as a one-byte element; bool
 * fields carry their value in the header and have nothing to skip); returns the position after it.
 */
export function skipCompact(r: ReadState, pos: number, type: number, depth: number, maxDepth: number): number {
  switch (type) {
    case CompactType.BOOLEAN_TRUE:
    case CompactType.BOOLEAN_FALSE:
    case CompactType.BYTE:
      if (1 > r.left(pos)) throw truncated(pos, 'a byte');
      return r.advance(pos, 1);
    case CompactType.I16:
    case CompactType.I32:
      readVarint32(r, prefetch(r, pos, 5));
      return r.pos;
    case CompactType.I64:
      return skipVarint64(r, prefetch(r, pos, 10));
    case CompactType.DOUBLE:
      if (8 > r.left(pos)) throw truncated(pos, 'a double');
      return r.advance(pos, 8);
    case CompactType.UUID:
      if (16 > r.left(pos)) throw truncated(pos, 'a uuid');
      return r.advance(pos, 16);
    case CompactType.BINARY: {
      pos = prefetch(r, pos, 5);
      const length = readVarint32(r, pos);
      checkCount(r, pos, r.pos, length, 1, 'length');
      return r.advance(r.pos, length);
    }
    case CompactType.STRUCT:
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      for (;;) {
        pos = prefetch(r, pos, 6);
        if (pos >= r.end) throw truncated(pos, 'a field header');
        const header = r.buf[pos++]!;
        if (header === CompactType.STOP) return pos;
        if (header >> 4 === 0) {
          readVarint32(r, pos);
          pos = r.pos;
        }
        const fieldType = header & 0x0f;
        if (fieldType === CompactType.BOOLEAN_TRUE || fieldType === CompactType.BOOLEAN_FALSE) continue;
        pos = skipCompact(r, pos, fieldType, depth + 1, maxDepth);
      }
    case CompactType.MAP: {
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      pos = prefetch(r, pos, 6);
      const count = readVarint32(r, pos);
      const at = pos;
      pos = r.pos;
      if (count === 0) return pos;
      if (pos >= r.end) throw truncated(pos, 'map key and value types');
      const keyType = r.buf[pos]! >> 4;
      const valueType = r.buf[pos]! & 0x0f;
      const keyMin = COMPACT_MIN_SIZE[keyType];
      const valueMin = COMPACT_MIN_SIZE[valueType];
      if (keyMin === undefined) throw badType(pos, `map key type ${keyType} is not a Thrift type`);
      if (valueMin === undefined) throw badType(pos, `map value type ${valueType} is not a Thrift type`);
      pos++;
      checkCount(r, at, pos, count, keyMin + valueMin, 'map size');
      for (let i = 0; i < count; i++) {
        pos = skipCompact(r, pos, keyType, depth + 1, maxDepth);
        pos = skipCompact(r, pos, valueType, depth + 1, maxDepth);
      }
      return pos;
    }
    case CompactType.SET:
    case CompactType.LIST: {
      if (depth > maxDepth) throw depthLimit(pos, maxDepth);
      pos = prefetch(r, pos, 6);
      if (pos >= r.end) throw truncated(pos, 'a list header');
      const header = r.buf[pos]!;
      const elementType = header & 0x0f;
      const at = pos;
      let count = header >> 4;
      pos++;
      if (count === 15) {
        count = readVarint32(r, pos);
        pos = r.pos;
      }
      if (count === 0) return pos;
      const elementMin = COMPACT_MIN_SIZE[elementType];
      if (elementMin === undefined) throw badType(at, `element type ${elementType} is not a Thrift type`);
      checkCount(r, at, pos, count, elementMin, 'list size');
      if (elementType === CompactType.DOUBLE || elementType === CompactType.UUID) return r.advance(pos, count * elementMin);
      for (let i = 0; i < count; i++) pos = skipCompact(r, pos, elementType, depth + 1, maxDepth);
      return pos;
    }
    default:
      throw badType(pos, `compact type ${type} is not a Thrift type`);
  }
}

function skipVarint64(r: ReadState, pos: number): number {
  const start = pos;
  for (let i = 0; i < 10; i++) {
    if (pos >= r.end) throw truncated(start, 'a varint');
    if (r.buf[pos++]! < 0x80) return pos;
  }
  throw badValue(start, 'varint longer than 10 bytes');
}

/** Skips the value of a Compact field with header type `type`: bool fields have none. */
export function skipCompactField(r: ReadState, pos: number, type: number, depth: number, maxDepth: number): number {
  if (type === CompactType.BOOLEAN_TRUE || type === CompactType.BOOLEAN_FALSE) return pos;
  return skipCompact(r, pos, type, depth, maxDepth);
}
