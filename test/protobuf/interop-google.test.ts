// Byte-exact with protoc --encode and with Google's Python protobuf (C++ backend) for messages
// without maps; value-equal round trips through Python for messages with maps. Values are random
// (fixed seeds) over the fixtures' types, written for protoc and Python as text format.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protobuf } from './helpers/heddle.js';
import { FIXTURES, protocCompile, protocEncode, protocPeers } from './helpers/protoc.js';
import { runPythonOracle } from './helpers/python-oracle.js';
import { itWithPeers } from '../helpers/peers.js';
import { toTextFormat } from './helpers/text-format.js';
import { messageValueArb } from './helpers/value-arb.js';

const FIXTURE_SOURCES = Object.fromEntries(
  ['scalars3.proto', 'features2.proto', 'baseline.proto'].map((f) => [f, readFileSync(join(FIXTURES, f), 'utf8')]),
);

/** Every deterministic (map-free) fixture type, as repeated fields of one message, so protoc and
 * Python each run once for the whole corpus. */
const DETERMINISTIC = `syntax = "proto2";
package heddle.interop;
import "scalars3.proto";
import "features2.proto";
import "baseline.proto";
message Corpus {
  repeated heddle.test.v1.Scalars scalars = 1;
  repeated heddle.test.v1.Repeated repeated = 2;
  repeated heddle.test.v1.Presence presence = 3;
  repeated heddle.test.v1.Outer outer = 4;
  repeated heddle.test.v2.Defaults defaults = 5;
  repeated heddle.test.v2.Required required = 6;
  repeated heddle.test.v2.Groups groups = 7;
  repeated heddle.test.v2.Extendable extendable = 8;
  repeated baseline.Simple simple = 9;
  repeated baseline.OrderItem order_item = 10;
}
`;

/** Fixture types with maps, whose byte order is free. */
const WITH_MAPS = `syntax = "proto3";
package heddle.interop;
import "scalars3.proto";
import "baseline.proto";
message MapCorpus {
  repeated heddle.test.v1.Maps maps = 1;
  repeated heddle.test.v1.WellKnown well_known = 2;
  repeated baseline.Nesting nesting = 3;
  repeated baseline.Order order = 4;
}
`;

/** What compiling the corpora takes (they import the fixtures). */
const PROTOC = protocPeers(...Object.values(FIXTURE_SOURCES));

function corpus(file: string, source: string, type: string, perField: number, maps: boolean) {
  const sources = { ...FIXTURE_SOURCES, [file]: source };
  const root = protobuf.parse(source, { filename: file, imports: FIXTURE_SOURCES });
  const info = root.lookupMessage(type);
  const value: Record<string, unknown[]> = {};
  info.fields.forEach((field, i) => {
    const item = messageValueArb((field as { message: () => typeof info }).message(), 2, { maps });
    value[field.name.replace(/_(.)/g, (_, c: string) => c.toUpperCase())] = fc.sample(item, { numRuns: perField, seed: 4242 + i });
  });
  return { file, sources, root, info, value, codec: root.codec(type) };
}

/** protoc's FileDescriptorSet of a corpus, for Python. */
function descriptorSet(c: ReturnType<typeof corpus>): Uint8Array {
  const { set, errors } = protocCompile(c.sources, c.file);
  if (set === undefined) throw new Error(`protoc refused ${c.file}:\n${errors}`);
  return set;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('deterministic messages are byte-exact with Google', () => {
  const c = corpus('corpus.proto', DETERMINISTIC, 'heddle.interop.Corpus', 25, false);
  const heddleBytes = c.codec.encode(c.value);
  const text = toTextFormat(c.info, c.value);

  itWithPeers(PROTOC, 'protoc --encode writes the bytes heddle writes', () => {
    const protocBytes = protocEncode(c.sources, 'corpus.proto', 'heddle.interop.Corpus', text);
    if (hex(protocBytes) !== hex(heddleBytes)) {
      // Point at the first differing message rather than at a long hex string.
      for (const field of c.info.fields) {
        const name = field.name.replace(/_(.)/g, (_, ch: string) => ch.toUpperCase());
        const items = c.value[name]!;
        const ours = c.codec.encode({ [name]: items });
        const theirs = protocEncode(c.sources, 'corpus.proto', 'heddle.interop.Corpus', toTextFormat(c.info, { [name]: items }));
        expect({ field: field.name, bytes: hex(ours) }).toEqual({ field: field.name, bytes: hex(theirs) });
      }
    }
    expect(hex(heddleBytes)).toBe(hex(protocBytes));
  });

  itWithPeers([...PROTOC, 'python3-protobuf'], "Python's text_format + SerializeToString writes the bytes heddle writes, and reads heddle's bytes back unchanged", () => {
    const set = descriptorSet(c);
    const [fromText, reread] = runPythonOracle([
      { set, type: 'heddle.interop.Corpus', op: 'text', text },
      { set, type: 'heddle.interop.Corpus', op: 'parse', data: heddleBytes },
    ]);
    expect(fromText).toMatchObject({ ok: true });
    expect(hex((fromText as { bytes: Uint8Array }).bytes)).toBe(hex(heddleBytes));
    expect(hex((reread as { bytes: Uint8Array }).bytes)).toBe(hex(heddleBytes));
  });

  it('covers a corpus worth the name', () => {
    expect(heddleBytes.length).toBeGreaterThan(20_000);
    expect(text).toMatch(/nan/);
    expect(text).toMatch(/: -0\b/);
    expect(text).toMatch(/\[heddle\.test\.v2\./);
    expect(text).toMatch(/Header \{/);
  });

  it('heddle decodes what Google wrote back to the values it started from', () => {
    expect(c.codec.decode(heddleBytes)).toEqual(c.codec.decode(c.codec.encode(c.codec.decode(heddleBytes))));
  });
});

describe('messages with maps round-trip through Google by value', () => {
  const c = corpus('map-corpus.proto', WITH_MAPS, 'heddle.interop.MapCorpus', 15, true);
  const heddleBytes = c.codec.encode(c.value);
  const expected = c.codec.decode(heddleBytes);

  itWithPeers([...PROTOC, 'python3-protobuf'], "Python reads heddle's bytes and writes bytes heddle decodes to the same values", () => {
    const set = descriptorSet(c);
    const [reread, fromText] = runPythonOracle([
      { set, type: 'heddle.interop.MapCorpus', op: 'parse', data: heddleBytes },
      { set, type: 'heddle.interop.MapCorpus', op: 'text', text: toTextFormat(c.info, c.value) },
    ]);
    expect(c.codec.decode((reread as { bytes: Uint8Array }).bytes)).toEqual(expected);
    expect(c.codec.decode((fromText as { bytes: Uint8Array }).bytes)).toEqual(expected);
  });

  itWithPeers(PROTOC, 'protoc --encode writes bytes heddle decodes to the same values', () => {
    const protocBytes = protocEncode(c.sources, 'map-corpus.proto', 'heddle.interop.MapCorpus', toTextFormat(c.info, c.value));
    expect(c.codec.decode(protocBytes)).toEqual(expected);
  });
});
