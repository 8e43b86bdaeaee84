import type { CallStream, CallStreamEvents, StreamEnd } from '../call-stream.js';
import { H2Error } from './frames.js';

/** Bytes a stream may queue past its flow-control window before its writer is told to wait. */
const STREAM_WRITE_HIGH_WATER = 64 * 1024;

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
export class H2Stream implements CallStream {
  id = 0;
  events: CallStreamEvents | undefined;
  /** How much the peer lets this stream send. */
  sendWindow = 0;
  /** How much the peer may still send on this stream. */
  receiveWindow = 0;
  /** Bytes received and consumed but not yet credited back with WINDOW_UPDATE. */
  uncredited = 0;
  paused = false;
  readonly queue: Uint8Array[] = [];
  /** Bytes of queue[0] already sent. */
  queueOffset = 0;
  queuedBytes = 0;
  endQueued = false;
  localEnded = false;
  gotHeaders = false;
  closed = false;
  /** The header fields to send once the stream opens (kept only while it waits). */
  fields: readonly string[] = NO_FIELDS;
  private drain: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(private readonly session: StreamOwner) {}

  attach(events: CallStreamEvents): void {
    this.events = events;
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

  end(bytes?: Uint8Array): void {
    if (this.closed || this.endQueued) return;
    if (bytes !== undefined && bytes.length > 0) {
      this.queue.push(bytes);
      this.queuedBytes += bytes.length;
    }
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

  /** @internal The writer may go on: the queue fell below the high-water mark or the stream closed. */
  wake(): void {
    if (this.drain !== undefined && (this.closed || this.queuedBytes <= STREAM_WRITE_HIGH_WATER)) {
      const { resolve } = this.drain;
      this.drain = undefined;
      resolve();
    }
  }
}
