import fc from 'fast-check';
import { expect, test } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { CodecFailure } from '../../src-ts/thrift/runtime/codec-failure.js';
import { readUtf8 } from '../../src-ts/thrift/runtime/read-text.js';

function decode(text: string, pad = 3): string {
  const bytes = Buffer.concat([Buffer.alloc(pad, 0x7a), Buffer.from(text), Buffer.alloc(pad, 0x7a)]);
  return readUtf8(new Uint8Array(bytes), pad, bytes.length - pad);
}

test('any string survives, cached or not, at any length', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 })), fc.nat(5), (text, pad) => {
      expect(decode(text, pad)).toBe(text);
      expect(decode(text, pad)).toBe(text);
    }),
    { numRuns: 500, seed: 3 },
  );
});

test('many distinct short strings, more than the cache holds, all decode to themselves', () => {
  const texts = Array.from({ length: 20_000 }, (_, i) => `k${(i * 7919).toString(36)}`.slice(0, 1 + (i % 16)));
  const wrong: string[] = [];
  for (let round = 0; round < 2; round++) for (const text of texts) if (decode(text) !== text) wrong.push(text);
  expect(wrong).toEqual([]);
});

test('invalid UTF-8 fails at the first bad byte, short or long', () => {
  for (const prefix of ['ab', 'a'.repeat(30)]) {
    const bytes = Uint8Array.from([...Buffer.from(prefix), 0xe2, 0x28, 0xa1]);
    try {
      readUtf8(bytes, 0, bytes.length);
      throw new Error('decoded invalid UTF-8');
    } catch (error) {
      expect(error).toBeInstanceOf(CodecFailure);
      expect(error).not.toBeInstanceOf(HeddleError);
      expect((error as CodecFailure).offset).toBe(prefix.length);
    }
  }
});
