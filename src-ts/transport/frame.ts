import type { LinkBuffer } from '../buffer/link-buffer.js';
import type { KitexProtobufEnvelope } from './kitex-protobuf.js';
import type { TTHeader } from './ttheader.js';

/** How a frame is delimited on the wire. */
export type FrameKind = 'ttheader' | 'ttheader-framed' | 'framed' | 'pure-payload' | 'grpc';

/** What the payload holds, told by its first bytes: a strict Thrift Binary message (`0x8001`), a
 * Thrift Compact message (`0x82`, version 1), a Kitex Protobuf envelope (`0x9001`), or something
 * the framing layer does not recognise. */
export type PayloadProtocol = 'thrift-binary' | 'thrift-compact' | 'kitex-protobuf' | 'unknown';

/** What every frame carries. */
export interface FrameBase {
  /** Stream offset of the frame's first byte. */
  offset: number;
  /** Bytes the frame occupies on the wire, framing included. */
  size: number;
  /**
   * The message: a Thrift message, a Kitex Protobuf envelope and body, or a gRPC message, without
   * any framing. It shares slabs with the reader's buffer and stays valid after the reader moves
   * on; `close()` it when done so its slabs return to the pool.
   */
  payload: LinkBuffer;
  payloadProtocol: PayloadProtocol;
  /** The Kitex Protobuf envelope, parsed (not consumed) when the payload is one. */
  envelope?: KitexProtobufEnvelope;
}

/** A TTHeader frame. `ttheader-framed` means the payload was itself Framed (u32 length + message)
 * inside the TTHeader; `payload` is the message without that length. */
export interface TTHeaderFrame extends FrameBase {
  kind: 'ttheader' | 'ttheader-framed';
  header: TTHeader;
}

/** A Framed message: u32 length, then the message. */
export interface FramedFrame extends FrameBase {
  kind: 'framed';
}

/** A bare Thrift Binary or Compact message, delimited by scanning its structure. */
export interface PurePayloadFrame extends FrameBase {
  kind: 'pure-payload';
}

/** A gRPC length-prefixed message: u8 compressed flag, u32 length, message. */
export interface GrpcFrame extends FrameBase {
  kind: 'grpc';
  compressed: boolean;
}

/** One complete frame from a {@link FrameReader}. */
export type Frame = TTHeaderFrame | FramedFrame | PurePayloadFrame | GrpcFrame;
