import { LinkBuffer } from '../buffer/link-buffer.js';
import { badFrame } from './limits.js';
import { KITEX_PROTOBUF_MAGIC } from './kitex-protobuf.js';
import { THRIFT_BINARY_MAGIC } from './thrift-binary-scan.js';
import { isThriftCompactStart, THRIFT_COMPACT_PROTOCOL_ID } from './thrift-compact-scan.js';
import { TTHEADER_MAGIC } from './ttheader-layout.js';

/** What a server sees at the start of a message. `http2` is a gRPC (HTTP/2) connection preface,
 * which belongs to a gRPC server rather than a frame reader. */
export type SniffResult = 'ttheader' | 'framed' | 'kitex-protobuf' | 'pure-payload' | 'http2';

/** "PRI " — the first four bytes of the HTTP/2 client preface. */
const HTTP2_PREFACE_START = 0x50524920;

/**
 * Tells a server which framing a message uses, from its first 8 bytes, the way Kitex does:
 * `0x8001` at offset 0 is a bare Thrift Binary message (PurePayload); the TTHeader magic at offset
 * 4 is TTHeader; `0x8001` or `0x9001` at offset 4 is a Framed Thrift or Kitex Protobuf message.
 * Thrift Compact, which Kitex does not speak but the `thrift` package does, is recognised the same
 * way: its protocol id `0x82` at offset 0 is PurePayload, at offset 4 (with version 1 after it)
 * Framed. No length prefix can start with `0x82`: that length would be negative as an i32.
 * Returns undefined while fewer bytes than needed are present; throws `ERR_BAD_FRAME` (at
 * `offset`) for anything else.
 */
export function sniffFrame(bytes: Uint8Array | LinkBuffer, offset = 0): SniffResult | undefined {
  const input = bytes instanceof LinkBuffer ? bytes : LinkBuffer.from(bytes);
  if (input.length < 4) return undefined;
  const first = input.peekUint32At(0);
  if (first >>> 16 === THRIFT_BINARY_MAGIC || first >>> 24 === THRIFT_COMPACT_PROTOCOL_ID) return 'pure-payload';
  if (first === HTTP2_PREFACE_START) return 'http2';
  if (input.length < 8) return undefined;
  const second = input.peekUint16At(4);
  if (second === TTHEADER_MAGIC) return 'ttheader';
  if (second === THRIFT_BINARY_MAGIC) return 'framed';
  if (second === KITEX_PROTOBUF_MAGIC) return 'kitex-protobuf';
  if (isThriftCompactStart(second)) return 'framed';
  throw badFrame(
    `unrecognised framing: first bytes 0x${first.toString(16).padStart(8, '0')} 0x${input.peekUint32At(4).toString(16).padStart(8, '0')}`,
    offset,
  );
}
