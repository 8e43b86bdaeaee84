// Exact bytes for small values, worked out by hand from the Apache Thrift protocol specs.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parse } from '../../src-ts/thrift/index.js';
import { hasUtf8Form } from '../helpers/utf8-form.js';

const doc = parse(
  `
  struct Inner { 1: i32 a, 2: string b }
  struct Flags { 1: bool on, 22: string must, 3: optional bool off }
  struct Backwards { 3: i16 c, 1: i16 a }
  struct Implicit { string x; i32 y; }
  struct Lists { 1: list<i32> ints, 2: map<string, i32> empty, 3: set<bool> bools, 4: double d, 5: uuid id, 6: i64 big }
  `,
  { filename: 'wire.thrift' },
);

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('binary', () => {
  const codec = (name: string) => doc.codec(name, { protocol: 'binary' });

  test('fields are type, i16 id, value; strings have an i32 length', () => {
    expect(hex(codec('Inner').encode({ a: 1, b: 'hi' }))).toBe('08000100000001' + '0b0002000000026869' + '00');
  });

  test('bools are one byte; ids are big-endian i16', () => {
    expect(hex(codec('Flags').encode({ on: true, must: 'm', off: false }))).toBe('02000101' + '0b0016000000016d' + '02000300' + '00');
  });

  test('implicit (negative) field ids', () => {
    expect(hex(codec('Implicit').encode({ x: '', y: -1 }))).toBe('0bffff00000000' + '08fffeffffffff' + '00');
  });

  test("fieldOrder: 'id' writes fields by ascending id, as Apache's Python/Java/C++/Go code does", () => {
    expect(hex(codec('Backwards').encode({ c: 1, a: 2 }))).toBe('0600030001' + '0600010002' + '00');
    const byId = doc.codec('Backwards', { protocol: 'binary', fieldOrder: 'id' });
    expect(hex(byId.encode({ c: 1, a: 2 }))).toBe('0600010002' + '0600030001' + '00');
    expect(hex(doc.codec('Backwards', { protocol: 'compact', fieldOrder: 'id' }).encode({ c: 1, a: 2 }))).toBe('1404' + '2402' + '00');
  });

  test('containers, double, uuid, i64', () => {
    const value = {
      ints: [1, -2],
      empty: new Map(),
      bools: [true],
      d: 1.5,
      id: '00112233-4455-6677-8899-aabbccddeeff',
      big: -2n,
    };
    expect(hex(codec('Lists').encode(value))).toBe(
      '0f0001' + '08' + '00000002' + '00000001' + 'fffffffe' +
        '0d0002' + '0b08' + '00000000' +
        '0e0003' + '02' + '00000001' + '01' +
        '040004' + '3ff8000000000000' +
        '100005' + '00112233445566778899aabbccddeeff' +
        '0a0006' + 'fffffffffffffffe' +
        '00',
    );
  });
});

describe('compact', () => {
  const codec = (name: string) => doc.codec(name, { protocol: 'compact' });

  test('field id deltas in the high nibble, zigzag varints, varint lengths', () => {
    expect(hex(codec('Inner').encode({ a: 1, b: 'hi' }))).toBe('1502' + '18026869' + '00');
  });

  test('bool values travel in the header; deltas over 15 take the long form', () => {
    // on: delta 1, TRUE (1); must: delta 21 -> type 8 then zigzag(22) = 44; off: id 3 < 22 -> long form, FALSE (2).
    expect(hex(codec('Flags').encode({ on: true, must: 'm', off: false }))).toBe('11' + '082c016d' + '0206' + '00');
  });

  test('a field id lower than the previous one takes the long form', () => {
    expect(hex(codec('Backwards').encode({ c: 1, a: -1 }))).toBe('3402' + '040201' + '00');
  });

  test('implicit (negative) field ids', () => {
    expect(hex(codec('Implicit').encode({ x: '', y: -1 }))).toBe('080100' + '050301' + '00');
  });

  test('list headers short and long, empty map as one byte, little-endian double, uuid, i64', () => {
    const value = {
      ints: Array.from({ length: 15 }, () => 1),
      empty: new Map(),
      bools: [true, false],
      d: 1.5,
      id: '00112233-4455-6677-8899-aabbccddeeff',
      big: -2n,
    };
    expect(hex(codec('Lists').encode(value))).toBe(
      '19' + 'f50f' + '02'.repeat(15) +
        '1b' + '00' +
        '1a' + '21' + '0102' +
        '17' + '000000000000f83f' +
        '1d' + '00112233445566778899aabbccddeeff' +
        '16' + '03' +
        '00',
    );
    expect(hex(codec('Lists').encode({ ints: [7], empty: new Map([['k', 1]]) }))).toBe('19' + '15' + '0e' + '1b' + '01' + '85' + '016b' + '02' + '00');
  });

  test('decoding accepts both bool element types (1 and 2)', () => {
    expect(codec('Lists').decode(Uint8Array.from(Buffer.from('3a' + '22' + '0201' + '00', 'hex')))).toEqual({ bools: [false, true] });
  });
});

