import { cachedAscii, CACHED_ASCII_BYTES } from '../text/short-ascii-cache.js';
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
export { FIXED_SIZE as KITEX_PROTOBUF_ENVELOPE_FIXED_SIZE };

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
  if (payload.length < FIXED_SIZE) {
    throw badFrame(`Kitex Protobuf message of ${payload.length} bytes is shorter than its ${FIXED_SIZE}-byte envelope`, messageOffset);
  }
  const magic = payload.peekUint16At(0);
  if (magic !== KITEX_PROTOBUF_MAGIC) {
    throw badFrame(`Kitex Protobuf magic 0x${magic.toString(16)} is not 0x9001`, messageOffset);
  }
  const methodLength = payload.peekUint32At(4);
  if (methodLength > payload.length - FIXED_SIZE) {
    throw badFrame(`Kitex Protobuf method name of ${methodLength} bytes runs past the message`, messageOffset + 4);
  }
  // One view of the whole envelope (no copy when it lies in one node, as a received frame's does),
  // read in place: a cursor and a Buffer per name cost several times the Thrift envelope's read.
  const envelope = payload.peek(FIXED_SIZE + methodLength);
  const nameEnd = FIXED_BEFORE_METHOD + methodLength;
  return {
    messageType: (envelope[2]! << 8) | envelope[3]!,
    method: methodName(envelope, nameEnd),
    seqId: (envelope[nameEnd]! << 24) | (envelope[nameEnd + 1]! << 16) | (envelope[nameEnd + 2]! << 8) | envelope[nameEnd + 3]!,
    size: FIXED_SIZE + methodLength,
  };
}

/**
 * The method name in envelope[8, end): short ASCII names (all of them, in practice) from the
 * string cache the decoders share, so a call's name is the same string each time; anything else
 * decoded as Node decodes UTF-8, invalid bytes as U+FFFD (the name then matches no method).
 */
function methodName(envelope: Uint8Array, end: number): string {
  if (end - FIXED_BEFORE_METHOD <= CACHED_ASCII_BYTES) {
    const cached = cachedAscii(envelope, FIXED_BEFORE_METHOD, end);
    if (cached !== undefined) return cached;
  }
  return Buffer.from(envelope.buffer, envelope.byteOffset + FIXED_BEFORE_METHOD, end - FIXED_BEFORE_METHOD).toString('utf8');
}

/** Writes an envelope into `out`; the caller writes the Protobuf body after it. */
export function writeKitexProtobufEnvelope(out: LinkBuffer, envelope: KitexProtobufEnvelopeInit): void {
  const messageType = checkInteger(envelope.messageType, 0, 0xffff, 'Kitex Protobuf messageType');
  const seqId = checkInteger(envelope.seqId, -0x80000000, 0xffffffff, 'Kitex Protobuf seqId');
  const nameBytes = Buffer.from(envelope.method, 'utf8');
  writeKitexProtobufEnvelopeInto(out.malloc(FIXED_SIZE + nameBytes.length), messageType, nameBytes, seqId);
}

/**
 * Writes the envelope (`type` and `seqId` already checked) at the start of `out`, which has room
 * for it; returns where the body starts. The RPC core's encoders write into their own buffers
 * through this, {@link writeKitexProtobufEnvelope} into a LinkBuffer.
 */
export function writeKitexProtobufEnvelopeInto(out: Uint8Array, type: number, nameBytes: Uint8Array, seqId: number): number {
  const nameLength = nameBytes.length;
  out[0] = KITEX_PROTOBUF_MAGIC >>> 8;
  out[1] = KITEX_PROTOBUF_MAGIC & 0xff;
  out[2] = type >>> 8;
  out[3] = type & 0xff;
  out[4] = nameLength >>> 24;
  out[5] = nameLength >>> 16;
  out[6] = nameLength >>> 8;
  out[7] = nameLength;
  out.set(nameBytes, FIXED_BEFORE_METHOD);
  const at = FIXED_BEFORE_METHOD + nameLength;
  out[at] = seqId >>> 24;
  out[at + 1] = seqId >>> 16;
  out[at + 2] = seqId >>> 8;
  out[at + 3] = seqId;
  return at + 4;
}
