/**
 * Kitex-compatible framing: incremental readers and writers for TTHeader, TTHeaderFramed,
 * Framed, PurePayload (Thrift Binary or Compact), the Kitex Protobuf envelope and gRPC
 * length-prefixed messages; server-side sniffing; and TTHeader metainfo.
 */
export { FrameReader } from './frame-reader.js';
export type { FrameReaderKind, FrameReaderOptions } from './frame-reader.js';
export { beginFrame, writeFrame, encodeFrame, PendingFrame } from './frame-writer.js';
export type { FrameSpec, FrameWriterOptions } from './frame-writer.js';
export type { Frame, FrameBase, FrameKind, TTHeaderFrame, FramedFrame, PurePayloadFrame, GrpcFrame, PayloadProtocol } from './frame.js';
export { sniffFrame } from './sniff.js';
export type { SniffResult } from './sniff.js';
export { DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_DEPTH } from './limits.js';
export type { FrameLimits } from './limits.js';
export { metaInfoOf } from './ttheader.js';
export type { TTHeader, TTHeaderInit } from './ttheader.js';
export { decodeTTHeader } from './ttheader-decode.js';
export { writeTTHeader } from './ttheader-encode.js';
export {
  TTHeaderLayout,
  TTHeaderFlag,
  TTHeaderProtocol,
  TTHeaderInfo,
  TTHEADER_MAGIC,
  TTHEADER_MAX_LENGTH,
  TTHEADER_MAX_HEADER_SIZE,
} from './ttheader-layout.js';
export {
  MetaInfo,
  IntKey,
  StrKey,
  intKeyName,
  TRANSIENT_PREFIX,
  PERSISTENT_PREFIX,
  ACL_TOKEN_KEY,
} from './metainfo.js';
export type { IntKeyName } from './metainfo.js';
export { KITEX_PROTOBUF_ENVELOPE_FIXED_SIZE, KITEX_PROTOBUF_MAGIC, peekKitexProtobufEnvelope, writeKitexProtobufEnvelope, writeKitexProtobufEnvelopeInto } from './kitex-protobuf.js';
export type { KitexProtobufEnvelope, KitexProtobufEnvelopeInit } from './kitex-protobuf.js';
export { ThriftBinaryScanner, peekThriftMessageHeader } from './thrift-binary-scan.js';
export type { ThriftMessageHeader } from './thrift-binary-scan.js';
export { ThriftCompactScanner, THRIFT_COMPACT_PROTOCOL_ID, THRIFT_COMPACT_VERSION } from './thrift-compact-scan.js';
