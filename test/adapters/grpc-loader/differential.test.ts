import * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as heddleLoader from '../../../src-ts/adapters/grpc-loader/index.js';
import type { MessageTypeDefinition, PackageDefinition, ServiceDefinition } from '../../../src-ts/adapters/grpc-loader/index.js';
import { decimalMapKeys, int64KeyedMaps, OPTION_SETS, PROTOS } from './helpers.js';
import { stressArbitraries } from './stress-values.js';

// Differential tests against the real @grpc/proto-loader: the same PackageDefinition shape, and
// byte-equal serialization and deep-equal deserialization under every option set users pass.

const CORPUS: Array<{ file: string; includeDirs?: string[] }> = [
  { file: `${PROTOS}/helloworld.proto` },
  { file: `${PROTOS}/route_guide.proto` },
  { file: 'grpc/testing/test.proto', includeDirs: [PROTOS] },
  { file: `${PROTOS}/stress.proto` },
];

function load(loader: typeof heddleLoader | typeof protoLoader, entry: (typeof CORPUS)[number], options: Record<string, unknown>) {
  const withDirs = entry.includeDirs === undefined ? options : { ...options, includeDirs: entry.includeDirs };
  return loader.loadSync(entry.file, withDirs) as unknown as PackageDefinition;
}

function message(definition: PackageDefinition, name: string): MessageTypeDefinition {
  return definition[name] as MessageTypeDefinition;
}

describe.each(Object.entries(OPTION_SETS))('heddle/grpc-loader against @grpc/proto-loader, options %s', (setName, options) => {
  it.each(CORPUS)('gives the same PackageDefinition shape for $file', (entry) => {
    const theirs = load(protoLoader, entry, options);
    const ours = load(heddleLoader, entry, options);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const [name, def] of Object.entries(theirs)) {
      const mine = ours[name]!;
      if ('format' in def) {
        expect((mine as MessageTypeDefinition).format, name).toBe(def.format);
        expect(typeof (mine as MessageTypeDefinition).type).toBe('object');
        expect((mine as MessageTypeDefinition).fileDescriptorProtos.every((b) => Buffer.isBuffer(b))).toBe(true);
        continue;
      }
      for (const [method, m] of Object.entries(def as ServiceDefinition)) {
        const h = (mine as ServiceDefinition)[method]!;
        expect({ path: h.path, requestStream: h.requestStream, responseStream: h.responseStream, originalName: h.originalName, options: h.options })
          .toEqual({ path: m.path, requestStream: m.requestStream, responseStream: m.responseStream, originalName: m.originalName, options: m.options });
        expect(h.requestType.format).toBe(m.requestType.format);
        expect(h.requestSerialize).toBe(h.requestType.serialize);
        expect(h.responseDeserialize).toBe(h.responseType.deserialize);
      }
    }
  });

  const keepCase = options.keepCase === true;
  const theirs = load(protoLoader, CORPUS[3]!, options);
  const ours = load(heddleLoader, CORPUS[3]!, options);
  const values = stressArbitraries(keepCase, true);
  const { all: bigKeyed, unsigned: unsignedKeyed } = int64KeyedMaps(keepCase);

  it.each(['Scalars', 'Lists', 'Maps', 'Choices', 'Names', 'Wkt', 'Nested', 'Everything'] as const)(
    'serializes %s values (coercions included) to the same bytes and deserializes them to equal values',
    (type) => {
      const mine = message(ours, `stress.v1.${type}`);
      const reference = message(theirs, `stress.v1.${type}`);
      const arbitrary = values[type.toLowerCase() as keyof typeof values] as fc.Arbitrary<object>;
      fc.assert(fc.property(arbitrary, (value) => {
        const expected = reference.serialize(value);
        const actual = mine.serialize(value);
        expect(Buffer.isBuffer(actual)).toBe(true);
        expect(actual.toString('hex')).toBe(expected.toString('hex'));
        const decodedTheirs = decimalMapKeys(reference.deserialize(expected), bigKeyed, unsignedKeyed);
        expect(mine.deserialize(expected)).toEqual(decodedTheirs);
      }), { numRuns: type === 'Everything' ? 60 : 150 });
    },
  );

  it('deserializes an empty message to the same defaults', () => {
    for (const type of ['Scalars', 'Lists', 'Maps', 'Choices', 'Names', 'Wkt', 'Nested', 'Everything']) {
      const name = `stress.v1.${type}`;
      expect(message(ours, name).deserialize(Buffer.alloc(0)), `${setName} ${name}`).toEqual(message(theirs, name).deserialize(Buffer.alloc(0)));
    }
  });
});
