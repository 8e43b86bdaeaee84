import fc from 'fast-check';
import { expect, test } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { CodecFailure } from '../../src-ts/thrift/runtime/codec-failure.js';
import { isAsciiInView, readKeyText, readText, readUtf8 } from '../../src-ts/thrift/runtime/read-text.js';
import { isAscii } from '../../src-ts/text/is-ascii.js';
import { ReadState } from '../../src-ts/thrift/runtime/read-state.js';
import { validateUtf8 } from '../../src-ts/kernels/utf8.js';

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

/** Lays `texts` out as length-prefixed runs separated by `gap` bytes of 0xff; returns the input and each text's range. */
function layout(texts: string[], gap: number): { bytes: Uint8Array; ranges: Array<[number, number]> } {
  const parts: Buffer[] = [];
  const ranges: Array<[number, number]> = [];
  let at = 0;
  for (const text of texts) {
    const encoded = Buffer.from(text);
    ranges.push([at, at + encoded.length]);
    parts.push(encoded, Buffer.alloc(gap, 0xff));
    at += encoded.length + gap;
  }
  return { bytes: new Uint8Array(Buffer.concat(parts)), ranges };
}

test('readText: windowed strings equal readUtf8, across window edges, with non-ASCII text among them', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string({ minLength: 17, maxLength: 300 }), fc.string({ unit: 'grapheme', minLength: 5, maxLength: 60 }), fc.string({ maxLength: 16 })), { maxLength: 40 }),
      fc.nat(40),
      (texts, gap) => {
        const { bytes, ranges } = layout(texts, gap);
        const state = new ReadState(bytes, 0, bytes.length);
        ranges.forEach(([start, end], i) => expect(readText(state, start, end)).toBe(texts[i]));
      },
    ),
    { numRuns: 300, seed: 7 },
  );
});

test('readText: a reused input with new bytes gives the new strings once the state is reset (no stale window)', () => {
  const texts = ['a'.repeat(20) + 'first', 'b'.repeat(30) + 'second', 'c'.repeat(40) + 'third'];
  const { bytes, ranges } = layout(texts, 3);
  const state = new ReadState(bytes, 0, bytes.length);
  for (const [start, end] of ranges) readText(state, start, end);
  bytes.fill(0x71, ranges[1]![0], ranges[1]![1]);
  state.reset(bytes, 0, bytes.length);
  expect(ranges.map(([start, end]) => readText(state, start, end))).toEqual([texts[0], 'q'.repeat(texts[1]!.length), texts[2]]);
});

test('readText: invalid UTF-8 in a windowed range fails at its first bad byte', () => {
  const { bytes, ranges } = layout(['x'.repeat(20), 'y'.repeat(20), 'z'.repeat(20)], 2);
  const state = new ReadState(bytes, 0, bytes.length);
  readText(state, ranges[0]![0], ranges[0]![1]);
  readText(state, ranges[1]![0], ranges[1]![1]);
  bytes[ranges[2]![0] + 5] = 0xc3; // a lead byte followed by 'z', not a continuation byte
  expect(() => readText(state, ranges[2]![0], ranges[2]![1])).toThrow(CodecFailure);
  try {
    readText(state, ranges[2]![0], ranges[2]![1]);
  } catch (error) {
    expect((error as CodecFailure).offset).toBe(ranges[2]![0] + 5);
  }
});

test('readText and readKeyText: short strings of every kind, the first alone and the rest windowed, decode to themselves', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 20 })), { maxLength: 40 }),
      fc.nat(6),
      (texts, gap) => {
        const { bytes, ranges } = layout(texts, gap);
        const state = new ReadState(bytes, 0, bytes.length);
        ranges.forEach(([start, end], i) => expect((i % 3 === 2 ? readKeyText : readText)(state, start, end)).toBe(texts[i]));
      },
    ),
    { numRuns: 300, seed: 11 },
  );
});

test('readText: a byte of 0x80 or more in any of the last four bytes of a windowed string is caught', () => {
  for (let at = 12; at < 16; at++) {
    const texts = ['w'.repeat(20), 'v'.repeat(16)];
    const { bytes, ranges } = layout(texts, 1);
    bytes[ranges[1]![0] + at] = 0xc3;
    const state = new ReadState(bytes, 0, bytes.length);
    readText(state, ranges[0]![0], ranges[0]![1]);
    readText(state, ranges[0]![0], ranges[0]![1]); // opens the window over both
    expect(() => readText(state, ranges[1]![0], ranges[1]![1])).toThrow(CodecFailure);
  }
});

