/**
 * The field paths' skipper (gateway/paths/fast-skip.ts) against the codecs' skipper
 * (thrift/runtime/skip.ts) on random schemas' values, intact and corrupted: the same end
 * position, or both failing with the same code.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { skipBinaryValue, skipCompactValue } from '../../src-ts/gateway/paths/fast-skip.js';
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
