import { cursor, readFixed64, readVarint64 } from './wire-read.js';
import { copyToBuffer } from './byte-pool.js';
import type { LongClass } from './object-conventions.js';

/**
 * Decoding steps of the protobufjs profile (object-conventions.ts) that generated decoders call:
 * 64-bit integers as Long objects or rounded numbers, bytes as Buffers, base64 or arrays.
 */

const TWO_32 = 0x100000000;

/** Reads a 64-bit varint (`int64`, `uint64`, `sint64`) into `cursor.lo` / `cursor.hi`, unzigzagged. */
function readVarintHalves(buf: Uint8Array, pos: number, kind: string): void {
  readVarint64(buf, pos);
  if (kind !== 'sint64') return;
  const { lo, hi } = cursor;
  const negative = lo & 1;
  cursor.lo = (((lo >>> 1) | (hi << 31)) ^ -negative) >>> 0;
  cursor.hi = ((hi >>> 1) ^ -negative) >>> 0;
}

/** uint32 halves to the nearest double, as Long#toNumber gives it (one rounding). */
function halvesToNumber(lo: number, hi: number, signed: boolean): number {
  if (signed && hi >= 0x80000000) return (hi - TWO_32) * TWO_32 + lo;
  return hi * TWO_32 + lo;
}

/** A 64-bit varint as a Long; `cursor.pos` is set past it. */
export function readVarintLong(buf: Uint8Array, pos: number, kind: string, Long: LongClass): unknown {
  readVarintHalves(buf, pos, kind);
  return Long.fromBits(cursor.lo | 0, cursor.hi | 0, kind === 'uint64');
}

/** A 64-bit varint as the nearest number; `cursor.pos` is set past it. */
export function readVarintRounded(buf: Uint8Array, pos: number, kind: string): number {
  readVarintHalves(buf, pos, kind);
  return halvesToNumber(cursor.lo, cursor.hi, kind !== 'uint64');
}

/** A fixed64 / sfixed64 as a Long. */
export function readFixedLong(buf: Uint8Array, pos: number, signed: boolean, Long: LongClass): unknown {
  readFixed64(buf, pos);
  return Long.fromBits(cursor.lo | 0, cursor.hi | 0, !signed);
}

/** A fixed64 / sfixed64 as the nearest number. */
export function readFixedRounded(buf: Uint8Array, pos: number, signed: boolean): number {
  readFixed64(buf, pos);
  return halvesToNumber(cursor.lo, cursor.hi, signed);
}

const EMPTY_BUFFER = Buffer.alloc(0);

/** A copy of buf[start, end) as a Buffer (a view into a shared slab when small, as protobufjs's are views of the input). */
export function readBuffer(buf: Uint8Array, start: number, end: number): Buffer {
  if (start === end) return EMPTY_BUFFER;
  return copyToBuffer(buf, start, end) as Buffer;
}

/** buf[start, end) in standard base64 with padding. */
export function readBase64(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('base64');
}

/** buf[start, end) as an array of numbers. */
export function readByteArray(buf: Uint8Array, start: number, end: number): number[] {
  const out = new Array<number>(end - start);
  for (let i = start; i < end; i++) out[i - start] = buf[i]!;
  return out;
}
