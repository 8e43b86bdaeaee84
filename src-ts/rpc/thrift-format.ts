import { encodeApplicationException } from '../thrift/application-exception.js';
import { decodeMessageHeader, encodeMessageHeader, type DecodedMessageHeader } from '../thrift/message.js';
import { MessageType } from '../thrift/wire-types.js';
import { TTHeaderProtocol } from '../transport/index.js';
import type { MethodBinding } from './binding.js';
import type { MessageFormat } from './message-format.js';
import type { ThriftMethodBinding } from './thrift-binding.js';

/** The descriptor behind a Thrift binding entry: envelope and struct are written in one pass. */
function descriptorOf(method: MethodBinding) {
  return (method as ThriftMethodBinding).descriptor;
}

/** The seqID-0 control message: a REPLY for method "none" with an empty struct. */
function controlMessage(protocol: 'binary' | 'compact'): Uint8Array {
  const name = [0x6e, 0x6f, 0x6e, 0x65]; // "none"
  if (protocol === 'binary') {
    return Uint8Array.from([0x80, 0x01, 0x00, 0x02, 0, 0, 0, 4, ...name, 0, 0, 0, 0, 0x00]);
  }
  // Compact: protocol id, version | type << 5, varint seqId, varint name length, name, STOP.
  return Uint8Array.from([0x82, 0x41, 0x00, 0x04, ...name, 0x00]);
}

function makeThriftFormat(protocol: 'binary' | 'compact'): MessageFormat {
  const control = controlMessage(protocol);
  return {
    payload: protocol === 'binary' ? 'thrift-binary' : 'thrift-compact',
    ttheaderProtocolId: protocol === 'binary' ? TTHeaderProtocol.THRIFT_BINARY : TTHeaderProtocol.THRIFT_COMPACT,
    requiresFraming: false,
    envelope: (_frame, message) => decodeMessageHeader(message, protocol),
    encodeCall: (method, request, seqId, linkFrom) =>
      linkFrom === undefined
        ? [descriptorOf(method).encodeCall(request as Record<string, unknown>, seqId)]
        : descriptorOf(method).encodeCallParts(request as Record<string, unknown>, seqId, linkFrom),
    decodeCall: (method, message, envelope) => descriptorOf(method).decodeCall(message, envelope as DecodedMessageHeader).args,
    encodeReply: (method, response, seqId, linkFrom) =>
      linkFrom === undefined
        ? [descriptorOf(method).encodeReply(response as Record<string, unknown>, seqId)]
        : descriptorOf(method).encodeReplyParts(response as Record<string, unknown>, seqId, linkFrom),
    encodeEmptyReply: (method, seqId) => [descriptorOf(method).encodeReply({}, seqId)],
    decodeReply: (method, message, envelope) => descriptorOf(method).decodeReply(message, envelope as DecodedMessageHeader).result,
    encodeRawCall: (method, args, seqId) => [encodeMessageHeader({ name: method.name, type: method.oneway ? MessageType.ONEWAY : MessageType.CALL, seqId }, protocol), args],
    decodeRawReply(method, message, envelope) {
      // Anything but a REPLY goes through the usual decoding, which throws the remote error it carries.
      if (envelope.type !== MessageType.REPLY) descriptorOf(method).decodeReply(message, envelope as DecodedMessageHeader);
      return message.slice(envelope.bodyOffset);
    },
    encodeException: (name, seqId, value) => [encodeApplicationException(name, seqId, value, protocol)],
    controlMessage: () => control,
  };
}

const formats = { binary: makeThriftFormat('binary'), compact: makeThriftFormat('compact') };

/** Thrift messages in `protocol`: the envelope `(name, type, seqId)`, then the args or result struct. */
export function thriftFormat(protocol: 'binary' | 'compact'): MessageFormat {
  return formats[protocol];
}
