// writeInt64Varint's number paths (the forms `longs: String` and `Number` encode from, after
// toInt64Number) write the bytes its bigint path writes for the same value, or fail alike.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeInt64Varint } from '../../src-ts/protobuf/codegen/wire-write.js';

function written(value: unknown, signed: boolean): string {
  const buf = new Uint8Array(16).fill(0xee);
  try {
    const end = writeInt64Varint(buf, 3, value, signed);
    return Buffer.from(buf.subarray(3, end)).toString('hex') + (buf[end] === 0xee ? '' : ' wrote past its end');
  } catch (error) {
    return `throws ${(error as { code?: string }).code ?? String(error)}`;
  }
}

describe('writeInt64Varint', () => {
  it('writes a safe integer number as it writes the same value as a bigint, signed and unsigned', () => {
    const safe = fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -(2 ** 33), max: 2 ** 33 }),
      fc.constantFrom(0, -1, -(2 ** 31), -(2 ** 32), -(2 ** 32) - 1, 2 ** 32, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    fc.assert(fc.property(safe, fc.boolean(), (n, signed) => {
      expect(written(n, signed)).toBe(written(BigInt(n), signed));
    }), { numRuns: 20000 });
  });

  it('writes a negative safe integer as ten bytes, the last 0x01', () => {
    expect(written(-1, true)).toBe('ffffffffffffffffff01');
    expect(written(-(2 ** 32), true)).toBe('80808080f0ffffffff01');
    expect(written(Number.MIN_SAFE_INTEGER, true)).toBe('81808080808080f0ff01');
    expect(written(-1, false)).toMatch(/^throws ERR_BAD_VALUE/);
  });

  it('refuses numbers that are not safe integers as before', () => {
    for (const n of [0.5, -0.5, 2 ** 53, -(2 ** 53), NaN, Infinity]) {
      expect(written(n, true)).toMatch(/^throws ERR_BAD_VALUE/);
    }
  });
});
