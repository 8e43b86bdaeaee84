// Hostile and broken input: every failure is a HeddleError with a code, the field path and the
// byte offset; nothing hangs, overflows the stack or allocates more than the input justifies.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { parse } from '../../src-ts/thrift/index.js';
import { everything, fixtureDoc, PROTOCOLS } from './fixtures.js';

const doc = fixtureDoc();
const DECODE_CODES = ['ERR_TRUNCATED', 'ERR_BAD_TYPE', 'ERR_BAD_VALUE', 'ERR_SIZE_LIMIT', 'ERR_DEPTH_LIMIT', 'ERR_REQUIRED_FIELD'];

function decodeError(decode: () => unknown): HeddleError | undefined {
  try {
    decode();
    return undefined;
  } catch (error) {
    if (!(error instanceof HeddleError)) throw error;
    return error;
  }
}

function bytesOf(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));
}

/** Asserts the error is a well-formed decode failure inside an input of `length` bytes. */
function expectWellFormed(error: HeddleError, length: number): void {
  expect(DECODE_CODES).toContain(error.code);
  expect(error.path).toMatch(/^Everything/);
  expect(typeof error.offset).toBe('number');
  expect(error.offset).toBeGreaterThanOrEqual(0);
  expect(error.offset).toBeLessThanOrEqual(length);
}

describe.each(PROTOCOLS)('%s', (protocol) => {
  const codec = doc.codec('Everything', { protocol });
  const valid = codec.encode(everything());

  test('truncated at every offset', () => {
    for (let cut = 0; cut < valid.length; cut++) {
      const error = decodeError(() => codec.decode(valid.subarray(0, cut)));
      expect(error, `cut at ${cut}`).toBeDefined();
      expect(['ERR_TRUNCATED', 'ERR_SIZE_LIMIT']).toContain(error!.code);
      expectWellFormed(error!, cut);
    }
  });

  test('random mutations decode or fail cleanly', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const bytes = Uint8Array.from(valid);
        for (const [at, value] of edits) bytes[at] = value;
        const error = decodeError(() => codec.decode(bytes));
        if (error !== undefined) expectWellFormed(error, bytes.length);
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  test('random bytes decode or fail cleanly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const error = decodeError(() => codec.decode(bytes));
        if (error !== undefined) expectWellFormed(error, bytes.length);
      }),
      { numRuns: 400, seed: 11 },
    );
  });
});

