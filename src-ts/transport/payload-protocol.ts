import type { LinkBuffer } from '../buffer/link-buffer.js';
import type { PayloadProtocol } from './frame.js';
import { KITEX_PROTOBUF_MAGIC, peekKitexProtobufEnvelope, type KitexProtobufEnvelope } from './kitex-protobuf.js';
import { THRIFT_BINARY_MAGIC } from './thrift-binary-scan.js';
import { isThriftCompactStart } from './thrift-compact-scan.js';

/** What a message is, told by its first two bytes. */
export function payloadProtocolOf(payload: LinkBuffer): PayloadProtocol {
  if (payload.length < 2) return 'unknown';
  const magic = payload.peekUint16At(0);
  if (magic === THRIFT_BINARY_MAGIC) return 'thrift-binary';
  if (magic === KITEX_PROTOBUF_MAGIC) return 'kitex-protobuf';
  if (isThriftCompactStart(magic)) return 'thrift-compact';
  return 'unknown';
}

/** The Kitex Protobuf envelope of a payload known to be one. `payloadOffset` is the payload's
 * stream offset, for errors; on an error the payload is closed, since no frame will own it. */
export function envelopeOf(payload: LinkBuffer, payloadOffset: number): KitexProtobufEnvelope {
  try {
    return peekKitexProtobufEnvelope(payload, payloadOffset);
  } catch (error) {
    payload.close();
    throw error;
  }
}
