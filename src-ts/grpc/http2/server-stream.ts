import type { OutgoingHttpHeaders } from 'node:http2';
import type { ServerCallStream, ServerStreamEvents } from '../server-stream.js';
import { GRPC_MESSAGE_PREFIX, writeMessagePrefix } from '../message-framing.js';
import { FlowControlledStream } from './frame-io.js';
import { SendStaging } from './send-staging.js';

/** What a server stream asks of the session that owns it. */
export interface ServerStreamOwner {
  respond(stream: H2ServerStream, headers: OutgoingHttpHeaders, endStream: boolean): void;
  sendQueued(stream: H2ServerStream): void;
  sendSoon(stream: H2ServerStream): void;
  endMessage(stream: H2ServerStream, body: Uint8Array, trailers: OutgoingHttpHeaders | undefined): void;
  credit(stream: H2ServerStream): void;
  reset(stream: H2ServerStream, code: number): void;
  flushSoon(): void;
  readonly destroyed: boolean;
}

/**
 * One stream of an H2ServerSession: a plain object the session drives (no emitter). Response
 * bytes queue here until both flow-control windows let them out.
 */
export class H2ServerStream extends FlowControlledStream<H2ServerStream> implements ServerCallStream {
  events: ServerStreamEvents | undefined;
  /** After the queue and its end, these trailers (else a bare END_STREAM) go out. */
  trailers: OutgoingHttpHeaders | undefined;
  headersSent = false;
  requestEnded = false;
  rstCode: number | undefined;
  /** Waiting for the end of the turn to send what it queued. */
  sendPending = false;
  /** Where writeMessage copies messages until they are sent; made on its first use. */
  private staging: SendStaging | undefined;

  protected declare readonly session: ServerStreamOwner;

  constructor(
    session: ServerStreamOwner,
    readonly id: number,
  ) {
    super(session);
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

  writeMessage(body: Uint8Array): Promise<void> | undefined {
    if (this.closed || this.endQueued) return undefined;
    const length = GRPC_MESSAGE_PREFIX + body.length;
    this.staging ??= new SendStaging();
    const copy = this.staging.take(length, this.enqueuedTotal - this.queuedBytes, this.enqueuedTotal + length);
    writeMessagePrefix(copy, 0, body.length, false);
    copy.set(body, GRPC_MESSAGE_PREFIX);
    this.enqueue(copy);
    this.session.sendSoon(this);
    return this.backPressure();
  }

  end(last: Uint8Array | undefined, trailers: OutgoingHttpHeaders | undefined): void {
    if (this.closed || this.endQueued) return;
    this.enqueue(last);
    this.endQueued = true;
    this.trailers = trailers;
    this.session.sendQueued(this);
  }

  endMessage(body: Uint8Array, trailers: OutgoingHttpHeaders | undefined): void {
    if (this.closed || this.endQueued) return;
    this.session.endMessage(this, body, trailers);
  }

  close(code: number): void {
    if (!this.closed) this.session.reset(this, code);
  }
}
