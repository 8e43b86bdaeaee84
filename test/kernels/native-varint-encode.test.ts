import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeEncodeVarints, nativeVarintsSize } from '../../src-ts/kernels/native-kernels.js';
import * as twin from '../../src-ts/kernels/varint-encode.js';
import { int32Mixed, int64Mixed } from './arbitraries.js';
import { expectSameBytes } from './assertions.js';
import { nativeLoaded, variants } from './native-variants.js';

/** Lists with long runs of one-byte values (the SIMD path) broken by values of every length. */
const int32List = fc
  .array(fc.oneof({ arbitrary: fc.array(fc.integer({ min: -64, max: 127 }), { minLength: 1, maxLength: 80 }), weight: 3 }, { arbitrary: fc.array(int32Mixed, { maxLength: 5 }), weight: 1 }), { maxLength: 30 })
  .map((runs) => Int32Array.from(runs.flat()));
const int64List = fc
  .array(fc.oneof({ arbitrary: fc.array(fc.bigInt({ min: -64n, max: 127n }), { minLength: 1, maxLength: 40 }), weight: 1 }, { arbitrary: fc.array(int64Mixed, { maxLength: 8 }), weight: 2 }), { maxLength: 20 })
  .map((runs) => runs.flat());

/** Long int64 lists (the branch-free encoder keeps 10 bytes of room per value and the last 9 exact). */
const longInt64List = fc.array(fc.oneof(int64Mixed, fc.integer({ min: 0, max: 63 }).map((k) => -(2n ** BigInt(k)))), { minLength: 9, maxLength: 600 });

describe.runIf(nativeLoaded)('native varint encoders (every variant against the TypeScript twin)', () => {
  it('varintsSize agrees with the twin for int32, int64 and uint64 arrays', () => {
    fc.assert(
      fc.property(int32List, int64List, fc.boolean(), (list32, list64, zigzag) => {
        expect(nativeVarintsSize(list32, zigzag)).toBe(twin.varint32sSize(list32, zigzag));
        const signed = BigInt64Array.from(list64);
        const unsigned = BigUint64Array.from(list64, (v) => BigInt.asUintN(64, v));
        expect(nativeVarintsSize(signed, zigzag)).toBe(twin.varint64sSize(signed, zigzag));
        expect(nativeVarintsSize(unsigned, zigzag)).toBe(twin.varint64sSize(unsigned, zigzag));
      }),
      { numRuns: 200 },
    );
  });

  for (const { name, id } of variants) {
    it(`${name}: writes the twin's bytes at any offset, and nothing after them`, () => {
      fc.assert(
        fc.property(int32List, int64List, fc.boolean(), fc.nat(20), (list32, list64, zigzag, offset) => {
          for (const values of [list32, BigInt64Array.from(list64)]) {
            const size = values instanceof Int32Array ? twin.varint32sSize(values, zigzag) : twin.varint64sSize(values, zigzag);
            const viaNative = new Uint8Array(offset + size + 20).fill(0xa5);
            const viaTwin = viaNative.slice();
            expect(nativeEncodeVarints(values, zigzag, viaNative, offset, id)).toBe(offset + size);
            if (values instanceof Int32Array) twin.encodeVarint32s(values, zigzag, viaTwin, offset);
            else twin.encodeVarint64s(values, zigzag, viaTwin, offset);
            expectSameBytes(viaNative, viaTwin);
          }
        }),
        { numRuns: 200 },
      );
    });

    it(`${name}: writes long int64 lists like the twin, and sizes them alike, with room to spare or exactly`, () => {
      fc.assert(
        fc.property(longInt64List, fc.boolean(), fc.nat(20), fc.boolean(), (list, zigzag, offset, exact) => {
          const values = BigInt64Array.from(list);
          const size = twin.varint64sSize(values, zigzag);
          expect(nativeVarintsSize(values, zigzag)).toBe(size);
          const viaNative = new Uint8Array(offset + size + (exact ? 0 : 20)).fill(0xa5);
          const viaTwin = viaNative.slice();
          expect(nativeEncodeVarints(values, zigzag, viaNative, offset, id)).toBe(offset + size);
          twin.encodeVarint64s(values, zigzag, viaTwin, offset);
          expectSameBytes(viaNative, viaTwin);
          const short = new Uint8Array(offset + size + 16).fill(0xa5);
          expect(nativeEncodeVarints(values, zigzag, short.subarray(0, offset + size - 1), offset, id)).toBe(-1);
          expect([...short.subarray(offset + size - 1)].every((b) => b === 0xa5)).toBe(true);
        }),
        { numRuns: 150 },
      );
    });

    it(`${name}: reports -1 and writes nothing outside dst when dst is one byte short`, () => {
      fc.assert(
        fc.property(int32List, fc.boolean(), fc.nat(5), (values, zigzag, offset) => {
          const size = twin.varint32sSize(values, zigzag);
          if (size === 0) return;
          const buffer = new Uint8Array(offset + size + 8).fill(0xa5);
          const dst = buffer.subarray(0, offset + size - 1);
          expect(nativeEncodeVarints(values, zigzag, dst, offset, id)).toBe(-1);
          expect([...buffer.subarray(offset + size - 1)].every((b) => b === 0xa5)).toBe(true);
        }),
        { numRuns: 100 },
      );
    });
  }
});
