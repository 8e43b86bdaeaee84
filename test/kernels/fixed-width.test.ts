import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as kernels from '../../src-ts/kernels/index.js';
import { catchError, expectSameBytes, expectSameValues } from './assertions.js';

// Each kernel against Node's Buffer readers/writers, which are an independent implementation.
const decoders = [
  { name: 'decodeFloat64BE', width: 8, decode: kernels.decodeFloat64BE, read: (b: Buffer, p: number) => b.readDoubleBE(p) },
  { name: 'decodeInt64BE', width: 8, decode: kernels.decodeInt64BE, read: (b: Buffer, p: number) => b.readBigInt64BE(p) },
  { name: 'decodeInt32BE', width: 4, decode: kernels.decodeInt32BE, read: (b: Buffer, p: number) => b.readInt32BE(p) },
  { name: 'decodeInt16BE', width: 2, decode: kernels.decodeInt16BE, read: (b: Buffer, p: number) => b.readInt16BE(p) },
  { name: 'decodeFloat64LE', width: 8, decode: kernels.decodeFloat64LE, read: (b: Buffer, p: number) => b.readDoubleLE(p) },
  { name: 'decodeFloat32LE', width: 4, decode: kernels.decodeFloat32LE, read: (b: Buffer, p: number) => b.readFloatLE(p) },
  { name: 'decodeInt64LE', width: 8, decode: kernels.decodeInt64LE, read: (b: Buffer, p: number) => b.readBigInt64LE(p) },
  { name: 'decodeUint64LE', width: 8, decode: kernels.decodeUint64LE, read: (b: Buffer, p: number) => b.readBigUInt64LE(p) },
  { name: 'decodeInt32LE', width: 4, decode: kernels.decodeInt32LE, read: (b: Buffer, p: number) => b.readInt32LE(p) },
  { name: 'decodeUint32LE', width: 4, decode: kernels.decodeUint32LE, read: (b: Buffer, p: number) => b.readUInt32LE(p) },
] as const;

// Encoders paired with the decoder that must invert them bit for bit.
const encoders = [
  { name: 'encodeFloat64BE', make: (b: ArrayBuffer) => new Float64Array(b), encode: kernels.encodeFloat64BE, decode: kernels.decodeFloat64BE, width: 8, le: false },
  { name: 'encodeInt64BE', make: (b: ArrayBuffer) => new BigInt64Array(b), encode: kernels.encodeInt64BE, decode: kernels.decodeInt64BE, width: 8, le: false },
  { name: 'encodeInt32BE', make: (b: ArrayBuffer) => new Int32Array(b), encode: kernels.encodeInt32BE, decode: kernels.decodeInt32BE, width: 4, le: false },
  { name: 'encodeInt16BE', make: (b: ArrayBuffer) => new Int16Array(b), encode: kernels.encodeInt16BE, decode: kernels.decodeInt16BE, width: 2, le: false },
  { name: 'encodeFloat64LE', make: (b: ArrayBuffer) => new Float64Array(b), encode: kernels.encodeFloat64LE, decode: kernels.decodeFloat64LE, width: 8, le: true },
  { name: 'encodeFloat32LE', make: (b: ArrayBuffer) => new Float32Array(b), encode: kernels.encodeFloat32LE, decode: kernels.decodeFloat32LE, width: 4, le: true },
  { name: 'encodeInt64LE', make: (b: ArrayBuffer) => new BigInt64Array(b), encode: kernels.encodeInt64LE, decode: kernels.decodeInt64LE, width: 8, le: true },
  { name: 'encodeUint64LE', make: (b: ArrayBuffer) => new BigUint64Array(b), encode: kernels.encodeUint64LE, decode: kernels.decodeUint64LE, width: 8, le: true },
  { name: 'encodeInt32LE', make: (b: ArrayBuffer) => new Int32Array(b), encode: kernels.encodeInt32LE, decode: kernels.decodeInt32LE, width: 4, le: true },
  { name: 'encodeUint32LE', make: (b: ArrayBuffer) => new Uint32Array(b), encode: kernels.encodeUint32LE, decode: kernels.decodeUint32LE, width: 4, le: true },
] as const;

/** Random bytes at a random (often unaligned) offset, with a count that fits. */
const placedElements = (width: number) =>
  fc.record({
    offset: fc.integer({ min: 0, max: 17 }),
    count: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3000 })),
    seed: fc.integer(),
  }).map(({ offset, count, seed }) => {
    const bytes = Buffer.alloc(offset + count * width + 3);
    let x = seed | 1;
    for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 23;
    return { bytes, offset, count };
  });

