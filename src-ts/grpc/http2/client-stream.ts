import type { CallStream, CallStreamEvents, StreamEnd } from '../call-stream.js';
import { StreamSendQueue } from './frame-io.js';
import { H2Error } from './frames.js';

/** A stream's header fields once they were sent. */
export const NO_FIELDS: readonly string[] = [];

/** What a stream asks of the session that owns it. */
export interface StreamOwner {
  sendQueued(stream: H2Stream): void;
  credit(stream: H2Stream): void;
  resetStream(stream: H2Stream, code: number, end: StreamEnd, notify?: boolean): void;
  flushSoon(): void;
}

/**
 * One stream of an H2ClientSession: a plain object the session drives (no emitter).
 * Request bytes queue here until both flow-control windows let them out.
 */
export class H2Stream extends StreamSendQueue implements CallStream {
  id = 0;
  events: CallStreamEvents | undefined;
  /** How much the peer lets this stream send. */
  sendWindow = 0;
  /** How much the peer may still send on this stream. */
  receiveWindow = 0;
  /** Bytes received and consumed but not yet credited back with WINDOW_UPDATE. */
  uncredited = 0;
  paused = false;
  localEnded = false;
  gotHeaders = false;
  /** The header fields to send once the stream opens (kept only while it waits). */
  fields: readonly string[] = NO_FIELDS;
  constructor(private readonly session: StreamOwner) {
    super();
  }

  attach(events: CallStreamEvents): void {
    this.events = events;
  }

  write(bytes: Uint8Array): Promise<void> | undefined {
    if (this.closed || this.endQueued) return undefined;
    if (bytes.length > 0) {
      this.enqueue(bytes);
      this.session.sendQueued(this);
    }
    return this.backPressure();
  }

  flush(): void {
    this.session.flushSoon();
  }

  end(bytes?: Uint8Array): void {
    if (this.closed || this.endQueued) return;
    this.enqueue(bytes);
    this.endQueued = true;
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

  cancel(): void {
    if (!this.closed) this.session.resetStream(this, H2Error.CANCEL, { connectionGone: false, rstCode: H2Error.CANCEL }, false);
  }
}
