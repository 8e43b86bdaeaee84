import type { Frame } from '../transport/index.js';
import type { MethodBinding, ServiceBinding } from './binding.js';
import { kitexProtobufFormat } from './kitex-protobuf-format.js';
import { thriftFormat } from './thrift-format.js';

/** A message's envelope: method name, message type (1 call, 2 reply, 3 exception, 4 oneway, as
 * Thrift and Kitex number them), sequence id, and where the body starts. */
export interface MessageEnvelope {
  name: string;
  type: number;
  seqId: number;
  bodyOffset: number;
}

/** An application exception: Thrift's TApplicationException fields, which Kitex Protobuf's
 * ErrorProto carries too (type as Thrift numbers it). */
export interface ExceptionValue {
  type: number;
  message: string;
}

/**
 * How a binding's calls and replies are written inside Kitex's frames (TTHeader, Framed,
 * PurePayload): an envelope naming the method, message type and sequence id, then the body. One
 * format per payload kind: Thrift Binary, Thrift Compact, Kitex Protobuf. Encoders return the
 * message as parts so framing can write them in one writev without joining them.
 */
export interface MessageFormat {
  /** What frames carrying these messages report as their payload protocol. */
  readonly payload: 'thrift-binary' | 'thrift-compact' | 'kitex-protobuf';
  /** TTHeader PROTOCOL ID of these messages. */
  readonly ttheaderProtocolId: number;
  /** Kitex reads these messages only Framed (Kitex Protobuf): inside TTHeader they are
   * TTHeaderFramed, and bare (PurePayload) they cannot go. */
  readonly requiresFraming: boolean;
  /** The envelope of a received message (`message` is the frame's payload as one view). Throws
   * HeddleError with the byte offset when it is malformed. */
  envelope(frame: Frame, message: Uint8Array): MessageEnvelope;
  /**
   * A CALL (ONEWAY for oneway methods) carrying `request`. With `linkFrom`, Thrift `binary` values
   * of at least that many bytes are parts of their own, the caller's memory and not a copy, so
   * they must not change until the parts are written (Kitex Protobuf messages copy them anyway).
   */
  encodeCall(method: MethodBinding, request: unknown, seqId: number, linkFrom?: number): Uint8Array[];
  decodeCall(method: MethodBinding, message: Uint8Array, envelope: MessageEnvelope): unknown;
  /** A REPLY carrying `response` (a response body value, see MethodBinding.success); `linkFrom`
   * as for {@link encodeCall}. */
  encodeReply(method: MethodBinding, response: unknown, seqId: number, linkFrom?: number): Uint8Array[];
  /** A REPLY whose body is empty, as Kitex sends with a biz status error. */
  encodeEmptyReply(method: MethodBinding, seqId: number): Uint8Array[];
  /** The response body of a REPLY; an EXCEPTION throws HeddleError ERR_REMOTE with `remote`. */
  decodeReply(method: MethodBinding, message: Uint8Array, envelope: MessageEnvelope): unknown;
  encodeException(name: string, seqId: number, value: ExceptionValue): Uint8Array[];
  /** A CALL (ONEWAY for oneway methods) whose body is `args`, bytes encoded already; `args` is sent as it is, not copied. */
  encodeRawCall(method: MethodBinding, args: Uint8Array, seqId: number): Uint8Array[];
  /** The response body of a REPLY as bytes of their own; an EXCEPTION throws as {@link decodeReply} does. */
  decodeRawReply(method: MethodBinding, message: Uint8Array, envelope: MessageEnvelope): Uint8Array;
  /** The body of the seqID-0 control frame a server sends while shutting down. */
  controlMessage(): Uint8Array;
}

/** The format of `binding`'s messages on Kitex's transports. */
export function messageFormatOf(binding: ServiceBinding): MessageFormat {
  switch (binding.encoding) {
    case 'thrift-binary':
      return thriftFormat('binary');
    case 'thrift-compact':
      return thriftFormat('compact');
    case 'protobuf':
      return kitexProtobufFormat;
  }
}

/**
 * The format a received frame's message is in, when it differs in kind from `own` (a Kitex
 * Protobuf message reaching a Thrift server or the other way round), so the server can answer
 * with an exception the caller reads; undefined when the frame is in `own`'s kind. Thrift Binary
 * and Compact are one kind here: a server reads them in its own protocol, as before.
 */
export function foreignFormat(frame: Frame, own: MessageFormat): MessageFormat | undefined {
  const protobuf = frame.payloadProtocol === 'kitex-protobuf';
  if (protobuf === (own.payload === 'kitex-protobuf')) return undefined;
  if (protobuf) return kitexProtobufFormat;
  if (frame.payloadProtocol === 'thrift-binary') return thriftFormat('binary');
  if (frame.payloadProtocol === 'thrift-compact') return thriftFormat('compact');
  return undefined;
}
