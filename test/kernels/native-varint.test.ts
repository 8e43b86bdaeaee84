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

/**
 * Long streams (the AVX-512 VBMI path decodes 256-byte batches while 384 bytes remain): varints
 * of every length 1..10 in random order, so each length lands at every alignment and across
 * batch ends, with one-byte runs of 64+ between them, and optionally an overlong varint (11+
 * bytes) spliced in or the stream cut short in the middle of a run.
 */
const longStream = fc
  .tuple(
    fc.array(
      fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 10 }).map((len) => varintBytes(len === 1 ? 5n : (1n << BigInt(7 * (len - 1))) + 3n)), weight: 8 },
        { arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(varintBytes), weight: 2 },
        { arbitrary: fc.integer({ min: 60, max: 140 }).map((n) => Array.from({ length: n }, (_, k) => k & 0x7f)), weight: 1 },
      ),
      { minLength: 60, maxLength: 500 },
    ),
    fc.option(fc.tuple(fc.nat(), fc.integer({ min: 11, max: 300 })), { freq: 3 }),
    fc.option(fc.nat(), { freq: 3 }),
  )
  .map(([parts, overlong, cut]) => {
    const bytes = parts.flat();
    if (overlong !== null) bytes.splice(overlong[0] % (bytes.length + 1), 0, ...Array.from({ length: overlong[1] }, () => 0x80 | (overlong[1] & 0x7f)));
    return cut === null ? bytes : bytes.slice(0, bytes.length - (cut % Math.min(bytes.length, 40)));
  });

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

    it(`${name}: decodes long runs of every length, overlong and cut-off varints exactly like the twin`, () => {
      fc.assert(
        fc.property(longStream, fc.nat(70), fc.nat(3), fc.boolean(), fc.boolean(), fc.nat(), (bytes, offset, slack, zigzag, wide, countSeed) => {
          const src = placed(bytes, offset, slack);
          const ends = twin.countVarints(src, offset, src.length);
          const count = [ends, Math.floor(ends / 2), ends + 1][countSeed % 3]!;
          const viaNative = outcome(() => {
            const values = wide ? new BigInt64Array(count) : new Int32Array(count);
            return { values, end: nativeDecodeVarints(src, offset, src.length, values, zigzag, id) };
          });
          const viaTwin = outcome(() => {
            const values = wide ? new BigInt64Array(count) : new Int32Array(count);
            const end = wide
              ? twin.decodeVarint64Into(src, offset, src.length, values as BigInt64Array, zigzag)
              : twin.decodeVarint32Into(src, offset, src.length, values as Int32Array, zigzag);
            return { values, end };
          });
          expect(viaNative).toEqual(viaTwin);
          // Packed: the whole range, so a cut-off last varint is an error too.
          const packed = outcome(() => ({ values: nativeDecodePacked(src, offset, src.length, false, (n) => new BigUint64Array(n), id), end: 0 }));
          expect(packed).toEqual(outcome(() => ({ values: twin.decodePackedUint64(src, offset, src.length), end: 0 })));
        }),
        { numRuns: 200 },
      );
    });

    it(`${name}: decodes 10-byte varints whose last byte has high bits set (bits past 64 dropped), at every alignment`, () => {
      // 0xff x9 then 0x7f: all 64 bits set, plus 6 bits above them that protobuf drops.
      const tenBytes = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
      for (let lead = 0; lead < 10; lead++) {
        const bytes = [...Array.from({ length: lead }, () => 1), ...Array.from({ length: 80 }, () => tenBytes).flat()];
        const src = placed(bytes, 0, 0);
        const count = lead + 80;
        for (const zigzag of [false, true]) {
          const values = new BigInt64Array(count);
          expect(nativeDecodeVarints(src, 0, src.length, values, zigzag, id)).toBe(src.length);
          const expected = new BigInt64Array(count);
          twin.decodeVarint64Into(src, 0, src.length, expected, zigzag);
          expect(values).toEqual(expected);
        }
      }
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
