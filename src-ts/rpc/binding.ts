import { ErrorCode, HeddleError } from '../errors.js';
import type { CodecOptions as ProtobufCodecOptions } from '../protobuf/codegen/codec-options.js';
import type { Root } from '../protobuf/root.js';
import type { CodecOptions as ThriftCodecOptions } from '../thrift/codec-options.js';
import type { ThriftDocument } from '../thrift/document.js';
import { protobufBinding } from './protobuf-binding.js';
import { thriftBinding } from './thrift-binding.js';

/**
 * How a method's messages flow: one request and one response (`unary`), many requests then one
 * response (`client`), one request then many responses (`server`), or both sides many (`bidi`).
 * Kitex's TTHeader and Framed transports carry unary methods; streaming needs a streaming
 * transport (gRPC over HTTP/2).
 */
export type StreamingKind = 'unary' | 'client' | 'server' | 'bidi';

/**
 * What a binding's bodies are: Thrift structs in Binary or Compact, or Protobuf messages. A
 * transport carries a binding when it knows a message format for this encoding (Kitex's
 * transports: Thrift messages, the Kitex Protobuf envelope; gRPC: length-prefixed Protobuf).
 */
export type BindingEncoding = 'thrift-binary' | 'thrift-compact' | 'protobuf';

/** Encodes and decodes one body type: a method's request or its response, without any envelope. */
export interface BodyCodec<T = unknown> {
  encode(value: T): Uint8Array;
  /** The encoding as a view valid only until the next encode (Protobuf codecs have it): for a
   * transport that copies the bytes at once, so encoding allocates nothing. */
  encodeView?(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

/**
 * One method of a service binding: the method table entry the RPC core works from. Values are
 * what users see: for Thrift the request is the argument struct (an object keyed by parameter
 * name) and the response the result struct (`success` and the declared exceptions); for Protobuf
 * both are the messages themselves.
 */
export interface MethodBinding {
  readonly name: string;
  readonly streaming: StreamingKind;
  /** No response at all (Thrift `oneway`). */
  readonly oneway: boolean;
  readonly request: BodyCodec;
  readonly response: BodyCodec;
  /** Names of the errors the IDL declares (Thrift `throws`); they travel in the response body. */
  readonly errors: readonly string[];
  /** The response body for a handler that returned `value`. */
  success(value: unknown): unknown;
  /** The response body carrying `error` when it is one of the declared errors, else undefined
   * (the server then answers with an application exception). */
  failure(error: unknown): unknown;
  /** What a client call resolves to for a decoded response body; throws a declared error the
   * body carries. */
  unwrap(response: unknown): unknown;
}

/**
 * A service as the RPC core sees it: a name and a method table. The core (connections, pools,
 * framing, seqIDs, timeouts, middleware, metainfo, shutdown) works from bindings and never from an
 * IDL; `thrift` documents and `protobuf` roots both produce them.
 */
export interface ServiceBinding {
  /** The IDL service name: `EchoService` for Thrift, the full name `echo.v1.Echo` for Protobuf. */
  readonly name: string;
  /** The name Kitex gives the service in TTHeader (`isn`, ToService): the Thrift service name, or
   * a Protobuf service's name without its package, as the kitex tool generates it (`Echo`). */
  readonly kitexName: string;
  readonly encoding: BindingEncoding;
  /** Every method by name (a Thrift service's inherited ones included). */
  readonly methods: ReadonlyMap<string, MethodBinding>;
  /** The method `name`; ERR_UNKNOWN_TYPE when the service has none. */
  method(name: string): MethodBinding;
  /** How the binding maps values (its codec options, the wire protocol aside): a client calls a
   * server of its own process inline only when both map values alike, since no codec stands
   * between them to turn one mapping into the other. */
  readonly valueShape: string;
  /** Whether structuredClone keeps its values as they are: not when they include class
   * instances (Buffer, node-int64, the protobufjs profile's objects), which it turns into plain ones. */
  readonly cloneable: boolean;
}

/** What `createServer` and `createClient` accept as `idl`. */
export type ServiceIdl = ThriftDocument | Root;

/** Value-mapping options: Thrift codec options (without `protocol`) or Protobuf codec options. */
export type BindingCodecOptions = Omit<ThriftCodecOptions, 'protocol'> | ProtobufCodecOptions;

function isProtobufRoot(idl: unknown): idl is Root {
  return typeof (idl as Root | undefined)?.lookupService === 'function';
}

function isThriftDocument(idl: unknown): idl is ThriftDocument {
  return typeof (idl as ThriftDocument | undefined)?.service === 'function';
}

/**
 * The binding of `service` in `idl`: a Thrift document (with `protocol`, default binary) or a
 * Protobuf root (`service` is then the full name, `echo.v1.Echo`). `what` names the caller in
 * errors.
 */
export function bindService(
  idl: ServiceIdl,
  service: string,
  options: { protocol?: 'binary' | 'compact'; codec?: BindingCodecOptions | undefined },
  what: string,
): ServiceBinding {
  if (typeof service !== 'string' || service === '') {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what}: service must be the IDL service name`);
  }
  if (isProtobufRoot(idl)) {
    if (options.protocol !== undefined) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what}: protocol applies to Thrift services; '${service}' is a Protobuf service`);
    }
    return protobufBinding(idl, service, options.codec as ProtobufCodecOptions | undefined);
  }
  if (isThriftDocument(idl)) {
    return thriftBinding(idl, service, options.protocol ?? 'binary', options.codec as Omit<ThriftCodecOptions, 'protocol'> | undefined);
  }
  throw new HeddleError(
    ErrorCode.ERR_INVALID_ARGUMENT,
    `${what}: idl must be a document from thrift.parse or thrift.load, or a root from protobuf.parse, protobuf.load or protobuf.fromDescriptorSet`,
  );
}
