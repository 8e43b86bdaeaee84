import { EventEmitter } from 'node:events';
import { lookup } from 'node:dns/promises';
import { closeSync, existsSync, fstatSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { ErrorCode, HeddleError } from '../errors.js';
import { nativeAddon } from '../native.js';
import { formatAddress, parseAddress, type RpcAddress } from './address.js';
import { errnoName } from './native-connection.js';
import { SocketRelay } from './port-stream.js';
import { defaultLog, listenNet, type CloseOptions, type ServerLogEntry } from './server.js';
import { ServerRegistration, type ServerRegistrationOptions } from './server-registration.js';
import type { WorkerReply, WorkerRequestBody, WorkerStart } from './worker-protocol.js';

/**
 * How the worker threads share a TCP port:
 * - `reuse-port`: each worker accepts on its own socket bound with SO_REUSEPORT (made by the
 *   addon) and the kernel spreads connections over them; each worker does its own socket I/O on
 *   the native path. Needs the addon.
 * - `acceptor`: the main thread accepts and relays each connection's bytes to one worker (the one
 *   with the fewest) over a MessagePort per worker. Works without the addon, at the cost of the
 *   main thread's time and a cross-thread message per turn.
 * - `auto` (default): `reuse-port` when the addon is loaded, else `acceptor`.
 */
export type PortSharing = 'reuse-port' | 'acceptor' | 'auto';

/** Options of {@link createWorkerServer}. Registry options register the server once, from the main thread. */
export interface WorkerServerOptions extends Omit<ServerRegistrationOptions, 'mergedDeployment'> {
  /**
   * Path (relative to the working directory) or file URL of the module each worker loads. It
   * exports, as its default export or as `serverOptions`, the `createServer` options (idl,
   * service, handlers, middleware, codec, ...) or a function of {@link WorkerInfo} returning them
   * (or a promise of them). Registry options and `exitWaitMs` belong here, not there.
   */
  module: string;
  /** Worker threads. Default: the cores Node may use (`os.availableParallelism()`). */
  threads?: number;
  /** Passed to the module's options function as `workerData` (structured-cloned). */
  workerData?: unknown;
  /** How workers share a TCP port. Default `auto`. */
  portSharing?: PortSharing;
  /** As ServerOptions.exitWaitMs, applied in every worker. Default 5000 ms with a registry, else 0. */
  exitWaitMs?: number;
  /**
   * A worker that dies (an uncaught exception, `process.exit` in the worker) is restarted, at most
   * `limit` times within `windowMs` (default 5 in 60 000 ms); past that, or with `false`, the
   * server closes and emits 'error'. Calls in flight on the dead worker's connections are lost:
   * their callers see the connection reset.
   */
  restart?: { limit?: number; windowMs?: number } | false;
  /** Where log entries go, the workers' included. Default: heddle's logger. */
  log?: (entry: ServerLogEntry) => void;
}

interface WorkerSlot {
  readonly index: number;
  readonly worker: Worker;
  /** With an acceptor: the worker's relayed connections. */
  readonly relay: SocketRelay | undefined;
  threadId: number;
  ioPath: 'native' | 'net' | undefined;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  readonly pending: Map<number, { resolve: (reply: Extract<WorkerReply, { kind: 'done' }>) => void; reject: (error: HeddleError) => void }>;
  alive: boolean;
  /** Ready and holding its share of every listener: counted in threadIds, given relayed connections. */
  serving: boolean;
  /** The worker was asked to close: its exit is no crash. */
  closing: boolean;
  error: unknown;
}

/** A listening address, kept so that a restarted worker takes its share again. */
type Listener =
  | { kind: 'reuse-port'; host: string; bound: RpcAddress & { scheme: 'tcp' } }
  | { kind: 'acceptor'; server: net.Server; bound: RpcAddress }
  /** unix:// and shm://: served by worker 0 alone. */
  | { kind: 'first-worker'; address: string };

const DEFAULT_EXIT_WAIT_MS = 5000;
const LISTEN_BACKLOG = 511;

/**
 * A server whose calls are served by N worker threads, each with its own RpcServer built from the
 * same module: one port, every core. `listen`, `address`, `close` behave as RpcServer's. Emits
 * 'error' (a HeddleError ERR_WORKER) when a worker dies past the restart budget; the server is
 * closed by then.
 */
export class WorkerServer extends EventEmitter {
  /** Number of worker threads. */
  readonly threads: number;
  /** How TCP ports are shared (`auto` resolved). */
  readonly portSharing: 'reuse-port' | 'acceptor';
  private readonly moduleUrl: string;
  private readonly moduleData: unknown;
  private readonly slots: WorkerSlot[] = [];
  private readonly openListeners: Listener[] = [];
  private readonly bound: string[] = [];
  private readonly registration: ServerRegistration | undefined;
  private readonly exitWaitMs: number;
  private readonly restartLimit: number;
  private readonly restartWindowMs: number;
  private readonly restarts: number[] = [];
  private readonly log: (entry: ServerLogEntry) => void;
  private started: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private nextRequest = 0;

  /** @internal Use {@link createWorkerServer}. */
  constructor(options: WorkerServerOptions) {
    super();
    if (typeof options?.module !== 'string' || options.module === '') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createWorkerServer: module must be the path of the module that exports the server options');
    if ((options as { mergedDeployment?: unknown }).mergedDeployment !== undefined) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createWorkerServer: mergedDeployment is not supported (inline calls cannot cross threads); use createServer');
    }
    this.moduleUrl = options.module.startsWith('file:') ? options.module : pathToFileURL(resolvePath(options.module)).href;
    this.threads = options.threads ?? (os.availableParallelism?.() ?? os.cpus().length);
    if (!Number.isInteger(this.threads) || this.threads < 1 || this.threads > 1024) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `createWorkerServer: threads must be an integer in [1, 1024], got ${options.threads}`);
    const sharing = options.portSharing ?? 'auto';
    if (sharing !== 'auto' && sharing !== 'reuse-port' && sharing !== 'acceptor') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `createWorkerServer: portSharing must be 'auto', 'reuse-port' or 'acceptor', got ${String(sharing)}`);
    const reusePortAvailable = nativeAddon?.listenReusePort !== undefined;
    if (sharing === 'reuse-port' && !reusePortAvailable) throw new HeddleError(ErrorCode.ERR_NATIVE_UNAVAILABLE, "createWorkerServer: portSharing 'reuse-port' needs the heddle addon, which is not loaded; use 'acceptor'");
    this.portSharing = sharing === 'auto' ? (reusePortAvailable ? 'reuse-port' : 'acceptor') : sharing;
    this.moduleData = options.workerData;
    this.registration = ServerRegistration.from(options);
    this.exitWaitMs = options.exitWaitMs ?? (this.registration === undefined ? 0 : DEFAULT_EXIT_WAIT_MS);
    if (!Number.isInteger(this.exitWaitMs) || this.exitWaitMs < 0) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `createWorkerServer: exitWaitMs must be a non-negative integer, got ${options.exitWaitMs}`);
    const restart = options.restart ?? {};
    this.restartLimit = restart === false ? 0 : (restart.limit ?? 5);
    this.restartWindowMs = restart === false ? 0 : (restart.windowMs ?? 60_000);
    if (!Number.isInteger(this.restartLimit) || this.restartLimit < 0 || !(this.restartWindowMs >= 0)) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createWorkerServer: restart.limit must be a non-negative integer and restart.windowMs a non-negative number');
    }
    this.log = options.log ?? defaultLog;
  }

  /** The first bound address, in URL form, once listening. */
  get address(): string {
    const first = this.bound[0];
    if (first === undefined) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'the server is not listening');
    return first;
  }

  /** Every bound address. */
  get addresses(): string[] {
    return [...this.bound];
  }

  /** The thread ids of the workers serving (ready and listening), by worker index. */
  get threadIds(): number[] {
    return this.slots.filter((slot) => slot.alive && slot.serving).map((slot) => slot.threadId);
  }

  /** The I/O path the workers' connections use (`net` for relayed ones). */
  get ioPath(): 'native' | 'net' {
    return this.portSharing === 'acceptor' ? 'net' : (this.slots[0]?.ioPath ?? 'net');
  }

  /**
   * Starts the workers (the first time) and listens on `address` from all of them:
   * `tcp://host:port` is shared by every worker (see {@link PortSharing}); `unix://` and `shm://`
   * addresses are served by worker 0 alone. Rejects with ERR_WORKER when a worker cannot load its
   * module.
   */
  async listen(address: string): Promise<void> {
    if (this.closing !== undefined) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'the server is closing');
    const parsed = parseAddress(address);
    await (this.started ??= this.startWorkers());
    if (parsed.scheme !== 'tcp') {
      const listener: Listener = { kind: 'first-worker', address };
      const done = await this.request(this.slots[0]!, { kind: 'listen', address });
      this.openListeners.push(listener);
      this.bound.push(...(done.addresses ?? []));
      return;
    }
    let bound: RpcAddress & { scheme: 'tcp' };
    if (this.portSharing === 'reuse-port') {
      const host = net.isIP(parsed.host) !== 0 ? parsed.host : (await lookup(parsed.host)).address;
      bound = { scheme: 'tcp', host: parsed.host, port: parsed.port };
      const fds: number[] = [];
      try {
        for (let i = 0; i < this.slots.length; i++) {
          const fd = openReusePort(host, bound.port, address);
          fds.push(fd.fd);
          bound.port = fd.port;
        }
      } catch (error) {
        for (const fd of fds) closeSync(fd);
        throw error;
      }
      // Each worker owns its descriptor from here, closed with its listener.
      await Promise.all(this.slots.map((slot, i) => this.handOverDescriptor(slot, fds[i]!, bound)));
      this.openListeners.push({ kind: 'reuse-port', host, bound });
    } else {
      const server = await listenNet((socket) => this.relay(socket), address, (s, done) => s.listen(parsed.port, parsed.host, done), (entry) => this.log(entry));
      bound = { scheme: 'tcp', host: parsed.host, port: (server.address() as net.AddressInfo).port };
      this.openListeners.push({ kind: 'acceptor', server, bound });
    }
    this.bound.push(formatAddress(bound));
    // Registered once for all workers, only once every one of them accepts.
    await this.registration?.add(bound);
  }

  /**
   * Graceful shutdown, as RpcServer#close: withdraws from the registry once, then every worker
   * runs its server's close (exit wait with `crrst`, stop accepting, drain in-flight calls until
   * `timeoutMs`) and its thread ends. Calling it again returns the same promise.
   */
  close(options: CloseOptions = {}): Promise<void> {
    return (this.closing ??= this.shutDown(options.timeoutMs ?? 5000, options.exitWaitMs ?? this.exitWaitMs));
  }

  private async shutDown(timeoutMs: number, exitWaitMs: number): Promise<void> {
    await this.registration?.withdraw((error) => this.log({ level: 'warn', code: ErrorCode.ERR_DISCOVERY, message: `deregistering failed: ${(error as Error)?.message}` }));
    await this.started?.catch(() => undefined);
    // The acceptor keeps accepting through the exit wait, as each worker's own listeners do.
    const acceptorsClosed = new Promise<void>((resolve) => setTimeout(resolve, exitWaitMs)).then(() =>
      Promise.all(this.openListeners.map((listener) => (listener.kind === 'acceptor' ? new Promise<void>((resolve) => listener.server.close(() => resolve())) : undefined))),
    );
    await Promise.all(
      this.slots
        .filter((slot) => slot.alive)
        .map(async (slot) => {
          slot.closing = true;
          try {
            await this.request(slot, { kind: 'close', timeoutMs, exitWaitMs });
          } catch (error) {
            this.log({ level: 'warn', code: ErrorCode.ERR_WORKER, message: `worker ${slot.index} did not close cleanly: ${(error as Error).message}` });
          }
        }),
    );
    await acceptorsClosed;
    // A worker whose module left a timer or socket open would never end on its own.
    await Promise.all(
      this.slots.map((slot) =>
        Promise.race([slot.exited, new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]).then(() => (slot.alive ? slot.worker.terminate().then(() => undefined) : undefined)),
      ),
    );
  }

  private async startWorkers(): Promise<void> {
    for (let index = 0; index < this.threads; index++) this.slots.push(this.spawn(index));
    const started = await Promise.allSettled(this.slots.map((slot) => slot.ready));
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) {
      for (const slot of this.slots) slot.closing = true;
      await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
      throw failed.reason;
    }
    for (const slot of this.slots) slot.serving = true;
  }

  private spawn(index: number): WorkerSlot {
    const start: WorkerStart = { moduleUrl: this.moduleUrl, workerIndex: index, moduleData: this.moduleData, forwardLog: true };
    let relay: SocketRelay | undefined;
    if (this.portSharing === 'acceptor') {
      const { port1, port2 } = new MessageChannel();
      relay = new SocketRelay(port1);
      start.relayPort = port2;
    }
    const worker = new Worker(workerEntry(), { workerData: start, transferList: start.relayPort === undefined ? [] : [start.relayPort] });
    let markReady!: () => void;
    let failReady!: (error: HeddleError) => void;
    let markExited!: () => void;
    const slot: WorkerSlot = {
      index,
      worker,
      relay,
      threadId: worker.threadId,
      ioPath: undefined,
      ready: new Promise<void>((resolve, reject) => ((markReady = resolve), (failReady = reject))),
      exited: new Promise<void>((resolve) => (markExited = resolve)),
      pending: new Map(),
      alive: true,
      serving: false,
      closing: false,
      error: undefined,
    };
    slot.ready.catch(() => undefined);
    worker.on('message', (message: WorkerReply) => {
      switch (message.kind) {
        case 'ready':
          slot.threadId = message.threadId;
          slot.ioPath = message.ioPath;
          markReady();
          break;
        case 'done': {
          const waiting = slot.pending.get(message.id);
          slot.pending.delete(message.id);
          if (message.failure === undefined) waiting?.resolve(message);
          else waiting?.reject(new HeddleError(message.failure.code as never, `worker ${index}: ${message.failure.message}`));
          break;
        }
        case 'log':
          this.log({ ...message.entry, message: `worker ${index}: ${message.entry.message}` });
          break;
      }
    });
    worker.on('error', (error) => (slot.error = error));
    worker.on('exit', (code) => {
      slot.alive = false;
      const failure = new HeddleError(ErrorCode.ERR_WORKER, `worker ${index} (thread ${slot.threadId}) ${describeExit(code, slot.error)}`, slot.error === undefined ? {} : { cause: slot.error });
      failReady(failure);
      for (const waiting of slot.pending.values()) waiting.reject(failure);
      slot.pending.clear();
      markExited();
      // One that dies before serving failed to start: whoever waits for it to be ready reports that.
      if (slot.serving && !slot.closing && this.closing === undefined) void this.onCrash(slot, failure);
    });
    return slot;
  }

  /** A worker died while serving: restart it within the budget, or fail the server. */
  private async onCrash(slot: WorkerSlot, failure: HeddleError): Promise<void> {
    const now = Date.now();
    while (this.restarts.length > 0 && now - this.restarts[0]! >= this.restartWindowMs) this.restarts.shift();
    if (this.restarts.length >= this.restartLimit) {
      this.fail(new HeddleError(ErrorCode.ERR_WORKER, `${failure.message}; restart budget (${this.restartLimit} in ${this.restartWindowMs} ms) spent, closing the server`, { cause: failure }));
      return;
    }
    this.restarts.push(now);
    this.log({ level: 'error', code: ErrorCode.ERR_WORKER, message: `${failure.message}; restarting it` });
    const replacement = this.spawn(slot.index);
    this.slots[slot.index] = replacement;
    try {
      await replacement.ready;
      for (const listener of this.openListeners) await this.rejoin(replacement, listener);
      replacement.serving = true;
    } catch (error) {
      if (this.closing === undefined) this.fail(new HeddleError(ErrorCode.ERR_WORKER, `worker ${slot.index} could not be restarted: ${(error as Error).message}`, { cause: error }));
    }
  }

  /** Gives a restarted worker its share of a listener. */
  private async rejoin(slot: WorkerSlot, listener: Listener): Promise<void> {
    if (listener.kind === 'reuse-port') {
      const { fd } = openReusePort(listener.host, listener.bound.port, formatAddress(listener.bound));
      await this.handOverDescriptor(slot, fd, listener.bound);
    } else if (listener.kind === 'first-worker' && slot.index === 0) {
      await this.request(slot, { kind: 'listen', address: listener.address });
    }
  }

  private fail(error: HeddleError): void {
    this.log({ level: 'error', code: error.code, message: error.message });
    // Closed first, so that an 'error' handler sees the server down; with no handler the error
    // is thrown, as net.Server's would be.
    void this.close().then(() => this.emit('error', error));
  }

  /**
   * Acceptor: the serving worker with the fewest relayed connections takes the new one. Workers
   * that are closing still take connections while none other can (during the exit wait every
   * worker is closing and its server still serves newcomers, as reuse-port workers do; past it,
   * the worker refuses them).
   */
  private relay(socket: net.Socket): void {
    let chosen: WorkerSlot | undefined;
    for (const slot of this.slots) {
      if (!slot.alive || !slot.serving || slot.relay === undefined) continue;
      const better = chosen === undefined || (chosen.closing && !slot.closing) || (chosen.closing === slot.closing && slot.relay.size < chosen.relay!.size);
      if (better) chosen = slot;
    }
    if (chosen === undefined) {
      socket.destroy();
      return;
    }
    chosen.relay!.add(socket);
  }

  /** Gives a worker a listening descriptor of the shared port. One that the worker did not take
   * over (it died before or while taking it, or failed to listen) is closed here: left open, the
   * kernel would keep giving it a share of the port's connections that nobody accepts, and the
   * port would stay bound after close. */
  private handOverDescriptor(slot: WorkerSlot, fd: number, address: RpcAddress & { scheme: 'tcp' }): Promise<unknown> {
    if (!slot.alive) {
      closeSync(fd);
      return Promise.reject(new HeddleError(ErrorCode.ERR_WORKER, `worker ${slot.index} is not running`));
    }
    // The socket's inode tells it from whatever may hold the same descriptor number later: a worker
    // that took the descriptor over and then failed or died has closed it with its listener.
    const socketInode = fstatSync(fd).ino;
    return this.request(slot, { kind: 'listen-descriptor', fd, address }).catch((error: unknown) => {
      closeIfStillOpen(fd, socketInode);
      throw error;
    });
  }

  private request(slot: WorkerSlot, request: WorkerRequestBody): Promise<Extract<WorkerReply, { kind: 'done' }>> {
    if (!slot.alive) return Promise.reject(new HeddleError(ErrorCode.ERR_WORKER, `worker ${slot.index} is not running`));
    const id = ++this.nextRequest;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...request, id });
    });
  }
}

