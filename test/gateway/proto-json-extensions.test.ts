// ProtoJSON extensions ("[full.name]" members) against @bufbuild/protobuf with a registry holding
// them: toJSON of bufbuild's bytes equals toJsonString byte for byte (extensions after the fields,
// in their wire order), and fromJSON reads what fromJsonString reads, on the native transcoder
// (which hands such messages to the twin) and without the addon alike.
import { create, createFileRegistry, fromBinary, fromJsonString, setExtension, toBinary, toJsonString, type DescExtension } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { protobuf } from '../protobuf/helpers/heddle.js';

const PROTO = `syntax = "proto2";
package ext;
message Base {
  optional int32 a = 1;
  optional string b = 2;
  extensions 100 to 200;
  optional int64 z = 300;
}
message Note { optional string text = 1; repeated int32 n = 2; }
enum Color { RED = 0; GREEN = 1; }
extend Base {
  optional int64 big = 100;
  repeated string tags = 101;
  optional Note note = 102;
  optional Color color = 103;
  optional bytes blob = 104;
  optional double ratio = 105;
}
message Holder {
  optional Base base = 1;
  repeated Base bases = 2;
  extend Base { optional bool flag = 150; }
}
`;

const root = protobuf.parse(PROTO, { filename: 'ext.proto' });
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, root.toDescriptorSet()));
const base = registry.getMessage('ext.Base')!;
const holder = registry.getMessage('ext.Holder')!;
const note = registry.getMessage('ext.Note')!;
const ext = (name: string) => registry.getExtension(name)! as DescExtension;
const baseCodec = root.codec('ext.Base');
const holderCodec = root.codec('ext.Holder');

type Setter = (message: ReturnType<typeof create>) => void;
const setters: Record<string, fc.Arbitrary<Setter>> = {
  big: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => (m) => setExtension(m as never, ext('ext.big') as never, v as never)),
  tags: fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 3 }).map((v) => (m) => setExtension(m as never, ext('ext.tags') as never, v as never)),
  note: fc.record({ text: fc.string(), n: fc.array(fc.integer(), { maxLength: 3 }) }).map((v) => (m) => setExtension(m as never, ext('ext.note') as never, create(note, v) as never)),
  color: fc.constantFrom(0, 1).map((v) => (m) => setExtension(m as never, ext('ext.color') as never, v as never)),
  blob: fc.uint8Array({ maxLength: 20 }).map((v) => (m) => setExtension(m as never, ext('ext.blob') as never, v as never)),
  ratio: fc.double({ noNaN: true }).map((v) => (m) => setExtension(m as never, ext('ext.ratio') as never, v as never)),
  flag: fc.boolean().map((v) => (m) => setExtension(m as never, ext('ext.Holder.flag') as never, v as never)),
};
// Extensions set in a random order: bufbuild writes them in that order, and ProtoJSON lists them so.
const baseArb = fc
  .record({
    a: fc.option(fc.integer(), { nil: undefined }),
    b: fc.option(fc.string(), { nil: undefined }),
    z: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { nil: undefined }),
    extensions: fc.shuffledSubarray(Object.keys(setters)).chain((names) => fc.tuple(...names.map((n) => setters[n]!))),
  })
  .map(({ extensions, ...fields }) => {
    const message = create(base, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
    for (const set of extensions) set(message);
    return message;
  });

describe('ProtoJSON extensions', () => {
  it('toJSON writes "[full.name]" members after the fields, in wire order, as toJsonString does (both naming options)', () => {
    fc.assert(
      fc.property(baseArb, (message) => {
        const bytes = toBinary(base, message);
        expect(baseCodec.toJSON(bytes).toString('utf8')).toBe(toJsonString(base, fromBinary(base, bytes), { registry }));
        expect(baseCodec.toJSON(bytes, { useProtoFieldName: true }).toString('utf8')).toBe(toJsonString(base, fromBinary(base, bytes), { registry, useProtoFieldName: true }));
      }),
      { numRuns: 300 },
    );
  });

  it('fromJSON reads "[full.name]" members as fromJsonString does, nested messages included', () => {
    fc.assert(
      fc.property(fc.array(baseArb, { minLength: 1, maxLength: 3 }), (bases) => {
        const message = create(holder, { base: bases[0], bases: bases.slice(1) });
        const json = toJsonString(holder, message, { registry });
        const ours = holderCodec.fromJSON(json);
        const theirs = fromJsonString(holder, json, { registry });
        expect(toJsonString(holder, fromBinary(holder, ours), { registry })).toBe(toJsonString(holder, fromBinary(holder, toBinary(holder, theirs)), { registry }));
        expect(holderCodec.toJSON(ours).toString('utf8')).toBe(json);
      }),
      { numRuns: 200 },
    );
  });

  it('exact text for one message, and the extension keys bufbuild refuses are refused', () => {
    const json = '{"a":1,"[ext.big]":"9007199254740993","[ext.Holder.flag]":true,"[ext.note]":{"text":"你好"}}';
    const bytes = baseCodec.fromJSON(json);
    // fromJSON writes members in the order it reads them, so the extensions keep the JSON's order.
    expect(baseCodec.toJSON(bytes).toString('utf8')).toBe(json);
    expect(toJsonString(base, fromBinary(base, bytes), { registry })).toBe(baseCodec.toJSON(bytes).toString('utf8'));
    // Not an extension of Base, not a name at all, or the bare name: bufbuild rejects each, as heddle does.
    for (const bad of ['{"[ext.Note.text]":"x"}', '{"[ext.nope]":1}', '{"big":"1"}', '{"[big]":"1"}']) {
      expect(() => fromJsonString(base, bad, { registry })).toThrow();
      let error: unknown;
      try {
        baseCodec.fromJSON(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HeddleError);
      expect((error as HeddleError).code).toBe('ERR_BAD_VALUE');
    }
    expect(baseCodec.toJSON(baseCodec.fromJSON('{"[ext.nope]":1,"a":2}', { ignoreUnknownFields: true })).toString()).toBe('{"a":2}');
  });
});
