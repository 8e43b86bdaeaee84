// Codec.decodeFrom on messages spread over several LinkBuffer pieces (slabs): the decoders read
// across the boundaries in place. Differential: whatever the split, the value, or the error (code,
// path, offset, message), is exactly what decode() gives for the same bytes in one piece.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/index.js';
import { HeddleError } from '../../src-ts/errors.js';
import { parse, type Codec } from '../../src-ts/thrift/index.js';
import { everything, fixtureDoc, PROTOCOLS } from './fixtures.js';
import { type PeerLimits, schemaArbitrary, valueArbitrary } from './peers/random-schema.js';

const SEED = Number(process.env.HEDDLE_FC_SEED ?? 20261121);

/** A LinkBuffer whose readable bytes are `bytes` cut at `cuts`, each piece its own memory. */
function inPieces(bytes: Uint8Array, cuts: readonly number[]): { input: LinkBuffer; pieces: Uint8Array[] } {
  const ends = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  ends.push(bytes.length);
  const input = new LinkBuffer();
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const end of ends) {
    if (end <= from) continue;
    const piece = bytes.slice(from, end);
    pieces.push(piece);
    input.append(LinkBuffer.from(piece));
    from = end;
  }
  input.flush();
  expect(input.readableViews(input.length).length).toBe(pieces.length);
  return { input, pieces };
}

type Outcome = { value: unknown } | { code: string; path: string | undefined; offset: number | undefined; message: string };

function outcome(run: () => unknown): Outcome {
  try {
    return { value: run() };
  } catch (error) {
    if (!(error instanceof HeddleError)) throw error;
    return { code: error.code, path: error.path, offset: error.offset, message: error.message };
  }
}

/** Decodes `bytes` whole and in pieces cut at `cuts`, expecting the same outcome; returns it. */
function expectSameInPieces(codec: Codec, bytes: Uint8Array, cuts: readonly number[]): Outcome {
  const whole = outcome(() => codec.decode(bytes));
  const { input } = inPieces(bytes, cuts);
  const pieces = outcome(() => codec.decodeFrom(input));
  expect(pieces).toEqual(whole);
  // A decoded message is consumed; a failed one is left in the buffer.
  expect(input.length).toBe('value' in whole ? 0 : bytes.length);
  return whole;
}

const cutsOf = (length: number) => fc.array(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 12 });