describe('binary specifics', () => {
  const codec = doc.codec('Everything', { protocol: 'binary' });

  test('a field header with a type id that is not a Thrift type', () => {
    expect(decodeError(() => codec.decode(bytesOf('11 0063 00')))).toMatchObject({ code: 'ERR_BAD_TYPE', path: 'Everything.#99', offset: 3 });
  });

  test('a list whose element type is not the schema’s', () => {
    // ints (11) is list<i32>; this one claims strings.
    expect(decodeError(() => codec.decode(bytesOf('0f 000b 0b 00000001 00000000 00')))).toMatchObject({
      code: 'ERR_BAD_TYPE',
      path: 'Everything.ints',
      offset: 3,
    });
  });

  test('negative and oversized lengths and counts', () => {
    expect(decodeError(() => codec.decode(bytesOf('0b 0007 ffffffff')))).toMatchObject({ code: 'ERR_SIZE_LIMIT', path: 'Everything.text', offset: 3 });
    expect(decodeError(() => codec.decode(bytesOf('0b 0007 00000010 6162')))).toMatchObject({ code: 'ERR_SIZE_LIMIT', path: 'Everything.text', offset: 3 });
    expect(decodeError(() => codec.decode(bytesOf('0f 000b 08 fffffffe')))).toMatchObject({ code: 'ERR_SIZE_LIMIT', path: 'Everything.ints', offset: 4 });
    expect(decodeError(() => codec.decode(bytesOf('0d 000d 0b 0a 00000002 00000000')))).toMatchObject({
      code: 'ERR_SIZE_LIMIT',
      path: 'Everything.counts',
      offset: 5,
    });
  });

  test('a 5-byte body claiming 2^31-1 elements fails before allocating', () => {
    const started = process.hrtime.bigint();
    const heapBefore = process.memoryUsage().heapUsed;
    for (const hex of ['0f 000f 0f 7fffffff 00', '0f 000e 0c 7fffffff 00', '0f 0012 02 7fffffff 00']) {
      const error = decodeError(() => codec.decode(bytesOf(hex)));
      expect(error).toMatchObject({ code: 'ERR_SIZE_LIMIT', offset: 4 });
    }
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });

  test('invalid UTF-8 in a string field, at the offset of the bad byte', () => {
    expect(decodeError(() => codec.decode(bytesOf('0b 0007 00000003 61 ff 62 00')))).toMatchObject({
      code: 'ERR_BAD_VALUE',
      path: 'Everything.text',
      offset: 8,
    });
    // Inside a list of strings in a map value: the path names the entry.
    expect(decodeError(() => codec.decode(bytesOf('0d 0010 08 0f 00000001 00000005 0b 00000001 00000002 c328 00')))).toMatchObject({
      code: 'ERR_BAD_VALUE',
      path: 'Everything.index[0].value[0]',
      offset: 22,
    });
  });

  test('nesting beyond the limit while skipping unknown fields', () => {
    const deep = Uint8Array.from([...Array.from({ length: 100_000 }, () => [0x0c, 0x00, 0x63]).flat(), ...new Array(100_001).fill(0)]);
    const error = decodeError(() => codec.decode(deep));
    expect(error).toMatchObject({ code: 'ERR_DEPTH_LIMIT', path: 'Everything.#99' });
    const lists = Uint8Array.from([0x0f, 0x00, 0x63, ...Array.from({ length: 100_000 }, () => [0x0f, 0, 0, 0, 1]).flat()]);
    expect(decodeError(() => codec.decode(lists))).toMatchObject({ code: 'ERR_DEPTH_LIMIT' });
  });

  test('nesting beyond the limit in known recursive fields', () => {
    const tree = doc.codec('Tree', { protocol: 'binary', maxDepth: 10 });
    const nested = Uint8Array.from([...Array.from({ length: 20 }, () => [0x0f, 0x00, 0x02, 0x0c, 0, 0, 0, 1]).flat(), ...new Array(21).fill(0)]);
    const error = decodeError(() => tree.decode(nested));
    expect(error?.code).toBe('ERR_DEPTH_LIMIT');
    expect(error?.path).toMatch(/^Tree\.children\[0\]\.children\[0\]/);
  });

  test('a non-Uint8Array input is ERR_INVALID_ARGUMENT', () => {
    expect(decodeError(() => codec.decode('abc' as never))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});

describe('compact specifics', () => {
  const codec = doc.codec('Everything', { protocol: 'compact' });

  test('a field type nibble that is not a Compact type', () => {
    expect(decodeError(() => codec.decode(bytesOf('1e 00')))).toMatchObject({ code: 'ERR_BAD_TYPE', path: 'Everything.#1', offset: 1 });
  });

  test('varints longer than allowed', () => {
    expect(decodeError(() => codec.decode(bytesOf('45 ffffffffff01 00')))).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'Everything.medium', offset: 1 });
    expect(decodeError(() => codec.decode(bytesOf('56 ffffffffffffffffffff01 00')))).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'Everything.large', offset: 1 });
  });

  test('an i16 varint out of range', () => {
    expect(decodeError(() => codec.decode(bytesOf('34 808004 00')))).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'Everything.small', offset: 1 });
  });

  test('a 5-byte body claiming 2^31-1 elements fails before allocating', () => {
    // ints: field 11, list header long form: 0xf5, varint 0x7fffffff.
    expect(decodeError(() => codec.decode(bytesOf('b9 f5 ffffff7f')))).toMatchObject({ code: 'ERR_SIZE_LIMIT', path: 'Everything.ints', offset: 1 });
    expect(decodeError(() => codec.decode(bytesOf('db ffffffff07 86')))).toMatchObject({ code: 'ERR_SIZE_LIMIT', path: 'Everything.counts', offset: 1 });
  });

  test('a negative length', () => {
    expect(decodeError(() => codec.decode(bytesOf('78 ffffffff0f')))).toMatchObject({ code: 'ERR_SIZE_LIMIT', path: 'Everything.text', offset: 1 });
  });

  test('map key and value types that are not the schema’s', () => {
    expect(decodeError(() => codec.decode(bytesOf('db 01 55 02 02 00')))).toMatchObject({ code: 'ERR_BAD_TYPE', path: 'Everything.counts', offset: 2 });
  });
});

test('bad message bodies carry the path from the args struct', () => {
  const echo = parse('struct R { 1: string s } service S { void m(1: R r) }', { filename: 's.thrift' }).service('S').method('m');
  const bytes = echo.encodeCall({ r: { s: 'x' } }, 1);
  const broken = Uint8Array.from(bytes);
  broken[broken.length - 3] = 0xff;
  expect(decodeError(() => echo.decodeCall(broken))).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'm_args.r.s', offset: broken.length - 3 });
});
