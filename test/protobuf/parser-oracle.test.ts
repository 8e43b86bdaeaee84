// The protoc oracle: for every fixture, heddle's descriptors equal what `protoc --descriptor_set_out`
// writes (names, numbers, types, labels, json names, oneof membership, options, defaults).
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { protobuf } from './helpers/heddle.js';
import { heddleFileJson, protocFilesJson } from './helpers/descriptor-json.js';
import { FIXTURES, fixturePeers, protocDescriptorSet, SYSTEM_INCLUDE } from './helpers/protoc.js';
import { itWithPeers } from '../helpers/peers.js';

const FIXTURE_FILES = ['baseline.proto', 'scalars3.proto', 'features2.proto', 'custom-options.proto', 'imports-main.proto', 'scoping.proto'];

describe('heddle descriptors equal protoc descriptors', () => {
  for (const file of FIXTURE_FILES) {
    itWithPeers(fixturePeers([file]), file, () => {
      const expected = protocFilesJson(protocDescriptorSet([FIXTURES, SYSTEM_INCLUDE], [file]));
      const root = protobuf.load(join(FIXTURES, file), { includeDirs: [FIXTURES] });
      const compared: string[] = [];
      for (const descriptor of root.allFiles) {
        if (descriptor.name!.startsWith('google/protobuf/')) continue;
        expect(heddleFileJson(descriptor), descriptor.name).toEqual(expected.get(descriptor.name!));
        compared.push(descriptor.name!);
      }
      expect(compared).toContain(file);
    });
  }
});
