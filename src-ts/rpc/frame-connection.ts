import type { Socket } from 'node:net';
import { asHeddleError, ErrorCode, HeddleError } from '../errors.js';
import { FrameReader, type Frame, type FrameReaderKind } from '../transport/index.js';
import type { TransportName } from './wire.js';

/** How a connection's byte stream divides into frames. */
export type Framing =
  /** u32 big-endian length, then the frame: Framed, TTHeader, TTHeaderFramed, Kitex Protobuf. */
  | 'length-prefixed'
  /** A bare Thrift Binary or Compact message (PurePayload, the `thrift` package's "buffered"). */
  | 'unframed'
  /** Server side: decided by the first bytes the client sends. */
  | 'sniff';

/** Receives what a connection delivers. Frames arrive in batches, in stream order. */
export interface FrameSink {
  /**
   * Complete frames, parsed (TTHeader fields, Framed, PurePayload). A frame's payload stays valid
   * for as long as it is referenced: RPC never closes payloads, so decoded values may view them.
   */
  frames(batch: Frame[]): void;
  /** Queued writes reached the kernel after `write` returned false. */
  drain(): void;
  /** The connection is gone. `error` is absent for an orderly close by either side. */
  closed(error?: HeddleError): void;
}

/**
 * A connected stream socket that reads and writes whole frames. Two implementations: the native
 * one (epoll via libuv's poll, readv into slabs, frame boundaries found in C++, writev) and the
 * `net.Socket` one, used without the addon.
 */
export interface FrameConnection {
  readonly kind: 'native' | 'net' | 'shm';
  /** The framing in use; 'sniff' until the first bytes arrived. */
  readonly framing: Framing;
  /**
   * Queues the chunks of frames for sending, in order. `frameEnds`, when given, holds one past the
   * index of each frame's last chunk (ascending, the last one `chunks.length`), for connections
   * that keep frames whole in their writes (shared memory). Returns false when the caller should
   * wait for drain.
   */
  write(chunks: readonly Uint8Array[], frameEnds?: readonly number[]): boolean;
  /** Stops delivering frames until resumed (backpressure towards the peer). */
  pause(): void;
  resume(): void;
  /** Closes at once; queued writes are dropped. `closed` follows on the sink. */
  destroy(): void;
  readonly remoteAddress: string;
  /** Bytes of an unfinished frame held back: a read timeout cuts peers that stall mid-frame. */
  readonly partialBytes: number;
}

/** Connection limits shared by both implementations. */
export interface FrameConnectionOptions {
  framing: Framing;
  /**
   * How frames are parsed once cut: a client knows its transport and reads replies with the
   * matching reader ({@link replyReaderKind}) instead of sniffing them. Default `auto` for
   * length-prefixed and sniffed connections, `pure-payload` for unframed ones.
   */
  readerKind?: FrameReaderKind;
  /**
   * The Thrift protocol of unframed messages, which the native scanner must know before the first
   * byte (a server sniffs it instead). Default `binary`.
   */
  protocol?: 'binary' | 'compact';
  /** Largest frame accepted, prefix included. Default 64 MiB. */
  maxFrameSize?: number;
  /** How to name the peer in errors; defaults to the socket's remote address. */
  peer?: string;
  /**
   * Server side, sniffing: a connection whose first bytes are the HTTP/2 client preface (gRPC) or
   * a TLS handshake record (`tls` true: gRPC over TLS) is given to this callback as a `net.Socket`
   * with those bytes put back in front, and the FrameConnection closes without an error. Without
   * it, such a connection is a bad frame.
   */
  http2?: (socket: Socket, tls: boolean) => void;
}

export const DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024;

/** "PRI ": the first four bytes of the HTTP/2 client preface ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"). */
export function startsHttp2Preface(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x52 && bytes[2] === 0x49 && bytes[3] === 0x20;
}

/** A TLS record carrying a handshake (content type 22, version 3.0-3.4): a TLS client's first
 * bytes. No Kitex frame starts so: as a length prefix it would be over 360 MB. */
export function startsTlsHandshake(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x16 && bytes[1] === 0x03 && bytes[2]! <= 0x04;
}

const readerKinds = { 'length-prefixed': 'auto', unframed: 'pure-payload', sniff: 'auto' } as const;

/**
 * The frames in the byte chunks of a connection that reads them in JavaScript (a `net.Socket`, a
 * shmipc stream): the incremental {@link FrameReader} the options ask for, and the framing a
 * sniffing connection's first frame shows.
 */
export class ChunkFramer {
  private readonly reader: FrameReader;
  /** The framing in use; 'sniff' until the first frame arrived. */
  framing: Framing;

  constructor(options: FrameConnectionOptions) {
    this.reader = new FrameReader({ kind: options.readerKind ?? readerKinds[options.framing], maxFrameSize: options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE });
    this.framing = options.framing;
  }

  /** Bytes of an unfinished frame held back. */
  get buffered(): number {
    return this.reader.buffered;
  }

  /** The frames `chunk` completes; with `owned`, `chunk` is memory the frames may keep for good
   * and whole frames are read where they lie (see FrameReader.pushOwned). Bad bytes throw a
   * HeddleError (ERR_BAD_FRAME when the reader's error was not one). */
  push(chunk: Uint8Array, owned = false): Frame[] {
    let frames: Frame[];
    try {
      frames = owned ? this.reader.pushOwned(chunk) : this.reader.push(chunk);
    } catch (error) {
      throw asHeddleError(error, ErrorCode.ERR_BAD_FRAME);
    }
    if (frames.length > 0 && this.framing === 'sniff') this.framing = frames[0]!.kind === 'pure-payload' ? 'unframed' : 'length-prefixed';
    return frames;
  }
}

/** The frame reader for replies on a client connection of `transport`: TTHeader replies to
 * TTHeader and TTHeaderFramed calls, Framed to Framed, bare messages to buffered ones. */
export function replyReaderKind(transport: TransportName): FrameReaderKind {
  switch (transport) {
    case 'ttheader':
    case 'ttheader-framed':
      return 'ttheader';
    case 'framed':
      return 'framed';
    case 'buffered':
      return 'pure-payload';
  }
}
