// The codec's fast paths agree with the general ones: short-ASCII string building against
// TextDecoder, TypedArray kernels against plain arrays, pooled byte arrays against fresh ones.
import { join } from 'node:path';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protobuf } from './helpers/heddle.js';
import { FIXTURES } from './helpers/protoc.js';
import { wire } from './helpers/wire.js';
import { hasUtf8Form } from '../helpers/utf8-form.js';

const root = protobuf.load(join(FIXTURES, 'scalars3.proto'));
const scalars = root.codec('heddle.test.v1.Scalars');
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

describe('strings', () => {
  it('decode as TextDecoder does, or fail exactly where it fails, for every length', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((s) => new TextEncoder().encode(s))), (bytes) => {
        const input = wire().delimited(9, bytes).build();
        let expected: string | undefined;
        try {
          expected = fatal.decode(bytes);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) expect(() => scalars.decode(input)).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'fString' }));
        else expect(scalars.decode(input).fString).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('decode mixed text of every length with one bad sequence spliced in: the error, at the field', () => {
    // Text past the ASCII paths is decoded by Node's replacing decoder and accepted only without a
    // U+FFFD; each of these must still be refused, wherever it sits.
    const bad = [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe0, 0x80, 0x80], [0x80], [0xff], [0xe5, 0x8c]];
    const text = new TextEncoder().encode('北京市朝阳区 Patriots Path, 上海 07945 '.repeat(8));
    for (const sequence of bad) {
      for (const length of [13, 20, 33, 64, 65, 100, 300]) {
        const bytes = new Uint8Array([...text.subarray(0, length), ...sequence, ...text.subarray(0, 5)]);
        expect(() => scalars.decode(wire().delimited(9, bytes).build()), `${sequence} after ${length}`)
          .toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'fString' }));
      }
    }
  });

  it('decode a real U+FFFD and a leading U+FEFF as the chars they are, in text of every length', () => {
    for (const length of [0, 5, 13, 40, 70, 500]) {
      for (const text of ['\uFFFD' + '中'.repeat(length), 'a'.repeat(length) + '\uFFFD', '\uFEFF' + 'b'.repeat(length) + 'é']) {
        const input = wire().delimited(9, new TextEncoder().encode(text)).build();
        expect(scalars.decode(input).fString).toBe(text);
      }
    }
  });

  it('decode any text as TextEncoder encoded it, up to 2,000 chars', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 10, maxLength: 2000 }), (text) => {
        expect(scalars.decode(wire().delimited(9, new TextEncoder().encode(text)).build()).fString).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('encode any text as TextEncoder does, whatever its length and the width of its prefix', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.constantFrom('é'.repeat(70), '€'.repeat(50), '😀'.repeat(40))), (text) => {
        const expected = wire().delimited(9, new TextEncoder().encode(text)).build();
        // An empty proto3 string is not written at all, so only non-empty ones compare.
        if (text !== '') expect(scalars.encode({ fString: text })).toEqual(expected);
        expect(scalars.decode(expected).fString).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('encode one non-ASCII char at every place of every length up to 70 as TextEncoder does', () => {
    // The writer stores chars as bytes four at a time and only afterwards sees one was not ASCII.
    for (const odd of ['\u0080', '\u00ff', '\u0100', '\u0441', '\u20ac', '\ud83d\ude00']) {
      for (let length = 1; length <= 70; length++) {
        for (let at = 0; at < length; at++) {
          const text = 'a'.repeat(at) + odd + 'b'.repeat(length - at - 1);
          expect(scalars.encode({ fString: text })).toEqual(wire().delimited(9, new TextEncoder().encode(text)).build());
        }
      }
    }
  });

  it('reject a lone surrogate at every place of every length up to 70', () => {
    for (const lone of ['\ud800', '\udfff']) {
      for (let length = 1; length <= 70; length++) {
        for (let at = 0; at < length; at++) {
          const text = 'a'.repeat(at) + lone + 'b'.repeat(length - at - 1);
          expect(() => scalars.encode({ fString: text })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'fString' }));
        }
      }
    }
  });

  // Mixed text as production writes it: ASCII runs, Chinese, two-byte letters, emoji pairs and
  // now and then a lone surrogate, at lengths around the 43-char line between the in-place writer
  // (ASCII prefix, then UTF-8 from the first group that is not ASCII) and Node's native writer.
  const piece = fc.oneof(
    fc.string({ unit: 'grapheme-ascii', maxLength: 9 }),
    fc.string({ unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
    fc.constantFrom('é', 'ж', '€', '，', '😀', '🎉', '\u0080', '\u07ff', '\u0800', '\uffff', '\ud800', '\udfff'),
  );
  const mixedText = fc.array(piece, { maxLength: 16 }).map((parts) => parts.join(''));

  it('encode mixed Chinese, ASCII and emoji text as TextEncoder does, and refuse lone surrogates, at every length to 100', () => {
    fc.assert(
      fc.property(mixedText, (text) => {
        if (text === '') return;
        if (!hasUtf8Form(text)) {
          expect(() => scalars.encode({ fString: text })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'fString' }));
          return;
        }
        const expected = wire().delimited(9, new TextEncoder().encode(text)).build();
        expect(scalars.encode({ fString: text })).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('encode Chinese text at every length from 1 to 90 chars, after every ASCII prefix to 9 chars', () => {
    // 42 chars is the longest the in-place writer takes (126 bytes, a one-byte prefix); 43 goes native.
    for (let length = 1; length <= 90; length++) {
      const chinese = Array.from({ length }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919 + length) % 20902))).join('');
      for (let ascii = 0; ascii <= 9; ascii++) {
        const text = 'x'.repeat(ascii) + chinese.slice(ascii);
        expect(scalars.encode({ fString: text })).toEqual(wire().delimited(9, new TextEncoder().encode(text)).build());
      }
    }
  });

  it('round-trip ASCII of every length from 0 to 100', () => {
    for (let length = 0; length <= 100; length++) {
      const text = Array.from({ length }, (_, i) => String.fromCharCode(32 + ((i * 7) % 95))).join('');
      expect(scalars.decode(scalars.encode({ fString: text })).fString).toBe(text);
    }
  });
});

