// Twin and native ProtoJSON transcoders of one message type over the same tables, for the
// native-against-twin tests of both directions.
import { createFileRegistry, fromBinary, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { expect } from 'vitest';
import { ProtoJsonTables } from '../../src-ts/gateway/proto-json/descriptor.js';
import { ProtoJsonTranscoder } from '../../src-ts/gateway/proto-json/transcoder.js';
import { native } from '../../src-ts/native.js';
import { protobuf } from '../protobuf/helpers/heddle.js';
import { renderSchema, schemaArb, valueArb } from '../protobuf/helpers/random-schema.js';

export type Root = ReturnType<typeof protobuf.parse>;
export const LIMITS = { maxDepth: 64, maxSize: 4 * 1024 * 1024 };

export function pair(root: Root, type: string, limits = LIMITS) {
  const tables = new ProtoJsonTables((name) => {
    try {
      return root.lookupMessage(name);
    } catch {
      return undefined;
    }
  });
  const desc = tables.message(root.lookupMessage(type));
  const nat = new ProtoJsonTranscoder(desc, tables, limits, true);
  // Where the addon is loaded the native path must run: a test that compared the twin with itself could not fail.
  expect(nat.isNative).toBe(native.loaded);
  return { twin: new ProtoJsonTranscoder(desc, tables, limits, false), nat, desc, tables, limits };
}

export type Pair = ReturnType<typeof pair>;

/** A random schema compiled by heddle and bufbuild, its root message's transcoders, 1-3 values, and a seed for nested properties. */
export const randomSchemaCaseArb = schemaArb
  .chain((schema) => fc.record({ schema: fc.constant(schema), values: fc.array(valueArb(schema, 0), { minLength: 1, maxLength: 3 }), seed: fc.nat() }))
  .map(({ schema, values, seed }) => {
    const root = protobuf.parse(renderSchema(schema), { filename: 'rnd.proto' });
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, root.toDescriptorSet()));
    const desc: DescMessage = registry.getMessage('rnd.M0')!;
    return { root, desc, values, seed };
  });

/** The transcoders of a random case, made when the case runs (fast-check may make cases it never runs). */
export function randomSchemaPair(c: { root: Root }): Pair {
  return pair(c.root, 'rnd.M0');
}
