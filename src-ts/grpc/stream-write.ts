import type { Http2Stream } from 'node:http2';

/**
 * Resolves once `stream` has room again ('drain') or is gone ('close'): what a writer awaits after
 * `write()` returned false, so a peer that reads slowly holds back the producer instead of making
 * heddle buffer without bound.
 */
export function waitForDrain(stream: Http2Stream): Promise<void> {
  if (stream.destroyed || stream.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/**
 * Writes a stream's messages in batches: the writes of one event-loop turn are corked and go out
 * together (one writev, fewer DATA frames) when the turn ends or the stream's buffer fills. A full
 * buffer uncorks at once and the writer waits for 'drain', so batching never lifts back-pressure.
 */
export class BatchedWriter {
  private corked = false;
  private readonly uncork = () => {
    if (!this.corked) return;
    this.corked = false;
    this.stream.uncork();
  };

  constructor(private readonly stream: Http2Stream) {}

  /** Queues `bytes`; returns a promise to await when the stream wants the writer to wait. */
  write(bytes: Uint8Array): Promise<void> | undefined {
    if (!this.corked) {
      this.corked = true;
      this.stream.cork();
      setImmediate(this.uncork);
    }
    if (this.stream.write(bytes)) return undefined;
    this.uncork();
    return waitForDrain(this.stream);
  }

  /** Sends what is corked now (before ending the stream, for instance). */
  flush(): void {
    this.uncork();
  }
}
