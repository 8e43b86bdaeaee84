import type { OutgoingHttpHeaders } from 'node:http2';
import type { ServerCallStream, ServerStreamEvents } from '../server-stream.js';
import type { SendQueue } from './frame-io.js';

/** Bytes a stream may queue past its flow-control window before its writer is told to wait. */
const STREAM_WRITE_HIGH_WATER = 64 * 1024;

/** What a server stream asks of the session that owns it. */
export interface ServerStreamOwner {
  respond(stream: H2ServerStream, headers: OutgoingHttpHeaders, endStream: boolean): void;
  sendQueued(stream: H2ServerStream): void;
  credit(stream: H2ServerStream): void;
  reset(stream: H2ServerStream, code: number): void;
  flushSoon(): void;
  readonly destroyed: boolean;
}

/**
 * One stream of an H2ServerSession: a plain object the session drives (no emitter). Response
 * bytes queue here until both flow-control windows let them out.
 */
export class H2ServerStream implements ServerCallStream, SendQueue {
  events: ServerStreamEvents | undefined;
  /** How much the client lets this stream send. */
  sendWindow = 0;
  /** How much the client may still send on this stream. */
  receiveWindow = 0;
  /** Bytes received and consumed but not yet credited back with WINDOW_UPDATE. */
  uncredited = 0;
  paused = false;
  readonly queue: Uint8Array[] = [];
  queueOffset = 0;
  queuedBytes = 0;
  /** end() was called: after the queue, `trailers` (or a bare END_STREAM) go out. */
  endQueued = false;
  trailers: OutgoingHttpHeaders | undefined;
  headersSent = false;
  localEnded = false;
  requestEnded = false;
  closed = false;
  rstCode: number | undefined;
  private drain: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(
    private readonly session: ServerStreamOwner,
    readonly id: number,
  ) {}

  get connectionGone(): boolean {
    return this.session.destroyed;
  }

  attach(events: ServerStreamEvents): void {
    this.events = events;
  }

  respond(headers: OutgoingHttpHeaders, endStream: boolean): void {
    if (this.closed || this.headersSent) return;
    this.headersSent = true;
    this.session.respond(this, headers, endStream);
  }

  write(bytes: Uint8Array): Promise<void> | undefined {
    if (this.closed || this.endQueued) return undefined;
    if (bytes.length > 0) {
      this.queue.push(bytes);
      this.queuedBytes += bytes.length;
      this.session.sendQueued(this);
    }
    if (this.queuedBytes <= STREAM_WRITE_HIGH_WATER || this.closed) return undefined;
    if (this.drain === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.drain = { promise, resolve };
    }
    return this.drain.promise;
  }

  flush(): void {
    this.session.flushSoon();
  }

  end(last: Uint8Array | undefined, trailers: OutgoingHttpHeaders | undefined): void {
    if (this.closed || this.endQueued) return;
    if (last !== undefined && last.length > 0) {
      this.queue.push(last);
      this.queuedBytes += last.length;
    }
    this.endQueued = true;
    this.trailers = trailers;
    this.session.sendQueued(this);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.closed) this.session.credit(this);
  }

  close(code: number): void {
    if (!this.closed) this.session.reset(this, code);
  }

  /** @internal The writer may go on: the queue fell below the high-water mark or the stream closed. */
  wake(): void {
    if (this.drain !== undefined && (this.closed || this.queuedBytes <= STREAM_WRITE_HIGH_WATER)) {
      const { resolve } = this.drain;
      this.drain = undefined;
      resolve();
    }
  }
}
