import { LinkCursor } from '../buffer/link-cursor.js';
import type { LinkBuffer } from '../buffer/link-buffer.js';
import type { FrameBase, PayloadProtocol } from './frame.js';
import { KITEX_PROTOBUF_MAGIC, peekKitexProtobufEnvelope } from './kitex-protobuf.js';

const THRIFT_BINARY_MAGIC = 0x8001;

/** What a message's first two bytes say it is. */
export function payloadProtocolOf(magic: number): PayloadProtocol {
  if (magic === THRIFT_BINARY_MAGIC) return 'thrift-binary';
  if (magic === KITEX_PROTOBUF_MAGIC) return 'kitex-protobuf';
  return 'unknown';
}

/** The protocol fields of a frame for `payload`, with the Kitex Protobuf envelope parsed when the
 * payload is one. `payloadOffset` is the payload's stream offset, for errors; on an error the
 * payload is closed, since no frame will own it. */
export function describePayload(payload: LinkBuffer, payloadOffset: number): Pick<FrameBase, 'payloadProtocol' | 'envelope'> {
  if (payload.length < 2) return { payloadProtocol: 'unknown' };
  const payloadProtocol = payloadProtocolOf(new LinkCursor(payload).u16At(0));
  if (payloadProtocol !== 'kitex-protobuf') return { payloadProtocol };
  try {
    return { payloadProtocol, envelope: peekKitexProtobufEnvelope(payload, payloadOffset) };
  } catch (error) {
    payload.close();
    throw error;
  }
}
