// An echo server over the shm TypeScript API: every chunk received is sent back through
// allocate() (the zero-copy path), on the stream it came from.
import { HeddleError } from '../../../src-ts/errors.js';
import { shm } from '../../../src-ts/index.js';
import type { ShmListenOptions, ShmServer, ShmStream } from '../../../src-ts/shm/index.js';

/** Echoes chunks as they come (no framing needed: the bytes go back in order). */
export function echoChunks(stream: ShmStream): void {
  stream.setDataHandler((chunk) => {
    try {
      if (stream.closed) return;
      const out = stream.allocate(chunk.byteLength);
      let at = 0;
      for (const view of chunk.views) {
        out.set(view, at);
        at += view.length;
      }
      out.send();
    } catch (error) {
      // The session died under us (the peer broke the protocol or left): it already reported why.
      if (!(error instanceof HeddleError) || (error.code !== 'ERR_SHM_PEER' && error.code !== 'ERR_CONNECTION')) throw error;
    } finally {
      chunk.release();
    }
  });
}

/** Listens on `path` and echoes every stream, shared-memory or fallback. */
export async function startEchoServer(path: string, options: ShmListenOptions = {}): Promise<ShmServer> {
  const server = await shm.listen(path, options);
  server.on('stream', echoChunks);
  return server;
}
