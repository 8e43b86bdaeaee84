// The entry point of each worker thread of a multi-threaded server (worker-server.ts): loads the
// user's module, builds an RpcServer from the options it exports, and serves what the main thread
// hands over: a share of a reuse-port TCP port, relayed connections, or an address of its own.
import type { Socket } from 'node:net';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { asHeddleError, ErrorCode, HeddleError } from '../errors.js';
import { createServer, type RpcServer, type ServerOptions } from './server.js';
import { RelayedConnections } from './port-stream.js';
import type { WorkerInfo, WorkerReply, WorkerRequest, WorkerStart } from './worker-protocol.js';

const start = workerData as WorkerStart;
const port = parentPort!;
const reply = (message: WorkerReply) => port.postMessage(message);

async function loadOptions(): Promise<ServerOptions> {
  const loaded = (await import(start.moduleUrl)) as Record<string, unknown>;
  // An ES module's default export, or a CommonJS module's exports (which import() puts in default).
  const fromDefault = loaded.default as Record<string, unknown> | undefined;
  const exported = loaded.serverOptions ?? fromDefault?.serverOptions ?? fromDefault;
  const options = typeof exported === 'function' ? await (exported as (info: WorkerInfo) => unknown)({ workerIndex: start.workerIndex, threadId, workerData: start.moduleData }) : exported;
  if (options === null || typeof options !== 'object') {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${start.moduleUrl} must export server options (or a function returning them) as its default export or as 'serverOptions', got ${typeof options}`);
  }
  const serverOptions = options as ServerOptions;
  for (const perServer of ['registry', 'serviceName', 'weight', 'tags', 'mergedDeployment', 'exitWaitMs'] as const) {
    if (serverOptions[perServer] !== undefined) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${start.moduleUrl}: '${perServer}' belongs to createWorkerServer's options (the main thread registers the server once), not to a worker's`);
    }
  }
  if (start.forwardLog && serverOptions.log === undefined) return { ...serverOptions, log: (entry) => reply({ kind: 'log', entry }) };
  return serverOptions;
}

async function serve(server: RpcServer, request: WorkerRequest, relayed: RelayedConnections | undefined): Promise<void> {
  try {
    switch (request.kind) {
      case 'listen-descriptor':
        await server.listenDescriptor(request.fd, request.address);
        reply({ kind: 'done', id: request.id });
        return;
      case 'listen': {
        const before = new Set(server.addresses);
        await server.listen(request.address);
        reply({ kind: 'done', id: request.id, addresses: server.addresses.filter((a) => !before.has(a)), shmFallbacks: server.shmFallbackAddresses });
        return;
      }
      case 'close':
        await server.close({ timeoutMs: request.timeoutMs, exitWaitMs: request.exitWaitMs });
        reply({ kind: 'done', id: request.id });
        // Nothing is left to serve: letting go of the ports lets the thread end.
        relayed?.close();
        port.close();
        return;
    }
  } catch (error) {
    const failure = asHeddleError(error, ErrorCode.ERR_WORKER);
    reply({ kind: 'done', id: request.id, failure: { code: failure.code, message: failure.message } });
  }
}

async function main(): Promise<void> {
  const server = createServer(await loadOptions());
  const relayed =
    start.relayPort === undefined
      ? undefined
      : new RelayedConnections(start.relayPort, (socket) => {
          const peer = socket.remoteAddress === undefined ? 'unix socket peer' : `${socket.remoteAddress}:${socket.remotePort}`;
          // PortSocket has the parts of net.Socket that the server's connection code uses.
          server.adoptStream(socket as unknown as Socket, peer);
        });
  port.on('message', (request: WorkerRequest) => void serve(server, request, relayed));
  reply({ kind: 'ready', threadId, ioPath: server.ioPath });
}

// A module that fails to load or build a server is this worker's uncaught error: the main thread
// sees it as the worker's 'error' event and fails listen with it.
void main().catch((error: unknown) => {
  setImmediate(() => {
    throw error;
  });
});