function describeExit(code: number, error: unknown): string {
  if (error !== undefined) return `died: ${error instanceof Error ? error.message : String(error)}`;
  return `exited with code ${code}`;
}

function closeIfStillOpen(fd: number, socketInode: number): void {
  let inode: number;
  try {
    inode = fstatSync(fd).ino;
  } catch {
    return; // closed already
  }
  if (inode === socketInode) closeSync(fd);
}

function openReusePort(host: string, port: number, address: string): { fd: number; port: number } {
  const [fd, bound] = nativeAddon!.listenReusePort!(host, port, LISTEN_BACKLOG);
  if (fd < 0) {
    throw new HeddleError(ErrorCode.ERR_CONNECTION, `cannot listen on ${address}: ${errnoName(-fd)}`);
  }
  return { fd, port: bound };
}

/** The worker entry: beside this file once built; from the TypeScript sources (the test runner),
 * the built one, since a worker thread runs JavaScript. */
function workerEntry(): string {
  const beside = join(__dirname, 'worker-thread.js');
  if (existsSync(beside)) return beside;
  const built = join(__dirname, '..', '..', 'dist', 'rpc', 'worker-thread.js');
  if (existsSync(built)) return built;
  throw new HeddleError(ErrorCode.ERR_WORKER, `worker entry not found beside ${__dirname} or in dist/ (run npm run build)`);
}

/**
 * Creates a server whose calls are served by `threads` worker threads, each loading `module` for
 * its handlers and middleware (docs/workers.md). Call `listen(address)` to serve.
 */
export function createWorkerServer(options: WorkerServerOptions): WorkerServer {
  return new WorkerServer(options);
}
