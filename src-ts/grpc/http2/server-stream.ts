import type { OutgoingHttpHeaders } from 'node:http2';
import type { ServerCallStream, ServerStreamEvents } from '../server-stream.js';
import { StreamSendQueue } from './frame-io.js';

/** What a server stream asks of the session that owns it. */
export interface ServerStreamOwner {
  respond(stream: H2ServerStream, headers: OutgoingHttpHeaders, endStream: boolean): void;
  sendQueued(stream: H2ServerStream): void;
  sendSoon(stream: H2ServerStream): void;
  credit(stream: H2ServerStream): void;
  reset(stream: H2ServerStream, code: number): void;
  flushSoon(): void;
  readonly destroyed: boolean;
}

/**
 * One stream of an H2ServerSession: a plain object the session drives (no emitter). Response
 * bytes queue here until both flow-control windows let them out.
 */
export class H2ServerStream extends StreamSendQueue implements ServerCallStream {
  events: ServerStreamEvents | undefined;
  /** How much the client lets this stream send. */
  sendWindow = 0;
  /** How much the client may still send on this stream. */
  receiveWindow = 0;
  /** Bytes received and consumed but not yet credited back with WINDOW_UPDATE. */
  uncredited = 0;
  paused = false;
  /** After the queue and its end, these trailers (else a bare END_STREAM) go out. */
  trailers: OutgoingHttpHeaders | undefined;
  headersSent = false;
  localEnded = false;
  requestEnded = false;
  rstCode: number | undefined;
  /** Waiting for the end of the turn to send what it queued. */
  sendPending = false;

  constructor(
    private readonly session: ServerStreamOwner,
    readonly id: number,
  ) {
    super();
  }

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
      this.enqueue(bytes);
      this.session.sendSoon(this);
    }
    return this.backPressure();
  }

  flush(): void {
    this.session.flushSoon();
  }

  end(last: Uint8Array | undefined, trailers: OutgoingHttpHeaders | undefined): void {
    if (this.closed || this.endQueued) return;
    this.enqueue(last);
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
}
