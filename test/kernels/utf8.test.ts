import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as kernels from '../../src-ts/kernels/index.js';
import { decodeUtf8Short, validateUtf8 as tsValidateUtf8 } from '../../src-ts/kernels/utf8.js';
import { utf8ish } from './arbitraries.js';
import { catchError } from './assertions.js';
import { placed } from './reference.js';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function whatwgValid(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}



describe('validateUtf8', () => {
  it('accepts exactly what TextDecoder {fatal: true} accepts, and points at the first invalid sequence', () => {
    fc.assert(
      fc.property(fc.oneof(utf8ish, fc.uint8Array({ maxLength: 12 })), fc.nat(7), (bytes, offset) => {
        const src = placed(bytes, offset, 2);
        const result = kernels.validateUtf8(src, offset, offset + bytes.length);
        if (whatwgValid(bytes)) {
          expect(result).toBe(-1);
        } else {
          // Everything before the reported sequence is valid; the sequence itself (up to 4 bytes) is not.
          const at = result - offset;
          expect(at).toBeGreaterThanOrEqual(0);
          expect(whatwgValid(bytes.subarray(0, at))).toBe(true);
          expect(whatwgValid(bytes.subarray(at, at + 4))).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts the boundary code points and rejects overlongs, surrogates and values above U+10FFFF', () => {
    const valid = [[0x7f], [0xc2, 0x80], [0xdf, 0xbf], [0xe0, 0xa0, 0x80], [0xed, 0x9f, 0xbf], [0xee, 0x80, 0x80], [0xef, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf]];
    const invalid = [[0x80], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xff], [0xe2, 0x82], [0xf0, 0x9f, 0x98]];
    for (const bytes of valid) expect(kernels.validateUtf8(Uint8Array.from([0x41, ...bytes]), 0, bytes.length + 1)).toBe(-1);
    for (const bytes of invalid) expect(kernels.validateUtf8(Uint8Array.from([0x41, ...bytes]), 0, bytes.length + 1)).toBe(1);
  });

  it('judges only the range: a sequence cut by `end` is invalid even if the buffer completes it', () => {
    const src = Buffer.from('a€b');
    expect(kernels.validateUtf8(src, 0, src.length)).toBe(-1);
    expect(kernels.validateUtf8(src, 0, 3)).toBe(1);
    expect(kernels.validateUtf8(src, 2, src.length)).toBe(2);
  });
});

describe('decodeUtf8', () => {
  it('returns what TextDecoder returns for valid input of any length', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.nat(5), (text, offset) => {
        const bytes = Buffer.from(text, 'utf8');
        const src = placed(bytes, offset, 1);
        expect(kernels.decodeUtf8(src, offset, offset + bytes.length)).toBe(text);
        expect(decodeUtf8Short(src, offset, offset + bytes.length)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('throws ERR_BAD_VALUE at the offset validateUtf8 reports, for short and long input', () => {
    fc.assert(
      fc.property(utf8ish, fc.nat(5), fc.nat(300), (bytes, offset, padding) => {
        for (const body of [bytes, Uint8Array.from([...new Array(padding).fill(0x61), ...bytes])]) {
          const src = placed(body, offset);
          const invalidAt = tsValidateUtf8(src, offset, src.length);
          if (invalidAt === -1) {
            expect(kernels.decodeUtf8(src, offset, src.length)).toBe(fatal.decode(body));
          } else {
            const error = catchError(() => kernels.decodeUtf8(src, offset, src.length));
            expect(error.code).toBe('ERR_BAD_VALUE');
            expect(error.offset).toBe(invalidAt);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('rejects ranges outside the buffer', () => {
    expect(catchError(() => kernels.decodeUtf8(new Uint8Array(3), 2, 4)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(catchError(() => kernels.validateUtf8(new Uint8Array(3), 2, 1)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(kernels.decodeUtf8(new Uint8Array(3), 3, 3)).toBe('');
  });
});
