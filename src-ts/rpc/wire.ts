import { LinkBuffer } from '../buffer/index.js';
import { ErrorCode, HeddleError } from '../errors.js';
import { writeTTHeader, type Frame, type TTHeaderInit } from '../transport/index.js';
import { TTHeaderLayout as L } from '../transport/ttheader-layout.js';
import type { MessageFormat } from './message-format.js';

/**
 * How RPC messages are framed on a connection. `ttheader` is Kitex's TTHeader (metainfo travels
 * in it), `framed` a u32 length then the message (Kitex's default client since v0.13, the `thrift`
 * package's TFramedTransport), `buffered` the bare message (PurePayload, TBufferedTransport),
 * `ttheader-framed` TTHeader around a Framed message.
 */
export type TransportName = 'ttheader' | 'ttheader-framed' | 'framed' | 'buffered';

/** Which transport a received frame used, so a server answers in kind. */
export function transportOf(frame: Frame): TransportName {
  switch (frame.kind) {
    case 'ttheader':
      return 'ttheader';
    case 'ttheader-framed':
      return 'ttheader-framed';
    case 'framed':
      return 'framed';
    case 'pure-payload':
      return 'buffered';
    case 'grpc':
      throw new HeddleError(ErrorCode.ERR_BAD_FRAME, 'gRPC frames are not Kitex RPC messages', { offset: frame.offset });
  }
}

/**
 * The message inside a frame, as one contiguous view. On the native path the frame is a single
 * slab region, so this does not copy; the view stays valid as long as it is referenced.
 */
export function messageOf(frame: Frame): Uint8Array {
  return frame.payload.next(frame.payload.length);
}

/**
 * `value` as a big-endian u32 in a Buffer from Node's pool. Not a `new Uint8Array(4)`: V8 keeps so
 * small an array's bytes on its heap, and the native write (napi_get_typedarray_info) then has to
 * give it an ArrayBuffer of its own, which costs more than the rest of the framing.
 */
function u32(value: number): Uint8Array {
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeUInt32BE(value >>> 0, 0);
  return bytes;
}

/** The LENGTH field of a TTHeader frame (everything after itself: the rest of the header and the
 * body); ERR_SIZE_LIMIT when the frame would exceed `maxFrameSize`. */
function ttheaderLength(headerSize: number, bodyLength: number, maxFrameSize: number): number {
  const length = headerSize - 4 + bodyLength;
  if (length + 4 > maxFrameSize) {
    throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `TTHeader frame of ${length + 4} bytes exceeds the ${maxFrameSize}-byte frame limit`);
  }
  return length;
}

/** `init` encoded with `seqId` in its SEQID field, whatever `init.seqId` says, and its LENGTH. */
function ttheaderBytes(init: TTHeaderInit, seqId: number, bodyLength: number, maxFrameSize: number): Uint8Array {
  const out = new LinkBuffer();
  try {
    writeTTHeader(out, init);
    out.flush();
    const header = out.readBinary(out.length);
    const length = ttheaderLength(header.length, bodyLength, maxFrameSize);
    header.set(u32(length), L.LENGTH);
    header.set(u32(seqId), L.SEQ_ID);
    return header;
  } finally {
    out.close();
  }
}

/**
 * A TTHeader encoded once, for the frames whose header differs only in SEQID and LENGTH (a call
 * with no metainfo, a plain reply): each frame gets a copy with those two fields patched, instead
 * of encoding the info maps again.
 */
export class TTHeaderTemplate {
  private readonly bytes: Uint8Array;

  constructor(init: TTHeaderInit) {
    this.bytes = ttheaderBytes(init, 0, 0, Number.MAX_SAFE_INTEGER);
  }

  /**
   * The header for a frame with `seqId` whose body (everything after the header) is `bodyLength`
   * bytes. With `innerLength` (TTHeaderFramed), the Framed message's u32 length follows the header
   * in the same chunk, counted in `bodyLength`: one small Buffer per frame instead of two.
   */
  header(seqId: number, bodyLength: number, maxFrameSize: number, innerLength?: number): Uint8Array {
    const length = ttheaderLength(this.bytes.length, bodyLength, maxFrameSize);
    const size = this.bytes.length;
    const header = Buffer.allocUnsafe(innerLength === undefined ? size : size + 4);
    header.set(this.bytes);
    header.writeUInt32BE(length, L.LENGTH);
    header.writeInt32BE(seqId | 0, L.SEQ_ID);
    if (innerLength !== undefined) header.writeUInt32BE(innerLength, size);
    return header;
  }
}

/**
 * The chunks that put a message (its `parts`, in order) on the wire with `transport`, written in
 * one writev: framing prefixes are separate small chunks, so the message is never copied. `header`
 * is the TTHeader to encode or a template; either way the frame carries `seqId`.
 */
export function frameChunks(
  transport: TransportName,
  parts: readonly Uint8Array[],
  header: TTHeaderInit | TTHeaderTemplate,
  maxFrameSize: number,
  seqId = 0,
): Uint8Array[] {
  let length = 0;
  for (const part of parts) length += part.length;
  switch (transport) {
    case 'buffered':
      if (length > maxFrameSize) throw sizeError(length, maxFrameSize);
      return parts.slice();
    case 'framed':
      if (length + 4 > maxFrameSize) throw sizeError(length + 4, maxFrameSize);
      return [u32(length), ...parts];
    case 'ttheader':
      return [headerBytes(header, length, maxFrameSize, seqId), ...parts];
    case 'ttheader-framed':
      if (header instanceof TTHeaderTemplate) return [header.header(seqId, length + 4, maxFrameSize, length), ...parts];
      return [headerBytes(header, length + 4, maxFrameSize, seqId), u32(length), ...parts];
  }
}

/**
 * The transport a message in `format` really uses when a client asks for `transport`: Kitex reads
 * Kitex Protobuf only Framed, so TTHeader carries it as TTHeaderFramed (as Kitex's own client
 * does) and bare messages are refused with ERR_INVALID_ARGUMENT.
 */
export function wireTransport(transport: TransportName, format: MessageFormat): TransportName {
  if (!format.requiresFraming) return transport;
  if (transport === 'ttheader') return 'ttheader-framed';
  if (transport === 'buffered') {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `transport 'buffered' cannot carry ${format.payload} messages: use 'ttheader' or 'framed'`);
  }
  return transport;
}

function headerBytes(header: TTHeaderInit | TTHeaderTemplate, bodyLength: number, maxFrameSize: number, seqId: number): Uint8Array {
  if (header instanceof TTHeaderTemplate) return header.header(seqId, bodyLength, maxFrameSize);
  return ttheaderBytes(header, seqId, bodyLength, maxFrameSize);
}

function sizeError(size: number, max: number): HeddleError {
  return new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `frame of ${size} bytes exceeds the ${max}-byte frame limit`);
}
