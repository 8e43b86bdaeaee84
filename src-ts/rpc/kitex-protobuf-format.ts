import { LinkBuffer } from '../buffer/link-buffer.js';
import { ErrorCode, HeddleError } from '../errors.js';
import type { Codec } from '../protobuf/codegen/codec.js';
import { parse as parseProto } from '../protobuf/index.js';
import { ApplicationExceptionType } from '../thrift/application-exception.js';
import { MessageType } from '../thrift/wire-types.js';
import { KITEX_PROTOBUF_ENVELOPE_FIXED_SIZE, peekKitexProtobufEnvelope, TTHeaderProtocol, writeKitexProtobufEnvelopeInto, type Frame } from '../transport/index.js';
import { allocBuffer } from '../protobuf/codegen/byte-pool.js';
import type { BodyCodec } from './binding.js';
import type { ExceptionValue, MessageEnvelope, MessageFormat } from './message-format.js';

/*
 * Kitex Protobuf messages (cloudwego/kitex pkg/remote/codec/protobuf), big-endian:
 *
 * ```
 * | 0x9001 u16 | msgType u16 | method: u32 length + UTF-8 | seqID u32 | Protobuf body |
 * ```
 *
 * The body is the request or response message itself; an EXCEPTION's body is Kitex's
 * `ErrorProto { int32 TypeID = 1; string Message = 2; }`, TypeID numbered as Thrift's
 * TApplicationException types. Kitex reads these messages only Framed (a u32 length first), bare
 * or inside TTHeader. The envelope's layout is transport/kitex-protobuf.ts's.
 */

/** Kitex's error message, as its error.proto declares it (field names kept as written). */
const ERROR_PROTO_SOURCE = 'syntax = "proto3"; package heddle.kitex; message ErrorProto { int32 TypeID = 1; string Message = 2; }';

let errorCodec: Codec<{ TypeID?: number; Message?: string }> | undefined;

function errorProto(): Codec<{ TypeID?: number; Message?: string }> {
  errorCodec ??= parseProto(ERROR_PROTO_SOURCE, { filename: 'heddle/kitex-error.proto' }).codec('heddle.kitex.ErrorProto', { keepCase: true });
  return errorCodec;
}

const methodNames = new Map<string, Buffer>();

/** The UTF-8 bytes of a method name. Method names are few: their bytes are kept. */
function methodNameBytes(name: string): Buffer {
  let nameBytes = methodNames.get(name);
  if (nameBytes === undefined) {
    nameBytes = Buffer.from(name, 'utf8');
    if (methodNames.size < 4096) methodNames.set(name, nameBytes);
  }
  return nameBytes;
}

/** The envelope before the body, with `seqId` in it, as a message part of its own. */
function envelopeBytes(type: number, name: string, seqId: number): Uint8Array {
  const nameBytes = methodNameBytes(name);
  const out = allocBuffer(KITEX_PROTOBUF_ENVELOPE_FIXED_SIZE + nameBytes.length);
  writeKitexProtobufEnvelopeInto(out, type, nameBytes, seqId);
  return out;
}

/**
 * The whole message, envelope and `value` encoded by `codec`, in one buffer: the body is encoded
 * into the codec's scratch and copied once behind the envelope, where `codec.encode` would copy it
 * into a buffer of its own and the envelope would be a second part for the native write to take.
 */
function messageBytes(codec: BodyCodec<unknown>, value: unknown, type: number, name: string, seqId: number): Uint8Array[] {
  // A binding's codecs need not have a scratch encoding (BodyCodec.encodeView is optional).
  const body = codec.encodeView === undefined ? codec.encode(value) : codec.encodeView(value);
  const nameBytes = methodNameBytes(name);
  const out = allocBuffer(KITEX_PROTOBUF_ENVELOPE_FIXED_SIZE + nameBytes.length + body.length);
  out.set(body, writeKitexProtobufEnvelopeInto(out, type, nameBytes, seqId));
  return [out];
}

const TYPE_NAMES = new Map<number, string>(Object.entries(ApplicationExceptionType).map(([name, code]) => [code, name]));

/** The error a client call rejects with for a Kitex Protobuf EXCEPTION: ERR_REMOTE with `remote`. */
function remoteError(value: ExceptionValue, method: string): HeddleError {
  const typeName = TYPE_NAMES.get(value.type) ?? `type ${value.type}`;
  const error = new HeddleError(
    ErrorCode.ERR_REMOTE,
    `remote Kitex Protobuf exception calling '${method}': ${typeName}${value.message === '' ? '' : `: ${value.message}`}`,
  );
  Object.defineProperty(error, 'remote', { value: { type: value.type, typeName, message: value.message }, enumerable: true });
  return error;
}


function body(message: Uint8Array, envelope: MessageEnvelope): Uint8Array {
  return message.subarray(envelope.bodyOffset);
}

function envelopeOf(frame: Frame, message: Uint8Array): MessageEnvelope {
  const parsed = frame.envelope ?? peekKitexProtobufEnvelope(LinkBuffer.from(message), frame.offset);
  return { name: parsed.method, type: parsed.messageType, seqId: parsed.seqId | 0, bodyOffset: parsed.size };
}

/** Kitex Protobuf messages: the envelope above, then the Protobuf body. */
export const kitexProtobufFormat: MessageFormat = {
  payload: 'kitex-protobuf',
  ttheaderProtocolId: TTHeaderProtocol.KITEX_PROTOBUF,
  requiresFraming: true,
  envelope: envelopeOf,
  encodeCall: (method, request, seqId) => messageBytes(method.request, request, MessageType.CALL, method.name, seqId),
  decodeCall: (method, message, envelope) => method.request.decode(body(message, envelope)),
  encodeReply: (method, response, seqId) => messageBytes(method.response, response, MessageType.REPLY, method.name, seqId),
  encodeEmptyReply: (method, seqId) => [envelopeBytes(MessageType.REPLY, method.name, seqId)],
  decodeReply(method, message, envelope) {
    if (envelope.type === MessageType.EXCEPTION) {
      const error = errorProto().decode(body(message, envelope));
      throw remoteError({ type: error.TypeID ?? 0, message: error.Message ?? '' }, method.name);
    }
    if (envelope.type !== MessageType.REPLY) {
      throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `expected a REPLY to '${method.name}', got Kitex Protobuf message type ${envelope.type}`);
    }
    return method.response.decode(body(message, envelope));
  },
  encodeRawCall: (method, args, seqId) => [envelopeBytes(MessageType.CALL, method.name, seqId), args],
  decodeRawReply(method, message, envelope) {
    // Anything but a REPLY goes through the usual decoding, which throws the remote error it carries.
    if (envelope.type !== MessageType.REPLY) kitexProtobufFormat.decodeReply(method, message, envelope);
    return message.slice(envelope.bodyOffset);
  },
  encodeException: (name, seqId, value) => [
    envelopeBytes(MessageType.EXCEPTION, name, seqId),
    errorProto().encode({ TypeID: value.type, Message: value.message }),
  ],
  controlMessage: () => envelopeBytes(MessageType.REPLY, 'none', 0),
};
