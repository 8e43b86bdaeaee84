/**
 * peekMany over the addon's Compact field index (src-native/codec/compact_field_index.h) against
 * the same peekMany walking the top-level struct in TypeScript: the same values for valid
 * messages, and the same HeddleError (code, message, offset, path) for messages truncated,
 * corrupted at random or with hostile counts, since the index refuses whatever the walk might
 * reject and the walk then runs. Also what the index holds for a known message and where it
 * hands over to the walk.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ThriftPaths } from '../../src-ts/gateway/paths/thrift-paths.js';
import { nativeAddon, native } from '../../src-ts/native.js';
import { thrift } from '../../src-ts/index.js';
import { oneEdit } from './byte-edits.js';
import { IDL } from './fixtures.js';
import { pathsOf, pathText, randomSchema } from './paths-schema.js';

type PeekOutcome = { values: unknown[] } | { code: string; message: string; offset: unknown; path: unknown };

function peekOutcome(run: () => unknown[]): PeekOutcome {
  try {
    return { values: run() };
  } catch (error) {
    const e = error as { code?: unknown; message: string; offset?: unknown; path?: unknown };
    if (typeof e.code !== 'string') throw error;
    return { code: e.code, message: e.message, offset: e.offset, path: e.path };
  }
}

/** peekMany with the native index on every message, and with the TypeScript walk only (under `maxDepth`). */
function pathPair(doc: ReturnType<typeof thrift.parse>, root: string, maxDepth?: number) {
  const codec = doc.codec(root, { protocol: 'compact', ...(maxDepth === undefined ? {} : { maxDepth }) });
  const structByKey = (key: string) => doc.structByKey(key);
  return { indexed: new ThriftPaths(codec.struct, structByKey, codec.options, 0), walked: new ThriftPaths(codec.struct, structByKey, codec.options, Infinity) };
}

/** Bytes that change what a Compact reader does: STOP, type nibbles, varint continuation, big deltas. */
const WIRE_BYTES = [0x00, 0x01, 0x08, 0x09, 0x0b, 0x0c, 0x0e, 0x0f, 0x15, 0x7f, 0x80, 0xf9, 0xff];

/** A message with one random edit (byte-edits.ts). */
const edited = (bytes: Uint8Array) => oneEdit(bytes, WIRE_BYTES);

describe.skipIf(!native.loaded)('peekMany over the native Compact field index', () => {
  test.each(Array.from({ length: 8 }, (_, i) => i + 1))('random schema %i: values, then edited messages, as the TypeScript walk gives them', (seed) => {
    const schema = randomSchema(seed * 6007, 4);
    const doc = thrift.parse(schema.idl);
    const codec = doc.codec(schema.root, { protocol: 'compact' });
    for (const maxDepth of [undefined, 3]) {
      const { indexed, walked } = pathPair(doc, schema.root, maxDepth);
      fc.assert(
        fc.property(
          schema.arb.chain((value) => {
            const bytes = codec.encode(value).slice();
            return fc.tuple(fc.constant(bytes), fc.constant(pathsOf(codec.decode(bytes)).map(pathText)), edited(bytes));
          }),
          ([bytes, paths, bad]) => {
            const wanted = paths.slice(0, 6);
            const expected = peekOutcome(() => walked.peekMany(bytes, wanted));
            // A valid message within the codec's depth is read.
            if (maxDepth === undefined) expect('values' in expected).toBe(true);
            expect(peekOutcome(() => indexed.peekMany(bytes, wanted))).toStrictEqual(expected);
            expect(peekOutcome(() => indexed.peekMany(bad, wanted))).toStrictEqual(peekOutcome(() => walked.peekMany(bad, wanted)));
          },
        ),
        { numRuns: 60, seed },
      );
    }
  });

  test('the index of a known message: header offset, type, id, value start and end per field', () => {
    const doc = thrift.parse(IDL);
    const codec = doc.codec('Order', { protocol: 'compact' });
    const bytes = codec.encode({ id: 5n, items: [{ title: 'ab' }], ok: true, note: 'xyz' }).slice();
    const out = new Int32Array(5 * 8);
    const count = nativeAddon!.compactFieldIndex(bytes, 64, out);
    // The fields given, in id order: id (1), items (2), ok (8), note (9).
    expect(count).toBe(4);
    const ids = Array.from({ length: count }, (_, f) => out[f * 5 + 2]);
    expect(ids).toStrictEqual([1, 2, 8, 9]);
    // id: header at 0, Compact i64 (6), zigzag 5 = 10 in one byte.
    expect(Array.from(out.subarray(0, 5))).toStrictEqual([0, 6, 1, 1, 2]);
    // ok: a bool field's value is in its header, so it starts and ends after it.
    const ok = Array.from(out.subarray(2 * 5, 3 * 5));
    expect(ok[1]).toBe(1);
    expect(ok[3]).toBe(ok[0]! + 1);
    expect(ok[4]).toBe(ok[3]);
    // Each field starts where the one before ended; the STOP byte ends the message.
    for (let f = 1; f < count; f++) expect(out[f * 5]).toBe(out[(f - 1) * 5 + 4]);
    expect(bytes[out[(count - 1) * 5 + 4]!]).toBe(0);
    expect(out[(count - 1) * 5 + 4]! + 1).toBe(bytes.length);
  });

  test('hands over to the walk: a long-form field id, more fields than the room, a truncated or hostile value, too deep', () => {
    const doc = thrift.parse(IDL);
    const codec = doc.codec('Order', { protocol: 'compact' });
    const bytes = codec.encode({ id: 5n, items: [{ title: 'ab' }], note: 'xyz' }).slice();
    const out = new Int32Array(5 * 8);
    expect(nativeAddon!.compactFieldIndex(bytes, 64, out)).toBeGreaterThan(0);
    // Field 1 as a long-form header: type byte 0x06 then zigzag id 2.
    expect(nativeAddon!.compactFieldIndex(Uint8Array.of(0x06, 0x02, 0x0a, 0x00), 64, out)).toBe(-1);
    expect(nativeAddon!.compactFieldIndex(bytes, 64, new Int32Array(5 * 2))).toBe(-1);
    for (let i = 0; i < bytes.length; i++) expect(nativeAddon!.compactFieldIndex(bytes.subarray(0, i), 64, out)).toBe(-1);
    // A list<Item> (field 2) claiming 2^31 elements, and a string longer than the message.
    expect(nativeAddon!.compactFieldIndex(Uint8Array.of(0x29, 0xfc, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00), 64, out)).toBe(-1);
    expect(nativeAddon!.compactFieldIndex(Uint8Array.of(0x98, 0x10, 0x61, 0x00), 64, out)).toBe(-1);
    // items is a list of structs: at max depth 2 the structs inside it are too deep.
    expect(nativeAddon!.compactFieldIndex(bytes, 2, out)).toBe(-1);
    expect(nativeAddon!.compactFieldIndex(bytes, 3, out)).toBeGreaterThan(0);
    const { indexed, walked } = pathPair(doc, 'Order', 2);
    expect(peekOutcome(() => indexed.peekMany(bytes, ['note', 'items.0.title']))).toStrictEqual(peekOutcome(() => walked.peekMany(bytes, ['note', 'items.0.title'])));
  });
});
