import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeDecodeUtf8, nativeValidateUtf8 } from '../../src-ts/kernels/native-kernels.js';
import { validateUtf8 } from '../../src-ts/kernels/utf8.js';
import { utf8ish } from './arbitraries.js';
import { nativeLoaded, variants } from './native-variants.js';
import { catchError } from './assertions.js';
import { placed } from './reference.js';

const edgy = [0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x9f, 0xa0, 0x8f, 0x90];

/**
 * Long inputs for the vector paths: text (ASCII runs or any code points) of up to several
 * thousand bytes with 0-3 bytes spliced in or dropped anywhere, so errors and cut sequences land
 * at every position relative to 16-, 32- and 64-byte blocks, the tail included.
 */
const longInput = fc
  .tuple(
    fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 3000 }), fc.string({ unit: 'binary', maxLength: 1500 }), fc.string({ unit: 'grapheme', maxLength: 400 })),
    fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...edgy), fc.constant(-1))), { maxLength: 3 }),
  )
  .map(([text, edits]) => {
    const bytes = [...Buffer.from(text, 'utf8')];
    for (const [at, byte] of edits) {
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      if (byte === -1) bytes.splice(i, 1);
      else bytes.splice(i, 0, byte);
    }
    return Uint8Array.from(bytes);
  });

describe.runIf(nativeLoaded)('native UTF-8 validation (every variant against the TypeScript twin)', () => {
  it('nativeDecodeUtf8 returns what TextDecoder returns, or throws ERR_BAD_VALUE where validation says', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    fc.assert(
      fc.property(longInput, fc.nat(9), (bytes, offset) => {
        const src = placed(bytes, offset, 2);
        const end = offset + bytes.length;
        const invalidAt = validateUtf8(src, offset, end);
        if (invalidAt === -1) expect(nativeDecodeUtf8(src, offset, end)).toBe(fatal.decode(bytes));
        else expect(catchError(() => nativeDecodeUtf8(src, offset, end))).toMatchObject({ code: 'ERR_BAD_VALUE', offset: invalidAt });
      }),
      { numRuns: 200 },
    );
  });

  for (const { name, id } of variants) {
    it(`${name}: agrees with the twin on short edge-byte inputs, at any offset`, () => {
      fc.assert(
        fc.property(fc.oneof(utf8ish, fc.uint8Array({ maxLength: 40 })), fc.nat(40), (bytes, offset) => {
          const src = placed(bytes, offset, 5);
          expect(nativeValidateUtf8(src, offset, offset + bytes.length, id)).toBe(validateUtf8(src, offset, offset + bytes.length));
        }),
        { numRuns: 1500 },
      );
    });

    it(`${name}: agrees with the twin on long inputs with errors at every block position`, () => {
      fc.assert(
        fc.property(longInput, fc.nat(70), (bytes, offset) => {
          const src = placed(bytes, offset, 3);
          expect(nativeValidateUtf8(src, offset, offset + bytes.length, id)).toBe(validateUtf8(src, offset, offset + bytes.length));
        }),
        { numRuns: 300 },
      );
    });

    it(`${name}: finds a cut sequence or a bad byte placed at each position of a 200-byte ASCII run`, () => {
      const cases = [[0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3], [0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf]];
      for (const bad of cases) {
        for (let at = 0; at <= 200; at++) {
          const bytes = new Uint8Array(200 + bad.length).fill(0x61);
          bytes.set(bad, at);
          const viaNative = nativeValidateUtf8(bytes, 0, at + bad.length, id);
          expect(viaNative).toBe(at);
          expect(nativeValidateUtf8(bytes, 0, bytes.length, id)).toBe(validateUtf8(bytes, 0, bytes.length));
        }
      }
    });
  }
});
