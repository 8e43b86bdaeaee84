// shm in worker threads: each environment has its own sessions, and when a worker ends (even
// without closing anything) its environment cleanup closes its listener and sessions, removes its
// files, and the peer in the main thread sees the session end.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { shm } from '../../src-ts/index.js';
import { native } from '../../src-ts/native.js';
import type { ShmSession } from '../../src-ts/shm/index.js';
import { startEchoServer } from './helpers/echo-server.js';
import { shmRuntime } from './helpers/child-peer.js';
import { filesWithPrefix, nativeDisabled, readBytes, tempDir, uniquePrefix, waitFor } from './helpers/runtime.js';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const shm = require(workerData.runtime + '/shm/index.js');
(async () => {
  if (workerData.role === 'server') {
    const server = await shm.listen(workerData.socket);
    server.on('stream', (stream) => stream.setDataHandler((chunk) => {
      stream.write(Buffer.concat(chunk.views.map((v) => Buffer.from(v))));
      chunk.release();
    }));
    parentPort.postMessage('ready');
  } else {
    const client = await shm.connect(workerData.socket, { version: 2, pathPrefix: workerData.prefix });
    const stream = await client.acquireStream();
    stream.write(Buffer.from('from a worker'));
    const chunk = await stream.read();
    parentPort.postMessage(Buffer.from(chunk.views[0]).toString());
    chunk.release();
    process.exit(0);  // leaves without closing: environment cleanup must do it
  }
})().catch((error) => parentPort.postMessage('error: ' + error.message));
`;

function startWorker(data: Record<string, string>): { worker: Worker; firstMessage: Promise<unknown>; exited: Promise<number> } {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { runtime: shmRuntime(), ...data },
    env: { ...process.env, HEDDLE_ADDON_PATH: native.path ?? '' },
  });
  const firstMessage = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  return { worker, firstMessage, exited };
}

describe.skipIf(nativeDisabled)('shm in worker threads', () => {
  const dir = tempDir('worker');
  afterAll(() => dir.remove());

  it('a server in a worker serves the main thread, and its teardown ends the session', async () => {
    const socket = `${dir.path}/worker-server.sock`;
    const { worker, firstMessage } = startWorker({ role: 'server', socket });
    expect(await firstMessage).toBe('ready');
    const client = await shm.connect(socket);
    const stream = await client.acquireStream();
    stream.write(Buffer.from('to a worker'));
    expect((await readBytes(stream, 11)).toString()).toBe('to a worker');
    const closed = new Promise((resolve) => client.session!.onClose(resolve));
    await worker.terminate();
    expect(await closed).toMatchObject({ code: 'ERR_CONNECTION' });
    expect(existsSync(socket)).toBe(false);
    await client.close();
  });

  it('a client worker that exits without closing is cleaned up: session ended, files removed', async () => {
    const prefix = uniquePrefix('worker-client');
    const server = await startEchoServer(`${dir.path}/main-server.sock`);
    const ended: Array<string | undefined> = [];
    server.on('sessionClose', (_session: ShmSession, error?: { code: string }) => ended.push(error?.code));
    const { firstMessage, exited } = startWorker({ role: 'client', socket: server.path, prefix });
    expect(await firstMessage).toBe('from a worker');
    expect(await exited).toBe(0);
    await waitFor(() => ended.length === 1, 5000, 'the worker session to end');
    expect(ended).toEqual(['ERR_CONNECTION']);
    expect(filesWithPrefix(prefix)).toEqual([]);
    await server.close();
  });
});
