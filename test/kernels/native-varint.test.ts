import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { nativeCountVarints, nativeDecodePacked, nativeDecodeVarints } from '../../src-ts/kernels/native-kernels.js';
import * as twin from '../../src-ts/kernels/varint-decode.js';
import { continuationHeavyBytes } from './arbitraries.js';
import { nativeLoaded, variants } from './native-variants.js';
import { placed, varintBytes } from './reference.js';

/** Varint streams shaped to hit every path: long runs of one-byte values (the SIMD bulk path), all lengths 1..10, and random bytes. */
const stream = fc.oneof(
  fc.array(fc.oneof({ arbitrary: fc.integer({ min: 0, max: 127 }).map((v) => [v]), weight: 6 }, { arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(varintBytes), weight: 1 }), { maxLength: 400 }).map((parts) => parts.flat()),
  fc.array(fc.integer({ min: 0, max: 63 }).map((bits) => varintBytes((1n << BigInt(bits)) | 1n)), { maxLength: 120 }).map((parts) => parts.flat()),
  continuationHeavyBytes.map((bytes) => [...bytes]),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => [...bytes]),
);

type Outcome = { values: unknown[]; end: number } | { code: string; offset: number | undefined };

function outcome(run: () => { values: ArrayLike<unknown>; end: number }): Outcome {
  try {
    const { values, end } = run();
    return { values: Array.from(values), end };
  } catch (error) {
    if (!(error instanceof HeddleError)) throw error;
    return { code: error.code, offset: error.offset };
  }
}

describe.runIf(nativeLoaded)('native varint kernels (every variant against the TypeScript twin)', () => {
  for (const { name, id } of variants) {
    it(`${name}: decodes count-driven runs exactly like the twin, values, end and errors`, () => {
      fc.assert(
        fc.property(stream, fc.nat(20), fc.nat(3), fc.boolean(), fc.boolean(), fc.nat(), (bytes, offset, slack, zigzag, wide, countSeed) => {
          const src = placed(bytes, offset, slack);
          const ends = twin.countVarints(src, offset, src.length);
          // Ask for every varint, fewer, or one too many (which must fail the same way).
          const count = [ends, Math.floor(ends / 2), ends + 1][countSeed % 3]!;
          const make = () => (wide ? new BigInt64Array(count) : new Int32Array(count));
          const viaNative = outcome(() => {
            const values = make();
            return { values, end: nativeDecodeVarints(src, offset, src.length, values, zigzag, id) };
          });
          const viaTwin = outcome(() => {
            const values = make();
            const end = wide
              ? twin.decodeVarint64Into(src, offset, src.length, values as BigInt64Array, zigzag)
              : twin.decodeVarint32Into(src, offset, src.length, values as Int32Array, zigzag);
            return { values, end };
          });
          expect(viaNative).toEqual(viaTwin);
        }),
        { numRuns: 300 },
      );
    });

    it(`${name}: decodes packed ranges exactly like the twin, and counts varint ends alike`, () => {
      fc.assert(
        fc.property(stream, fc.nat(20), fc.nat(5), fc.boolean(), (bytes, offset, cut, zigzag) => {
          const src = placed(bytes, offset, 4);
          const end = Math.max(offset, offset + bytes.length - cut);
          expect(nativeCountVarints(src, offset, end, id)).toBe(twin.countVarints(src, offset, end));
          const run32 = outcome(() => ({ values: nativeDecodePacked(src, offset, end, zigzag, (n) => new Int32Array(n), id), end }));
          expect(run32).toEqual(outcome(() => ({ values: twin.decodePackedVarint32(src, offset, end, zigzag), end })));
          const run64 = outcome(() => ({ values: nativeDecodePacked(src, offset, end, false, (n) => new BigUint64Array(n), id), end }));
          expect(run64).toEqual(outcome(() => ({ values: twin.decodePackedUint64(src, offset, end), end })));
        }),
        { numRuns: 300 },
      );
    });
  }
});