describe.each(PROTOCOLS)('%s decodeFrom across pieces', (protocol) => {
  const doc = fixtureDoc();

  describe.each([false, true])('typedArrays %s', (typedArrays) => {
    const codec = doc.codec('Everything', { protocol, typedArrays });
    const bytes = codec.encode(everything());

    test('every two-piece split and one byte per piece give the value decode() gives', () => {
      for (let cut = 1; cut < bytes.length; cut++) expectSameInPieces(codec, bytes, [cut]);
      const all = Array.from({ length: bytes.length }, (_, k) => k);
      expect('value' in expectSameInPieces(codec, bytes, all)).toBe(true);
    });

    test('every truncation, split anywhere, fails as decode() does', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.array(fc.nat(), { maxLength: 6 }), (length, cuts) => {
          const outcomeInPieces = expectSameInPieces(codec, bytes.subarray(0, length), cuts.map((c) => 1 + (c % Math.max(1, length))));
          expect('code' in outcomeInPieces).toBe(true);
        }),
        { seed: SEED, numRuns: 300 },
      );
    });

    test('corrupted bytes, split anywhere, give what decode() gives', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
          cutsOf(bytes.length),
          (edits, cuts) => {
            const corrupt = bytes.slice();
            for (const [at, byte] of edits) corrupt[at] = byte;
            expectSameInPieces(codec, corrupt, cuts);
          },
        ),
        { seed: SEED, numRuns: 400 },
      );
    });
  });

  test('unknown fields are skipped across pieces', () => {
    const bytes = doc.codec('Everything', { protocol }).encode(everything());
    const narrow = doc.codec('Narrow', { protocol });
    for (let cut = 1; cut < bytes.length; cut += 3) {
      expect(expectSameInPieces(narrow, bytes, [cut, cut + 5, cut + 11])).toEqual({ value: { must: 'required' } });
    }
  });

  test('a binary value inside one piece is a view of it; one across pieces is copied alone', () => {
    const blobs = parse('struct Blobs { 1: binary a, 2: string s, 3: binary b }', { filename: 'blobs.thrift' });
    const codec = blobs.codec('Blobs', { protocol });
    const value = { a: new Uint8Array(50_000).fill(7), s: 'x'.repeat(30_000) + 'é', b: new Uint8Array(70_000).fill(9) };
    const bytes = codec.encode(value);
    // Cut inside the string and inside b; a lies whole in the first piece.
    const { input, pieces } = inPieces(bytes, [60_000, 100_000]);
    const decoded = codec.decodeFrom(input) as typeof value;
    expect(decoded).toEqual(value);
    expect(decoded.a.buffer).toBe(pieces[0]!.buffer);
    expect(pieces.some((piece) => piece.buffer === decoded.b.buffer)).toBe(false);
    expect(decoded.b.byteLength).toBe(70_000);
  });

  test('a large TypedArray list across many pieces', () => {
    const lists = parse('struct Lists { 1: list<i64> longs, 2: list<i32> ints, 3: list<i16> shorts, 4: list<double> reals, 5: list<i8> tiny }', {
      filename: 'lists.thrift',
    });
    const codec = lists.codec('Lists', { protocol, typedArrays: true });
    const n = 20_000;
    const value = {
      longs: BigInt64Array.from({ length: n }, (_, k) => (BigInt(k) * 0x1_0000_0001n * (k % 3 === 0 ? -1n : 1n)) >> BigInt(k % 40)),
      ints: Int32Array.from({ length: n }, (_, k) => (k * 2_654_435_761) | 0),
      shorts: Int16Array.from({ length: n }, (_, k) => (k * 37) << 16 >> 16),
      reals: Float64Array.from({ length: n }, (_, k) => k / 7),
      tiny: Int8Array.from({ length: n }, (_, k) => k << 24 >> 24),
    };
    const bytes = codec.encode(value);
    const cuts = Array.from({ length: 40 }, (_, k) => Math.floor((bytes.length * (k + 1)) / 41) + (k % 7));
    expect(expectSameInPieces(codec, bytes, cuts)).toEqual({ value });
  });

  test('decodes random schemas and values the same whole and in pieces', () => {
    const limits: PeerLimits = {
      mapKeys: ['string', 'binary', 'bool', 'i8', 'i16', 'i32', 'i64', 'double', 'enum', 'uuid'],
      setElements: ['string', 'binary', 'bool', 'i8', 'i16', 'i32', 'i64', 'double', 'enum', 'uuid'],
      maxSetSize: 4,
      maxMapSize: 4,
      negativeZero: true,
    };
    const schema = fc.sample(schemaArbitrary(8, limits), { seed: SEED, numRuns: 1 })[0]!;
    const random = parse(schema.idl, { filename: schema.filename });
    schema.structs.forEach((struct, k) => {
      for (const typedArrays of [false, true]) {
        const codec = random.codec(struct.name, { protocol, typedArrays });
        fc.assert(
          fc.property(valueArbitrary(schema, struct.name, limits), fc.array(fc.nat(), { maxLength: 10 }), (value, cuts) => {
            const bytes = codec.encode(value);
            expectSameInPieces(codec, bytes, cuts.map((c) => 1 + (c % Math.max(1, bytes.length))));
          }),
          { seed: SEED + k, numRuns: 40 },
        );
      }
    });
  });
});

test('decodeFrom refuses a message over maxSize before reading it', () => {
  const doc = fixtureDoc();
  const { input } = inPieces(doc.codec('Everything').encode(everything()), [5, 9]);
  const small = doc.codec('Everything', { maxSize: 16 });
  expect(() => small.decodeFrom(input)).toThrow(expect.objectContaining({ code: 'ERR_SIZE_LIMIT', offset: 0 }));
  expect(input.length).toBeGreaterThan(16);
});