describe('strings', () => {
  // Writers store chars as bytes four at a time, as if ASCII, and only afterwards see whether they
  // were; one non-ASCII char anywhere must still give exact UTF-8.
  const utf8 = (text: string) => hex(new TextEncoder().encode(text));
  const varint = (n: number) => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, n >> 7]);

  test('one non-ASCII char at every place of every length up to 70 is exact UTF-8, in both protocols', () => {
    const binary = doc.codec('Implicit', { protocol: 'binary' });
    const compact = doc.codec('Implicit', { protocol: 'compact' });
    for (const odd of ['\u0080', '\u00ff', '\u0100', '\u20ac', '\ud83d\ude00']) {
      for (let length = 1; length <= 70; length++) {
        for (let at = 0; at < length; at++) {
          const text = 'a'.repeat(at) + odd + 'b'.repeat(length - at - 1);
          const bytes = new TextEncoder().encode(text).length;
          expect(hex(binary.encode({ x: text }))).toBe('0bffff' + bytes.toString(16).padStart(8, '0') + utf8(text) + '00');
          // Compact: a long-form field header (type 8, zigzag id -1 = 1), then the varint length.
          expect(hex(compact.encode({ x: text }))).toBe('0801' + hex(Uint8Array.from(varint(bytes))) + utf8(text) + '00');
        }
      }
    }
  });

  test('mixed Chinese, ASCII and emoji text of every length to 100 is exact UTF-8 in both protocols; a lone surrogate is ERR_BAD_VALUE', () => {
    // Writers store the ASCII prefix four chars at a time and write the rest char by char from the
    // first group that is not ASCII; past 48 chars Node's native writer takes over.
    const binary = doc.codec('Implicit', { protocol: 'binary' });
    const compact = doc.codec('Implicit', { protocol: 'compact' });
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 9 }),
      fc.string({ unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
      fc.constantFrom('é', 'ж', '€', '，', '😀', '🎉', '\u0080', '\u07ff', '\u0800', '\uffff', '\ud800', '\udfff'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }).map((parts) => parts.join('')), (text) => {
        if (!hasUtf8Form(text)) {
          expect(() => binary.encode({ x: text })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE' }));
          expect(() => compact.encode({ x: text })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE' }));
          return;
        }
        const bytes = new TextEncoder().encode(text).length;
        expect(hex(binary.encode({ x: text }))).toBe('0bffff' + bytes.toString(16).padStart(8, '0') + utf8(text) + '00');
        expect(hex(compact.encode({ x: text }))).toBe('0801' + hex(Uint8Array.from(varint(bytes))) + utf8(text) + '00');
      }),
      { numRuns: 2000 },
    );
  });

  test('a lone surrogate anywhere is ERR_BAD_VALUE', () => {
    const binary = doc.codec('Implicit', { protocol: 'binary' });
    for (let length = 1; length <= 60; length++) {
      for (let at = 0; at < length; at++) {
        const text = 'a'.repeat(at) + '\udc00' + 'b'.repeat(length - at - 1);
        expect(() => binary.encode({ x: text })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE' }));
      }
    }
  });
});
