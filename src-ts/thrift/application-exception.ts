/**
 * TApplicationException: the struct a server sends in an EXCEPTION message when a call fails
 * outside the IDL (unknown method, internal error, ...): `1: string message, 2: i32 type`. The
 * RPC layer turns a received one into a HeddleError with code ERR_REMOTE.
 */
import { ErrorCode, HeddleError } from '../errors.js';
import { Codec } from './codec.js';
import { resolveCodecOptions } from './codec-options.js';
import { compileStruct } from './codegen/compile.js';
import { encodeMessage } from './message.js';
import type { FieldDef, StructDef } from './model.js';
import { MessageType } from './wire-types.js';

/** TApplicationException type codes, as Apache Thrift numbers them. */
export const ApplicationExceptionType = {
  UNKNOWN: 0,
  UNKNOWN_METHOD: 1,
  INVALID_MESSAGE_TYPE: 2,
  WRONG_METHOD_NAME: 3,
  BAD_SEQUENCE_ID: 4,
  MISSING_RESULT: 5,
  INTERNAL_ERROR: 6,
  PROTOCOL_ERROR: 7,
  INVALID_TRANSFORM: 8,
  INVALID_PROTOCOL: 9,
  UNSUPPORTED_CLIENT_TYPE: 10,
} as const;

/** The fields of a TApplicationException. */
export interface ApplicationExceptionValue {
  message?: string;
  type?: number;
}

/** What a HeddleError with code ERR_REMOTE carries about the peer's TApplicationException. */
export interface RemoteFailure {
  /** The type code (see {@link ApplicationExceptionType}); 0 when the peer sent none. */
  type: number;
  /** The type code's name, e.g. `UNKNOWN_METHOD`. */
  typeName: string;
  /** The peer's message; empty when it sent none. */
  message: string;
}

/** A HeddleError (code ERR_REMOTE) made from a TApplicationException. */
export type RemoteError = HeddleError & { readonly remote: RemoteFailure };

function field(id: number, name: string, type: 'string' | 'i32'): FieldDef {
  return {
    id,
    implicitId: false,
    name,
    type: { kind: 'base', name: type },
    requiredness: 'default',
    annotations: {},
    loc: { file: '<heddle>', line: 0, column: 0 },
  };
}

/** The TApplicationException struct, for codecs. */
export const APPLICATION_EXCEPTION: StructDef = {
  kind: 'exception',
  key: 'TApplicationException',
  name: 'TApplicationException',
  fields: [field(1, 'message', 'string'), field(2, 'type', 'i32')],
  annotations: {},
  loc: { file: '<heddle>', line: 0, column: 0 },
};

const codecs = new Map<string, Codec<ApplicationExceptionValue>>();

/** The TApplicationException codec for `protocol`. */
export function applicationExceptionCodec(protocol: 'binary' | 'compact' = 'binary'): Codec<ApplicationExceptionValue> {
  let codec = codecs.get(protocol);
  if (codec === undefined) {
    const options = resolveCodecOptions({ protocol });
    const noOtherStructs = (key: string): StructDef => {
      throw new Error(`TApplicationException refers to no struct, asked for ${key}`);
    };
    codec = new Codec(APPLICATION_EXCEPTION, options, compileStruct(APPLICATION_EXCEPTION, noOtherStructs, options), noOtherStructs);
    codecs.set(protocol, codec);
  }
  return codec;
}

const TYPE_NAMES = new Map<number, string>(Object.entries(ApplicationExceptionType).map(([name, code]) => [code, name]));

/**
 * The error the RPC layer throws for a received TApplicationException: code ERR_REMOTE, `remote`
 * holding the type and message; `method` names the call in the message.
 */
export function remoteError(value: ApplicationExceptionValue, method?: string): RemoteError {
  const type = value.type ?? 0;
  const typeName = TYPE_NAMES.get(type) ?? `type ${type}`;
  const message = value.message ?? '';
  const where = method === undefined ? '' : ` calling '${method}'`;
  const error = new HeddleError(ErrorCode.ERR_REMOTE, `remote TApplicationException${where}: ${typeName}${message === '' ? '' : `: ${message}`}`);
  Object.defineProperty(error, 'remote', { value: { type, typeName, message }, enumerable: true });
  return error as RemoteError;
}

/** Encodes an EXCEPTION message carrying a TApplicationException, as a server replies to a failed call. */
export function encodeApplicationException(
  name: string,
  seqId: number,
  value: ApplicationExceptionValue,
  protocol: 'binary' | 'compact' = 'binary',
): Uint8Array {
  return encodeMessage({ name, type: MessageType.EXCEPTION, seqId }, applicationExceptionCodec(protocol), value);
}