describe('ASCII strings cut from a window of the input', () => {
  const repeated = root.codec('heddle.test.v1.Repeated');
  const ascii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
  const mixed = fc.oneof(ascii, ascii, fc.string({ unit: 'grapheme', maxLength: 30 }));

  it('decode every string of a message as TextEncoder encoded it, whatever its length and neighbours', () => {
    fc.assert(
      fc.property(fc.array(mixed, { maxLength: 40 }), (texts) => {
        const input = repeated.encode({ rString: texts });
        expect(repeated.decode(input).rString).toEqual(texts);
        // The same strings again: the short ones may now come from the cache.
        expect(repeated.decode(input).rString).toEqual(texts);
      }),
      { numRuns: 500 },
    );
  });

  it('decode the bytes an input holds now, when the caller changed them after the last decode', () => {
    const first = Array.from({ length: 30 }, (_, i) => `${'a'.repeat(9 + i)}`);
    const second = first.map((t) => t.replace(/a/g, 'z'));
    const input = repeated.encode({ rString: first });
    expect(repeated.decode(input).rString).toEqual(first);
    // Same lengths, so the new bytes overwrite the old ones in place.
    input.set(repeated.encode({ rString: second }));
    expect(repeated.decode(input).rString).toEqual(second);
  });

  it('decode the next message right after one that failed midway', () => {
    const texts = Array.from({ length: 10 }, (_, i) => `string number ${i} of the message`);
    const good = repeated.encode({ rString: texts });
    const broken = new Uint8Array([...good, 0x4a, 0x05, 0x41]);
    expect(() => repeated.decode(broken)).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED' }));
    good.set(repeated.encode({ rString: texts.map((t) => t.toUpperCase()) }));
    expect(repeated.decode(good).rString).toEqual(texts.map((t) => t.toUpperCase()));
  });
});

