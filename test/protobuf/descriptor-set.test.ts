// FileDescriptorSets: heddle reads protoc's with its own descriptor.proto codec, and writes the
// same bytes protoc writes for the same files.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeddleError, protobuf } from './helpers/heddle.js';
import { heddleFileJson, protocFilesJson } from './helpers/descriptor-json.js';
import { FIXTURES, fixturePeers, protocDescriptorSet, SYSTEM_INCLUDE } from './helpers/protoc.js';
import { itWithPeers } from '../helpers/peers.js';

const FIXTURE_FILES = ['baseline.proto', 'scalars3.proto', 'features2.proto', 'custom-options.proto', 'imports-main.proto', 'scoping.proto'];

describe('fromDescriptorSet', () => {
  for (const file of FIXTURE_FILES) {
    itWithPeers(fixturePeers([file]), `reads protoc's set for ${file} into the same descriptors`, () => {
      const bytes = protocDescriptorSet([FIXTURES, SYSTEM_INCLUDE], [file]);
      const expected = protocFilesJson(bytes);
      const root = protobuf.fromDescriptorSet(bytes);
      expect(root.allFiles.map((f) => f.name).sort()).toEqual([...expected.keys()].sort());
      for (const descriptor of root.allFiles) {
        expect(heddleFileJson(descriptor), descriptor.name).toEqual(expected.get(descriptor.name!));
      }
    });
  }

  itWithPeers(fixturePeers(['baseline.proto']), 'gives codecs equal to those of the parsed source', () => {
    const bytes = protocDescriptorSet([FIXTURES], ['baseline.proto']);
    const fromSet = protobuf.fromDescriptorSet(bytes).codec('baseline.OrderItem');
    const parsed = protobuf.load(join(FIXTURES, 'baseline.proto')).codec('baseline.OrderItem');
    const value = { skuId: 42n, title: 'lamp', quantity: 2, priceCents: 1999n, tags: ['home', 'light'] };
    expect(fromSet.encode(value)).toEqual(parsed.encode(value));
    expect(fromSet.decode(parsed.encode(value))).toEqual(value);
  });

  itWithPeers(fixturePeers(['scalars3.proto']), 'takes well-known imports missing from the set from the built-in copies', () => {
    const bytes = protocDescriptorSet([FIXTURES, SYSTEM_INCLUDE], ['scalars3.proto'], false);
    const root = protobuf.fromDescriptorSet(bytes);
    expect(root.lookupMessage('heddle.test.v1.WellKnown').fields.map((f) => f.name)).toContain('at');
    expect(root.codec('google.protobuf.Timestamp').decode(new Uint8Array([8, 5]))).toEqual({ seconds: 5n, nanos: 0 });
  });

  itWithPeers(fixturePeers(['imports-public.proto']), 'rejects a set whose imports are missing', () => {
    const bytes = protocDescriptorSet([FIXTURES], ['imports-public.proto'], false);
    expect(() => protobuf.fromDescriptorSet(bytes)).toThrow(HeddleError);
    expect(() => protobuf.fromDescriptorSet(bytes)).toThrow(/imports-transitive.proto/);
  });

  it('rejects bytes that are not a descriptor set', () => {
    expect(() => protobuf.fromDescriptorSet(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED' }));
  });
});

describe('toDescriptorSet', () => {
  // protoc writes each `option (a).b = ...;` statement as its own record of extension `a`;
  // heddle writes the merged message once. Same value, different bytes, so that file is compared
  // decoded.
  const SPLIT_OPTION_RECORDS = new Set(['custom-options.proto']);

  for (const file of FIXTURE_FILES) {
    itWithPeers(fixturePeers([file]), `writes the set protoc writes for ${file}`, () => {
      const expected = protocDescriptorSet([FIXTURES, SYSTEM_INCLUDE], [file]);
      const root = protobuf.load(join(FIXTURES, file), { includeDirs: [FIXTURES, SYSTEM_INCLUDE] });
      const written = root.toDescriptorSet();
      expect(protocFilesJson(written)).toEqual(protocFilesJson(expected));
      if (!SPLIT_OPTION_RECORDS.has(file)) expect(Buffer.from(written).toString('hex')).toEqual(Buffer.from(expected).toString('hex'));
    });
  }

  itWithPeers(fixturePeers(['custom-options.proto']), 'round-trips through fromDescriptorSet', () => {
    const bytes = protocDescriptorSet([FIXTURES, SYSTEM_INCLUDE], ['custom-options.proto']);
    const again = protobuf.fromDescriptorSet(protobuf.fromDescriptorSet(bytes).toDescriptorSet());
    expect(again.allFiles.map(heddleFileJson)).toEqual([...protocFilesJson(bytes).values()]);
  });
});