/** Byte pieces short text is made of: ASCII, 2-, 3- and 4-byte characters, and invalid forms. */
const PIECES: number[][] = [
  [0x61], [0x7a, 0x30], [0xc3, 0xa9], [0xe4, 0xb8, 0xad], [0xe6, 0x96, 0x87], [0xef, 0xbc, 0x8c], [0xf0, 0x9f, 0x98, 0x80],
  [0xef, 0xbb, 0xbf], // U+FEFF, kept as any other character
  [0xed, 0xa0, 0x80], // an encoded lone surrogate (U+D800): invalid
  [0xc0, 0x80], // an overlong NUL: invalid
  [0xe4, 0xb8], // a truncated 3-byte sequence: invalid
  [0x80], // a lone continuation byte: invalid
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF: invalid
];
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** What TextDecoder makes of bytes[start, end), or the offset of the first invalid byte. */
function expected(bytes: Uint8Array, start: number, end: number): string | number {
  try {
    return strictDecoder.decode(bytes.subarray(start, end));
  } catch {
    return validateUtf8(bytes, start, end);
  }
}

function decodedOrOffset(read: () => string): string | number {
  try {
    return read();
  } catch (error) {
    expect(error).toBeInstanceOf(CodecFailure);
    return (error as CodecFailure).offset!;
  }
}

test('readText and readKeyText on short non-ASCII text (the shared cache): TextDecoder values, invalid UTF-8 at its first bad byte, twice', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 16 }), fc.nat(4), (pieces, pad) => {
      const body = pieces.flat();
      const bytes = Uint8Array.from([...Array(pad).fill(0x20), ...body, 0x20]);
      const start = pad;
      const end = pad + body.length;
      const want = expected(bytes, start, end);
      // Twice each: a first decode stores valid text in the cache, the second reads it back;
      // invalid text is never stored, so it fails again at the same byte.
      for (let round = 0; round < 2; round++) {
        expect(decodedOrOffset(() => readText(new ReadState(bytes, 0, bytes.length), start, end))).toBe(want);
        expect(decodedOrOffset(() => readKeyText(new ReadState(bytes, 0, bytes.length), start, end))).toBe(want);
        expect(decodedOrOffset(() => readUtf8(bytes, start, end))).toBe(want);
      }
    }),
    { numRuns: 3000, seed: 22 },
  );
});

test('short text of every length to 40 bytes, valid or with one bad byte at any place, decodes as TextDecoder does', () => {
  const chinese = Buffer.from('中文标题颜色尺码容量北京市上海市广东省深圳市');
  for (let length = 1; length <= 40; length++) {
    const valid = Uint8Array.from(chinese.subarray(0, length - (length % 3)));
    const mixed = Uint8Array.from(Buffer.concat([Buffer.from('ab'), chinese]).subarray(0, length));
    for (const base of [valid, mixed]) {
      for (let bad = -1; bad < base.length; bad++) {
        const bytes = Uint8Array.from(base);
        if (bad >= 0) bytes[bad] = bad % 2 === 0 ? 0xff : 0x41; // 0xff is never valid; 'A' breaks a sequence
        const want = expected(bytes, 0, bytes.length);
        expect(decodedOrOffset(() => readText(new ReadState(bytes, 0, bytes.length), 0, bytes.length))).toBe(want);
        expect(decodedOrOffset(() => readKeyText(new ReadState(bytes, 0, bytes.length), 0, bytes.length))).toBe(want);
      }
    }
  }
});

test('isAsciiInView agrees with the byte loop for every range of 0 to 48 bytes and every place of one high byte', () => {
  const bytes = new Uint8Array(48).fill(0x61);
  const view = new DataView(bytes.buffer);
  const disagreements: string[] = [];
  for (let high = -1; high < bytes.length; high++) {
    for (const value of [0x80, 0xff]) {
      if (high >= 0) bytes[high] = value;
      for (let start = 0; start <= bytes.length; start++) {
        for (let end = start; end <= bytes.length; end++) {
          if (isAsciiInView(view, start, end) !== isAscii(bytes, start, end)) disagreements.push(`high ${high}: [${start}, ${end})`);
        }
      }
      if (high >= 0) bytes[high] = 0x61;
    }
  }
  expect(disagreements).toEqual([]);
  // The loop above must have seen both answers.
  bytes[20] = 0x80;
  expect([isAsciiInView(view, 0, 20), isAsciiInView(view, 0, 21), isAsciiInView(view, 20, 21), isAsciiInView(view, 17, 48)]).toEqual([true, false, false, false]);
});
