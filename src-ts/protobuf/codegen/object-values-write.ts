import { badScalar, parseSafeDecimal } from './wire-write.js';

/**
 * Encoding coercions of the protobufjs profile (object-conventions.ts), called by generated
 * encoders only when a value is not already of the field's own type. Lenient, each does what
 * protobufjs's `fromObject` does with such a value; strict, each accepts the forms the profile
 * decodes to (and lossless equivalents) and throws ERR_BAD_VALUE for the rest.
 */

/** An int32 field's value: `x | 0` lenient; strict, a number that is an int32. */
export function toInt32(x: unknown, strict: boolean): number {
  if (strict) throw badScalar(x, 'an int32');
  return (x as number) | 0;
}

/** A uint32 field's value: `x >>> 0` lenient. */
export function toUint32(x: unknown, strict: boolean): number {
  if (strict) throw badScalar(x, 'a uint32');
  return (x as number) >>> 0;
}

/** A bool field's value: truthiness lenient. */
export function toBool(x: unknown, strict: boolean): boolean {
  if (strict) throw badScalar(x, 'a boolean');
  return Boolean(x);
}

const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/** A float or double field's value: `Number(x)` lenient; strict, also the json option's strings. */
export function toDouble(x: unknown, strict: boolean): number {
  if (strict && !(typeof x === 'string' && NON_FINITE.has(x))) throw badScalar(x, 'a number');
  return Number(x);
}

/** A string field's value: `String(x)` lenient. */
export function toText(x: unknown, strict: boolean): string {
  if (strict) throw badScalar(x, 'a string');
  return String(x);
}

/**
 * A bytes field's value from base64 text or an array of numbers (the `bytes` option's forms);
 * lenient, anything else with a `length` is taken as an array, and a value without one leaves
 * the field unset (undefined), as fromObject does.
 */
export function toBytes(x: unknown, strict: boolean): Uint8Array | undefined {
  if (typeof x === 'string') return Buffer.from(x, 'base64');
  if (Array.isArray(x)) {
    if (strict && !x.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) throw badScalar(x, 'an array of byte values');
    return Uint8Array.from(x as number[]);
  }
  if (strict) throw badScalar(x, 'a Uint8Array, base64 string or array of bytes');
  const length = (x as { length?: unknown } | null | undefined)?.length;
  if (typeof length !== 'number' || !(length >= 0)) return undefined;
  return Uint8Array.from(x as ArrayLike<number>);
}

/**
 * An enum field's number from a value name or number. An unknown name, or a value of another
 * type, leaves a singular field (and a map entry) unset (undefined) and is 0 in a repeated field,
 * as fromObject does; strict, it is an error, and so is a number the enum does not define when
 * the enum is closed.
 */
export function toEnum(x: unknown, numbers: ReadonlyMap<string, number>, closed: boolean, repeated: boolean, strict: boolean): number | undefined {
  if (typeof x === 'string') {
    const n = numbers.get(x);
    if (n !== undefined) return n;
  } else if (typeof x === 'number') {
    if (!strict) return x | 0;
    if ((x | 0) === x && (!closed || [...numbers.values()].includes(x))) return x;
  }
  if (strict) throw badScalar(x, `a value of the enum (${[...numbers.keys()].slice(0, 4).join(', ')}...)`);
  return repeated ? 0 : undefined;
}

/**
 * {@link toInt64} for a value that is not a bigint, answered without bigint arithmetic for the
 * forms `longs: String` and `Number` decode to: a safe integer, or a decimal string of up to 15
 * digits, comes back as the number it is (the int64 writers split numbers into words directly),
 * where toInt64 would parse it into a bigint first. Everything else goes to toInt64.
 */
export function toInt64Number(x: unknown, unsigned: boolean, strict: boolean): number | bigint {
  if (typeof x === 'number') {
    if (Number.isSafeInteger(x) && (x >= 0 || !unsigned)) return x;
  } else if (typeof x === 'string') {
    const n = parseSafeDecimal(x);
    if (n === n && (n >= 0 || !unsigned)) return n;
  }
  return toInt64(x, unsigned, strict);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const DECIMAL = /^-?\d+$/;

/**
 * A 64-bit field's value as a bigint in the field's range, from a number, decimal string, Long
 * or `{ low, high }` object, as Long.fromValue converts them: lenient, numbers are truncated and
 * saturate, decimal strings wrap modulo 2^64, other values are 0; strict, every one of these
 * must be an integer within range.
 */
export function toInt64(x: unknown, unsigned: boolean, strict: boolean): bigint {
  const min = unsigned ? 0n : INT64_MIN;
  const max = unsigned ? UINT64_MAX : INT64_MAX;
  let big: bigint | undefined;
  if (typeof x === 'bigint') big = x;
  else if (typeof x === 'number') {
    if (strict && !Number.isSafeInteger(x)) throw badScalar(x, 'a safe integer');
    if (Number.isNaN(x)) return 0n;
    if (x <= Number(min)) return min;
    if (x >= Number(max)) return max;
    big = BigInt(Math.trunc(x));
  } else if (typeof x === 'string') {
    if (DECIMAL.test(x)) big = BigInt(x);
    else if (strict) throw badScalar(x, 'a decimal integer string');
    else return toInt64(Number(x) || 0, unsigned, false);
  } else if (typeof x === 'object' && x !== null && 'low' in x && 'high' in x) {
    const { low, high } = x as { low: unknown; high: unknown };
    if (strict && !(Number.isInteger(low) && Number.isInteger(high))) throw badScalar(x, 'a Long');
    big = (BigInt((high as number) >>> 0) << 32n) | BigInt((low as number) >>> 0);
    return unsigned ? big : BigInt.asIntN(64, big);
  } else if (strict) {
    throw badScalar(x, unsigned ? 'a uint64' : 'an int64');
  } else {
    return 0n;
  }
  if (big >= min && big <= max) return big;
  if (strict) throw badScalar(x, unsigned ? 'a uint64 in range' : 'an int64 in range');
  return unsigned ? BigInt.asUintN(64, big) : BigInt.asIntN(64, big);
}
