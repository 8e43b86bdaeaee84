/**
 * fromJSON and toJSON against heddle's own encode and decode on random schemas and values: for
 * every value, `fromJSON(reference JSON)` must equal `encode(value)` byte for byte, `toJSON(encode(
 * value))` must equal the reference JSON byte for byte, and JSON.parse must agree on the result;
 * the same JSON with whitespace everywhere, every non-ASCII character escaped and unknown members
 * added must still give encode's bytes.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { thrift } from '../../src-ts/index.js';
import { randomSchema as schema } from './random-schema.js';
import { referenceJson } from './reference-json.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

describe.each(['binary', 'compact'] as const)('%s: fromJSON and toJSON equal encode and decode', (protocol) => {
  test.each(Array.from({ length: 12 }, (_, i) => i + 1))('random schema %i', (seed) => {
    const { idl, arbs } = schema(seed * 7919, 4);
    const doc = thrift.parse(idl);
    const name = 'S3';
    const codec = doc.codec(name, { protocol });
    const struct = doc.struct(name);
    fc.assert(
      fc.property(arbs.get(name)!, (value) => {
        const wire = codec.encode(value);
        const json = referenceJson(doc, struct, value);
        // JSON → wire equals JSON-free encode, byte for byte.
        expect(hex(codec.fromJSON(json))).toBe(hex(wire));
        expect(hex(codec.fromJSON(Buffer.from(json)))).toBe(hex(wire));
        // wire → JSON equals the reference rendering, byte for byte.
        const out = codec.toJSON(wire);
        expect(out.toString('utf8')).toBe(json);
        expect(JSON.parse(out.toString('utf8'))).toStrictEqual(JSON.parse(json));
        // i64 as strings, and those strings accepted back.
        const asStrings = codec.toJSON(wire, { i64: 'string' }).toString('utf8');
        expect(asStrings).toBe(referenceJson(doc, struct, value, 'string'));
        expect(hex(codec.fromJSON(asStrings))).toBe(hex(wire));
        // Whitespace, \u escapes of all non-ASCII text and unknown members change nothing.
        const varied = referenceJson(doc, struct, value, 'number', { loose: true, escapeAll: true, unknown: true });
        expect(JSON.parse(varied).zz_unknown.a[2]).toBe('é"');
        expect(hex(codec.fromJSON(varied))).toBe(hex(wire));
        // decode of the transcoded bytes gives the value back.
        expect(codec.decode(codec.fromJSON(json))).toStrictEqual(codec.decode(wire));
      }),
      { numRuns: 60, seed },
    );
  });
});
