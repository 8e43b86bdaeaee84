// Numeric lists as TypedArrays, through the whole-buffer kernels (native above their size
// threshold, pure TS below it and under HEDDLE_NO_NATIVE=1).
import { describe, expect, test } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { parse } from '../../src-ts/thrift/index.js';
import { everything, fixtureDoc, PROTOCOLS } from './fixtures.js';

const doc = fixtureDoc();

function lists(n: number) {
  return {
    must: 'm',
    ints: Int32Array.from({ length: n }, (_, i) => (i * 2654435761) | 0),
    reals: Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? -0 : i * 1.000001 - n / 3)),
    longs: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * -8589934597n),
    shorts: Int16Array.from({ length: n }, (_, i) => (i * 40503) << 16 >> 16),
    bytes: Int8Array.from({ length: n }, (_, i) => (i * 31) << 24 >> 24),
  };
}

/** The bytes of a TypedArray, for fast exact comparison (-0 and NaN bits included). */
function bytesOf(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

const LIST_FIELDS = ['ints', 'reals', 'longs', 'shorts', 'bytes'] as const;

function asArrays(value: ReturnType<typeof lists>) {
  return { ...value, ints: [...value.ints], reals: [...value.reals], longs: [...value.longs], shorts: [...value.shorts], bytes: [...value.bytes] };
}

describe.each(PROTOCOLS)('%s', (protocol) => {
  const typed = doc.codec('Everything', { protocol, typedArrays: true });
  const plain = doc.codec('Everything', { protocol });

  test.each([0, 1, 5, 100, 10_000])('%i elements: TypedArrays both ways, same bytes as arrays', (n) => {
    const value = lists(n);
    const bytes = typed.encode(value);
    expect(bytesOf(plain.encode(asArrays(value))).equals(bytesOf(bytes))).toBe(true);
    expect(bytesOf(plain.encode(value)).equals(bytesOf(bytes))).toBe(true);
    const decoded = typed.decode(bytes);
    const asPlain = plain.decode(bytes);
    for (const name of LIST_FIELDS) {
      expect(decoded[name].constructor).toBe(value[name].constructor);
      expect(bytesOf(decoded[name]).equals(bytesOf(value[name])), name).toBe(true);
      expect(Array.isArray(asPlain[name])).toBe(true);
      expect(asPlain[name].every((x: unknown, i: number) => Object.is(x, value[name][i])), name).toBe(true);
    }
  });

  test('other values are untouched by the option', () => {
    const value = everything();
    const decoded = typed.decode(typed.encode(value));
    expect(decoded.names).toEqual(value.names);
    expect(decoded.flags).toEqual(value.flags);
    expect(Array.from(decoded.reals)).toEqual(value.reals);
  });

  test("list<i64> stays an array outside i64: 'bigint'", () => {
    const codec = doc.codec('Everything', { protocol, typedArrays: true, i64: 'string' });
    expect(codec.decode(plain.encode({ must: 'm', longs: [1n, -2n] })).longs).toEqual(['1', '-2']);
  });

  test('a TypedArray of the wrong kind is ERR_BAD_VALUE', () => {
    const error = (() => {
      try {
        typed.encode({ must: 'm', ints: new Float64Array(2) });
      } catch (e) {
        return e as HeddleError;
      }
    })();
    expect(error).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'Everything.ints' });
  });

  test('a truncated typed list fails before allocating', () => {
    const bytes = typed.encode(lists(1000));
    for (const cut of [bytes.length - 1, bytes.length - 4000, 40]) {
      try {
        typed.decode(bytes.subarray(0, cut));
        throw new Error('decoded a truncated input');
      } catch (error) {
        expect(error).toBeInstanceOf(HeddleError);
        expect(['ERR_TRUNCATED', 'ERR_SIZE_LIMIT']).toContain((error as HeddleError).code);
        expect((error as HeddleError).path).toMatch(/^Everything/);
      }
    }
  });

  test('IDL defaults of typed lists are TypedArrays', () => {
    const defaults = parse('struct D { 1: list<double> d = [1.5, 2], 2: list<i64> l = [3] }', { filename: 'd.thrift' });
    const codec = defaults.codec('D', { protocol, typedArrays: true });
    expect(codec.decode(codec.encode({}))).toStrictEqual({ d: Float64Array.of(1.5, 2), l: BigInt64Array.of(3n) });
  });
});

test('compact list<i16> values out of the i16 range are ERR_BAD_VALUE', () => {
  const codec = doc.codec('Everything', { protocol: 'compact', typedArrays: true });
  // must (22), then shorts (28): delta 6, list; header 0x14 (1 element, i16); zigzag varint 32768.
  const bytes = Uint8Array.from([0x08, 0x2c, 0x01, 0x6d, 0x69, 0x14, 0x80, 0x80, 0x04, 0x00]);
  try {
    codec.decode(bytes);
    throw new Error('decoded an out-of-range i16');
  } catch (error) {
    expect(error).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'Everything.shorts' });
  }
});
