import { LinkCursor } from '../buffer/link-cursor.js';
import type { LinkBuffer } from '../buffer/link-buffer.js';
import { badFrame } from './limits.js';
import { checkInteger } from './ttheader.js';

/**
 * Kitex Protobuf envelope, the message format Kitex uses for Protobuf over Framed and
 * TTHeaderFramed (big-endian):
 *
 * ```
 * +----------------+--------------+------------------+------------+----------------+
 * | 0x9001 u16     | msgType u16  | method: u32 len  | seqId u32  | protobuf body  |
 * |                |              |   + UTF-8 bytes  |            |                |
 * +----------------+--------------+------------------+------------+----------------+
 * ```
 */
export const KITEX_PROTOBUF_MAGIC = 0x9001;

/** Envelope bytes before the method name: magic/type and the method length. */
const FIXED_BEFORE_METHOD = 8;
/** Envelope bytes besides the method name. */
const FIXED_SIZE = 12;

/** A decoded Kitex Protobuf envelope. */
export interface KitexProtobufEnvelope {
  /** Thrift-style message type: 1 call, 2 reply, 3 exception, 4 oneway. */
  messageType: number;
  method: string;
  seqId: number;
  /** Bytes the envelope takes; the Protobuf body starts here. */
  size: number;
}

/** An envelope to write. */
export interface KitexProtobufEnvelopeInit {
  messageType: number;
  method: string;
  seqId: number;
}

/**
 * Parses the envelope at the start of `payload` without consuming it. `messageOffset` is the
 * payload's stream offset, for errors. Throws `ERR_BAD_FRAME` when the magic is wrong or the
 * method name runs past the payload.
 */
export function peekKitexProtobufEnvelope(payload: LinkBuffer, messageOffset = 0): KitexProtobufEnvelope {
  const cursor = new LinkCursor(payload);
  if (payload.length < FIXED_SIZE) {
    throw badFrame(`Kitex Protobuf message of ${payload.length} bytes is shorter than its ${FIXED_SIZE}-byte envelope`, messageOffset);
  }
  if (cursor.u16At(0) !== KITEX_PROTOBUF_MAGIC) {
    throw badFrame(`Kitex Protobuf magic 0x${cursor.u16At(0).toString(16)} is not 0x9001`, messageOffset);
  }
  const methodLength = cursor.u32At(4);
  if (methodLength > payload.length - FIXED_SIZE) {
    throw badFrame(`Kitex Protobuf method name of ${methodLength} bytes runs past the message`, messageOffset + 4);
  }
  const method = Buffer.from(cursor.bytesAt(FIXED_BEFORE_METHOD, methodLength)).toString('utf8');
  return {
    messageType: cursor.u16At(2),
    method,
    seqId: cursor.i32At(FIXED_BEFORE_METHOD + methodLength),
    size: FIXED_SIZE + methodLength,
  };
}

/** Writes an envelope into `out`; the caller writes the Protobuf body after it. */
export function writeKitexProtobufEnvelope(out: LinkBuffer, envelope: KitexProtobufEnvelopeInit): void {
  const messageType = checkInteger(envelope.messageType, 0, 0xffff, 'Kitex Protobuf messageType');
  const seqId = checkInteger(envelope.seqId, -0x80000000, 0xffffffff, 'Kitex Protobuf seqId');
  out.writeUint16(KITEX_PROTOBUF_MAGIC);
  out.writeUint16(messageType);
  const lengthAt = out.malloc(4);
  lengthAt.writeUInt32BE(out.writeString(envelope.method));
  out.writeUint32(seqId);
}
