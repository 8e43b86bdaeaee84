/**
 * heddle/grpc-loader: @grpc/proto-loader's API over heddle's Protobuf codecs. Change
 * `require('@grpc/proto-loader')` to `require('heddle/grpc-loader')`; the PackageDefinition is the
 * one grpc-js, @grpc/reflection and NestJS consume, with serializers and deserializers generated
 * by heddle under a profile that gives protobufjs's values for the same options.
 *
 * ```ts
 * import * as grpc from '@grpc/grpc-js';
 * import * as protoLoader from 'heddle/grpc-loader';
 * const definition = protoLoader.loadSync('helloworld.proto', { keepCase: true, longs: String, defaults: true });
 * const { helloworld } = grpc.loadPackageDefinition(definition) as any;
 * ```
 */
import { HeddleError } from '../../errors.js';
import { descriptorRoot } from '../../protobuf/root.js';
import { fromDescriptorSet } from '../../protobuf/index.js';
import { fromProtobufjsJson, type ProtobufjsNamespace } from './from-json.js';
import { loadRoot } from './load-root.js';
import { checkOptions, codecOptions, longPackage, type Options } from './options.js';
import { createPackageDefinition } from './package-definition.js';
import type { LongConstructor, PackageDefinition } from './types.js';

export * from './types.js';
export type { Options } from './options.js';

/**
 * The `long` package's class, which @grpc/proto-loader re-exports (its default `longs` form
 * decodes 64-bit integers to instances of it). `long` is an optional peer of heddle: where it is
 * not installed this is undefined, and only `longs: String`, `Number` or `BigInt` work.
 */
export const Long = longPackage as LongConstructor;

/** Loads .proto files (a name or several) and resolves with their PackageDefinition. */
export async function load(filename: string | string[], options: Options = {}): Promise<PackageDefinition> {
  return loadSync(filename, options);
}

/** Loads .proto files (a name or several) and returns their PackageDefinition. */
export function loadSync(filename: string | string[], options: Options = {}): PackageDefinition {
  checkOptions(options);
  return createPackageDefinition(loadRoot(filename, options.includeDirs), codecOptions(options));
}

/**
 * The PackageDefinition of a protobufjs JSON namespace (`root.toJSON()`, pbjs -t json). Its field
 * names are the property names, as protobufjs takes them: `keepCase` applied when the JSON was
 * written from .proto files, so it is not applied again.
 */
export function fromJSON(json: ProtobufjsNamespace, options: Options = {}): PackageDefinition {
  checkOptions(options);
  return createPackageDefinition(fromProtobufjsJson(json), { ...codecOptions(options), keepCase: true });
}

/** The PackageDefinition of a serialized FileDescriptorSet (protoc --descriptor_set_out). */
export function loadFileDescriptorSetFromBuffer(descriptorSet: Uint8Array, options: Options = {}): PackageDefinition {
  checkOptions(options);
  return createPackageDefinition(fromDescriptorSet(descriptorSet), codecOptions(options));
}

/**
 * The PackageDefinition of a FileDescriptorSet given as an object, in the shape protobufjs's
 * descriptor extension uses (camelCase names; enums by name or number; bytes as base64).
 */
export function loadFileDescriptorSetFromObject(descriptorSet: object, options: Options = {}): PackageDefinition {
  checkOptions(options);
  if (typeof descriptorSet !== 'object' || descriptorSet === null) {
    throw new HeddleError('ERR_INVALID_ARGUMENT', 'loadFileDescriptorSetFromObject expects a FileDescriptorSet object');
  }
  const codec = descriptorRoot().codec<object>('google.protobuf.FileDescriptorSet', { protobufjs: { longs: 'string' } });
  return loadFileDescriptorSetFromBuffer(codec.encode(descriptorSet), options);
}
