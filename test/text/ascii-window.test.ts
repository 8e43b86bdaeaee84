// ASCII strings cut from a decode's window of its input spell exactly the bytes they cover,
// wherever they sit (within the first window, past its end, before its start, across inputs),
// and only while a decode has the window open: once closed or reopened, bytes the caller has
// changed in the same input are read again.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { asciiText, closeAsciiWindow, openAsciiWindow } from '../../src-ts/text/ascii-window.js';

const latin1 = (buf: Uint8Array, start: number, end: number) => Buffer.from(buf.buffer, buf.byteOffset, buf.length).toString('latin1', start, end);

afterEach(() => closeAsciiWindow());

describe('asciiText', () => {
  it('spells every range of an open window, in any order, over inputs larger than a window', () => {
    const input = fc.uint8Array({ minLength: 1, maxLength: 20_000 }).map((bytes) => bytes.map((b) => b & 0x7f));
    const ranges = fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(300)), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(input, ranges, (buf, list) => {
        openAsciiWindow();
        for (const [at, length] of list) {
          const start = Math.min(buf.length - 1, Math.floor(at * buf.length));
          const end = Math.min(buf.length, start + length);
          expect(asciiText(buf, start, end)).toBe(latin1(buf, start, end));
        }
        closeAsciiWindow();
      }),
      { numRuns: 300 },
    );
  });

  it('reads an input again once it is changed between decodes, and never cuts from another input', () => {
    const buf = new Uint8Array(100).fill(0x61);
    const other = new Uint8Array(100).fill(0x62);
    openAsciiWindow();
    expect(asciiText(buf, 0, 20)).toBe('a'.repeat(20));
    // The second string opens a window over buf[30, 100).
    expect(asciiText(buf, 30, 50)).toBe('a'.repeat(20));
    expect(asciiText(other, 40, 60)).toBe('b'.repeat(20));
    expect(asciiText(buf, 50, 70)).toBe('a'.repeat(20));
    closeAsciiWindow();
    buf.fill(0x63);
    // Closed: made from the bytes as they are now.
    expect(asciiText(buf, 40, 60)).toBe('c'.repeat(20));
    openAsciiWindow();
    expect(asciiText(buf, 0, 20)).toBe('c'.repeat(20));
    expect(asciiText(buf, 30, 50)).toBe('c'.repeat(20));
    buf.fill(0x64);
    // Reopened: the window of the last decode is gone.
    openAsciiWindow();
    expect(asciiText(buf, 40, 60)).toBe('d'.repeat(20));
  });
});
