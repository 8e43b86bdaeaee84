// The short-ASCII string cache hands back exactly the string the bytes spell, whatever was cached
// in the slot before: same length and same leading words but a different tail, lengths on and
// off word boundaries, and thousands of strings colliding in 4096 slots.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cachedAscii, CACHED_ASCII_BYTES } from '../../src-ts/text/short-ascii-cache.js';

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('cachedAscii', () => {
  it('spells the bytes, or answers undefined when one is not ASCII, at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: CACHED_ASCII_BYTES }), fc.nat(7), fc.boolean(), (bytes, offset, ascii) => {
        const body = ascii ? bytes.map((b) => b & 0x7f) : bytes;
        const input = new Uint8Array(offset + body.length + 3).fill(0x41);
        input.set(body, offset);
        const expected = body.every((b) => b < 0x80) ? latin1(body) : undefined;
        for (let round = 0; round < 2; round++) expect(cachedAscii(input, offset, offset + body.length)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('tells apart strings that differ only in their last bytes or in length', () => {
    for (let length = 1; length <= CACHED_ASCII_BYTES; length++) {
      const base = new Uint8Array(length).fill(0x61);
      const other = base.slice();
      other[length - 1] = 0x62;
      for (let round = 0; round < 3; round++) {
        expect(cachedAscii(base, 0, length)).toBe('a'.repeat(length));
        expect(cachedAscii(other, 0, length)).toBe('a'.repeat(length - 1) + 'b');
        // A prefix of the same bytes: same words, shorter length.
        expect(cachedAscii(base, 0, length - 1)).toBe('a'.repeat(length - 1));
      }
    }
  });

  it('stays right when many more strings than slots evict each other', () => {
    const strings = Array.from({ length: 20_000 }, (_, i) => `k${(i * 2654435761) >>> 0}-${i % 97}`.slice(0, 1 + (i % CACHED_ASCII_BYTES)));
    const encoded = strings.map((s) => new TextEncoder().encode(s));
    for (let round = 0; round < 2; round++) {
      strings.forEach((s, i) => expect(cachedAscii(encoded[i]!, 0, encoded[i]!.length)).toBe(s));
    }
  });
});
