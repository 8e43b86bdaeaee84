/**
 * The field paths' skipper (gateway/paths/fast-skip.ts) against the codecs' skipper
 * (thrift/runtime/skip.ts) on random schemas' values, intact and corrupted: the same end
 * position, or both failing with the same code.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { skipBinaryValue, skipCompactValue, skipVarints, skipVarintsInJs } from '../../src-ts/gateway/paths/fast-skip.js';
import { nativeAddon } from '../../src-ts/native.js';
import { thrift } from '../../src-ts/index.js';
import { CodecFailure } from '../../src-ts/thrift/runtime/codec-failure.js';
import { ReadState } from '../../src-ts/thrift/runtime/read-state.js';
import { skipBinary, skipCompact } from '../../src-ts/thrift/runtime/skip.js';
import { randomSchema } from './paths-schema.js';

type Outcome = number | string;

function outcome(run: () => number): Outcome {
  try {
    return run();
  } catch (error) {
    if (error instanceof CodecFailure) return error.code;
    throw error;
  }
}

describe.each(['binary', 'compact'] as const)('%s', (protocol) => {
  const STRUCT = 12; // the struct type id in both protocols
  test.each([1, 2, 3, 4, 5, 6])('random schema %i', (seed) => {
    const schema = randomSchema(seed * 104729, 4);
    const codec = thrift.parse(schema.idl).codec(schema.root, { protocol });
    const fast = (bytes: Uint8Array, maxDepth = 6): Outcome =>
      outcome(() => (protocol === 'binary' ? skipBinaryValue : skipCompactValue)(bytes, 0, bytes.length, STRUCT, 1, maxDepth));
    const reference = (bytes: Uint8Array, maxDepth = 6): Outcome =>
      outcome(() => (protocol === 'binary' ? skipBinary : skipCompact)(new ReadState(bytes, 0, bytes.length), 0, STRUCT, 1, maxDepth));
    fc.assert(
      fc.property(schema.arb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.nat(), (value, edits, cut) => {
        const bytes = codec.encode(value).slice();
        expect(fast(bytes, 64)).toBe(bytes.length);
        expect(fast(bytes)).toBe(reference(bytes)); // maxDepth 6: deep values fail in both
        for (const [at, byte] of edits) bytes[at % bytes.length] = byte;
        expect(fast(bytes)).toBe(reference(bytes));
        const short = bytes.subarray(0, cut % (bytes.length + 1));
        expect(fast(short)).toBe(reference(short));
      }),
      { numRuns: 300, seed },
    );
  });
});

describe('compact varint lists', () => {
  // The byte loop skipVarints replaced for long lists: its end, or its error's code, offset and message.
  function byteLoop(bytes: Uint8Array, pos: number, count: number, max: number): string {
    let left = count;
    let start = pos;
    while (left > 0) {
      if (pos >= bytes.length) return `ERR_TRUNCATED@${start}`;
      if (bytes[pos++]! < 0x80) {
        left--;
        start = pos;
      } else if (pos - start >= max) return `ERR_BAD_VALUE@${start}: varint longer than ${max} bytes`;
    }
    return String(pos);
  }
  const fast = (bytes: Uint8Array): string => {
    try {
      return String(skipCompactValue(bytes, 0, bytes.length, 9, 1, 64));
    } catch (error) {
      if (!(error instanceof CodecFailure)) throw error;
      return error.code === 'ERR_TRUNCATED' ? `${error.code}@${error.offset}` : `${error.code}@${error.offset}: ${error.message}`;
    }
  };
  const header = (count: number, type: number): number[] => [0xf0 | type, ...(count < 128 ? [count] : [(count & 0x7f) | 0x80, count >> 7])];

  test('the word-at-a-time skip of i16, i32 and i64 lists ends where the byte loop ends, and fails where and as it fails', () => {
    // Varints of every length from 1 to 11 bytes (11 is over both limits), runs of continuation
    // bytes across word boundaries, cuts anywhere: the lists are long enough for the word loop.
    const varint = fc.integer({ min: 1, max: 11 }).chain((n) => fc.array(fc.integer({ min: 0, max: 127 }), { minLength: n, maxLength: n }).map((bits) => bits.map((b, i) => (i < n - 1 ? b | 0x80 : b))));
    fc.assert(
      fc.property(fc.constantFrom(4, 5, 6), fc.array(varint, { minLength: 16, maxLength: 200 }), fc.nat(), fc.boolean(), (type, varints, cut, truncate) => {
        const max = type === 6 ? 10 : 5;
        const head = header(varints.length, type);
        const full = Uint8Array.from([...head, ...varints.flat()]);
        // Cut no shorter than a byte per element: shorter is the list-size check, before any skip.
        const least = head.length + varints.length;
        const bytes = truncate ? full.subarray(0, least + (cut % (full.length - least + 1))) : full;
        expect(fast(bytes)).toBe(byteLoop(bytes, head.length, varints.length, max));
      }),
      { numRuns: 2000, seed: 2029 },
    );
  });

  test('100 i64s beyond 2^53 (the benchmark list) skip to the end, and one 11-byte varint among them is the error at its start', () => {
    const i64s = Array.from({ length: 100 }, (_, i) => BigInt(i) * -9_123_456_789_013n - 2n ** 62n);
    const codec = thrift.parse('struct L { 1: list<i64> xs }').codec('L', { protocol: 'compact' });
    const bytes = codec.encode({ xs: i64s }).slice();
    // Field header 0x19, then the list.
    const list = bytes.subarray(1, bytes.length - 1);
    expect(fast(list)).toBe(String(list.length));
    const items = list.subarray(2);
    // Make the 50th varint's last byte a continuation byte: it runs into the next one.
    let ends = 0;
    let at = 0;
    while (ends < 50) if (items[at++]! < 0x80) ends++;
    const broken = list.slice();
    broken[2 + at - 1]! |= 0x80;
    const start = 2 + at - 10;
    expect(fast(broken)).toBe(`ERR_BAD_VALUE@${start}: varint longer than 10 bytes`);
  });

  // skipVarints goes to the addon's kernel (eight bytes a step) for 16 varints or more when it is
  // loaded; skipVarintsInJs is the loop without it. Both against the byte loop, from any offset
  // of random bytes (mostly continuation bytes, so runs past the limit are common) and of
  // well-formed lists, with counts past what the input holds.
  const outcomeOf = (run: () => number): string => {
    try {
      return String(run());
    } catch (error) {
      if (!(error instanceof CodecFailure)) throw error;
      return error.code === 'ERR_TRUNCATED' ? `${error.code}@${error.offset}` : `${error.code}@${error.offset}: ${error.message}`;
    }
  };
  test.each([
    ['the native kernel (skipVarints)', skipVarints],
    ['the JavaScript loop (skipVarintsInJs)', skipVarintsInJs],
  ])('%s ends where the byte loop ends, and fails where and as it fails, on random and hostile input', (_name, skip) => {
    const varint = fc.integer({ min: 1, max: 12 }).chain((n) => fc.array(fc.integer({ min: 0, max: 127 }), { minLength: n, maxLength: n }).map((bits) => bits.map((b, i) => (i < n - 1 ? b | 0x80 : b))));
    const wellFormed = fc.array(varint, { minLength: 0, maxLength: 120 }).map((vs) => vs.flat());
    const hostile = fc.array(fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0x80, max: 0xff }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x7f }) }), { maxLength: 600 });
    fc.assert(
      fc.property(fc.oneof(wellFormed, hostile), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 200 }), fc.constantFrom(5, 10), (body, from, cut, count, max) => {
        const bytes = Uint8Array.from(body);
        const end = cut % (bytes.length + 1);
        const pos = end === 0 ? 0 : from % (end + 1);
        // The byte loop reads a whole array; its view from `pos` to `end` gives offsets from pos.
        const expected = byteLoop(bytes.subarray(0, end), pos, count, max);
        expect(outcomeOf(() => skip(bytes, pos, end, count, max))).toBe(expected);
      }),
      { numRuns: 3000, seed: 2031 },
    );
  });

  test.runIf(nativeAddon !== undefined)('the addon is loaded here, so the lists above went through the kernel', () => {
    // 16 one-byte varints and a varint of 11 bytes: the kernel's answer, not the loop's, is checked.
    const bytes = Uint8Array.from([...Array.from({ length: 16 }, () => 1), ...Array.from({ length: 10 }, () => 0x80), 0]);
    expect(nativeAddon!.skipVarints(bytes, 0, bytes.length, 16, 10)).toBe(16);
    expect(nativeAddon!.skipVarints(bytes, 0, bytes.length, 17, 10)).toBe(-(16 * 4 + 2));
    expect(nativeAddon!.skipVarints(bytes, 0, 20, 17, 10)).toBe(-(16 * 4 + 1));
  });
});
