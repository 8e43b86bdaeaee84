/**
 * i64 on the wire, one function per (protocol, JS form), so generated code calls a monomorphic
 * helper: Binary is 8 bytes big-endian, Compact a zigzag varint of up to 10 bytes.
 */
import { halves, joinBigint, joinNumber, joinString, splitBigint, splitNumber, splitString } from './int64.js';
import { joinNodeInt64, readNodeInt64BE, readNodeInt64ListBE, splitNodeInt64 } from './node-int64.js';
import type { ReadState } from './read-state.js';
import { readZigzag64, writeZigzag64 } from './varint.js';

type Split = (value: unknown) => void;
type Join<T> = (lo: number, hi: number, offset: number) => T;

function writeHalvesBE(buf: Uint8Array, pos: number): number {
  const lo = halves[0]!;
  const hi = halves[1]!;
  buf[pos] = hi >>> 24;
  buf[pos + 1] = hi >>> 16;
  buf[pos + 2] = hi >>> 8;
  buf[pos + 3] = hi;
  buf[pos + 4] = lo >>> 24;
  buf[pos + 5] = lo >>> 16;
  buf[pos + 6] = lo >>> 8;
  buf[pos + 7] = lo;
  return pos + 8;
}

function readI32BE(buf: Uint8Array, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

/** A writer of 8 big-endian bytes at `pos`, returning pos + 8; `split` checks the value. */
function binaryWriter(split: Split) {
  return (buf: Uint8Array, pos: number, value: unknown): number => {
    split(value);
    return writeHalvesBE(buf, pos);
  };
}

/** A reader of 8 big-endian bytes at `pos` (bounds already checked). */
function binaryReader<T>(join: Join<T>) {
  return (buf: Uint8Array, pos: number): T => join(readI32BE(buf, pos + 4), readI32BE(buf, pos), pos);
}

/** A writer of a zigzag varint at `pos` (10 bytes of room), returning the new position. */
function compactWriter(split: Split) {
  return (buf: Uint8Array, pos: number, value: unknown): number => {
    split(value);
    return writeZigzag64(buf, pos);
  };
}

/** A reader of a zigzag varint at `pos`, leaving the position after it in `r.pos`. */
function compactReader<T>(join: Join<T>) {
  return (r: ReadState, pos: number): T => {
    readZigzag64(r, pos);
    return join(halves[0]!, halves[1]!, pos);
  };
}

/** Binary i64 as bigint. */
export const writeI64BinaryBigint = binaryWriter(splitBigint);
/** Binary i64 as a safe-integer number (ERR_BAD_VALUE otherwise). */
export const writeI64BinaryNumber = binaryWriter(splitNumber);
/** Binary i64 as a decimal string. */
export const writeI64BinaryString = binaryWriter(splitString);
/** Binary i64 as bigint. */
export const readI64BinaryBigint = binaryReader(joinBigint);
/** Binary i64 as a number; ERR_BAD_VALUE when it is not a safe integer. */
export const readI64BinaryNumber = binaryReader(joinNumber);
/** Binary i64 as a decimal string. */
export const readI64BinaryString = binaryReader(joinString);
/** Compact i64 as bigint. */
export const writeI64CompactBigint = compactWriter(splitBigint);
/** Compact i64 as a safe-integer number (ERR_BAD_VALUE otherwise). */
export const writeI64CompactNumber = compactWriter(splitNumber);
/** Compact i64 as a decimal string. */
export const writeI64CompactString = compactWriter(splitString);
/** Compact i64 as bigint. */
export const readI64CompactBigint = compactReader(joinBigint);
/** Compact i64 as a number; ERR_BAD_VALUE when it is not a safe integer. */
export const readI64CompactNumber = compactReader(joinNumber);
/** Compact i64 as a decimal string. */
export const readI64CompactString = compactReader(joinString);
/** Binary i64 from a node-int64 object, a safe integer or a bigint. */
export const writeI64BinaryNodeInt64 = binaryWriter(splitNodeInt64);
/** Binary i64 as a node-int64 object. */
export const readI64BinaryNodeInt64 = readNodeInt64BE;
/** A Binary list<i64>'s elements as node-int64 objects. */
export const readI64ListBinaryNodeInt64 = readNodeInt64ListBE;
/** Compact i64 from a node-int64 object, a safe integer or a bigint. */
export const writeI64CompactNodeInt64 = compactWriter(splitNodeInt64);
/** Compact i64 as a node-int64 object. */
export const readI64CompactNodeInt64 = compactReader(joinNodeInt64);
