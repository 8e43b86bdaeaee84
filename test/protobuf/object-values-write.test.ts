// The protobufjs profile's int64 coercion: toInt64Number's number answers are the values toInt64
// gives, for every form and range, lenient and strict.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toInt64, toInt64Number } from '../../src-ts/protobuf/codegen/object-values-write.js';

function outcome(f: () => number | bigint): string {
  try {
    return `value ${BigInt(f())}`;
  } catch (error) {
    return `throws ${(error as { code?: string }).code ?? String(error)}`;
  }
}

describe('toInt64Number', () => {
  const inputs = fc.oneof(
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
    fc.maxSafeInteger(),
    fc.double(),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
    fc.maxSafeInteger().map(String),
    fc.constantFrom('-0', '0', '007', '+5', ' 42', '1e3', '0x10', '', '-', '999999999999999', '1000000000000000', '-9007199254740993', 'NaN'),
  );

  it('gives the value toInt64 gives (or its error), signed and unsigned, lenient and strict', () => {
    fc.assert(fc.property(inputs, fc.boolean(), fc.boolean(), (x, unsigned, strict) => {
      expect(outcome(() => toInt64Number(x, unsigned, strict))).toBe(outcome(() => toInt64(x, unsigned, strict)));
    }), { numRuns: 5000 });
  });

  it('answers safe integers and short decimal strings as numbers, without a bigint', () => {
    expect(toInt64Number('1732190000000', false, false)).toBe(1732190000000);
    expect(toInt64Number('-42', false, true)).toBe(-42);
    expect(toInt64Number(-42, false, false)).toBe(-42);
    // Negative values of unsigned fields, long strings and non-integers take toInt64's path.
    expect(toInt64Number('-42', true, false)).toBe(toInt64('-42', true, false));
    expect(toInt64Number('9223372036854775807', false, false)).toBe(9223372036854775807n);
    expect(toInt64Number(3.7, false, false)).toBe(3n);
  });
});
