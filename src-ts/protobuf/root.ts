import { HeddleError } from '../errors.js';
import { compileCodec, type Codec } from './codegen/codec.js';
import { codecOptionsKey, resolveCodecOptions, type CodecOptions } from './codegen/codec-options.js';
import type { FileDescriptorProto, MethodDescriptorProto, ServiceDescriptorProto } from './descriptor/descriptor-proto.js';
import { DESCRIPTOR_FILE, descriptorPool } from './descriptor/bootstrap.js';
import type { DescriptorPool } from './descriptor/pool.js';
import { ProtoJsonTables } from '../gateway/proto-json/descriptor.js';
import { TypeRegistry, type EnumInfo, type MessageInfo } from './descriptor/type-info.js';

/** One RPC method of a service, with its types resolved. */
export interface MethodInfo {
  name: string;
  /** Full names of the request and response message types. */
  inputType: string;
  outputType: string;
  clientStreaming: boolean;
  serverStreaming: boolean;
  proto: MethodDescriptorProto;
}

/** A service and its methods. */
export interface ServiceInfo {
  fullName: string;
  methods: MethodInfo[];
  proto: ServiceDescriptorProto;
}

/**
 * A linked set of .proto files: what `protobuf.parse`, `protobuf.load` and
 * `protobuf.fromDescriptorSet` return. Look types up by full name and get codecs for them;
 * codecs are generated on first use per type and options, then cached.
 */
export class Root {
  private readonly types: TypeRegistry;
  private readonly codecs = new Map<string, Codec<unknown>>();

  /** @internal Use protobuf.parse / load / fromDescriptorSet. */
  constructor(
    /** @internal */ readonly pool: DescriptorPool,
    /** The files that were asked for (not their imports), as descriptors. */
    readonly files: readonly FileDescriptorProto[],
  ) {
    this.types = new TypeRegistry(pool);
  }

  /** The requested files and everything they import, dependencies first, as protoc orders
   * them with `--include_imports`. */
  get allFiles(): FileDescriptorProto[] {
    const ordered: FileDescriptorProto[] = [];
    const seen = new Set<string>();
    const visit = (file: FileDescriptorProto): void => {
      if (seen.has(file.name!)) return;
      seen.add(file.name!);
      for (const dependency of file.dependency) {
        const linked = this.pool.files.get(dependency);
        if (linked !== undefined) visit(linked);
      }
      ordered.push(file);
    };
    this.files.forEach(visit);
    return ordered;
  }

  /**
   * The encoder/decoder for message type `typeName` (full name, e.g. `edge.v1.Shipment`; a
   * leading dot is accepted). Throws ERR_UNKNOWN_TYPE if there is no such message type.
   */
  codec<T = Record<string, unknown>>(typeName: string, options?: CodecOptions): Codec<T> {
    const resolved = resolveCodecOptions(options);
    const message = this.lookupMessage(typeName);
    const key = `${message.fullName}|${codecOptionsKey(resolved)}`;
    let codec = this.codecs.get(key);
    if (codec === undefined) {
      // Any's contents are looked up in this root, under the same options.
      const lookup = (name: string): Codec<unknown> | undefined =>
        this.types.message(stripDot(name)) === undefined ? undefined : this.codec(name, options);
      codec = compileCodec<unknown>(message, resolved, lookup, () => this.jsonTables());
      this.codecs.set(key, codec);
    }
    return codec as Codec<T>;
  }

  private protoJson: ProtoJsonTables | undefined;

  /** The ProtoJSON transcoders' tables for this root, built on the first fromJSON/toJSON; Any's
   * "@type" is resolved among the root's types. */
  private jsonTables(): ProtoJsonTables {
    this.protoJson ??= new ProtoJsonTables((name) => this.types.message(name));
    return this.protoJson;
  }

  /** The message type `typeName`, or ERR_UNKNOWN_TYPE. */
  lookupMessage(typeName: string): MessageInfo {
    const info = this.types.message(stripDot(typeName));
    if (info === undefined) throw unknown('message type', typeName);
    return info;
  }

  /** The enum `typeName`, or ERR_UNKNOWN_TYPE. */
  lookupEnum(typeName: string): EnumInfo {
    const info = this.types.enum(stripDot(typeName));
    if (info === undefined) throw unknown('enum', typeName);
    return info;
  }

  /** The service `serviceName` with its methods, or ERR_UNKNOWN_TYPE. */
  lookupService(serviceName: string): ServiceInfo {
    const fullName = stripDot(serviceName);
    const entry = this.pool.symbols.get(fullName);
    if (entry?.kind !== 'service') throw unknown('service', serviceName);
    return {
      fullName,
      proto: entry.node,
      methods: entry.node.method.map((m) => ({
        name: m.name!,
        inputType: m.input_type!.slice(1),
        outputType: m.output_type!.slice(1),
        clientStreaming: m.client_streaming === true,
        serverStreaming: m.server_streaming === true,
        proto: m,
      })),
    };
  }

  /**
   * Every file of the root (imports included, dependencies first) as a serialized
   * FileDescriptorSet, the form `protoc --descriptor_set_out` writes and other tools read.
   * Custom options are written as the extensions they are.
   */
  toDescriptorSet(): Uint8Array {
    // Custom options need a codec that knows their extensions, which this root's pool has
    // whenever it has descriptor.proto; without it there can be no custom options.
    const owner = this.pool.files.has(DESCRIPTOR_FILE) ? this : descriptorRoot();
    return owner.codec('google.protobuf.FileDescriptorSet', { keepCase: true, keepUnknown: true }).encode({ file: this.allFiles });
  }

  /** Full names of every message type in the root, imports included. */
  messageTypeNames(): string[] {
    return [...this.pool.symbols.values()].filter((e) => e.kind === 'message').map((e) => e.fullName);
  }
}

let bootstrap: Root | undefined;

/** A root of the built-in descriptor.proto alone. */
export function descriptorRoot(): Root {
  bootstrap ??= new Root(descriptorPool(), []);
  return bootstrap;
}

function stripDot(name: string): string {
  return name.startsWith('.') ? name.slice(1) : name;
}

function unknown(what: string, name: string): HeddleError {
  return new HeddleError('ERR_UNKNOWN_TYPE', `no ${what} named "${name}"`);
}
