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
