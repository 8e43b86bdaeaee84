// The built-in well-known types describe the same messages as protoc's copies under /usr/include
// (written independently, so declaration order and file options may differ; types may not).
import { describe, expect, it } from 'vitest';
import { protobuf } from './helpers/heddle.js';
import { heddleFileJson, protocFilesJson, type DescriptorJson } from './helpers/descriptor-json.js';
import { protocDescriptorSet, SYSTEM_INCLUDE } from './helpers/protoc.js';
import { describeWithPeers } from '../helpers/peers.js';

const WELL_KNOWN = ['any', 'api', 'descriptor', 'duration', 'empty', 'field_mask', 'source_context', 'struct', 'timestamp', 'type', 'wrappers'];

/** Sorts declarations so that only what they declare is compared, and drops file options. */
function canonical(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    const by = key === 'field' || key === 'value' || key === 'extension' ? 'number' : 'name';
    if (items.every((i) => typeof i === 'object' && i !== null && by in i)) {
      items.sort((a, b) => String((a as DescriptorJson)[by]).localeCompare(String((b as DescriptorJson)[by]), 'en', { numeric: true }));
    }
    return items;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = canonical(v, k);
    return out;
  }
  return value;
}

function withoutFileOptions(file: DescriptorJson): DescriptorJson {
  const { options: _options, ...rest } = file;
  return rest;
}

describeWithPeers(['protoc', 'protobuf-includes'], "built-in well-known types equal protoc's copies", () => {
  for (const name of WELL_KNOWN) {
    const path = `google/protobuf/${name}.proto`;
    it(`${path} matches protoc's`, () => {
      const expected = protocFilesJson(protocDescriptorSet([SYSTEM_INCLUDE], [path])).get(path)!;
      const root = protobuf.parse(`syntax = "proto3"; import "${path}";`, { filename: 'uses.proto' });
      const builtIn = root.allFiles.find((f) => f.name === path)!;
      expect(canonical(withoutFileOptions(heddleFileJson(builtIn)))).toEqual(canonical(withoutFileOptions(expected)));
    });
  }
});

describe('built-in well-known types', () => {
  it('resolves with nothing installed and gives codecs for the types', () => {
    const root = protobuf.parse(
      'syntax = "proto3"; import "google/protobuf/timestamp.proto"; message Event { google.protobuf.Timestamp at = 1; }',
    );
    const codec = root.codec('Event');
    const bytes = codec.encode({ at: { seconds: 1700000000n, nanos: 5 } });
    expect(codec.decode(bytes)).toEqual({ at: { seconds: 1700000000n, nanos: 5 } });
  });
});
