/**
 * The echo services of `heddle demo` (Thrift, and Protobuf over Kitex Protobuf and gRPC), run in a worker
 * thread so server and client each have an event loop, as they would in two processes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as discovery from '../discovery/index.js';
import * as protobuf from '../protobuf/index.js';
import { bizStatusError } from '../rpc/biz-status.js';
import { createServer, type ServerOptions } from '../rpc/server.js';
import * as thrift from '../thrift/index.js';
import { thriftEcho } from './demo-idl.js';

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
  /** For the merged run: the Thrift server registers in this etcd, with merged-deployment tags. */
  merged?: { endpoint: string; serviceName: string };
}

interface EchoMessage {
  action: string;
  msg: string;
}

/** A server for `service` in `idl` that listens where `at` says; resolves to it and its bound addresses. */
async function serve(idl: ServerOptions['idl'], service: string, handlers: ServerOptions['handlers'], at: DemoListen, busyPollMicros: number, registration: Partial<ServerOptions> = {}) {
  const server = createServer({ idl, service, handlers, shm: { fallback: at.shmFallback }, busyPollMicros, ...registration });
  for (const address of at.addresses) await server.listen(address);
  return server;
}

async function main(): Promise<void> {
  const data = workerData as DemoServerData;
  const thriftServer = await serve(
    thrift.parse(data.idl, { filename: 'demo.thrift' }),
    'EchoService',
    { echo: thriftEcho },
    data.thrift,
    data.busyPollMicros,
    data.merged === undefined
      ? {}
      : { registry: discovery.etcd({ endpoints: [data.merged.endpoint] }), serviceName: data.merged.serviceName, mergedDeployment: true, exitWaitMs: 0 },
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
