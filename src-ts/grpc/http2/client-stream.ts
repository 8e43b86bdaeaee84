import type { CallStream, CallStreamEvents, StreamEnd } from '../call-stream.js';
import { FlowControlledStream } from './frame-io.js';
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
export class H2Stream extends FlowControlledStream<H2Stream> implements CallStream {
  id = 0;
  events: CallStreamEvents | undefined;
  gotHeaders = false;
  /** The header fields to send once the stream opens (kept only while it waits). */
  fields: readonly string[] = NO_FIELDS;
  protected declare readonly session: StreamOwner;

  constructor(session: StreamOwner) {
    super(session);
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

  end(bytes?: Uint8Array): void {
    if (this.closed || this.endQueued) return;
    this.enqueue(bytes);
    this.endQueued = true;
    this.session.sendQueued(this);
  }

  cancel(): void {
    if (!this.closed) this.session.resetStream(this, H2Error.CANCEL, { connectionGone: false, rstCode: H2Error.CANCEL }, false);
  }
}
