import type { HeddleError } from '../errors.js';

/** How a connection's byte stream divides into frames. */
export type Framing =
  /** u32 big-endian length, then the frame: Framed, TTHeader, TTHeaderFramed, Kitex Protobuf. */
  | 'length-prefixed'
  /** A bare strict Thrift Binary message (PurePayload, the `thrift` package's "buffered"). */
  | 'unframed'
  /** Server side: decided by the first bytes the client sends. */
  | 'sniff';

/** Receives what a connection delivers. Frames arrive in batches, in stream order. */
export interface FrameSink {
  /**
   * Complete frames, each a view including its length prefix (if any). A view stays valid for
   * as long as it is referenced: connections never reuse the memory under a delivered frame.
   */
  frames(batch: Uint8Array[]): void;
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
  readonly kind: 'native' | 'net';
  /** The framing in use; 'sniff' until the first bytes arrived. */
  readonly framing: Framing;
  /** Queues frames for sending, in order. Returns false when the caller should wait for drain. */
  write(frames: readonly Uint8Array[]): boolean;
  /** Stops delivering frames until resumed (backpressure towards the peer). */
  pause(): void;
  resume(): void;
  /** Closes at once; queued writes are dropped. `closed` follows on the sink. */
  destroy(): void;
  readonly remoteAddress: string;
}

/** Connection limits shared by both implementations. */
export interface FrameConnectionOptions {
  framing: Framing;
  /** Largest frame accepted, prefix included. Default 64 MiB. */
  maxFrameSize?: number;
  /** How to name the peer in errors; defaults to the socket's remote address. */
  peer?: string;
}

export const DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024;
