// Decoded maps are collected while a message is read and built as one object after its last
// field (from a compiled literal once a key sequence repeats). These check that the objects are
// what protobuf's merge rules say, however the entries fall on the wire, on every decode of a
// stream: the first ones (stores), and the later ones (literals).
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MapShapes } from '../../src-ts/values/map-objects.js';
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

  it('equal the objects assignment builds when stored as they come (new combinations of known keys), nested messages of the same type between entries', () => {
    // Product attributes: keys of a small set in ever new combinations, the case where a field
    // stores entries straight into its object (MapShapes.direct); duplicates, __proto__ and
    // nested Blobs (whose own maps go through the same field's MapShapes) fall between entries.
    const key = fc.constantFrom('颜色', '尺码', '容量', '版本', 'Color', 'Size', '__proto__', '17');
    type Part = { kind: 'tag'; key: string; value: string } | { kind: 'child'; tags: [string, string][] };
    const part: fc.Arbitrary<Part> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('tag' as const), key, value: fc.string({ maxLength: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('child' as const), tags: fc.array(fc.tuple(key, fc.string({ maxLength: 2 })), { maxLength: 4 }) }) },
    );
    const assigned = (entries: [string, string][]) => {
      const object: Record<string, string> = {};
      for (const [k, v] of entries) Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
      return Object.entries(object);
    };
    const stored = vi.spyOn(MapShapes.prototype, 'storedDirectly');
    try {
      fc.assert(
        fc.property(fc.array(fc.array(part, { maxLength: 6 }), { minLength: 150, maxLength: 150 }), (messages) => {
          const codec = protobuf.parse(schema, { filename: 'maps.proto' }).codec('maps.test.Blob');
          for (const parts of messages) {
            const bytes = join(...parts.map((p, i) => (p.kind === 'tag'
              ? tag(p.key, p.value)
              : wire().delimited(4, wire().tag(1, 0).varint(i).delimited(2, join(...p.tags.map(([k, v]) => tag(k, v))))).build())));
            const decoded = codec.decode(bytes) as { tags: object; children: Record<string, { tags: object }> };
            const tags = parts.flatMap((p) => (p.kind === 'tag' ? [[p.key, p.value] as [string, string]] : []));
            expect(Object.getPrototypeOf(decoded.tags)).toBe(Object.prototype);
            expect(Object.entries(decoded.tags)).toEqual(assigned(tags));
            // A later child with the same entry number replaces an earlier one (a map of messages).
            const children = new Map<number, [string, string][]>();
            parts.forEach((p, i) => { if (p.kind === 'child') children.set(i, p.tags); });
            for (const [i, childTags] of children) expect(Object.entries(decoded.children[String(i)]!.tags)).toEqual(assigned(childTags));
          }
        }),
        { numRuns: 20 },
      );
      // The stream did reach the direct stores, not only the collecting path.
      expect(stored.mock.calls.length).toBeGreaterThan(100);
    } finally {
      stored.mockRestore();
    }
  });
});
