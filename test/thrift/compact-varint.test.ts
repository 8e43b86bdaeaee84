// Compact i64 varints are read by an unrolled reader when ten bytes of input are left and by a
// checked loop near the end; both must give the same values and the same errors, at every length.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { parse } from '../../src-ts/thrift/index.js';

const doc = parse('struct Pair { 1: i64 a, 2: string pad }', { filename: 'pair.thrift' });
const compact = doc.codec('Pair', { protocol: 'compact' });

/** The zigzag varint bytes of `value`, written by hand from the Compact spec. */
function zigzagVarint(value: bigint): number[] {
  let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const i64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.integer({ min: 0, max: 63 }).map((bits) => 2n ** BigInt(bits) - 1n),
  fc.integer({ min: 0, max: 63 }).map((bits) => -(2n ** BigInt(bits))),
);

describe('compact i64 varints', () => {
  test('decode to the value written, with input to spare after them and with none', () => {
    fc.assert(
      fc.property(i64, (a) => {
        // Field 1 (delta 1, type 6 = i64), then the varint; the string field after it, or nothing.
        const head = [0x16, ...zigzagVarint(a)];
        const alone = Uint8Array.from([...head, 0]);
        const padded = Uint8Array.from([...head, 0x18, 12, ...Buffer.from('twelve bytes'), 0]);
        expect(compact.decode(alone).a).toBe(a);
        expect(compact.decode(padded)).toEqual({ a, pad: 'twelve bytes' });
        expect(compact.encode({ a })).toEqual(alone);
      }),
      { numRuns: 2000 },
    );
  });

  test('an eleven-byte varint is ERR_BAD_VALUE at its first byte, and a cut one ERR_TRUNCATED, either way', () => {
    const overlong = [0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    for (const tail of [[0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]) {
      const error = (() => {
        try {
          compact.decode(Uint8Array.from([...overlong, ...tail]));
        } catch (e) {
          return e as HeddleError;
        }
        throw new Error('decoded an eleven-byte varint');
      })();
      expect(error.code).toBe('ERR_BAD_VALUE');
      expect(error.offset).toBe(1);
    }
    for (let cut = 2; cut < 11; cut++) {
      expect(() => compact.decode(Uint8Array.from(overlong.slice(0, cut)))).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED' }));
    }
  });
});
