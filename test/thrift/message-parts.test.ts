// Messages encoded as parts (encodeMessageParts, what RPC over shared memory sends): large
// `binary` values are the caller's own memory, linked between views of the encoder's buffer, and
// the parts joined are byte for byte what encodeMessage writes, in both protocols.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { encodeMessageParts } from '../../src-ts/thrift/message.js';
import * as thrift from '../../src-ts/thrift/index.js';

const idl = `
  struct Inner { 1: binary blob, 2: string note }
  struct Outer {
    1: i64 id,
    2: binary head,
    3: list<binary> blobs,
    4: map<string, binary> named,
    5: Inner inner,
    6: binary tail,
  }
  service Store { Outer put(1: Outer value, 2: binary extra) }
`;
const doc = thrift.parse(idl, { filename: 'store.thrift' });
const PROTOCOLS = ['binary', 'compact'] as const;

const join = (parts: readonly Uint8Array[]): Buffer => Buffer.concat(parts);

/** Bytes whose values depend on `seed`, so a part taken from the wrong place shows. */
function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 13 + seed * 101 + (i >> 9)) & 0xff;
  return out;
}

const sizes = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1000, max: 70_000 }));
const outerValues = fc.record({
  id: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  head: sizes,
  blobs: fc.array(sizes, { maxLength: 6 }),
  named: fc.uniqueArray(fc.tuple(fc.string({ maxLength: 8 }), sizes), { maxLength: 4, selector: ([key]) => key }),
  inner: fc.option(fc.tuple(sizes, fc.string({ maxLength: 60 })), { nil: undefined }),
  tail: sizes,
});

describe('encodeMessageParts', () => {
  for (const protocol of PROTOCOLS) {
    const method = doc.service('Store', { protocol }).method('put');

    test(`${protocol}: the parts joined are encodeMessage's bytes, and values from linkFrom up are the caller's memory`, () => {
      fc.assert(
        fc.property(outerValues, sizes, fc.integer({ min: 1, max: 80_000 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (shape, extraSize, linkFrom, seqId) => {
          let seed = 0;
          const made: Uint8Array[] = [];
          const blob = (n: number): Uint8Array => {
            const bytes = bytesOf(n, seed++);
            made.push(bytes);
            return bytes;
          };
          const value = {
            id: shape.id,
            head: blob(shape.head),
            blobs: shape.blobs.map(blob),
            named: new Map(shape.named.map(([key, n]) => [key, blob(n)])),
            inner: shape.inner === undefined ? undefined : { blob: blob(shape.inner[0]), note: shape.inner[1] },
            tail: blob(shape.tail),
          };
          const args = { value, extra: blob(extraSize) };
          const whole = Buffer.from(method.encodeCall(args, seqId));
          const parts = method.encodeCallParts(args, seqId, linkFrom);
          expect(join(parts).equals(whole)).toBe(true);
          expect(parts.every((part) => part.length > 0)).toBe(true);
          // Every value of linkFrom bytes or more travels as itself, in field order; nothing smaller does.
          const linked = made.flatMap((bytes, i) => (bytes.length >= linkFrom && bytes.length > 0 ? [i] : []));
          expect(parts.flatMap((part) => (made.includes(part) ? [made.indexOf(part)] : []))).toEqual(linked);
        }),
        { numRuns: 60 },
      );
    });
  }

  test('a value changed after the encode changes the linked part, not the copied bytes', () => {
    const method = doc.service('Store').method('put');
    const big = bytesOf(50_000, 1);
    const small = bytesOf(100, 2);
    const parts = method.encodeCallParts({ value: { head: small, tail: big }, extra: small }, 1, 10_000);
    const before = join(parts);
    big[0] = big[0]! ^ 0xff;
    small[0] = small[0]! ^ 0xff;
    const after = join(parts);
    const differing = [...before.keys()].filter((i) => before[i] !== after[i]);
    expect(differing).toHaveLength(1);
    expect(after.indexOf(Buffer.from(big))).toBe(differing[0]);
  });

  test('the size limit counts linked bytes', () => {
    const limited = thrift.parse(idl, { filename: 'store.thrift' }).service('Store', { maxSize: 100_000 }).method('put');
    const error = (() => {
      try {
        limited.encodeCallParts({ value: { head: bytesOf(60_000, 1), tail: bytesOf(60_000, 2) } }, 1, 1024);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(HeddleError);
    expect((error as HeddleError).code).toBe('ERR_SIZE_LIMIT');
    // The failed message left nothing behind: the next encode is whole and exact.
    const next = { value: { head: bytesOf(30_000, 3) } };
    expect(join(limited.encodeCallParts(next, 2, 1024)).equals(Buffer.from(limited.encodeCall(next, 2)))).toBe(true);
  });

  test('a message growing the buffer after a linked value keeps the parts before it', () => {
    // A long string after a linked binary makes the encoder grow its slab mid-message.
    const method = doc.service('Store').method('put');
    const value = { head: bytesOf(200_000, 4), inner: { blob: bytesOf(5, 5), note: '长'.repeat(90_000) }, tail: bytesOf(300_000, 6) };
    const parts = method.encodeCallParts({ value }, 9, 65_536);
    expect(join(parts).equals(Buffer.from(method.encodeCall({ value }, 9)))).toBe(true);
    expect(parts).toContain(value.head);
    expect(parts).toContain(value.tail);
  });

  test('encodeMessageParts without linking is one part, as encodeMessage', () => {
    const codec = doc.service('Store').method('put').args;
    const header = { name: 'put', type: thrift.MessageType.CALL, seqId: 3 };
    const parts = encodeMessageParts(header, codec, { extra: bytesOf(70_000, 7) }, Infinity);
    expect(parts).toHaveLength(1);
    expect(Buffer.from(parts[0]!).equals(Buffer.from(thrift.encodeMessage(header, codec, { extra: bytesOf(70_000, 7) })))).toBe(true);
  });
});
