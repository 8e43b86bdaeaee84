/**
 * The echo services of `heddle demo` (Thrift, and Protobuf over Kitex Protobuf and gRPC), run in a worker
 * thread so server and client each have an event loop, as they would in two processes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as protobuf from '../protobuf/index.js';
import { bizStatusError } from '../rpc/biz-status.js';
import { createServer, type ServerOptions } from '../rpc/server.js';
import * as thrift from '../thrift/index.js';

/** Where one of the services listens. */
export interface DemoListen {
  addresses: string[];
  /** Where shm:// clients go when shared memory is unavailable. */
  shmFallback: string;
}

export interface DemoServerData {
  idl: string;
  proto: string;
  thrift: DemoListen;
  protobuf: DemoListen;
  busyPollMicros: number;
}

interface EchoMessage {
  action: string;
  msg: string;
}

/** A server for `service` in `idl` that listens where `at` says; resolves to it and its bound addresses. */
async function serve(idl: ServerOptions['idl'], service: string, handlers: ServerOptions['handlers'], at: DemoListen, busyPollMicros: number) {
  const server = createServer({ idl, service, handlers, shm: { fallback: at.shmFallback }, busyPollMicros });
  for (const address of at.addresses) await server.listen(address);
  return server;
}

async function main(): Promise<void> {
  const data = workerData as DemoServerData;
  const thriftServer = await serve(
    thrift.parse(data.idl, { filename: 'demo.thrift' }),
    'EchoService',
    {
      echo: async ({ req }: { req: EchoMessage }) => {
        if (req.action === 'fail') throw new thrift.Exception('EchoError', { code: 7, message: req.msg });
        return { action: req.action, msg: req.msg };
      },
    },
    data.thrift,
    data.busyPollMicros,
  );
  const protobufServer = await serve(
    protobuf.parse(data.proto, { filename: 'demo.proto' }),
    'heddle.demo.Echo',
    {
      Echo: async (req: EchoMessage) => {
        if (req.action === 'fail') throw bizStatusError(7, req.msg, { demo: 'yes' });
        return req;
      },
    },
    data.protobuf,
    data.busyPollMicros,
  );
  parentPort!.postMessage({ thrift: thriftServer.addresses, protobuf: protobufServer.addresses, io: thriftServer.ioPath });
  parentPort!.once('message', () => {
    void Promise.all([thriftServer.close({ timeoutMs: 500 }), protobufServer.close({ timeoutMs: 500 })]).then(() => parentPort!.postMessage({ closed: true }));
  });
}

void main();
