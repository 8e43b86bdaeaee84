import type { LinkBuffer } from '../buffer/link-buffer.js';
import type { FramedFrame, GrpcFrame } from './frame.js';
import { checkDeclaredLength } from './frame-length.js';
import { badFrame, type ResolvedLimits } from './limits.js';
import { KITEX_PROTOBUF_MAGIC } from './kitex-protobuf.js';
import { envelopeOf, payloadProtocolOf } from './payload-protocol.js';

/**
 * Reads one Framed message (u32 length, then the message) from the start of `input`, or returns
 * undefined, consuming nothing, until all of it has arrived. With `requireProtobuf` the message
 * must be a Kitex Protobuf envelope, checked as soon as its magic arrives.
 */
export function readFramedFrame(input: LinkBuffer, offset: number, limits: ResolvedLimits, requireProtobuf = false): FramedFrame | undefined {
  if (input.length < 4) return undefined;
  const length = input.peekUint32At(0);
  checkDeclaredLength(length, offset, limits, 'Framed length');
  if (requireProtobuf && input.length >= 6 && length >= 2 && input.peekUint16At(4) !== KITEX_PROTOBUF_MAGIC) {
    throw badFrame(`Kitex Protobuf magic 0x${input.peekUint16At(4).toString(16)} is not 0x9001`, offset + 4);
  }
  if (input.length < 4 + length) return undefined;
  input.skip(4);
  const payload = input.slice(length);
  const frame: FramedFrame = { kind: 'framed', offset, size: 4 + length, payload, payloadProtocol: payloadProtocolOf(payload) };
  if (frame.payloadProtocol === 'kitex-protobuf') {
    frame.envelope = envelopeOf(payload, offset + 4);
  } else if (requireProtobuf) {
    payload.close();
    throw badFrame('Framed message is not a Kitex Protobuf envelope', offset + 4);
  }
  return frame;
}

/** gRPC message prefix: u8 compressed flag, u32 length. */
export const GRPC_PREFIX_SIZE = 5;

/**
 * Reads one gRPC length-prefixed message, or returns undefined until all of it has arrived. A
 * zero length is valid here (an empty Protobuf message); a flag other than 0 or 1 is not.
 */
export function readGrpcFrame(input: LinkBuffer, offset: number, limits: ResolvedLimits): GrpcFrame | undefined {
  if (input.length < 1) return undefined;
  const flag = input.peekByteAt(0);
  if (flag > 1) throw badFrame(`gRPC compressed flag ${flag} is neither 0 nor 1`, offset);
  if (input.length < GRPC_PREFIX_SIZE) return undefined;
  const length = input.peekUint32At(1);
  checkDeclaredLength(length, offset + 1, limits, 'gRPC message length', { allowZero: true });
  if (input.length < GRPC_PREFIX_SIZE + length) return undefined;
  input.skip(GRPC_PREFIX_SIZE);
  return {
    kind: 'grpc',
    offset,
    size: GRPC_PREFIX_SIZE + length,
    compressed: flag === 1,
    payload: input.slice(length),
    payloadProtocol: 'unknown',
  };
}
