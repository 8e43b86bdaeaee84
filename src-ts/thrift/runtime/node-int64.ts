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
let slabPos = 0;

/** The offset in `slab` of `bytes` bytes of its own for the next values (a new slab when they do not fit). */
function claim(bytes: number): number {
  if (slabPos + bytes > slab.length) {
    slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, bytes));
    slabPos = 0;
  }
  const o = slabPos;
  slabPos = o + bytes;
  return o;
}

/**
 * The node-int64 object whose halves are (lo, hi). Its 8 bytes are its own, at `offset` in a
 * Buffer shared with other decoded values (node-int64 reads and writes only those 8 bytes).
 */
export function joinNodeInt64(lo: number, hi: number, _offset?: number): NodeInt64 {
  const o = claim(8);
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
  const o = claim(8);
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

/**
 * The `n` Binary i64s at buf[pos, pos + 8n) (bounds checked by the caller) as node-int64 objects:
 * their bytes copied to the slab in one go, then one object each over its 8 bytes.
 */
export function readNodeInt64ListBE(buf: Uint8Array, pos: number, n: number): NodeInt64[] {
  const bytes = n * 8;
  const o = claim(bytes);
  const b = slab;
  b.set(buf.subarray(pos, pos + bytes), o);
  if (made === undefined) nodeInt64Class();
  const values = new Array<NodeInt64>(n);
  for (let k = 0; k < n; k++) values[k] = new made!(b, o + 8 * k);
  return values;
}

/** A node-int64 object for an IDL constant (an i64 in range). */
export function nodeInt64Of(value: bigint): NodeInt64 {
  const n = BigInt.asUintN(64, value);
  return joinNodeInt64(Number(n & 0xffffffffn) | 0, Number(n >> 32n) | 0);
}
