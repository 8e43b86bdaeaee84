// Untrusted bytes: truncated, random, or crafted to break a decoder. Every failure is a HeddleError
// with a stable code, the field path and the byte offset; nothing crashes, hangs or allocates more
// than the input justifies.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeddleError, protobuf } from './helpers/heddle.js';
import { FIXTURES } from './helpers/protoc.js';
import { wire } from './helpers/wire.js';

const root3 = protobuf.load(join(FIXTURES, 'scalars3.proto'));
const root2 = protobuf.load(join(FIXTURES, 'features2.proto'));
const T3 = 'heddle.test.v1.';
const T2 = 'heddle.test.v2.';
const DECODE_CODES = ['ERR_TRUNCATED', 'ERR_BAD_TYPE', 'ERR_BAD_VALUE', 'ERR_DEPTH_LIMIT', 'ERR_SIZE_LIMIT', 'ERR_REQUIRED_FIELD'];

function decodeError(decode: () => unknown): HeddleError {
  try {
    decode();
  } catch (error) {
    if (error instanceof HeddleError) return error;
    throw error;
  }
  throw new Error('decode succeeded');
}

const rich = {
  message: { fInt32: -1, fString: 'héllo', fBytes: new Uint8Array([1, 2, 3]), fDouble: 2.5, fInt64: -(2n ** 40n) },
  optInt32: 7,
  choiceMessage: { fEnum: 1, fSint64: -99n, fFixed64: 5n },
};
const presence = root3.codec(T3 + 'Presence');
const richBytes = presence.encode(rich);

describe('truncated input', () => {
  it('every prefix decodes or fails with ERR_TRUNCATED at an offset inside it', () => {
    for (let end = 0; end < richBytes.length; end++) {
      const prefix = richBytes.subarray(0, end);
      try {
        presence.decode(prefix);
      } catch (error) {
        expect(error).toBeInstanceOf(HeddleError);
        const e = error as HeddleError;
        expect(e.code).toBe('ERR_TRUNCATED');
        expect(e.offset).toBeGreaterThanOrEqual(0);
        expect(e.offset).toBeLessThanOrEqual(end);
      }
    }
  });

  it('names the field that was cut off', () => {
    expect(decodeError(() => presence.decode(richBytes.subarray(0, 6)))).toMatchObject({ code: 'ERR_TRUNCATED', path: 'message', offset: 2 });
    const scalars = root3.codec(T3 + 'Scalars').encode({ fInt32: 1, fString: 'hello' });
    expect(decodeError(() => root3.codec(T3 + 'Scalars').decode(scalars.subarray(0, 5)))).toMatchObject({ code: 'ERR_TRUNCATED', path: 'fString', offset: 2 });
  });
});

describe('random bytes', () => {
  const codecs = [
    root3.codec(T3 + 'Presence'), root3.codec(T3 + 'Maps'), root3.codec(T3 + 'Repeated', { typedArrays: true }),
    root3.codec(T3 + 'Outer'), root2.codec(T2 + 'Groups'), root2.codec(T2 + 'Required', { keepUnknown: true }),
    root2.codec(T2 + 'Extendable'),
  ];

  it('either decode or fail with a HeddleError decode code, offset and all', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(codecs.length - 1), (bytes, which) => {
        try {
          codecs[which]!.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(HeddleError);
          const e = error as HeddleError;
          expect(DECODE_CODES).toContain(e.code);
          if (e.code !== 'ERR_REQUIRED_FIELD') {
            expect(e.offset).toBeGreaterThanOrEqual(0);
            expect(e.offset).toBeLessThanOrEqual(bytes.length);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('malformed fields', () => {
  const scalars = root3.codec(T3 + 'Scalars');

  it('wire types 6 and 7 are ERR_BAD_TYPE', () => {
    expect(decodeError(() => scalars.decode(wire().tag(5, 0).varint(1).tag(3, 6).build()))).toMatchObject({ code: 'ERR_BAD_TYPE', offset: 2 });
    expect(decodeError(() => scalars.decode(wire().tag(200, 7).build()))).toMatchObject({ code: 'ERR_BAD_TYPE', offset: 0 });
  });

  it('field number 0 is ERR_BAD_TYPE', () => {
    expect(decodeError(() => scalars.decode(wire().raw(0x00).build()))).toMatchObject({ code: 'ERR_BAD_TYPE', offset: 0 });
  });

  it('a varint over 10 bytes is ERR_BAD_VALUE, in a known field and in an unknown one', () => {
    const long = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    expect(decodeError(() => scalars.decode(wire().tag(5, 0).raw(...long).build()))).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'fInt32', offset: 1 });
    expect(decodeError(() => scalars.decode(wire().tag(3, 0).raw(...long).build()))).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'fInt64' });
    expect(decodeError(() => scalars.decode(wire().tag(99, 0).raw(...long).build()))).toMatchObject({ code: 'ERR_BAD_VALUE', offset: 2 });
    const packed = wire().delimited(5, wire().raw(...long)).build();
    expect(decodeError(() => root3.codec(T3 + 'Repeated').decode(packed))).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'rInt32[0]' });
    expect(decodeError(() => root3.codec(T3 + 'Repeated', { typedArrays: true }).decode(packed))).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'rInt32[0]' });
  });

  it('a tag over 32 bits is ERR_BAD_VALUE', () => {
    expect(decodeError(() => scalars.decode(wire().raw(0xff, 0xff, 0xff, 0xff, 0x7f).build()))).toMatchObject({ code: 'ERR_BAD_VALUE', offset: 0 });
  });

  it('a length beyond the input is ERR_TRUNCATED, checked before anything is allocated', () => {
    expect(decodeError(() => scalars.decode(wire().tag(9, 2).varint(50).raw(0x61).build()))).toMatchObject({ code: 'ERR_TRUNCATED', path: 'fString', offset: 0 });
    expect(decodeError(() => scalars.decode(wire().tag(10, 2).varint(2 ** 31 - 1).build()))).toMatchObject({ code: 'ERR_TRUNCATED', path: 'fBytes' });
    expect(decodeError(() => scalars.decode(wire().tag(10, 2).varint(2n ** 40n).build()))).toMatchObject({ code: 'ERR_SIZE_LIMIT', path: 'fBytes' });
    const typed = root3.codec(T3 + 'Repeated', { typedArrays: true });
    expect(decodeError(() => typed.decode(wire().tag(1, 2).varint(8 * 100_000_000).build()))).toMatchObject({ code: 'ERR_TRUNCATED', path: 'rDouble[0]' });
    expect(decodeError(() => typed.decode(wire().tag(1, 2).varint(8 * 1_000_000_000).build()))).toMatchObject({ code: 'ERR_SIZE_LIMIT', path: 'rDouble[0]' });
    expect(decodeError(() => scalars.decode(wire().tag(99, 2).varint(1000).build()))).toMatchObject({ code: 'ERR_TRUNCATED', offset: 0 });
  });

  it('a packed fixed-width run that is not whole values is ERR_BAD_VALUE', () => {
    const bytes = wire().delimited(1, wire().double(1).raw(0)).build();
    expect(decodeError(() => root3.codec(T3 + 'Repeated').decode(bytes))).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'rDouble[0]', offset: 0 });
  });

  it('a nested message longer than its parent is ERR_TRUNCATED', () => {
    const bytes = wire().delimited(5, wire().tag(9, 2).varint(10).raw(0x61)).raw(0x61, 0x61, 0x61, 0x61).build();
    expect(decodeError(() => presence.decode(bytes))).toMatchObject({ code: 'ERR_TRUNCATED', path: 'message.fString' });
  });
});

