import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFixed, encodeFixed, HOST_LITTLE_ENDIAN } from '../../src-ts/kernels/fixed-width.js';
import { swapDecode, swapEncode } from '../../src-ts/kernels/native-kernels.js';
import { native } from '../../src-ts/native.js';
import { expectSameBytes } from './assertions.js';
import { nativeLoaded, variants } from './native-variants.js';

const TYPES = [Int16Array, Int32Array, Float32Array, Float64Array, BigInt64Array] as const;

/** Random bytes at an unaligned offset; lengths cover every vector tail (0..3 vectors of 64 bytes and beyond). */
const input = fc.record({
  offset: fc.integer({ min: 0, max: 70 }),
  count: fc.oneof(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 5000 })),
  seed: fc.integer(),
});

function bytesFrom(seed: number, length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(new ArrayBuffer(length));
  let x = seed | 1;
  for (let i = 0; i < length; i++) bytes[i] = (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 23;
  return bytes;
}

describe.runIf(nativeLoaded)('native byte swap (every variant against the TypeScript twin)', () => {
  it('offers scalar and reports only variants the CPU has', () => {
    expect(variants.map((v) => v.name)).toContain('scalar');
  });

  it('HEDDLE_DISABLE_SIMD=all leaves only the scalar variant', () => {
    const script = `console.log(JSON.stringify(require(${JSON.stringify(native.path)}).kernelVariants()))`;
    const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, HEDDLE_DISABLE_SIMD: 'all' }, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['auto', 'scalar']);
  });

  for (const { name, id } of variants) {
    for (const T of TYPES) {
      const width = T.BYTES_PER_ELEMENT;
      it(`${name}: decodes ${T.name} byte-reversed exactly like the twin, for every offset and tail`, () => {
        fc.assert(
          fc.property(input, ({ offset, count, seed }) => {
            const src = bytesFrom(seed, offset + count * width + 9);
            const swapped = swapDecode(src, offset, new T(count), id);
            expectSameBytes(swapped, decodeFixed(src, offset, new T(count), !HOST_LITTLE_ENDIAN));
          }),
          { numRuns: 40 },
        );
      });

      it(`${name}: encodes ${T.name} byte-reversed exactly like the twin, touching nothing around`, () => {
        fc.assert(
          fc.property(input, ({ offset, count, seed }) => {
            const values = new T(bytesFrom(seed, count * width).buffer);
            const viaNative = new Uint8Array(offset + count * width + 9).fill(0xa5);
            const viaTwin = viaNative.slice();
            swapEncode(values, viaNative, offset, id);
            encodeFixed(values, viaTwin, offset, !HOST_LITTLE_ENDIAN);
            expectSameBytes(viaNative, viaTwin);
          }),
          { numRuns: 40 },
        );
      });
    }
  }
});
