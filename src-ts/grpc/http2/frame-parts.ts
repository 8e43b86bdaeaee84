import { ConnectionError, unpad } from './frame-io.js';
import { DEFAULT_MAX_FRAME_SIZE, Flag, FrameType, H2Error, MAX_FRAME_SIZE_LIMIT, MAX_WINDOW, Setting } from './frames.js';
import type { DecodedBlock, HpackDecoder } from './hpack.js';

/** A HEADERS+CONTINUATION block may be this many times the header list limit before it is
 * refused unread (the compressed form is normally smaller than the list). */
const HEADER_BLOCK_FACTOR = 2;
/** Frames one header block may take. A 64 KiB header list fits in a handful of 16 KiB frames;
 * without a count, empty CONTINUATION frames would grow the list of parts without limit. */
const MAX_HEADER_BLOCK_FRAMES = 64;

/**
 * Joins HEADERS and CONTINUATION frames into header blocks and decodes them with the
 * connection's HPACK decoder (RFC 9113 6.2, 6.10): no other frame may come between them, and a
 * block far past the header list limit ends the connection before it is buffered further.
 */
export class HeaderBlocks {
  private pending: { streamId: number; endStream: boolean; parts: Buffer[]; size: number } | undefined;

  constructor(
    private readonly decoder: HpackDecoder,
    private readonly maxHeaderListSize: number,
    /** A whole block, decoded (before the stream's state is looked at, so the HPACK table stays
     * in step with the peer's). */
    private readonly onBlock: (streamId: number, decoded: DecodedBlock, endStream: boolean) => void,
  ) {}

  /** Checks a frame of `type` may come now: only CONTINUATION inside a header block. */
  check(type: number): void {
    if (this.pending !== undefined && type !== FrameType.CONTINUATION) {
      throw new ConnectionError(H2Error.PROTOCOL_ERROR, `frame type ${type} inside the header block of stream ${this.pending.streamId}`);
    }
  }

  headers(flags: number, streamId: number, payload: Buffer): void {
    if (streamId === 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, 'HEADERS on stream 0');
    const fragment = unpad(flags, payload, flags & Flag.PRIORITY ? 5 : 0, 'HEADERS');
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (flags & Flag.END_HEADERS) return this.decode(streamId, fragment, endStream);
    this.pending = { streamId, endStream, parts: [fragment], size: fragment.length };
    this.checkSize(this.pending.size);
  }

  continuation(flags: number, streamId: number, payload: Buffer): void {
    const block = this.pending;
    if (block === undefined || block.streamId !== streamId) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `CONTINUATION on stream ${streamId} without a HEADERS before it`);
    block.parts.push(payload);
    block.size += payload.length;
    this.checkSize(block.size);
    if (block.parts.length > MAX_HEADER_BLOCK_FRAMES && !(flags & Flag.END_HEADERS)) {
      throw new ConnectionError(H2Error.ENHANCE_YOUR_CALM, `a header block of over ${MAX_HEADER_BLOCK_FRAMES} frames (HEADERS and CONTINUATION)`);
    }
    if (flags & Flag.END_HEADERS) {
      this.pending = undefined;
      this.decode(streamId, Buffer.concat(block.parts, block.size), block.endStream);
    }
  }

  private checkSize(size: number): void {
    const limit = this.maxHeaderListSize * HEADER_BLOCK_FACTOR;
    if (size > limit) throw new ConnectionError(H2Error.ENHANCE_YOUR_CALM, `a header block of over ${limit} bytes (HEADERS and CONTINUATION)`);
  }

  private decode(streamId: number, block: Buffer, endStream: boolean): void {
    let decoded: DecodedBlock;
    try {
      decoded = this.decoder.decode(block, this.maxHeaderListSize);
    } catch (error) {
      throw new ConnectionError(H2Error.COMPRESSION_ERROR, (error as Error).message);
    }
    this.onBlock(streamId, decoded, endStream);
  }
}

/** The settings a peer's SETTINGS frame changed, checked against RFC 9113 6.5.2's ranges. */
export interface PeerSettings {
  headerTableSize?: number;
  maxConcurrentStreams?: number;
  initialWindowSize?: number;
  maxFrameSize?: number;
}

/** Reads a SETTINGS frame: undefined for an ACK, else what it changed. Unknown settings and the
 * advisory MAX_HEADER_LIST_SIZE are left out. */
export function readSettings(flags: number, streamId: number, payload: Buffer, sawSettings: boolean): PeerSettings | undefined {
  if (streamId !== 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `SETTINGS on stream ${streamId}`);
  if (flags & Flag.ACK) {
    if (payload.length !== 0) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, `SETTINGS ACK with ${payload.length} bytes`);
    if (!sawSettings) throw new ConnectionError(H2Error.PROTOCOL_ERROR, "a SETTINGS ACK before the peer's SETTINGS");
    return undefined;
  }
  if (payload.length % 6 !== 0) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, `SETTINGS of ${payload.length} bytes, not a multiple of 6`);
  const settings: PeerSettings = {};
  for (let at = 0; at < payload.length; at += 6) {
    const id = payload.readUInt16BE(at);
    const value = payload.readUInt32BE(at + 2);
    switch (id) {
      case Setting.HEADER_TABLE_SIZE:
        settings.headerTableSize = value;
        break;
      case Setting.ENABLE_PUSH:
        if (value > 1) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH of ${value}`);
        break;
      case Setting.MAX_CONCURRENT_STREAMS:
        settings.maxConcurrentStreams = value;
        break;
      case Setting.INITIAL_WINDOW_SIZE:
        if (value > MAX_WINDOW) throw new ConnectionError(H2Error.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE of ${value} exceeds 2^31-1`);
        settings.initialWindowSize = value;
        break;
      case Setting.MAX_FRAME_SIZE:
        if (value < DEFAULT_MAX_FRAME_SIZE || value > MAX_FRAME_SIZE_LIMIT) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE of ${value} outside [2^14, 2^24-1]`);
        settings.maxFrameSize = value;
        break;
      default:
        break;
    }
  }
  return settings;
}

/** Checks a PING frame; true for an ACK. */
export function readPing(flags: number, streamId: number, payload: Buffer): boolean {
  if (streamId !== 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, `PING on stream ${streamId}`);
  if (payload.length !== 8) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, `PING of ${payload.length} bytes`);
  return (flags & Flag.ACK) !== 0;
}

/** A WINDOW_UPDATE's increment; one of 0 on the connection is a connection error (on a stream,
 * the caller's stream error). */
export function readWindowIncrement(streamId: number, payload: Buffer): number {
  if (payload.length !== 4) throw new ConnectionError(H2Error.FRAME_SIZE_ERROR, `WINDOW_UPDATE of ${payload.length} bytes`);
  const increment = payload.readUInt32BE(0) & 0x7fffffff;
  if (streamId === 0 && increment === 0) throw new ConnectionError(H2Error.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0 on the connection');
  return increment;
}
