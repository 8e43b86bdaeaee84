import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';
import protobufjs from 'protobufjs';
import { describe, expect, it } from 'vitest';
import * as heddleLoader from '../../../src-ts/adapters/grpc-loader/index.js';
import type { MessageTypeDefinition, PackageDefinition, ServiceDefinition } from '../../../src-ts/adapters/grpc-loader/index.js';
import { decimalMapKeys, int64KeyedMaps, OPTION_SETS, PROTOS } from './helpers.js';
import { stressArbitraries } from './stress-values.js';

// fromJSON against @grpc/proto-loader's: both read the JSON protobufjs writes for a loaded root
// (`root.toJSON()`, which is also `pbjs -t json`), and must give the same PackageDefinition.

/**
 * The protobufjs JSON of a .proto file and its imports, resolved in PROTOS; field names camelCased
 * unless `keepCase`, as pbjs writes them.
 */
function protobufjsJson(file: string, keepCase = true): protobufjs.INamespace {
  const root = new protobufjs.Root();
  root.resolvePath = (_origin, target) => (existsSync(join(PROTOS, target)) ? join(PROTOS, target) : target);
  root.loadSync(join(PROTOS, file), { keepCase });
  root.resolveAll();
  return root.toJSON();
}

const CORPUS = ['helloworld.proto', 'route_guide.proto', 'grpc/testing/test.proto', 'stress.proto'];

describe.each(Object.entries(OPTION_SETS))('fromJSON against @grpc/proto-loader, options %s', (_setName, options) => {
  it.each(CORPUS)('gives the same keys, methods and flags for %s', (file) => {
    const json = protobufjsJson(file, options.keepCase === true);
    const theirs = protoLoader.fromJSON(json, options) as unknown as PackageDefinition;
    const ours = heddleLoader.fromJSON(json, options);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    let methods = 0;
    for (const [name, def] of Object.entries(theirs)) {
      const mine = ours[name]!;
      if ('format' in def) {
        expect((mine as MessageTypeDefinition).format, name).toBe(def.format);
        continue;
      }
      for (const [method, m] of Object.entries(def as ServiceDefinition)) {
        const h = (mine as ServiceDefinition)[method]!;
        expect({ path: h.path, requestStream: h.requestStream, responseStream: h.responseStream, originalName: h.originalName, options: h.options }, `${name}.${method}`)
          .toEqual({ path: m.path, requestStream: m.requestStream, responseStream: m.responseStream, originalName: m.originalName, options: m.options });
        expect(h.requestType.format).toBe(m.requestType.format);
        methods++;
      }
    }
    if (file !== 'stress.proto') expect(methods).toBeGreaterThan(0);
  });

  const keepCase = options.keepCase === true;
  const json = protobufjsJson('stress.proto', keepCase);
  const theirs = protoLoader.fromJSON(json, options) as unknown as PackageDefinition;
  const ours = heddleLoader.fromJSON(json, options);
  const values = stressArbitraries(keepCase, true);
  const { all: bigKeyed, unsigned: unsignedKeyed } = int64KeyedMaps(keepCase);

  it.each(['Scalars', 'Lists', 'Maps', 'Choices', 'Names', 'Wkt', 'Nested', 'Everything'] as const)(
    'serializes %s values to the same bytes and deserializes them to equal values',
    (type) => {
      const mine = ours[`stress.v1.${type}`] as MessageTypeDefinition;
      const reference = theirs[`stress.v1.${type}`] as MessageTypeDefinition;
      const arbitrary = values[type.toLowerCase() as keyof typeof values] as fc.Arbitrary<object>;
      fc.assert(fc.property(arbitrary, (value) => {
        const expected = reference.serialize(value);
        const actual = mine.serialize(value);
        expect(actual.toString('hex')).toBe(expected.toString('hex'));
        expect(mine.deserialize(expected)).toEqual(decimalMapKeys(reference.deserialize(expected), bigKeyed, unsignedKeyed));
      }), { numRuns: type === 'Everything' ? 30 : 80 });
    },
  );
});

describe('fromJSON', () => {
  it('reads proto2 types (edition "proto2") with their labels: unpacked repeated, required fields', () => {
    const json = {
      nested: {
        legacy: {
          nested: {
            Row: {
              edition: 'proto2',
              fields: { id: { rule: 'required', type: 'int32', id: 1 }, tags: { rule: 'repeated', type: 'int32', id: 2 }, note: { type: 'string', id: 3 } },
            },
          },
        },
      },
    };
    const theirs = protoLoader.fromJSON(json, {})['legacy.Row'] as unknown as MessageTypeDefinition;
    const ours = heddleLoader.fromJSON(json, {})['legacy.Row'] as MessageTypeDefinition;
    const value = { id: 7, tags: [1, 2], note: 'n' };
    // Field 2 unpacked (two 0x10 tags), as proto2 writes it.
    expect(ours.serialize(value).toString('hex')).toBe('0807100110021a016e');
    expect(ours.serialize(value).toString('hex')).toBe(theirs.serialize(value).toString('hex'));
    expect(ours.deserialize(theirs.serialize(value))).toEqual(theirs.deserialize(theirs.serialize(value)));
  });

  it('refuses an edition it cannot read, naming the type', () => {
    const json = { nested: { p: { nested: { M: { edition: '2023', fields: { a: { type: 'int32', id: 1 } } } } } } };
    expect(() => heddleLoader.fromJSON(json, {})).toThrow(/p\.M has edition 2023/);
  });

  it('gives the same PackageDefinition keys as loadSync of the .proto the JSON came from', () => {
    const json = protobufjsJson('grpc/testing/test.proto');
    const fromFile = heddleLoader.loadSync('grpc/testing/test.proto', { includeDirs: [PROTOS] });
    expect(Object.keys(heddleLoader.fromJSON(json)).sort()).toEqual(Object.keys(fromFile).sort());
  });
});

describe('exports', () => {
  it('match @grpc/proto-loader\'s runtime exports, Long included (the long package\'s class)', () => {
    const theirs = Object.keys(protoLoader).filter((k) => k !== 'default').sort();
    const ours = Object.keys(heddleLoader).filter((k) => k !== 'default').sort();
    expect(ours).toEqual(theirs);
    expect(heddleLoader.Long).toBe(protoLoader.Long);
    expect(heddleLoader.Long.fromString('9007199254740993').toString()).toBe('9007199254740993');
  });
});
