/**
 * The echo service of `heddle demo`, run in a worker thread so server and client each have an
 * event loop, as they would in two processes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createServer } from '../rpc/server.js';
import * as thrift from '../thrift/index.js';

interface DemoServerData {
  idl: string;
  addresses: string[];
  /** Where shm:// clients go when shared memory is unavailable. */
  shmFallback: string;
  busyPollMicros: number;
}

async function main(): Promise<void> {
  const { idl, addresses, shmFallback, busyPollMicros } = workerData as DemoServerData;
  const doc = thrift.parse(idl, { filename: 'demo.thrift' });
  const server = createServer({
    idl: doc,
    service: 'EchoService',
    shm: { fallback: shmFallback },
    busyPollMicros,
    handlers: {
      echo: async ({ req }: { req: { action: string; msg: string } }) => {
        if (req.action === 'fail') throw new thrift.Exception('EchoError', { code: 7, message: req.msg });
        return { action: req.action, msg: req.msg };
      },
    },
  });
  for (const address of addresses) await server.listen(address);
  parentPort!.postMessage({ addresses: server.addresses, io: server.ioPath });
  parentPort!.once('message', () => {
    void server.close({ timeoutMs: 500 }).then(() => parentPort!.postMessage({ closed: true }));
  });
}

void main();
