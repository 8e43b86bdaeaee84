import fc from 'fast-check';
import { expect, test } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { thrift } from '../../src-ts/index.js';
import { validateUtf8 } from '../../src-ts/kernels/utf8.js';
import { CodecFailure } from '../../src-ts/thrift/runtime/codec-failure.js';
import { readText } from '../../src-ts/thrift/runtime/read-text.js';
import { ReadState } from '../../src-ts/thrift/runtime/read-state.js';

// Generated decoders carry their own copy of readText's latin1-window hit at every string field
// (codegen/dialect.ts) and call readTextOutsideWindow for the rest. These tests decode whole
// messages of many strings, so that windows open, strings fall inside and outside them, and the
// per-string ASCII test decides, and compare every string with TextDecoder and with the general
// path (readText over the same byte ranges), and every failure with its first invalid byte.

const doc = thrift.parse(`
  struct Texts {
    1: list<string> texts
    2: string last
  }
`, { filename: 'texts.thrift' });

/** Byte pieces: ASCII runs of several lengths, 2-, 3- and 4-byte characters, and invalid forms. */
const PIECES: number[][] = [
  [0x61], [0x7a, 0x30, 0x31], [...Buffer.from('the quick brown fox ')], [0x7f],
  [0xc3, 0xa9], [0xe4, 0xb8, 0xad], [0xf0, 0x9f, 0x98, 0x80],
  [0xed, 0xa0, 0x80], // an encoded lone surrogate: invalid
  [0xc0, 0x80], // an overlong NUL: invalid
  [0x80], // a lone continuation byte: invalid
  [0xff], // never valid
];
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One string's bytes: mostly ASCII (so windows open), now and then other pieces; up to ~300 bytes, past the 256-byte windowed limit. */
const textBytes = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 300 }) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength: 20 }).map((pieces) => pieces.flat()) },
  { weight: 1, arbitrary: fc.tuple(fc.array(fc.integer({ min: 0x20, max: 0x7e }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0x80, max: 0xff }), fc.nat(39)).map(([ascii, high, at]) => { const out = [...ascii]; out[at % out.length] = high; return out; }) },
);

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
  out.push(n);
  return out;
}

/** A Texts message with `texts` in field 1 and `last` in field 2, and where each string's bytes start. */
function message(protocol: 'binary' | 'compact', texts: number[][], last: number[]): { bytes: Uint8Array; starts: number[] } {
  const out: number[] = [];
  const starts: number[] = [];
  const string = (bytes: number[]): void => {
    if (protocol === 'binary') out.push(bytes.length >>> 24, (bytes.length >>> 16) & 0xff, (bytes.length >>> 8) & 0xff, bytes.length & 0xff);
    else out.push(...varint(bytes.length));
    starts.push(out.length);
    out.push(...bytes);
  };
  if (protocol === 'binary') out.push(15, 0, 1, 11, texts.length >>> 24, (texts.length >>> 16) & 0xff, (texts.length >>> 8) & 0xff, texts.length & 0xff);
  else out.push(0x19, ...(texts.length < 15 ? [(texts.length << 4) | 8] : [0xf8, ...varint(texts.length)]));
  for (const text of texts) string(text);
  out.push(protocol === 'binary' ? 11 : 0x18);
  if (protocol === 'binary') out.push(0, 2);
  string(last);
  out.push(0);
  return { bytes: Uint8Array.from(out), starts };
}

/** Each string as TextDecoder reads it, or the absolute offset of the first invalid byte of the first invalid one. */
function expected(bytes: Uint8Array, ranges: Array<[number, number]>): string[] | number {
  const values: string[] = [];
  for (const [start, end] of ranges) {
    try {
      values.push(strictDecoder.decode(bytes.subarray(start, end)));
    } catch {
      return validateUtf8(bytes, start, end);
    }
  }
  return values;
}

/** The same strings through the general path: readText in order on one read state. */
function generalPath(bytes: Uint8Array, ranges: Array<[number, number]>): string[] | number {
  const state = new ReadState(bytes, 0, bytes.length);
  const values: string[] = [];
  for (const [start, end] of ranges) {
    try {
      values.push(readText(state, start, end));
    } catch (error) {
      expect(error).toBeInstanceOf(CodecFailure);
      return (error as CodecFailure).offset!;
    }
  }
  return values;
}

for (const protocol of ['binary', 'compact'] as const) {
  for (const options of [{}, { i64: 'node-int64', unset: 'null', binary: 'Buffer', map: 'object', set: 'array' } as const]) {
    const codec = doc.codec('Texts', { ...options, protocol });
    test(`${protocol}${'i64' in options ? ', gen-nodejs values' : ''}: generated string reads equal TextDecoder and readText, failures at the first bad byte`, () => {
      fc.assert(
        fc.property(fc.array(textBytes, { maxLength: 24 }), textBytes, (texts, last) => {
          const { bytes, starts } = message(protocol, texts, last);
          const ranges = [...texts, last].map((text, i): [number, number] => [starts[i]!, starts[i]! + text.length]);
          const want = expected(bytes, ranges);
          expect(generalPath(bytes, ranges)).toEqual(want);
          // Twice on the same bytes (a second decode must not see the first's window), then on a
          // copy in a larger buffer at an offset.
          for (const input of [bytes, bytes, new Uint8Array([...Array(7).fill(0x41), ...bytes, 0x41]).subarray(7, 7 + bytes.length)]) {
            let got: string[] | number;
            try {
              const value = codec.decode(input) as { texts: string[]; last: string };
              got = [...value.texts, value.last];
            } catch (error) {
              expect(error).toBeInstanceOf(HeddleError);
              expect((error as HeddleError).code).toBe('ERR_BAD_VALUE');
              got = (error as HeddleError).offset!;
            }
            expect(got).toEqual(want);
          }
        }),
        { numRuns: 400, seed: 30 },
      );
    });
  }
}
