// fast-check generators shared by the kernel tests.
import fc from 'fast-check';

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
// Values of every varint length: small magnitudes are much more common on the wire.
export const int64Mixed = fc.oneof(fc.bigInt({ min: -300n, max: 300n }), int64, fc.integer({ min: 0, max: 62 }).map((k) => 2n ** BigInt(k) - 1n));
export const int32Mixed = fc.oneof(fc.integer({ min: -300, max: 300 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));

// Bytes where continuation bytes dominate, so long and unterminated varints are common.
export const continuationHeavyBytes = fc
  .array(fc.oneof({ arbitrary: fc.integer({ min: 0x80, max: 0xff }), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 0xff }), weight: 1 }), { maxLength: 80 })
  .map((bytes) => Uint8Array.from(bytes));

// Bytes near the edges of the UTF-8 tables: lead bytes, continuation bytes, ASCII.
const edgyByte = fc.oneof(
  fc.constantFrom(0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xee, 0xef, 0xf0, 0xf4, 0xf5, 0xff),
  fc.integer({ min: 0, max: 255 }),
);
/** Mostly valid text with the odd edgy byte spliced in, so errors land at every position. */
export const utf8ish = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 60 }), fc.array(fc.tuple(fc.nat(), edgyByte), { maxLength: 3 }))
  .map(([text, splices]) => {
    const bytes = [...Buffer.from(text, 'utf8')];
    for (const [at, byte] of splices) bytes.splice(bytes.length === 0 ? 0 : at % (bytes.length + 1), 0, byte);
    return Uint8Array.from(bytes);
  });