/** A copy of `bytes` with each `width`-byte element reversed. */
function swapEach(bytes: Uint8Array, width: number): Buffer {
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i - (i % width) + width - 1 - (i % width)]!;
  return out;
}

describe('fixed-width decoders', () => {
  for (const { name, width, decode, read } of decoders) {
    it(`${name} reads what Buffer reads, at any offset and count`, () => {
      fc.assert(
        fc.property(placedElements(width), ({ bytes, offset, count }) => {
          const values = decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), offset, count);
          const expected = Array.from({ length: count }, (_, i) => read(bytes, offset + i * width));
          expectSameValues(values as ArrayLike<unknown>, expected);
        }),
        { numRuns: 60 },
      );
    });

    it(`${name} keeps every bit, NaN payloads included`, () => {
      fc.assert(
        fc.property(placedElements(width), ({ bytes, offset, count }) => {
          const values = decode(bytes, offset, count);
          const wire = bytes.subarray(offset, offset + count * width);
          expectSameBytes(values, name.endsWith('LE') ? wire : swapEach(wire, width));
        }),
        { numRuns: 30 },
      );
    });

    it(`${name} refuses a count the remaining bytes cannot hold, before allocating`, () => {
      const src = new Uint8Array(width * 3 + 1);
      expect(decode(src, 1, 3).length).toBe(3);
      const error = catchError(() => decode(src, 2, 3));
      expect(error.code).toBe('ERR_TRUNCATED');
      expect(error.offset).toBe(2);
      expect(catchError(() => decode(src, 0, 2 ** 40)).code).toBe('ERR_TRUNCATED');
    });

    it(`${name} rejects offsets and counts that are not in range`, () => {
      const src = new Uint8Array(16);
      for (const [offset, count] of [[-1, 0], [17, 0], [0.5, 1], [0, -1], [0, 1.5], [Number.NaN, 0]]) {
        expect(catchError(() => decode(src, offset!, count!)).code).toBe('ERR_INVALID_ARGUMENT');
      }
      expect(decode(src, 16, 0).length).toBe(0);
    });
  }
});

describe('fixed-width encoders', () => {
  for (const { name, make, encode, decode, width, le } of encoders) {
    it(`${name} writes the bytes its decoder reads back, bit for bit, at any offset`, () => {
      fc.assert(
        fc.property(placedElements(width), ({ bytes, offset, count }) => {
          // Random bytes reinterpreted as elements give every bit pattern, NaNs included.
          const raw = new Uint8Array(count * width);
          raw.set(bytes.subarray(0, raw.length));
          const values = make(raw.buffer);
          const dst = new Uint8Array(offset + raw.length + 2).fill(0xee);
          encode(values as never, dst, offset);
          expect(dst[offset - 1] ?? 0xee).toBe(0xee);
          expect(dst[offset + raw.length]).toBe(0xee);
          expectSameBytes(dst.subarray(offset, offset + raw.length), le ? raw : swapEach(raw, width));
          expectSameBytes(decode(dst, offset, count), raw);
        }),
        { numRuns: 40 },
      );
    });

    it(`${name} refuses a dst without room, writing nothing`, () => {
      const values = make(new ArrayBuffer(width * 4));
      const dst = new Uint8Array(width * 4 + 2).fill(7);
      expect(catchError(() => encode(values as never, dst, 3)).code).toBe('ERR_INVALID_ARGUMENT');
      expect(catchError(() => encode(values as never, dst, -1)).code).toBe('ERR_INVALID_ARGUMENT');
      expect([...dst].every((b) => b === 7)).toBe(true);
      encode(values as never, dst, 2);
      expect([...dst.subarray(2)].every((b) => b === 0)).toBe(true);
    });
  }

  it('encodeFloat64BE writes the IEEE-754 big-endian bytes of known values', () => {
    const dst = new Uint8Array(16);
    kernels.encodeFloat64BE(new Float64Array([1, -2.5]), dst, 0);
    expect([...dst]).toEqual([0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xc0, 0x04, 0, 0, 0, 0, 0, 0]);
  });

  it('encodeInt64BE writes the two\'s complement big-endian bytes of known values', () => {
    const dst = new Uint8Array(16);
    kernels.encodeInt64BE(new BigInt64Array([-2n, 0x0102030405060708n]), dst, 0);
    expect([...dst]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

