/**
 * Thrift for heddle: IDL loaded at run time, codecs generated per (type, protocol, options) and
 * cached, with no code generation step.
 *
 * ```ts
 * const doc = thrift.parse(source);
 * const codec = doc.codec('Order', { protocol: 'compact' });
 * const bytes = codec.encode(order);
 * ```
 */
import { loadThriftModel, parseThriftModel, type LoadOptions, type ParseOptions } from './idl/index.js';
import { ThriftDocument } from './document.js';
import type { ThriftModel } from './model.js';

/** Parses IDL source (includes given as `{ path: source }`) into a document. */
export function parse(source: string, options?: ParseOptions): ThriftDocument {
  return new ThriftDocument(parseThriftModel(source, options));
}

/** Reads an IDL file and its includes from disk into a document. */
export function load(path: string, options?: LoadOptions): ThriftDocument {
  return new ThriftDocument(loadThriftModel(path, options));
}

/** Wraps an already resolved model (e.g. built by a tool) as a document. */
export function fromModel(model: ThriftModel): ThriftDocument {
  return new ThriftDocument(model);
}

export { ThriftDocument } from './document.js';
export { Codec } from './codec.js';
export type { CodecOptions, ResolvedCodecOptions } from './codec-options.js';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_SIZE } from './codec-options.js';
export { ThriftException as Exception, ThriftException } from './exception.js';
export {
  APPLICATION_EXCEPTION,
  ApplicationExceptionType,
  applicationExceptionCodec,
  encodeApplicationException,
  remoteError,
} from './application-exception.js';
export type { ApplicationExceptionValue, RemoteError, RemoteFailure } from './application-exception.js';
export { decodeMessage, decodeMessageHeader, encodeMessage } from './message.js';
export type { DecodedMessage, DecodedMessageHeader, MessageHeader } from './message.js';
export { MethodDescriptor, ServiceDescriptor } from './service.js';
export type { DeclaredException } from './service.js';
export { BinaryType, CompactType, MessageType } from './wire-types.js';
export type { LoadOptions, ParseOptions } from './idl/index.js';
/** The resolved IDL model documents are built from. */
export type * from './model.js';
