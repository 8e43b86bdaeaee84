import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as kernels from '../../src-ts/kernels/index.js';
import { continuationHeavyBytes, int32Mixed, int64Mixed } from './arbitraries.js';
import { catchError, expectSameBytes, expectSameValues } from './assertions.js';
import { int32VarintBytes, placed, readVarint, unzigzag64, varintBytes, zigzag64 } from './reference.js';


/**
 * What a 32-bit decode yields for the varint of `v`: like protobuf, the low 32 bits of the wire
 * value, then ZigZag-decoded as 32 bits.
 */
function asInt32(v: bigint, zigzag: boolean): number {
  const low = BigInt.asUintN(32, zigzag ? zigzag64(v) : v);
  return Number(BigInt.asIntN(32, zigzag ? unzigzag64(low) : low));
}


describe('varint encoders', () => {
  it('encodeVarint32s writes the reference bytes and varint32sSize predicts their length', () => {
    fc.assert(
      fc.property(fc.array(int32Mixed, { maxLength: 300 }), fc.boolean(), fc.nat(9), (list, zigzag, offset) => {
        const values = Int32Array.from(list);
        const expected = list.flatMap((v) => int32VarintBytes(v, zigzag));
        expect(kernels.varint32sSize(values, zigzag)).toBe(expected.length);
        const dst = new Uint8Array(offset + expected.length);
        expect(kernels.encodeVarint32s(values, zigzag, dst, offset)).toBe(offset + expected.length);
        expectSameBytes(dst.subarray(offset), Uint8Array.from(expected));
      }),
      { numRuns: 150 },
    );
  });

  it('encodeVarint64s writes the reference bytes for BigInt64Array and BigUint64Array', () => {
    fc.assert(
      fc.property(fc.array(int64Mixed, { maxLength: 200 }), fc.boolean(), fc.nat(9), (list, zigzag, offset) => {
        for (const values of [BigInt64Array.from(list), BigUint64Array.from(list, (v) => BigInt.asUintN(64, v))]) {
          const expected = list.flatMap((v) => varintBytes(zigzag ? zigzag64(v) : v));
          expect(kernels.varint64sSize(values, zigzag)).toBe(expected.length);
          const dst = new Uint8Array(offset + expected.length);
          expect(kernels.encodeVarint64s(values, zigzag, dst, offset)).toBe(offset + expected.length);
          expectSameBytes(dst.subarray(offset), Uint8Array.from(expected));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('encodes the protobuf examples: 150 is 96 01, int32 -1 is ten bytes, sint32 -1 is 01', () => {
    const dst = new Uint8Array(16);
    expect(kernels.encodeVarint32s(new Int32Array([150]), false, dst, 0)).toBe(2);
    expect([...dst.subarray(0, 2)]).toEqual([0x96, 0x01]);
    expect(kernels.encodeVarint32s(new Int32Array([-1]), false, dst, 0)).toBe(10);
    expect([...dst.subarray(0, 10)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(kernels.encodeVarint32s(new Int32Array([-1, 1]), true, dst, 0)).toBe(2);
    expect([...dst.subarray(0, 2)]).toEqual([0x01, 0x02]);
  });

  it('refuses a dst too small for the varints', () => {
    const values = new Int32Array([1, 300, -1]);
    expect(catchError(() => kernels.encodeVarint32s(values, false, new Uint8Array(12), 0)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(catchError(() => kernels.encodeVarint64s(new BigInt64Array([-1n]), false, new Uint8Array(9), 0)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(catchError(() => kernels.encodeVarint32s(values, false, new Uint8Array(13), 14)).code).toBe('ERR_INVALID_ARGUMENT');
    // Long enough for the native encoders, where those are loaded.
    const many = new Int32Array(5000).fill(300);
    expect(catchError(() => kernels.encodeVarint32s(many, false, new Uint8Array(9999), 0)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(kernels.encodeVarint32s(many, false, new Uint8Array(10000), 0)).toBe(10000);
    const wide = new BigInt64Array(5000).fill(-1n);
    expect(catchError(() => kernels.encodeVarint64s(wide, false, new Uint8Array(49999), 0)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(kernels.encodeVarint64s(wide, false, new Uint8Array(50001), 1)).toBe(50001);
  });
});

describe('varint decoders', () => {
  it('decodeVarint32s and decodeVarint64s read back what the reference wrote, at any offset', () => {
    fc.assert(
      fc.property(fc.array(int64Mixed, { maxLength: 300 }), fc.boolean(), fc.nat(9), fc.nat(3), (list, zigzag, offset, slack) => {
        const wire = list.flatMap((v) => varintBytes(zigzag ? zigzag64(v) : v));
        const src = placed(wire, offset, slack);
        const wide = kernels.decodeVarint64s(src, offset, list.length, zigzag);
        expect(wide.end).toBe(offset + wire.length);
        expectSameValues(wide.values, list);
        const narrow = kernels.decodeVarint32s(src, offset, list.length, zigzag);
        expect(narrow.end).toBe(offset + wire.length);
        expectSameValues(narrow.values, list.map((v) => asInt32(v, zigzag)));
      }),
      { numRuns: 150 },
    );
  });

  it('decodePacked* read every varint of a range and nothing outside it', () => {
    fc.assert(
      fc.property(fc.array(int64Mixed, { maxLength: 300 }), fc.boolean(), fc.nat(9), (list, zigzag, offset) => {
        const wire = list.flatMap((v) => varintBytes(zigzag ? zigzag64(v) : v));
        // A byte with its high bit set before and after the range must not be read.
        const src = placed([0x80, ...wire, 0x80], offset);
        const [start, end] = [offset + 1, offset + 1 + wire.length];
        expectSameValues(kernels.decodePackedVarint64(src, start, end, zigzag), list);
        expectSameValues(kernels.decodePackedVarint32(src, start, end, zigzag), list.map((v) => asInt32(v, zigzag)));
        if (!zigzag) expectSameValues(kernels.decodePackedUint64(src, start, end), list.map((v) => BigInt.asUintN(64, v)));
      }),
      { numRuns: 150 },
    );
  });

  it('agree with the reference on arbitrary bytes, errors included', () => {
    fc.assert(
      fc.property(continuationHeavyBytes, fc.boolean(), (bytes, zigzag) => {
        // The reference: varints one by one until the first that does not end within 10 bytes / the input.
        const values: bigint[] = [];
        let p = 0;
        let failure: { code: string; offset: number } | undefined;
        while (p < bytes.length) {
          const r = readVarint(bytes, p);
          if (r === undefined) {
            failure = { code: bytes.length - p >= 10 ? 'ERR_BAD_VALUE' : 'ERR_TRUNCATED', offset: p };
            break;
          }
          values.push(zigzag ? unzigzag64(r.value) : BigInt.asIntN(64, r.value));
          p = r.next;
        }
        if (failure === undefined) {
          expectSameValues(kernels.decodePackedVarint64(bytes, 0, bytes.length, zigzag), values);
          expect(kernels.decodeVarint64s(bytes, 0, values.length, zigzag).end).toBe(bytes.length);
        } else {
          const error = catchError(() => kernels.decodePackedVarint64(bytes, 0, bytes.length, zigzag));
          expect({ code: error.code, offset: error.offset }).toEqual(failure);
          const error32 = catchError(() => kernels.decodeVarint32s(bytes, 0, values.length + 1, zigzag));
          expect({ code: error32.code, offset: error32.offset }).toEqual(failure);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects an 11-byte varint with ERR_BAD_VALUE at its first byte', () => {
    const src = placed([0x05, ...new Array(10).fill(0x80), 0x01], 3);
    for (const decode of [
      () => kernels.decodeVarint32s(src, 3, 2, false),
      () => kernels.decodeVarint64s(src, 3, 2, true),
      () => kernels.decodePackedVarint32(src, 3, src.length, false),
      () => kernels.decodePackedUint64(src, 3, src.length),
    ]) {
      const error = catchError(decode);
      expect(error.code).toBe('ERR_BAD_VALUE');
      expect(error.offset).toBe(4);
    }
  });

  it('rejects a varint cut off by the end with ERR_TRUNCATED at its first byte', () => {
    const src = Uint8Array.from([0x01, 0x96, 0x81, 0x80]);
    expect(catchError(() => kernels.decodeVarint32s(src, 0, 2, false))).toMatchObject({ code: 'ERR_TRUNCATED', offset: 1 });
    expect(catchError(() => kernels.decodePackedVarint32(src, 0, 4, false))).toMatchObject({ code: 'ERR_TRUNCATED', offset: 1 });
    // The range end cuts the varint even though the buffer goes on.
    expect(catchError(() => kernels.decodePackedVarint64(Uint8Array.from([0x96, 0x01]), 0, 1, false))).toMatchObject({ code: 'ERR_TRUNCATED', offset: 0 });
  });

  it('refuses a count larger than the bytes left before allocating anything', () => {
    const src = new Uint8Array(8);
    expect(catchError(() => kernels.decodeVarint32s(src, 2, 7, false))).toMatchObject({ code: 'ERR_TRUNCATED', offset: 2 });
    expect(catchError(() => kernels.decodeVarint64s(src, 0, 2 ** 31, false))).toMatchObject({ code: 'ERR_TRUNCATED', offset: 0 });
    expect(kernels.decodeVarint64s(src, 2, 6, false).values).toEqual(new BigInt64Array(6));
  });

  it('decodes the negative int32 protobuf writes as ten sign-extended bytes', () => {
    const src = Uint8Array.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(kernels.decodeVarint32s(src, 0, 1, false)).toEqual({ values: new Int32Array([-2]), end: 10 });
    expect(kernels.decodePackedVarint64(src, 0, 10, false)).toEqual(new BigInt64Array([-2n]));
  });

  it('rejects bad ranges and counts as ERR_INVALID_ARGUMENT', () => {
    const src = new Uint8Array(4);
    expect(catchError(() => kernels.decodePackedVarint32(src, 3, 2, false)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(catchError(() => kernels.decodePackedVarint32(src, 0, 5, false)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(catchError(() => kernels.decodeVarint32s(src, 0, -1, false)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(catchError(() => kernels.decodeVarint64s(src, 5, 0, false)).code).toBe('ERR_INVALID_ARGUMENT');
  });
});
