// The short-ASCII string cache hands back exactly the string the bytes spell, whatever was cached
// in the slot before: same length and same leading words but a different tail, lengths on and
// off word boundaries, and thousands of strings colliding in 4096 slots. It keeps a string only
// once it has come twice, so a stream that never repeats leaves nothing for the GC to copy.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { validateUtf8 } from '../../src-ts/kernels/utf8.js';
import { HeddleError } from '../../src-ts/errors.js';
import { cacheMisses, cachedAscii, cachedText, CACHED_ASCII_BYTES } from '../../src-ts/text/short-ascii-cache.js';

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

  it('keeps strings that differ in one byte, at any place, in slots of their own', () => {
    // Map keys such as simple-0 ... simple-9 differ in one byte. The old hash lost a difference in
    // the top byte of any word (every position 4k + 3), so those ten took one slot and evicted each
    // other on every lookup. Ten strings in 4096 slots may still meet by chance now and then, so
    // this allows two lost a group and one group in twenty with a loss.
    let groupsWithLoss = 0;
    let groups = 0;
    for (let length = 1; length <= CACHED_ASCII_BYTES; length++) {
      for (let place = 0; place < length; place++) {
        const group = Array.from({ length: 10 }, (_, digit) => {
          const bytes = new Uint8Array(length).fill(0x78);
          bytes[place] = 0x30 + digit;
          return bytes;
        });
        // Twice: a string is stored on its second miss in its slot.
        for (let pass = 0; pass < 2; pass++) for (const bytes of group) cachedAscii(bytes, 0, length);
        const before = cacheMisses();
        group.forEach((bytes, digit) => expect(cachedAscii(bytes, 0, length)).toBe('x'.repeat(place) + digit + 'x'.repeat(length - place - 1)));
        const kept = 10 - (cacheMisses() - before);
        expect(kept, `length ${length}, byte ${place}`).toBeGreaterThanOrEqual(8);
        groups++;
        if (kept < 10) groupsWithLoss++;
      }
    }
    expect(groupsWithLoss).toBeLessThanOrEqual(groups / 20);
  });

  it('stays right when many more strings than slots evict each other', () => {
    const strings = Array.from({ length: 20_000 }, (_, i) => `k${(i * 2654435761) >>> 0}-${i % 97}`.slice(0, 1 + (i % CACHED_ASCII_BYTES)));
    const encoded = strings.map((s) => new TextEncoder().encode(s));
    for (let round = 0; round < 2; round++) {
      strings.forEach((s, i) => expect(cachedAscii(encoded[i]!, 0, encoded[i]!.length)).toBe(s));
    }
  });
});

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** What cachedText gives for src[start, end): the string, or the offset its ERR_BAD_VALUE names. */
function outcome(src: Uint8Array, start: number, end: number): string | number {
  try {
    return cachedText(src, start, end);
  } catch (error) {
    expect(error).toBeInstanceOf(HeddleError);
    expect((error as HeddleError).code).toBe('ERR_BAD_VALUE');
    return (error as HeddleError).offset!;
  }
}

describe('cachedText', () => {
  it('decodes short text strictly, as TextDecoder {fatal: true}, the first time and from the cache', () => {
    const chars = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x4e00, max: 0x9fa5 }), fc.integer({ min: 0x80, max: 0x7ff }), fc.integer({ min: 0x10000, max: 0x10ffff }));
    const bytes = fc.oneof(
      fc.array(chars, { maxLength: 12 }).map((points) => new TextEncoder().encode(String.fromCodePoint(...points)).subarray(0, CACHED_ASCII_BYTES)),
      fc.uint8Array({ maxLength: CACHED_ASCII_BYTES }),
    );
    fc.assert(
      fc.property(bytes, fc.nat(7), (body, offset) => {
        const input = new Uint8Array(offset + body.length + 3).fill(0x41);
        input.set(body, offset);
        const invalidAt = validateUtf8(input, offset, offset + body.length);
        const expected = invalidAt === -1 ? fatal.decode(body) : invalidAt;
        for (let round = 0; round < 3; round++) expect(outcome(input, offset, offset + body.length)).toBe(expected);
      }),
      { numRuns: 4000 },
    );
  });

  it('hands back the same string object when the same non-ASCII bytes come again', () => {
    // A map key such as 颜色 must be one string object each time, so map shapes and V8's key
    // lookups see a key they know.
    // (Strings are values, so Object.is cannot tell; the miss count can.)
    const key = new TextEncoder().encode('颜色');
    // Seen twice: stored on its second miss.
    for (let seen = 0; seen < 2; seen++) expect(cachedText(Uint8Array.from(key), 0, key.length)).toBe('颜色');
    const before = cacheMisses();
    expect(cachedText(Uint8Array.from([0x20, ...key]), 1, key.length + 1)).toBe('颜色');
    expect(cacheMisses()).toBe(before);
  });

  it('caches nothing of invalid bytes: a valid string with the same leading words is decoded right', () => {
    for (let length = 2; length <= CACHED_ASCII_BYTES; length++) {
      const valid = new Uint8Array(length).fill(0x61);
      valid.set([0xc3, 0xbc], length - 2);
      const broken = valid.slice();
      broken[length - 1] = 0x41;
      for (let round = 0; round < 2; round++) {
        expect(outcome(broken, 0, length)).toBe(length - 2);
        expect(outcome(valid, 0, length)).toBe('a'.repeat(length - 2) + 'ü');
      }
    }
  });
});

describe('what the cache keeps', () => {
  /** A cache module of its own, empty, so other tests' strings do not share its slots. */
  const emptyCache = async () => {
    vi.resetModules();
    return import('../../src-ts/text/short-ascii-cache.js');
  };
  /** Distinct strings of up to 32 bytes, ASCII or Chinese. */
  const distinct = (count: number) =>
    Array.from({ length: count }, (_, i) => new TextEncoder().encode(i % 2 === 0 ? `k${i}-${'x'.repeat(i % 16)}` : `${i}数据${'据'.repeat(i % 4)}`));

  it('stores no string seen once, however many come', async () => {
    const cache = await emptyCache();
    distinct(3000).forEach((bytes) => expect(cache.cachedText(bytes, 0, bytes.length)).toBe(fatal.decode(bytes)));
    expect(cache.cachedStringCount()).toBe(0);
  });

  it('stores a string that comes twice in a row in its slot, and hands it back after', async () => {
    const cache = await emptyCache();
    const repeated = distinct(64);
    for (let round = 0; round < 3; round++) {
      repeated.forEach((bytes) => expect(cache.cachedText(Uint8Array.from(bytes), 0, bytes.length)).toBe(fatal.decode(bytes)));
      // Distinct strings may share a slot; most of 64 land in slots of their own.
      if (round === 0) expect(cache.cachedStringCount()).toBe(0);
      else expect(cache.cachedStringCount()).toBeGreaterThan(56);
    }
  });
});
