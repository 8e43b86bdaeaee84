import type { IncomingHttpHeaders } from 'node:http2';

/** How a call's HTTP/2 stream ended, as the client call needs to know it. */
export interface StreamEnd {
  /** The RST_STREAM code, when the stream was reset. */
  rstCode?: number;
  /** The whole connection failed or closed (every stream on it ends this way). */
  connectionGone: boolean;
  /** What broke, when the engine found the fault (a protocol error, a header list too large):
   * the gRPC status and message the call fails with. */
  failure?: { status: number; message: string; cause?: unknown };
}

/** What an HTTP/2 engine tells the call of its stream: one object per call, no emitter. */
export interface CallStreamEvents {
  onResponse(headers: IncomingHttpHeaders): void;
  /** A view of received bytes, valid as long as the call holds it. */
  onData(chunk: Buffer): void;
  onTrailers(trailers: IncomingHttpHeaders): void;
  onClose(end: StreamEnd): void;
}

/**
 * One gRPC call's HTTP/2 stream as the client call drives it, whichever engine carries it
 * (heddle's own HTTP/2 client or node:http2).
 */
export interface CallStream {
  /** The HTTP/2 stream id; 0 while the stream waits for the peer's concurrency limit. */
  readonly id: number;
  /** The stream ended (both sides, or reset). */
  readonly closed: boolean;
  /** Connects the stream to its call; events start after this. */
  attach(events: CallStreamEvents): void;
  /** Queues request bytes; returns a promise to await when the peer's flow control or the
   * socket holds them back (resolves once there is room or the stream closed). */
  write(bytes: Uint8Array): Promise<void> | undefined;
  /** Sends what was written in this turn now (engines batch writes per event-loop turn). */
  flush(): void;
  /** Ends the request side (END_STREAM), after `bytes` if given. */
  end(bytes?: Uint8Array): void;
  /** Stops granting the peer flow-control credit (the reader is behind); `resume` grants again. */
  pause(): void;
  resume(): void;
  /** RST_STREAM CANCEL, without ending the request side first. */
  cancel(): void;
}
