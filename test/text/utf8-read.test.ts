import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8Units, validateUtf8 } from '../../src-ts/kernels/utf8.js';
import { readStringStrict } from '../../src-ts/protobuf/codegen/wire-read.js';
import { readUtf8 } from '../../src-ts/thrift/runtime/read-text.js';
import { CodecFailure } from '../../src-ts/thrift/runtime/codec-failure.js';
import { decodeShortNonAscii, looksMultibyte } from '../../src-ts/text/utf8-read.js';
import { HeddleError } from '../../src-ts/errors.js';

// ignoreBOM: a leading U+FEFF is text, which the readers keep (as protobuf and Thrift do); TextDecoder would strip it.
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Text weighted towards what the multi-byte paths take: CJK, with ASCII, 2-byte and 4-byte characters mixed in. */
const cjkish = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0x4e00, max: 0x9fa5 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
      { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0x7ff }) },
      { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xffff }) },
      { weight: 1, arbitrary: fc.integer({ min: 0x800, max: 0xd7ff }) },
      { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }) },
    ),
    { maxLength: 110 },
  )
  .map((points) => String.fromCodePoint(...points));

/** Bytes that break UTF-8 in every way a decoder must catch. */
const breakers = [[0x80], [0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xff], [0xe4, 0xb8], [0xe4], [0xf0, 0x9f, 0x98], [0xe4, 0x41, 0x80], [0xe9, 0xbf, 0x41]];

/** Every reader of strict UTF-8 that the decoders use, each reporting an error its own way. */
function readers(): Array<[string, (src: Uint8Array, start: number, end: number) => string, (error: unknown) => number | undefined]> {
  const heddleOffset = (error: unknown) => (error instanceof HeddleError && error.code === 'ERR_BAD_VALUE' ? error.offset : undefined);
  return [
    ['decodeUtf8Units', decodeUtf8Units, heddleOffset],
    ['protobuf readStringStrict', readStringStrict, (error) => (error instanceof HeddleError && error.code === 'ERR_BAD_VALUE' ? error.offset : error instanceof Error && 'offset' in error ? (error as { offset: number }).offset : undefined)],
    ['thrift readUtf8', readUtf8, (error) => (error instanceof CodecFailure && error.code === 'ERR_BAD_VALUE' ? error.offset : undefined)],
  ];
}

function check(bytes: Uint8Array, offset: number): void {
  const src = new Uint8Array(offset + bytes.length + 2).fill(0x41);
  src.set(bytes, offset);
  const end = offset + bytes.length;
  const invalidAt = validateUtf8(src, offset, end);
  for (const [name, read, offsetOf] of readers()) {
    if (invalidAt === -1) {
      expect(read(src, offset, end), name).toBe(fatal.decode(bytes));
    } else {
      let caught: unknown;
      try {
        read(src, offset, end);
      } catch (error) {
        caught = error;
      }
      expect(caught, `${name} accepted invalid UTF-8`).toBeDefined();
      expect(offsetOf(caught), name).toBe(invalidAt);
    }
  }
}

describe('strict UTF-8 readers on multi-byte text (differential against TextDecoder {fatal: true, ignoreBOM: true})', () => {
  it('decode valid text of every length to 300 bytes as TextDecoder does', () => {
    fc.assert(
      fc.property(cjkish, fc.nat(5), (text, offset) => check(Buffer.from(text, 'utf8').subarray(0, 300), offset)),
      { numRuns: 1500 },
    );
  });

  it('keep a leading U+FEFF as text (found by the property above: seed 1648070716)', () => {
    for (const text of ['\uFEFF', '\uFEFF中文 text', '\uFEFF'.repeat(3) + '汉字'.repeat(40)]) {
      for (const [name, read] of readers()) expect(read(Buffer.from(text, 'utf8'), 0, Buffer.byteLength(text)), name).toBe(text);
      check(Buffer.from(text, 'utf8'), 1);
    }
  });

  it('reject invalid text at every length to 300 bytes at the offset of the first bad sequence', () => {
    fc.assert(
      fc.property(cjkish, fc.nat(), fc.constantFrom(...breakers), fc.nat(5), (text, at, breaker, offset) => {
        const valid = [...Buffer.from(text, 'utf8')].slice(0, 296);
        const cut = valid.length === 0 ? 0 : at % (valid.length + 1);
        check(Uint8Array.from([...valid.slice(0, cut), ...breaker, ...valid.slice(cut)]), offset);
      }),
      { numRuns: 3000 },
    );
  });

  it('cover every length from 0 to 300 bytes of Chinese text, valid and truncated', () => {
    const sample = Buffer.from('商品标题：华为 Mate 60 Pro 雅川青 12GB+512GB 卫星通话 😀 ü'.repeat(12));
    for (let length = 0; length <= 300; length++) {
      check(sample.subarray(0, length), length % 4);
    }
  });

  it('decode text longer than one String.fromCharCode batch', () => {
    const long = '中文'.repeat(6000) + '🚀'.repeat(3000);
    expect(decodeUtf8Units(Buffer.from(long), 0, Buffer.byteLength(long))).toBe(long);
  });

  it('decode medium text right before and after the units scratch grows (the string is made from the new scratch)', () => {
    // Strings of 12+ units are made by Buffer#ucs2Slice over the scratch; a stale view of the
    // scratch it replaced would give the previous string's units.
    const medium = ['商品标题中文标题测试一二三四五', '北京市朝阳区建国路八十八号院', '浙江省杭州市西湖区文三路'];
    for (const text of medium) expect(decodeUtf8Units(Buffer.from(text), 0, Buffer.byteLength(text))).toBe(text);
    for (const size of [5000, 40_000]) {
      const long = '长'.repeat(size);
      expect(decodeUtf8Units(Buffer.from(long), 0, Buffer.byteLength(long))).toBe(long);
      for (const text of medium) expect(decodeUtf8Units(Buffer.from(text), 0, Buffer.byteLength(text))).toBe(text);
    }
  });

  it('route by sampling: multi-byte text goes to the loops, mostly-ASCII text does not', () => {
    const chinese = Buffer.from('中文标题中文标题');
    expect(looksMultibyte(chinese, 0, chinese.length)).toBe(true);
    const ascii = Buffer.from('Apple iPhone 15 Pro Max 256GB ü');
    expect(looksMultibyte(ascii, 0, ascii.length)).toBe(false);
    expect(decodeShortNonAscii(Buffer.from('ü'), 0, 2)).toBe('ü');
  });
});
