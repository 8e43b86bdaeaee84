import type { Codec } from '../protobuf/codegen/codec.js';
import { codecOptionsKey, resolveCodecOptions, type CodecOptions } from '../protobuf/codegen/codec-options.js';
import type { MethodInfo, Root } from '../protobuf/root.js';
import { MethodTable } from './method-table.js';
import type { MethodBinding, ServiceBinding, StreamingKind } from './binding.js';

/** The streaming kind of a .proto method, from its stream flags. */
export function streamingKind(method: MethodInfo): StreamingKind {
  if (method.clientStreaming) return method.serverStreaming ? 'bidi' : 'client';
  return method.serverStreaming ? 'server' : 'unary';
}

/**
 * A Protobuf RPC method as a binding entry: the request and response are the messages themselves,
 * and a .proto declares no errors, so a handler's value is the response and a failure is always an
 * application exception (or a gRPC status).
 */
export class ProtobufMethodBinding implements MethodBinding {
  readonly name: string;
  readonly streaming: StreamingKind;
  readonly oneway = false;
  readonly errors: readonly string[] = [];
  /** Full names of the request and response message types. */
  readonly requestType: string;
  readonly responseType: string;

  constructor(
    method: MethodInfo,
    readonly request: Codec<unknown>,
    readonly response: Codec<unknown>,
  ) {
    this.name = method.name;
    this.streaming = streamingKind(method);
    this.requestType = method.inputType;
    this.responseType = method.outputType;
  }

  success(value: unknown): unknown {
    return value;
  }

  failure(): undefined {
    return undefined;
  }

  unwrap(response: unknown): unknown {
    return response;
  }
}

/** A Protobuf service binding. */
export interface ProtobufServiceBinding extends ServiceBinding {
  readonly encoding: 'protobuf';
  readonly methods: ReadonlyMap<string, ProtobufMethodBinding>;
  method(name: string): ProtobufMethodBinding;
}

/**
 * The binding of service `service` (full name, e.g. `echo.v1.Echo`) in `root`; codecs are
 * generated with `codec` (int64 mapping, keepCase, ...). ERR_UNKNOWN_TYPE when there is no such
 * service.
 */
export function protobufBinding(root: Root, service: string, codec: CodecOptions = {}): ProtobufServiceBinding {
  const info = root.lookupService(service);
  const methods = new Map<string, ProtobufMethodBinding>();
  for (const method of info.methods) {
    methods.set(method.name, new ProtobufMethodBinding(method, root.codec(method.inputType, codec), root.codec(method.outputType, codec)));
  }
  const table = new MethodTable(info.fullName, methods);
  const values = resolveCodecOptions(codec);
  return {
    name: info.fullName,
    kitexName: info.proto.name ?? info.fullName,
    encoding: 'protobuf',
    valueShape: `protobuf/${codecOptionsKey(values)}`,
    cloneable: values.protobufjs === undefined,
    methods,
    method: (name) => table.method(name) as ProtobufMethodBinding,
  };
}
