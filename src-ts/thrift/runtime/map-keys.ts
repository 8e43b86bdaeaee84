/**
 * Map keys in plain-object form (`map: 'object'`): decoders turn keys into their string form,
 * encoders turn property names back into key values, rejecting names that are not a key's form.
 */
import { wrongValue } from './codec-failure.js';

const INTEGER = /^-?\d+$/;

/** An integer key (i8/i16/i32/enum, or i64 in number mode) from its property name. */
export function integerKey(name: string): number {
  if (!INTEGER.test(name)) throw wrongValue('an integer map key', name);
  return Number(name);
}

/** An i64 key in bigint mode from its property name. */
export function bigintKey(name: string): bigint {
  if (!INTEGER.test(name)) throw wrongValue('an integer map key', name);
  return BigInt(name);
}

/** A double key from its property name (`String(x)` form, including NaN and Infinity). */
export function doubleKey(name: string): number {
  const value = Number(name);
  if (Number.isNaN(value) && name !== 'NaN') throw wrongValue('a numeric map key', name);
  return value;
}

/** A bool key from its property name, `"true"` or `"false"`. */
export function boolKey(name: string): boolean {
  if (name === 'true') return true;
  if (name === 'false') return false;
  throw wrongValue('"true" or "false" as a map key', name);
}