describe('bytes', () => {
  it('encode every length from 0 to 300, from Uint8Arrays, Buffers and offset views alike', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
      // An empty proto3 bytes field is not written at all.
      const expected = length === 0 ? new Uint8Array(0) : wire().delimited(10, bytes).build();
      const inLarger = new Uint8Array(length + 9);
      inLarger.set(bytes, 5);
      for (const input of [bytes, Buffer.from(bytes), inLarger.subarray(5, 5 + length)]) {
        expect(scalars.encode({ fBytes: input })).toEqual(expected);
      }
      // After a long string, so the field starts at a scratch offset that is not a multiple of 4.
      const afterString = scalars.encode({ fString: 'x'.repeat(length + 1), fBytes: bytes });
      expect(afterString.subarray(afterString.length - expected.length)).toEqual(expected);
    }
  });
});

describe('TypedArrays', () => {
  const repeated = root.codec('heddle.test.v1.Repeated');
  const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

  it('encode to the same bytes as arrays of the same values, at every length', () => {
    fc.assert(
      fc.property(
        fc.array(int32, { maxLength: 300 }), fc.array(int64, { maxLength: 300 }), fc.array(fc.double(), { maxLength: 50 }),
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 50 }),
        (ints, longs, doubles, ulongs) => {
          const small = ints.map((i) => i & 0x3f);
          const asArrays = { rInt32: ints, rSint32: small, rInt64: longs, rSint64: longs, rDouble: doubles, rUint64: ulongs, rSfixed64: longs };
          const asTyped = {
            rInt32: Int32Array.from(ints), rSint32: Int32Array.from(small), rInt64: BigInt64Array.from(longs), rSint64: BigInt64Array.from(longs),
            rDouble: Float64Array.from(doubles), rUint64: BigUint64Array.from(ulongs), rSfixed64: BigInt64Array.from(longs),
          };
          const bytes = repeated.encode(asArrays);
          expect(repeated.encode(asTyped)).toEqual(bytes);
          expect(root.codec('heddle.test.v1.Repeated', { typedArrays: true }).decode(bytes)).toMatchObject(asTyped);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('packed fixed-width runs into plain arrays', () => {
  const repeated = root.codec('heddle.test.v1.Repeated');
  const f32 = (x: number) => Math.fround(x);

  it('decode the same values below and above the kernel threshold, and across split runs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double(), { maxLength: 70, size: 'max' }),
        fc.array(fc.float(), { maxLength: 70, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 70, size: 'max' }),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 70, size: 'max' }),
        fc.nat(70),
        (doubles, floats, unsigned, signed, cut) => {
          const value = { rDouble: doubles, rFloat: floats.map(f32), rFixed32: unsigned, rSfixed32: signed };
          const bytes = repeated.encode(value);
          const decoded = repeated.decode(bytes);
          expect(decoded).toMatchObject(value);
          expect(Array.isArray(decoded.rDouble)).toBe(true);
          // Two messages back to back merge: each repeated field is the first run then the second,
          // whether either run is long (kernel) or short (loop), and after a lone unpacked element.
          const head = { rDouble: doubles.slice(0, cut), rFloat: floats.slice(0, cut).map(f32), rFixed32: unsigned.slice(0, cut), rSfixed32: signed.slice(0, cut) };
          const tail = { rDouble: doubles.slice(cut), rFloat: floats.slice(cut).map(f32), rFixed32: unsigned.slice(cut), rSfixed32: signed.slice(cut) };
          const lone = wire().tag(1, 1).double(0.5).build();
          const merged = repeated.decode(Buffer.concat([lone, repeated.encode(head), repeated.encode(tail)]));
          expect(merged).toMatchObject({ ...value, rDouble: [0.5, ...doubles] });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('pooled byte arrays', () => {
  it('are independent copies: changing one changes neither the input nor other results', () => {
    const input = wire().delimited(10, new Uint8Array([1, 2, 3])).build();
    const a = scalars.decode(input).fBytes as Uint8Array;
    const b = scalars.decode(input).fBytes as Uint8Array;
    a[0] = 99;
    expect(b[0]).toBe(1);
    expect(input[2]).toBe(1);
    const encoded = scalars.encode({ fInt32: 5 });
    const again = scalars.encode({ fInt32: 6 });
    expect(encoded).toEqual(wire().tag(5, 0).varint(5).build());
    expect(again).toEqual(wire().tag(5, 0).varint(6).build());
  });

  it('are plain Uint8Array copies of every length, from plain arrays and Buffers alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.boolean(), (bytes, asBuffer) => {
        const built = wire().delimited(10, bytes).build();
        const input = asBuffer ? Buffer.from(built) : built;
        const decoded = scalars.decode(input).fBytes as Uint8Array;
        expect(decoded.constructor).toBe(Uint8Array);
        expect([...decoded]).toEqual([...bytes]);
        if (bytes.length > 0) {
          decoded[0] = decoded[0]! ^ 0xff;
          expect(input[input.length - bytes.length]).toBe(bytes[0]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('stay intact while thousands more are encoded, through scratch buffer turnover and growth', () => {
    // Results are carved from shared slabs (or sliced): later messages must never land on them.
    const kept: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 3000; i++) {
      const size = i % 50 === 0 ? 3000 + (i % 7) * 1000 : (i * 37) % 300;
      const bytes = new Uint8Array(size).fill(i & 0xff);
      kept.push([bytes, scalars.encode({ fInt32: i, fBytes: bytes })]);
    }
    kept.forEach(([bytes, encoded], i) => {
      const decoded = scalars.decode(encoded);
      expect(decoded.fInt32).toBe(i);
      expect(decoded.fBytes).toEqual(bytes);
    });
  });

  it('large results get their own memory', () => {
    const big = new Uint8Array(100_000).fill(7);
    const encoded = scalars.encode({ fBytes: big });
    expect(encoded.byteOffset).toBe(0);
    expect(encoded.buffer.byteLength).toBe(encoded.length);
    expect(scalars.decode(encoded).fBytes).toEqual(big);
  });
});

describe('64-bit values as decimal text', () => {
  const asText = root.codec('heddle.test.v1.Scalars', { int64: 'string' });
  const maps = protobuf.parse('syntax = "proto3"; message M { map<int64, string> byId = 1; map<fixed64, int32> byFixed = 2; }', { filename: 'm.proto' });
  const mapCodec = maps.codec('M');

  it('read the same text as BigInt formatting, however values collide in the text cache', () => {
    // Values a multiple of 256 apart in the low half, and equal low halves with other high halves,
    // land in the same slot of the cache; each must still read as itself.
    const int64 = fc.oneof(
      fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
      fc.integer({ min: 0, max: 64 }).map((k) => 1_000_000_000_000n + BigInt(k) * 256n),
      fc.integer({ min: 0, max: 64 }).map((k) => (BigInt(k) << 32n) | 77n),
    );
    fc.assert(
      fc.property(fc.array(int64, { minLength: 1, maxLength: 40 }), (values) => {
        for (const value of values) {
          expect(asText.decode(scalars.encode({ fInt64: value })).fInt64).toBe(value.toString());
          expect(asText.decode(scalars.encode({ fSint64: value })).fSint64).toBe(value.toString());
        }
      }),
      { numRuns: 300 },
    );
  });

  it('map keys above 2^32 decode to their own text, from one message to the next', () => {
    for (let round = 0; round < 3; round++) {
      const byId = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [String(1_000_000_000_000 + i * 256 + round), `v${i}`]));
      const byFixed = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [String((BigInt(i) << 32n) + 5n), i]));
      const decoded = mapCodec.decode(mapCodec.encode({ byId, byFixed }));
      expect(decoded).toEqual({ byId, byFixed });
      expect(Object.getPrototypeOf(decoded.byId)).toBe(Object.prototype);
    }
  });
});

describe('map objects', () => {
  const maps = protobuf.parse('syntax = "proto3"; message M { map<string, int32> counts = 1; }', { filename: 'counts.proto' });
  const codec = maps.codec('M');

  it('encode own enumerable entries only, not what the prototype chain or symbols carry', () => {
    const counts = Object.create({ inherited: 9 }) as Record<string, number>;
    counts.b = 2;
    counts.a = 1;
    counts['10'] = 10;
    Object.defineProperty(counts, 'hidden', { value: 5, enumerable: false });
    (counts as Record<symbol, number>)[Symbol('s')] = 3;
    const bytes = codec.encode({ counts });
    expect(codec.decode(bytes)).toEqual({ counts: { 10: 10, b: 2, a: 1 } });
    // The entries, in the order Object.keys gives: integer-like keys ascending, then insertion order.
    const entry = (key: string, value: number) => [0x0a, 4 + key.length, 0x0a, key.length, ...Buffer.from(key), 0x10, value];
    expect([...bytes]).toEqual([...entry('10', 10), ...entry('b', 2), ...entry('a', 1)]);
  });

  // Encoders walk string and bool keys with for-in, 32-bit keys with Object.keys and 64-bit keys
  // with Object.entries: each must see the same own enumerable entries, values read through getters.
  it.each([
    ['int32', ['-7', '0', '5', '2147483647']],
    ['uint32', ['0', '7', '4294967295']],
    ['sint32', ['-2147483648', '3']],
    ['fixed32', ['1', '300']],
    ['int64', ['-9223372036854775808', '-1', '0', '7', '4294967296', '1000000000123']],
    ['uint64', ['0', '18446744073709551615', '1000000000123']],
    ['sint64', ['-1000000000123', '12']],
    ['fixed64', ['5', '1000000000123']],
    ['bool', ['true', 'false']],
    ['string', ['', 'a', '7', '1000000000123']],
  ])('with %s keys, encode own enumerable entries only, values read through getters', (keyType, keys) => {
    const schema = protobuf.parse(`syntax = "proto3"; message M { map<${keyType}, int32> m = 1; }`, { filename: `${keyType}-keys.proto` });
    const keyed = schema.codec('M');
    const map = Object.create({ 99: 1, inherited: 2 }) as Record<string, number>;
    keys.forEach((key, i) => {
      if (i === 0) Object.defineProperty(map, key, { get: () => 100, enumerable: true });
      else map[key] = i;
    });
    Object.defineProperty(map, '12345', { value: 5, enumerable: false });
    (map as Record<symbol, number>)[Symbol('s')] = 3;
    const expected = Object.fromEntries(Object.keys(map).map((key) => [key, map[key]]));
    expect(Object.keys(expected)).toHaveLength(keys.length);
    // Inherited, non-enumerable and symbol-keyed entries would show here, or fail as bad keys.
    expect(keyed.decode(keyed.encode({ m: map })).m).toEqual(expected);

    // An entry that a getter deletes before the walk reaches it is not written, as for-in would not.
    const [first, second] = keys;
    const shrinking: Record<string, number> = {};
    Object.defineProperty(shrinking, first!, { enumerable: true, configurable: true, get: () => (delete shrinking[second!], 5) });
    shrinking[second!] = 7;
    // Integer-like keys come in ascending order, so the other entry may be read before the getter runs.
    const getterFirst = Object.keys(shrinking)[0] === first;
    expect(keyed.decode(keyed.encode({ m: shrinking })).m).toEqual(getterFirst ? { [first!]: 5 } : { [second!]: 7, [first!]: 5 });
  });
});

describe('int64 varints of two and three bytes, assembled inline', () => {
  const repeated = root.codec('heddle.test.v1.Repeated');
  const edges = [0n, 1n, 127n, 128n, 129n, 16383n, 16384n, 16385n, 2097151n, 2097152n, 2097153n, 268435455n, 268435456n, 2n ** 53n + 1n, 2n ** 63n - 1n, -1n, -128n, -2097152n, -(2n ** 63n)];

  it('decode every value at the one-, two-, three- and four-byte edges exactly, singular and packed', () => {
    for (const value of edges) {
      expect(scalars.decode(wire().tag(3, 0).varint(value).build()).fInt64).toBe(value);
      expect(scalars.decode(wire().tag(4, 0).varint(value).build()).fUint64).toBe(BigInt.asUintN(64, value));
    }
    const packed = wire();
    for (const value of edges) packed.varint(value);
    expect(repeated.decode(wire().delimited(3, packed).build()).rInt64).toEqual(edges);
    expect(repeated.decode(wire().delimited(4, packed).build()).rUint64).toEqual(edges.map((v) => BigInt.asUintN(64, v)));
  });

  it('encode every value at the one-, two-, three- and four-byte edges to the exact varint, singular and packed', () => {
    // Encoders write bigints under 2^21 inline, longer ones through writeVarint32/writeVarint64.
    for (const value of edges) {
      expect(scalars.encode({ fInt64: value })).toEqual(value === 0n ? new Uint8Array(0) : wire().tag(3, 0).varint(value).build());
      const unsigned = BigInt.asUintN(64, value);
      expect(scalars.encode({ fUint64: unsigned })).toEqual(value === 0n ? new Uint8Array(0) : wire().tag(4, 0).varint(unsigned).build());
    }
    const packed = wire();
    for (const value of edges) packed.varint(value);
    expect(repeated.encode({ rInt64: edges })).toEqual(wire().delimited(3, packed).build());
    expect(repeated.encode({ rUint64: edges.map((v) => BigInt.asUintN(64, v)) })).toEqual(wire().delimited(4, packed).build());
  });

  it('decode any int64 list as the encoder wrote it', () => {
    const small = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 22n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
    fc.assert(
      fc.property(fc.array(small, { maxLength: 200 }), (values) => {
        expect(repeated.decode(repeated.encode({ rInt64: values })).rInt64).toEqual(values);
      }),
      { numRuns: 500 },
    );
  });

  it('decode the same edges as decimal text (int64: string; one-byte values come from a table)', () => {
    const asText = root.codec('heddle.test.v1.Scalars', { int64: 'string' });
    const repeatedText = root.codec('heddle.test.v1.Repeated', { int64: 'string' });
    for (const value of edges) {
      expect(asText.decode(wire().tag(3, 0).varint(value).build()).fInt64).toBe(value.toString());
      expect(asText.decode(wire().tag(4, 0).varint(value).build()).fUint64).toBe(BigInt.asUintN(64, value).toString());
    }
    const packed = wire();
    for (const value of edges) packed.varint(value);
    expect(repeatedText.decode(wire().delimited(3, packed).build()).rInt64).toEqual(edges.map(String));
  });

  it('read non-minimal forms (0x80 0x00, 0x81 0x80 0x00) as the values they spell', () => {
    expect(scalars.decode(wire().tag(3, 0).raw(0x80, 0x00).build()).fInt64).toBe(0n);
    expect(scalars.decode(wire().tag(3, 0).raw(0x81, 0x80, 0x00).build()).fInt64).toBe(1n);
  });

  it('refuse a varint cut off by the end of the input or of its packed run: ERR_TRUNCATED, not a value', () => {
    expect(() => scalars.decode(wire().tag(3, 0).raw(0x80).build())).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED' }));
    expect(() => scalars.decode(wire().tag(3, 0).raw(0x80, 0x80).build())).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED' }));
    // A packed run whose last varint continues past the run's length, into the next field's bytes.
    const cut = wire().tag(3, 2).varint(2).raw(0x05, 0x80).tag(5, 0).varint(1).build();
    expect(() => repeated.decode(cut)).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED' }));
    // A singular int64 whose varint continues into the bytes after the message it is nested in.
    const nested = wire().delimited(19, wire().tag(3, 0).raw(0x81)).tag(5, 0).varint(1).build();
    expect(() => repeated.decode(nested)).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED' }));
  });
});

describe('encodeView', () => {
  it('gives the bytes encode() gives, as a view the next encode overwrites', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer(), (text, n) => {
        const value = { fString: text, fInt32: n };
        const expected = Buffer.from(scalars.encode(value));
        const view = scalars.encodeView(value);
        expect(Buffer.from(view).equals(expected)).toBe(true);
        expect(scalars.decode(view)).toEqual(scalars.decode(expected));
      }),
    );
    const first = scalars.encodeView({ fString: 'first' });
    const firstBytes = Buffer.from(first);
    scalars.encode({ fString: 'second' });
    // The scratch buffer is shared: a caller that keeps a view past the next encode reads other bytes.
    expect(Buffer.from(first).equals(firstBytes)).toBe(false);
  });

  it('hands a scratch buffer one huge message grew to the caller instead of keeping it', () => {
    const huge = { fString: 'x'.repeat(5 * 1024 * 1024) };
    const view = scalars.encodeView(huge);
    const small = scalars.encodeView({ fString: 'small' });
    // The huge encoding is no longer the scratch: the next encode wrote elsewhere.
    expect(view.buffer).not.toBe(small.buffer);
    expect(view.buffer.byteLength).toBeGreaterThan(5 * 1024 * 1024);
    expect(small.buffer.byteLength).toBeLessThanOrEqual(64 * 1024);
    expect(scalars.decode(view)).toEqual(scalars.decode(scalars.encode(huge)));
  });

  it('fails as encode() does, with the field named', () => {
    expect(() => scalars.encodeView({ fInt32: 'seven' } as never)).toThrow(/fInt32/);
    expect(() => scalars.encodeView(null as never)).toThrow(/expects a message object/);
  });
});

describe('decoded strings keep nothing of the input alive', () => {
  // Short ASCII strings may be cut from a window (a Latin-1 copy of up to 8 KiB of the input);
  // a cut of 13 characters or more would be a V8 slice keeping its whole window alive. Ids kept
  // from thousands of large messages must cost their own bytes, not a window each.
  it('4,000 kept 21-character ids from 6 KB messages hold well under a window each', async () => {
    const schema = protobuf.parse('syntax = "proto3"; message M { string first = 1; string id = 2; bytes blob = 3; }', { filename: 'kept-ids.proto' });
    const codec = schema.codec('M');
    const blob = new Uint8Array(6000).fill(7);
    // The first string (10 characters, never repeated) is made alone; the id after it would be
    // cut from a window of the rest of the input.
    const inputs = Array.from({ length: 4000 }, (_, i) => codec.encode({ first: `f-${String(i).padStart(8, '0')}`, id: `order-${String(i).padStart(15, '0')}`, blob }));
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // The windows are strings, on this isolate's V8 heap. Two full collections a turn apart: the
    // second finishes the first one's sweeping, which may lag on a loaded machine and would count
    // garbage as used.
    const footprint = async () => {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
      gc();
      return getHeapStatistics().used_heap_size;
    };
    for (const bytes of inputs) codec.decode(bytes);
    const before = await footprint();
    const kept = inputs.map((bytes) => (codec.decode(bytes) as { id: string }).id);
    const grown = (await footprint()) - before;
    expect(kept[3999]).toBe(`order-${String(3999).padStart(15, '0')}`);
    // Windows would hold about 4,000 x 6 KB = 24 MB; the ids themselves about 200 KB.
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });
});
