/**
 * i64 values as objects of the `node-int64` package (what the `thrift` npm package's generated
 * code reads and writes): 8 big-endian bytes in a Buffer at an offset. The package is an optional
 * peer, loaded when a codec with `i64: 'node-int64'` is first compiled.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import { wrongValue } from './codec-failure.js';
import { halves, splitBigint, splitNumber } from './int64.js';

/** The node-int64 class, as far as heddle uses it. */
export interface NodeInt64Class {
  new (buffer: Buffer, offset?: number): NodeInt64;
  new (hi: number, lo: number): NodeInt64;
}

/** A node-int64 object: its value is `buffer[offset .. offset + 8]`, big-endian. */
export interface NodeInt64 {
  buffer: Uint8Array;
  offset: number;
  toNumber(allowImprecise?: boolean): number;
  toOctetString(): string;
}

let loaded: NodeInt64Class | undefined;
/** Makes node-int64 objects for decoders; set with {@link loaded}. */
let made: NodeInt64Maker | undefined;

type NodeInt64Maker = new (buffer: Buffer, offset: number) => NodeInt64;

/** The node-int64 class; ERR_INVALID_ARGUMENT naming the package when it is not installed. */
export function nodeInt64Class(): NodeInt64Class {
  if (loaded !== undefined) return loaded;
  try {
    loaded = require('node-int64') as NodeInt64Class;
  } catch (cause) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, "i64: 'node-int64' needs the node-int64 package (the thrift package depends on it): npm install node-int64", { cause });
  }
  made = makerOf(loaded);
  return loaded;
}

/**
 * A constructor of objects the node-int64 constructor would make from (buffer, offset): the same
 * prototype (so `instanceof`, `constructor` and every method are node-int64's) and the same own
 * properties in the same order, without its argument dispatch (`instanceof Buffer`, `a2 || 0`),
 * which decoders, handing it a Buffer and an offset every time, do not need.
 */
function makerOf(Int64: NodeInt64Class): NodeInt64Maker {
  function NodeInt64(this: NodeInt64, buffer: Buffer, offset: number): void {
    this.buffer = buffer;
    this.offset = offset;
  }
  NodeInt64.prototype = (Int64 as unknown as { prototype: object }).prototype;
  return NodeInt64 as unknown as NodeInt64Maker;
}

function isNodeInt64(value: unknown): value is NodeInt64 {
  return typeof value === 'object' && value !== null && (value as NodeInt64).buffer instanceof Uint8Array && typeof (value as NodeInt64).offset === 'number';
}

/**
 * Splits a node-int64 object, a safe-integer number or an i64 bigint into `halves` (the forms the
 * thrift package's writeI64 takes, without its silent rounding of unsafe numbers).
 */
export function splitNodeInt64(value: unknown): void {
  if (isNodeInt64(value)) {
    const b = value.buffer;
    const o = value.offset;
    if (o < 0 || o + 8 > b.length) throw wrongValue('an i64 as a node-int64 object with 8 bytes at its offset', value);
    halves[1] = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
    halves[0] = (b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!;
    return;
  }
  if (typeof value === 'bigint') return splitBigint(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return splitNumber(value);
  throw wrongValue('an i64 as a node-int64 object, a safe integer number or a bigint', value);
}

/** Bytes carved into 8-byte values: one Buffer per 512 decoded i64s, not one per value. */
const SLAB_SIZE = 4096;
let slab = Buffer.allocUnsafeSlow(0);
let slabPos = SLAB_SIZE;

/** The offset in `slab` of 8 bytes of its own for the next value (a new slab when it is full). */
function claim8(): number {
  if (slabPos === SLAB_SIZE) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabPos = 0;
  }
  const o = slabPos;
  slabPos = o + 8;
  return o;
}

/**
 * The node-int64 object whose halves are (lo, hi). Its 8 bytes are its own, at `offset` in a
 * Buffer shared with other decoded values (node-int64 reads and writes only those 8 bytes).
 */
export function joinNodeInt64(lo: number, hi: number, _offset?: number): NodeInt64 {
  const o = claim8();
  const b = slab;
  b[o] = hi >>> 24;
  b[o + 1] = hi >>> 16;
  b[o + 2] = hi >>> 8;
  b[o + 3] = hi;
  b[o + 4] = lo >>> 24;
  b[o + 5] = lo >>> 16;
  b[o + 6] = lo >>> 8;
  b[o + 7] = lo;
  if (made === undefined) nodeInt64Class();
  return new made!(b, o);
}

/**
 * The Binary i64 at buf[pos, pos + 8) (bounds checked by the caller) as a node-int64 object: its
 * 8 big-endian bytes are already node-int64's layout, so they are copied as they are, with no
 * split into halves and back.
 */
export function readNodeInt64BE(buf: Uint8Array, pos: number): NodeInt64 {
  const o = claim8();
  const b = slab;
  b[o] = buf[pos]!;
  b[o + 1] = buf[pos + 1]!;
  b[o + 2] = buf[pos + 2]!;
  b[o + 3] = buf[pos + 3]!;
  b[o + 4] = buf[pos + 4]!;
  b[o + 5] = buf[pos + 5]!;
  b[o + 6] = buf[pos + 6]!;
  b[o + 7] = buf[pos + 7]!;
  if (made === undefined) nodeInt64Class();
  return new made!(b, o);
}

/** A node-int64 object for an IDL constant given in decimal. */
export function nodeInt64Of(decimal: string): NodeInt64 {
  const n = BigInt.asUintN(64, BigInt(decimal));
  return joinNodeInt64(Number(n & 0xffffffffn) | 0, Number(n >> 32n) | 0);
}

const TWO_POW_32 = 4294967296;

/**
 * The exact decimal form of a node-int64 object, as a map key's property name (`String(int64)`
 * would go through its toNumber, which gives Infinity beyond 2^53).
 */
export function nodeInt64Name(value: NodeInt64): string {
  const b = value.buffer;
  const o = value.offset;
  const hi = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  const lo = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
  const n = hi * TWO_POW_32 + lo;
  if (Number.isSafeInteger(n)) return String(n);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}
