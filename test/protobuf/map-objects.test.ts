// Decoded maps are collected while a message is read and built as one object after its last
// field (from a compiled literal once a key sequence repeats). These check that the objects are
// what protobuf's merge rules say, however the entries fall on the wire, on every decode of a
// stream: the first ones (stores), and the later ones (literals).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protobuf } from './helpers/heddle.js';
import { wire } from './helpers/wire.js';

const schema = `
  syntax = "proto3";
  package maps.test;
  message Blob {
    map<string, string> tags = 1;
    int32 count = 2;
    map<int64, string> names = 3;
    map<int32, Blob> children = 4;
  }
  message Holder {
    Blob blob = 1;
    repeated Blob blobs = 2;
  }
`;
const root = protobuf.parse(schema, { filename: 'maps.proto' });
const blob = root.codec('maps.test.Blob');
const holder = root.codec('maps.test.Holder');

const tag = (key: string, value: string) => wire().delimited(1, wire().delimited(1, key).delimited(2, value)).build();
const name = (key: bigint, value: string) => wire().delimited(3, wire().tag(1, 0).varint(key).delimited(2, value)).build();
const join = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** Decodes the same bytes several times, so both the store and the literal paths give the answer. */
function decodeRepeatedly<T>(decode: (bytes: Uint8Array) => T, bytes: Uint8Array): T {
  const results = Array.from({ length: 4 }, () => decode(bytes));
  for (const result of results.slice(1)) expect(result).toStrictEqual(results[0]);
  return results[3]!;
}

describe('decoded maps', () => {
  it('gather entries of one map spread over the message, a later duplicate winning in the first place', () => {
    const bytes = join(tag('b', '1'), name(1000000000001n, 'x'), wire().tag(2, 0).varint(7).build(), tag('a', '2'), tag('b', '3'), name(1000000000001n, 'y'));
    const decoded = decodeRepeatedly((b) => blob.decode(b), bytes);
    expect(Object.entries(decoded.tags as object)).toEqual([['b', '3'], ['a', '2']]);
    expect(Object.entries(decoded.names as object)).toEqual([['1000000000001', 'y']]);
    expect(decoded.count).toBe(7);
  });

  it('merge into the map already there when a message field comes twice', () => {
    const first = join(tag('a', '1'), tag('b', '2'), name(5000000000n, 'five'));
    const second = join(tag('b', '3'), tag('c', '4'));
    const bytes = join(wire().delimited(1, first).build(), wire().delimited(1, second).build());
    const decoded = decodeRepeatedly((b) => holder.decode(b), bytes).blob as Record<string, object>;
    expect(Object.entries(decoded.tags!)).toEqual([['a', '1'], ['b', '3'], ['c', '4']]);
    expect(decoded.names).toEqual({ '5000000000': 'five' });
  });

  it('keep the maps of nested messages of the same type apart', () => {
    const child = join(tag('inner', 'yes'));
    const bytes = join(tag('outer', 'yes'), wire().delimited(4, wire().tag(1, 0).varint(1).delimited(2, child)).build(), tag('outer2', 'yes'));
    const decoded = decodeRepeatedly((b) => blob.decode(b), bytes);
    expect(decoded.tags).toEqual({ outer: 'yes', outer2: 'yes' });
    expect((decoded.children as Record<string, { tags: object }>)['1']!.tags).toEqual({ inner: 'yes' });
  });

  it('equal the objects assignment builds, decode after decode, for random streams of maps', () => {
    const key = fc.oneof(fc.constantFrom('k1', 'k2', '__proto__', '0', '17', '1000000000000', 'constructor'), fc.string({ maxLength: 4 }));
    const int64Key = fc.oneof(fc.constantFrom(0n, 7n, 1000000000000n, 1000000000001n, -1n), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
    const message = fc.record({
      tags: fc.array(fc.tuple(key, fc.string({ maxLength: 3 })), { maxLength: 6 }),
      names: fc.array(fc.tuple(int64Key, fc.string({ maxLength: 3 })), { maxLength: 6 }),
    });
    // A stream where messages often repeat, as real streams do, so literals get compiled and hit.
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(3), { minLength: 12, maxLength: 12 }), (messages, picks) => {
        // A codec of its own per run: a map field compiles 32 literals in its life, and a shared
        // codec would have spent them in the first runs.
        const fresh = protobuf.parse(schema, { filename: 'maps.proto' }).codec('maps.test.Blob');
        for (const pick of picks) {
          const m = messages[pick % messages.length]!;
          const bytes = join(...m.tags.map(([k, v]) => tag(k, v)), ...m.names.map(([k, v]) => name(k, v)));
          const tags: Record<string, string> = {};
          for (const [k, v] of m.tags) Object.defineProperty(tags, k, { value: v, enumerable: true, writable: true, configurable: true });
          const names: Record<string, string> = {};
          for (const [k, v] of m.names) names[String(k)] = v;
          const decoded = fresh.decode(bytes);
          expect(Object.getPrototypeOf(decoded.tags)).toBe(Object.prototype);
          expect(Object.entries(decoded.tags as object)).toEqual(Object.entries(tags));
          expect(Object.entries(decoded.names as object)).toEqual(Object.entries(names));
        }
      }),
      { numRuns: 300 },
    );
  });
});
