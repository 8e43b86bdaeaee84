// Assertion helpers shared by the kernel tests: fast comparisons that print a diff only on failure.
import { expect } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';

/** Asserts two byte sequences are equal. */
export function expectSameBytes(actual: ArrayBufferView, expected: ArrayBufferView): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (!a.equals(b)) expect([...a]).toEqual([...b]);
}

/** Asserts two sequences hold the same values (Object.is per element). */
export function expectSameValues(actual: ArrayLike<unknown>, expected: ArrayLike<unknown>): void {
  let same = actual.length === expected.length;
  for (let i = 0; same && i < actual.length; i++) same = Object.is(actual[i], expected[i]);
  if (!same) expect(Array.from(actual)).toEqual(Array.from(expected));
}

/** Runs `fn`, asserts it throws a HeddleError, and returns it. */
export function catchError(fn: () => unknown): HeddleError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HeddleError);
    return error as HeddleError;
  }
  throw new Error('expected a HeddleError');
}