describe('recursion', () => {
  const outer = root3.codec(T3 + 'Outer');
  /** Outer.middle.inner.back.middle.inner.back... `levels` messages deep. */
  function nested(levels: number): Uint8Array {
    let body = new Uint8Array();
    for (let i = levels - 1; i >= 0; i--) body = wire().delimited(i % 3 === 2 ? 2 : 1, body).build();
    return body;
  }

  it('beyond maxDepth is ERR_DEPTH_LIMIT, however deep the input goes', () => {
    expect(outer.decode(nested(63))).toBeDefined();
    const e = decodeError(() => outer.decode(nested(64)));
    expect(e.code).toBe('ERR_DEPTH_LIMIT');
    expect(e.path).toMatch(/^middle\.inner\.back\.middle/);
    expect(decodeError(() => outer.decode(nested(2000))).code).toBe('ERR_DEPTH_LIMIT');
  });

  it('counts unknown groups too', () => {
    const depth = 100_000;
    const bytes = new Uint8Array(2 * depth);
    bytes.fill((7 << 3) | 3, 0, depth);
    bytes.fill((7 << 3) | 4, depth);
    expect(decodeError(() => root3.codec(T3 + 'Scalars').decode(bytes)).code).toBe('ERR_DEPTH_LIMIT');
  });

  it('counts groups of the schema', () => {
    const groups = root2.codec(T2 + 'Groups', { maxDepth: 2 });
    const deep = wire().tag(2, 3).tag(3, 0).varint(1).tag(4, 3).tag(4, 4).tag(2, 4).build();
    expect(decodeError(() => groups.decode(deep))).toMatchObject({ code: 'ERR_DEPTH_LIMIT', path: 'item[0].detail' });
    expect(root2.codec(T2 + 'Groups', { maxDepth: 3 }).decode(deep).item).toEqual([{ sku: 1n, detail: {} }]);
  });
});

describe('strings and groups', () => {
  it('invalid UTF-8 in a proto3 string is ERR_BAD_VALUE with path and offset, in fields and map keys', () => {
    const bad = [0x61, 0xed, 0xa0, 0x80];
    expect(decodeError(() => root3.codec(T3 + 'Repeated').decode(wire().delimited(9, 'ok').delimited(9, Uint8Array.from(bad)).build())))
      .toMatchObject({ code: 'ERR_BAD_VALUE', path: 'rString[1]', offset: 7 });
    expect(decodeError(() => root3.codec(T3 + 'Maps').decode(wire().delimited(1, wire().delimited(1, Uint8Array.from(bad))).build())))
      .toMatchObject({ code: 'ERR_BAD_VALUE', path: 'stringString', offset: 5 });
    const long = Uint8Array.from([...new TextEncoder().encode('x'.repeat(300)), 0xff]);
    expect(decodeError(() => root3.codec(T3 + 'Scalars').decode(wire().delimited(9, long).build())))
      .toMatchObject({ code: 'ERR_BAD_VALUE', path: 'fString', offset: 303 });
  });

  it('a mismatched end-group tag is ERR_BAD_TYPE', () => {
    const groups = root2.codec(T2 + 'Groups');
    expect(decodeError(() => groups.decode(wire().tag(2, 3).tag(3, 0).varint(1).tag(1, 4).build())))
      .toMatchObject({ code: 'ERR_BAD_TYPE', path: 'item[0]', offset: 3 });
    expect(decodeError(() => groups.decode(wire().tag(9, 4).build()))).toMatchObject({ code: 'ERR_BAD_TYPE', offset: 0 });
    expect(decodeError(() => groups.decode(wire().tag(60, 3).tag(61, 4).build()))).toMatchObject({ code: 'ERR_BAD_TYPE' });
  });
});
