import { HeddleError } from '../../errors.js';
import type { Codec, CodecOptions, MethodInfo } from '../../protobuf/index.js';
import { descriptorRoot, type Root } from '../../protobuf/root.js';
import { methodOriginalName } from './method-name.js';
import type {
  EnumTypeDefinition,
  MessageTypeDefinition,
  MethodDefinition,
  MethodOptions,
  PackageDefinition,
  ServiceDefinition,
} from './types.js';
import { IdempotencyLevel } from './types.js';

/** proto-loader's options for the descriptor objects in `type`: strings for longs, enums, bytes. */
const DESCRIPTOR_OBJECT_OPTIONS: CodecOptions = {
  protobufjs: { longs: 'string', enums: 'string', bytes: 'base64', defaults: true, oneofs: true, json: true },
};

const IDEMPOTENCY = [IdempotencyLevel.IDEMPOTENCY_UNKNOWN, IdempotencyLevel.NO_SIDE_EFFECTS, IdempotencyLevel.IDEMPOTENT];

/**
 * The PackageDefinition of `root` as @grpc/proto-loader builds it: a key per service, message and
 * enum of every loaded file (imports included) that is not nested in a message, each with the
 * serialized FileDescriptorProtos of all those files.
 */
export function createPackageDefinition(root: Root, codecOptions: CodecOptions): PackageDefinition {
  const files = root.allFiles;
  const fileNames = new Set(files.map((f) => f.name!));
  // Custom options are written as the extensions they are when the root has descriptor.proto,
  // which it always has when a file defines some.
  const descriptors = root.pool.files.has('google/protobuf/descriptor.proto') ? root : descriptorRoot();
  const fileCodec = descriptors.codec<object>('google.protobuf.FileDescriptorProto', { keepCase: true, keepUnknown: true });
  const fileDescriptorProtos = files.map((file) => asBuffer(fileCodec.encode(file)));
  const messages = new Map<string, MessageTypeDefinition>();

  const messageDefinition = (typeName: string): MessageTypeDefinition => {
    let definition = messages.get(typeName);
    if (definition === undefined) {
      const codec = root.codec(typeName, codecOptions);
      definition = {
        format: 'Protocol Buffer 3 DescriptorProto',
        type: descriptorObject('google.protobuf.DescriptorProto', root.lookupMessage(typeName).proto),
        fileDescriptorProtos,
        serialize: serializer(codec),
        deserialize: deserializer(codec),
      };
      messages.set(typeName, definition);
    }
    return definition;
  };

  const definition: PackageDefinition = {};
  for (const entry of root.pool.symbols.values()) {
    if (!fileNames.has(entry.file)) continue;
    const parent = root.pool.symbols.get(entry.fullName.slice(0, Math.max(entry.fullName.lastIndexOf('.'), 0)));
    if (parent?.kind === 'message') continue;
    if (entry.kind === 'message') definition[entry.fullName] = messageDefinition(entry.fullName);
    else if (entry.kind === 'enum') {
      const enumDefinition: EnumTypeDefinition = {
        format: 'Protocol Buffer 3 EnumDescriptorProto',
        type: descriptorObject('google.protobuf.EnumDescriptorProto', entry.node),
        fileDescriptorProtos,
      };
      definition[entry.fullName] = enumDefinition;
    } else if (entry.kind === 'service') {
      const service: ServiceDefinition = {};
      for (const method of root.lookupService(entry.fullName).methods) {
        service[method.name] = methodDefinition(entry.fullName, method, messageDefinition);
      }
      definition[entry.fullName] = service;
    }
  }
  return definition;
}

function methodDefinition(
  serviceName: string,
  method: MethodInfo,
  messageDefinition: (typeName: string) => MessageTypeDefinition,
): MethodDefinition<object, object> {
  const requestType = messageDefinition(method.inputType);
  const responseType = messageDefinition(method.outputType);
  return {
    path: `/${serviceName}/${method.name}`,
    requestStream: method.clientStreaming,
    responseStream: method.serverStreaming,
    requestSerialize: requestType.serialize,
    requestDeserialize: requestType.deserialize,
    responseSerialize: responseType.serialize,
    responseDeserialize: responseType.deserialize,
    originalName: methodOriginalName(method.name),
    requestType,
    responseType,
    options: methodOptions(method),
  };
}

/** Standard method options by name, custom ones as `(full.name)` with their values. */
function methodOptions(method: MethodInfo): MethodOptions {
  const options: MethodOptions = {
    deprecated: false,
    idempotency_level: IdempotencyLevel.IDEMPOTENCY_UNKNOWN,
    uninterpreted_option: [],
  };
  for (const [key, value] of Object.entries((method.proto.options ?? {}) as Record<string, unknown>)) {
    if (key === 'idempotency_level') options.idempotency_level = IDEMPOTENCY[value as number] ?? IdempotencyLevel.IDEMPOTENCY_UNKNOWN;
    else if (key.startsWith('[') && key.endsWith(']')) options[`(${key.slice(1, -1)})`] = value;
    else if (key !== 'uninterpreted_option') options[key] = value;
  }
  return options;
}

/**
 * grpc-js copies what a serializer returns into its frame; under the protobufjs profile the codec
 * already encodes to a Buffer (a view into a pooled slab), which is handed over as it is.
 */
function serializer(codec: Codec<unknown>): (value: object) => Buffer {
  return (value) => {
    if (Array.isArray(value)) {
      throw new HeddleError('ERR_INVALID_ARGUMENT', `Failed to serialize message: expected object with ${codec.typeName} structure, got array instead`);
    }
    return codec.encode(value) as Buffer;
  };
}

function deserializer(codec: Codec<unknown>): (bytes: Buffer) => object {
  return (bytes) => codec.decode(bytes) as object;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** A descriptor as the object proto-loader puts in `type`, through the same profile. */
function descriptorObject(typeName: string, node: object): object {
  const codec = descriptorRoot().codec(typeName, DESCRIPTOR_OBJECT_OPTIONS);
  return codec.decode(descriptorRoot().codec<object>(typeName, { keepCase: true, keepUnknown: true }).encode(node)) as object;
}
