import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { asHeddleError, ErrorCode, HeddleError } from '../errors.js';
import { ApplicationExceptionType } from '../thrift/application-exception.js';
import { MessageType } from '../thrift/wire-types.js';
import { IntKey, metaInfoOf, type Frame, type TTHeaderInit } from '../transport/index.js';
import { formatAddress, parseAddress, type RpcAddress } from './address.js';
import { bindService, type BindingCodecOptions, type MethodBinding, type ServiceBinding, type ServiceIdl } from './binding.js';
import { isBizStatusError, writeBizStatus } from './biz-status.js';
import { checkBusyPollMicros } from './busy-poll.js';
import { adoptSocket, resolveIoPath, type IoPath } from './connect.js';
import { CallContext, composeMiddleware, type Invoke, type Middleware, type RpcContext } from './context.js';
import { CONNECTION_RESET_KEY, controlFrameChunks } from './control-frame.js';
import { DEFAULT_MAX_FRAME_SIZE, type FrameConnection, type FrameSink } from './frame-connection.js';
import { listen as shmListen } from '../shm/server.js';
import type { ShmListenOptions } from '../shm/options.js';
import type { ShmStream } from '../shm/stream.js';
import type { TypedHandlers } from './typed.js';
import { LINKED_BINARY_MIN, ShmFrameConnection } from './shm-connection.js';
import { Outbox } from './outbox.js';
import { foreignFormat, messageFormatOf, type MessageEnvelope, type MessageFormat } from './message-format.js';
import { frameChunks, messageOf, transportOf, TTHeaderTemplate, type TransportName } from './wire.js';
import { GrpcServerCore, type GrpcServerOptions } from '../grpc/server.js';
import { ServerRegistration, type ServerRegistrationOptions } from './server-registration.js';
import { spanServiceName, withTelemetry, type TelemetrySetting } from '../telemetry/index.js';
import { logError, logInfo, logWarn } from '../log/index.js';
import { invokeInScope } from './call-scope.js';
import { publishInline, withdrawInline, type InlineTarget } from './inline-services.js';

/**
 * A method implementation: the decoded request in, the result value out. For Thrift the request
 * is the arguments (an object keyed by IDL parameter name) and a declared exception is thrown as
 * a `thrift.Exception`; for Protobuf it is the request message and the value the response message.
 * Either may throw `rpc.bizStatusError(code, message, extra)` to answer with a Kitex business
 * status. `args` is `any` so handlers can declare the shape they destructure
 * (`async ({ req }: { req: Request }) => ...`). Over gRPC, `ctx` is an `rpc.GrpcContext`, and a
 * streaming method's handler takes and returns async iterables. (Declared through a method
 * signature, whose parameters TypeScript checks bivariantly, so a handler may type its context as
 * the richer `rpc.GrpcContext`.)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = { handle(args: any, ctx: RpcContext): unknown }['handle'];

/** Something the server logs: a connection it closed, a handler that failed. */
export interface ServerLogEntry {
  /** `info`: routine events, such as an idle connection closed. */
  level: 'info' | 'warn' | 'error';
  code: string;
  message: string;
  peer?: string;
}

/** Options of {@link createServer}; `registry`, `serviceName`, `weight` and `tags` publish the
 * server in service discovery once it listens (see server-registration.ts). */
export interface ServerOptions extends ServerRegistrationOptions {
  /** A Thrift document (`thrift.parse`, `thrift.load`) or a Protobuf root (`protobuf.parse`, ...). */
  idl: ServiceIdl;
  /** The service: its Thrift name, or a Protobuf service's full name (`echo.v1.Echo`). */
  service: string;
  /** One handler per method name; methods without one answer UNKNOWN_METHOD. */
  handlers: Record<string, Handler>;
  /** Thrift protocol the server reads and writes. Default `binary`. Not for Protobuf services,
   * which speak Kitex Protobuf. */
  protocol?: 'binary' | 'compact';
  /** Value mapping: Thrift codec options (i64, map, set, ...) or Protobuf ones (int64, keepCase, ...). */
  codec?: BindingCodecOptions;
  /** Server middleware, outermost first. */
  middleware?: Middleware[];
  /** Default `auto`: the native I/O path when the addon is loaded. */
  io?: IoPath;
  /** Largest frame accepted or sent. Default 64 MiB. */
  maxFrameSize?: number;
  /** A connection holding part of a frame without completing it for this long is cut. Default 10 000 ms. */
  readTimeoutMs?: number;
  /** A connection with no call in flight and no byte of a frame received for this long is closed,
   * one that never sent a byte included. Default 600 000 ms (Kitex's `MaxConnIdleTime`); 0 keeps
   * idle connections open. Clients drop their idle connections sooner (ClientOptions.idleTimeoutMs). */
  idleTimeoutMs?: number;
  /** Calls one connection may have in flight before the server stops reading from it. Default 1000. */
  maxInflightPerConnection?: number;
  /** Unix socket file mode. Default 0o600 (owner only). */
  socketMode?: number;
  /** Where log entries go, every one of them. Default: heddle's logger (`log.setLogger`), which
   * drops entries below `warn` and summarises repeated ones per code. */
  log?: (entry: ServerLogEntry) => void;
  /** OpenTelemetry spans and metrics (docs/observability.md). Default: on when an SDK is registered. */
  telemetry?: TelemetrySetting;
  /**
   * For shm:// addresses: shared-memory listen options, e.g. `fallback: 'unix:///run/x.sock'`.
   * Over shared memory, Thrift `binary` values of 16 KiB or more in a handler's result are copied
   * once, straight into the reply's slices, when the reply is written (at the end of the turn
   * that settled the handler, or later when the pool is full): a handler must not modify a buffer
   * it returned.
   */
  shm?: ShmListenOptions;
  /**
   * Microseconds to keep the event loop polling after each reply goes out, so the next request on
   * a busy connection is read without a thread wake-up; see ClientOptions.busyPollMicros. Default 0.
   */
  busyPollMicros?: number;
  /**
   * On close, how long the server keeps accepting and serving after withdrawing from its registry,
   * every TTHeader reply telling the caller to drop the connection (Kitex's `crrst`), so callers
   * that have not yet re-read the registry lose no call. Default 5000 ms (Kitex's exit wait) when
   * the server has a `registry`, 0 otherwise.
   */
  exitWaitMs?: number;
  /** gRPC (HTTP/2) on the same port, for Protobuf services: message limits, compression,
   * keepalive, TLS. Connections that open with the HTTP/2 preface (or, with `grpc.tls`, a TLS
   * handshake) are served as gRPC. */
  grpc?: GrpcServerOptions;
}

/** Options of {@link RpcServer.close}. */
export interface CloseOptions {
  /** How long in-flight calls may take to finish before connections are cut. Default 5000 ms. */
  timeoutMs?: number;
  /** Overrides the server's `exitWaitMs` for this close. */
  exitWaitMs?: number;
}

interface ServerConnection {
  readonly connection: FrameConnection;
  readonly outbox: Outbox;
  readonly peer: string;
  inflight: number;
  paused: boolean;
  /** The transport of the first frame: the control frame goes out only on TTHeader connections. */
  transport: TransportName | undefined;
  /** For the read timeout: frames received so far, the count at the last check, and since when
   * a frame has been incomplete without any frame completing. */
  framesReceived: number;
  framesAtCheck: number;
  stalledSince: number;
  /** For the idle timeout: since when nothing has been in flight, in part or arriving. */
  idleSince: number;
  readonly closed: Promise<void>;
}

/** Added to a message type to key reply templates of a foreign format (see foreignFormat). */
const FOREIGN = 16;

/** Kitex's default exit wait, used when the server is registered in discovery. */
const DEFAULT_EXIT_WAIT_MS = 5000;

/** Kitex's default `MaxConnIdleTime`: the server closes connections idle this long. */
const DEFAULT_IDLE_TIMEOUT_MS = 600_000;

function checkWholeMs(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${name} must be a non-negative integer of milliseconds, got ${value}`);
  return value;
}

/** @internal Where a server's log entries go without a `log` option: heddle's logger. */
const LOGGERS = { error: logError, warn: logWarn, info: logInfo } as const;

export const defaultLog = (entry: ServerLogEntry) => LOGGERS[entry.level](entry.code, entry.message, entry.peer);

/**
 * A Kitex-compatible RPC server for one service binding (Thrift or Protobuf). Detects each
 * connection's transport (TTHeader, TTHeaderFramed, Framed, buffered), answers in kind, and
 * serves every other connection when one misbehaves.
 */
export class RpcServer implements InlineTarget {
  /** The service's method table. */
  readonly service: ServiceBinding;
  /** The Thrift protocol; `binary` for Protobuf services, where it does not apply. */
  readonly protocol: 'binary' | 'compact';
  /** How calls and replies are written inside frames: Thrift messages or Kitex Protobuf. */
  private readonly format: MessageFormat;
  private readonly invoke: Invoke;
  private readonly io: 'native' | 'net';
  /** Where the server listens; `close` stops accepting there (and resolves once it has). */
  private readonly listeners: Array<{ address: RpcAddress; close: () => Promise<void>; fallback?: string | undefined }> = [];
  private readonly connections = new Set<ServerConnection>();
  private readonly maxFrameSize: number;
  private readonly readTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly maxInflight: number;
  private readonly socketMode: number;
  private readonly log: (entry: ServerLogEntry) => void;
  private readonly handlers: Record<string, Handler>;
  private readonly shmOptions: ShmListenOptions;
  private readonly busyPollMicros: number;
  /** The gRPC side, for Protobuf services: made when the first HTTP/2 connection arrives. */
  private grpcCore: GrpcServerCore | undefined;
  private readonly grpcOptions: GrpcServerOptions;
  /** Reply TTHeaders by message type (plus FOREIGN for another format's), for replies without metainfo. */
  private readonly replyTemplates = new Map<number, TTHeaderTemplate>();
  private readTimer: ReturnType<typeof setInterval> | undefined;
  private shuttingDown = false;
  /** Set by close: from then on TTHeader replies carry `crrst` so callers drop their
   * connections (during the exit wait the server still accepts and serves). */
  private closing: Promise<void> | undefined;
  private readonly exitWaitMs: number;
  private inflightTotal = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly registration: ServerRegistration | undefined;

  /** @internal Use {@link createServer}. */
  constructor(options: ServerOptions) {
    this.service = bindService(options.idl, options.service, { protocol: options.protocol, codec: options.codec }, 'createServer');
    this.protocol = options.protocol ?? 'binary';
    this.format = messageFormatOf(this.service);
    this.handlers = options.handlers ?? {};
    for (const name of Object.keys(this.handlers)) {
      this.service.method(name); // a handler for a method the IDL lacks is a mistake worth failing on
      if (typeof this.handlers[name] !== 'function') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `handler '${name}' is not a function`);
    }
    this.io = resolveIoPath(options.io ?? 'auto');
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.readTimeoutMs = options.readTimeoutMs ?? 10_000;
    this.idleTimeoutMs = checkWholeMs(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, 'idleTimeoutMs');
    this.maxInflight = options.maxInflightPerConnection ?? 1000;
    this.socketMode = options.socketMode ?? 0o600;
    this.log = options.log ?? defaultLog;
    this.shmOptions = options.shm ?? {};
    this.busyPollMicros = checkBusyPollMicros(options.busyPollMicros);
    const telemetry = { side: 'server', spanService: spanServiceName(options.idl, this.service), rpcService: options.serviceName ?? this.service.name } as const;
    this.invoke = composeMiddleware(withTelemetry(options.middleware, options.telemetry, telemetry), (ctx, args) => this.callHandler(ctx, args));
    this.grpcOptions = options.grpc ?? {};
    this.registration = ServerRegistration.from(options);
    this.exitWaitMs = checkWholeMs(options.exitWaitMs ?? (this.registration === undefined ? 0 : DEFAULT_EXIT_WAIT_MS), 'exitWaitMs');
    // Check the gRPC options now rather than on the first connection.
    if (options.grpc !== undefined && this.service.encoding === 'protobuf') this.grpc();
  }

  private grpc(): GrpcServerCore {
    return (this.grpcCore ??= new GrpcServerCore(
      this.service,
      (method) => this.handlers[method] !== undefined,
      this.invoke,
      (level, code, message, peer) => this.log({ level, code, message, ...(peer === undefined ? {} : { peer }) }),
      this.grpcOptions,
    ));
  }

  /** A connection that opened with the HTTP/2 preface or a TLS handshake: gRPC, for a Protobuf
   * service. */
  private serveHttp2(socket: net.Socket, peer: string, tls: boolean): void {
    if (this.service.encoding !== 'protobuf' || this.shuttingDown) {
      if (!this.shuttingDown) this.log({ level: 'warn', code: ErrorCode.ERR_BAD_FRAME, message: `${tls ? 'TLS' : 'HTTP/2 (gRPC)'} connection to ${this.service.name}, a Thrift service: closed`, peer });
      socket.destroy();
      return;
    }
    this.grpc().accept(socket, tls, peer);
  }

  /** Which I/O path accepted connections use. */
  get ioPath(): 'native' | 'net' {
    return this.io;
  }

  /** The first bound address, in URL form (`tcp://127.0.0.1:53211`), once listening. */
  get address(): string {
    const first = this.listeners[0];
    if (first === undefined) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'the server is not listening');
    return formatAddress(first.address);
  }

  /** Every bound address. */
  get addresses(): string[] {
    return this.listeners.map((l) => formatAddress(l.address));
  }

  /** Where clients of the shm:// listeners go without shared memory (the bound `shm.fallback`,
   * with the port TCP picked), one per shm listener that has one. */
  get shmFallbackAddresses(): string[] {
    return this.listeners.flatMap((l) => (l.fallback === undefined ? [] : [l.fallback]));
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Starts listening on `address`: `tcp://host:port`, `unix:///path.sock`, or
   * `shm:///path/control.sock` (shmipc-compatible shared memory, with `shm.fallback` for clients
   * that cannot use it). Call again to listen on more.
   */
  async listen(address: string): Promise<void> {
    const parsed = parseAddress(address);
    if (parsed.scheme === 'shm') {
      const shmServer = await shmListen(parsed.path, this.shmOptions);
      let streams = 0;
      shmServer.on('stream', (stream: ShmStream) => {
        const peer = `shm stream ${++streams} (${stream.transport})`;
        this.adopt(peer, (sink) => new ShmFrameConnection(stream, { framing: 'sniff', maxFrameSize: this.maxFrameSize, peer }, sink), () => stream.close());
      });
      this.listeners.push({ address: parsed, close: () => shmServer.close(), fallback: shmServer.fallbackAddress });
      this.startReadTimer();
      await this.registration?.addShm(parsed.path, shmServer.fallbackAddress);
      this.publishInline();
      return;
    }
    if (parsed.scheme === 'unix' && existsSync(parsed.path)) await removeStaleSocket(parsed.path);
    const server = await this.startListener(address, (server, done) => (parsed.scheme === 'tcp' ? server.listen(parsed.port, parsed.host, done) : server.listen(parsed.path, done)));
    let bound: RpcAddress = parsed;
    if (parsed.scheme === 'tcp') {
      const info = server.address() as net.AddressInfo;
      bound = { scheme: 'tcp', host: parsed.host, port: info.port };
    } else {
      chmodSync(parsed.path, this.socketMode);
    }
    this.addListener(server, bound);
    // Published only once it accepts; a registry failure rejects listen (the server still listens).
    await this.registration?.add(bound);
    this.publishInline();
  }

  /** A net.Server of this server's, listening by `start` (which calls back once it listens). */
  private startListener(where: string, start: (server: net.Server, done: () => void) => void): Promise<net.Server> {
    return listenNet((socket) => this.accept(socket), where, start, (entry) => this.log(entry));
  }

  private addListener(server: net.Server, bound: RpcAddress): void {
    this.listeners.push({ address: bound, close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    this.startReadTimer();
  }

  /**
   * @internal A worker thread's share of a port (worker-server.ts): accepts on `fd`, a TCP socket
   * the main thread bound with SO_REUSEPORT and listens on. The server owns `fd` from here and
   * closes it on close. No registry: the main thread registers the port once.
   */
  async listenDescriptor(fd: number, bound: RpcAddress): Promise<void> {
    const server = await this.startListener(`descriptor ${fd} (${formatAddress(bound)})`, (server, done) => server.listen({ fd }, done));
    this.addListener(server, bound);
  }

  /**
   * @internal Serves a connection accepted elsewhere and relayed as a byte stream (the acceptor of
   * worker-server.ts, when SO_REUSEPORT cannot be had): sniffed and framed like a socket's.
   */
  adoptStream(stream: net.Socket, peer: string): void {
    this.adopt(peer, (sink) => adoptSocket(stream, 'net', { framing: 'sniff', maxFrameSize: this.maxFrameSize, peer, http2: this.http2HandOff(peer) }, sink), () => stream.destroy());
    this.startReadTimer();
  }

  /** A merged-deployment server is callable inline by clients of this process while it serves. */
  private publishInline(): void {
    if (this.registration?.isMerged && this.closing === undefined) publishInline(this.registration.serviceName, this);
  }

  /** @internal The `heddle.server` tag this server registers (merged deployment). */
  get inlineId(): string {
    return this.registration?.serverId ?? '';
  }

  /** @internal Whether a same-process caller finds a handler for `method`. */
  handles(method: string): boolean {
    return this.handlers[method] !== undefined && this.service.methods.get(method)?.streaming === 'unary';
  }

  /** @internal A call from a client of this process (inline-call.ts): middleware and handler, no
   * connection or encoding; counted in flight so close waits for it. */
  serveInline(ctx: CallContext<'inline'>, args: Record<string, unknown>): Promise<unknown> {
    this.countInflight(+1);
    let result: Promise<unknown>;
    try {
      result = invokeInScope(ctx, this.invoke, args);
    } catch (error) {
      result = Promise.reject(error);
    }
    const done = () => this.countInflight(-1);
    return result.then(
      (value) => {
        done();
        return value;
      },
      (error: unknown) => {
        done();
        const method = this.service.methods.get(ctx.method);
        if (method !== undefined && method.failure(error) === undefined && !isBizStatusError(error)) {
          this.log({ level: 'error', code: error instanceof HeddleError ? error.code : 'HANDLER_ERROR', message: `${ctx.method} failed: ${error instanceof Error ? error.message : String(error)}`, peer: ctx.peer });
        }
        throw error;
      },
    );
  }

  private startReadTimer(): void {
    const idleTick = this.idleTimeoutMs > 0 ? this.idleTimeoutMs / 4 : Infinity;
    this.readTimer ??= setInterval(() => this.checkStalled(), Math.max(50, Math.min(1000, this.readTimeoutMs / 4, idleTick)));
    this.readTimer.unref();
  }

  /**
   * Graceful shutdown, in Kitex's order: withdraws the server from its registry; for the exit
   * wait keeps accepting and serving while every TTHeader reply carries `crrst` (and each
   * TTHeader connection gets Kitex's seqID-0 control frame), so callers drop their connections and
   * pick other instances once their next registry read no longer lists this one; then stops
   * accepting, lets in-flight calls finish until `timeoutMs`, and closes. Calling it again returns
   * the same promise.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    let exitWaitMs: number;
    try {
      exitWaitMs = options.exitWaitMs === undefined ? this.exitWaitMs : checkWholeMs(options.exitWaitMs, 'close: exitWaitMs');
    } catch (error) {
      return Promise.reject(error);
    }
    return (this.closing = this.shutDown(options.timeoutMs ?? 5000, exitWaitMs));
  }

  private async shutDown(timeoutMs: number, exitWaitMs: number): Promise<void> {
    if (this.registration !== undefined) withdrawInline(this.registration.serviceName, this);
    // Withdrawn from discovery before anything stops, so clients stop picking this server first.
    await this.registration?.withdraw((error) => this.log({ level: 'warn', code: ErrorCode.ERR_DISCOVERY, message: `deregistering failed: ${(error as Error)?.message}` }));
    if (exitWaitMs > 0) {
      this.sendConnectionResets();
      await new Promise((resolve) => setTimeout(resolve, exitWaitMs));
    }
    this.shuttingDown = true;
    // net.Server#close only calls back once every connection it accepted is gone, so wait for
    // that after cutting them below.
    const listenersClosed = Promise.all(this.listeners.map((listener) => listener.close()));
    const grpcClosed = this.grpcCore?.close(timeoutMs);
    this.sendConnectionResets();
    if (this.inflightTotal > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // Let the last replies and control frames reach the kernel before cutting.
    await new Promise((resolve) => setImmediate(resolve));
    for (const conn of this.connections) {
      conn.outbox.flush();
      conn.connection.destroy();
    }
    await Promise.all([...this.connections].map((c) => c.closed));
    await grpcClosed;
    await listenersClosed;
    if (this.readTimer !== undefined) clearInterval(this.readTimer);
    for (const { address } of this.listeners) {
      if (address.scheme === 'unix' && existsSync(address.path)) unlinkSync(address.path);
    }
  }

  /** Kitex's seqID-0 control frame on every TTHeader connection: callers retire it. */
  private sendConnectionResets(): void {
    for (const conn of this.connections) {
      if (conn.transport === 'ttheader' || conn.transport === 'ttheader-framed') conn.outbox.push(controlFrameChunks(this.format, conn.transport, this.maxFrameSize));
    }
  }

  private accept(socket: net.Socket): void {
    const peer = socket.remoteAddress === undefined ? 'unix socket peer' : `${socket.remoteAddress}:${socket.remotePort}`;
    this.adopt(peer, (sink) => adoptSocket(socket, this.io, { framing: 'sniff', maxFrameSize: this.maxFrameSize, peer, http2: this.http2HandOff(peer) }, sink), () => socket.destroy());
  }

  /** Where a sniffing connection goes when it opens with the HTTP/2 preface or a TLS handshake. */
  private http2HandOff(peer: string): (handed: net.Socket, tls: boolean) => void {
    return (handed, tls) => this.serveHttp2(handed, peer, tls);
  }

  /** Serves a new connection, built by `open` around the server's frame sink. */
  private adopt(peer: string, open: (sink: FrameSink) => FrameConnection, refuse: () => void): void {
    if (this.shuttingDown) {
      refuse();
      return;
    }
    let markClosed!: () => void;
    const state: ServerConnection = {
      connection: undefined as unknown as FrameConnection,
      outbox: new Outbox(
        () => state.connection,
        (blocked) => this.setPaused(state, blocked),
        this.busyPollMicros,
      ),
      peer,
      inflight: 0,
      paused: false,
      transport: undefined,
      framesReceived: 0,
      framesAtCheck: 0,
      stalledSince: 0,
      idleSince: Date.now(),
      closed: new Promise((resolve) => (markClosed = resolve)),
    };
    try {
      (state as { connection: FrameConnection }).connection = open({
        frames: (batch) => {
          state.framesReceived += batch.length;
          for (const frame of batch) this.onFrame(state, frame);
        },
        drain: () => state.outbox.drained(),
        closed: (error) => {
          this.connections.delete(state);
          if (error !== undefined) this.log({ level: 'warn', code: error.code, message: error.message, peer });
          markClosed();
        },
      });
    } catch (error) {
      refuse();
      this.log({ level: 'error', code: 'ERR_CONNECTION', message: `cannot adopt connection: ${String(error)}`, peer });
      return;
    }
    this.connections.add(state);
  }

  private onFrame(conn: ServerConnection, frame: Frame): void {
    // A Kitex Protobuf call to a Thrift server (or the other way round) is answered in its own format.
    const foreign = foreignFormat(frame, this.format);
    const format = foreign ?? this.format;
    let transport: TransportName;
    let message: Uint8Array;
    let envelope: MessageEnvelope;
    try {
      transport = transportOf(frame);
      message = messageOf(frame);
      envelope = format.envelope(frame, message);
    } catch (error) {
      const failure = asHeddleError(error, ErrorCode.ERR_BAD_FRAME);
      this.log({ level: 'warn', code: failure.code, message: `closing connection: ${failure.message}`, peer: conn.peer });
      conn.connection.destroy();
      return;
    }
    conn.transport ??= transport;
    const { name, seqId, type } = envelope;
    if (foreign !== undefined) {
      this.replyException(conn, transport, format, name, seqId, ApplicationExceptionType.INVALID_PROTOCOL, `${this.service.name} speaks ${this.format.payload}, not ${format.payload}`);
      return;
    }
    const header = frame.kind === 'ttheader' || frame.kind === 'ttheader-framed' ? frame.header : undefined;
    const method = this.service.methods.get(name);
    if (type !== MessageType.CALL && type !== MessageType.ONEWAY) {
      this.replyException(conn, transport, format, name, seqId, ApplicationExceptionType.INVALID_MESSAGE_TYPE, `message type ${type} is not a call`);
      return;
    }
    if (method === undefined || this.handlers[name] === undefined) {
      this.replyException(conn, transport, format, name, seqId, ApplicationExceptionType.UNKNOWN_METHOD, `unknown method ${name}`);
      return;
    }
    if (method.streaming !== 'unary') {
      this.replyException(conn, transport, format, name, seqId, ApplicationExceptionType.INVALID_PROTOCOL, `${name} is a ${method.streaming}-streaming method: call it over a streaming transport (gRPC)`);
      return;
    }
    let args: unknown;
    try {
      args = format.decodeCall(method, message, envelope);
    } catch (error) {
      const failure = asHeddleError(error, ErrorCode.ERR_BAD_VALUE);
      this.replyException(conn, transport, format, name, seqId, ApplicationExceptionType.PROTOCOL_ERROR, failure.message);
      return;
    }
    const timeout = header === undefined ? undefined : Number(header.intInfo.get(IntKey.RPCTimeout) ?? 0);
    const ctx = new CallContext('server', this.service.name, name, conn.peer, transport, timeout, header === undefined ? undefined : metaInfoOf(header));
    ctx.seqId = seqId;
    this.track(conn, +1);
    let result: Promise<unknown>;
    try {
      result = invokeInScope(ctx, this.invoke, args as Record<string, unknown>);
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (value) => this.replySuccess(conn, method, ctx, value),
      (error) => this.replyFailure(conn, method, ctx, error),
    );
  }

  private async callHandler(ctx: RpcContext, args: Record<string, unknown>): Promise<unknown> {
    return this.handlers[ctx.method]!(args, ctx);
  }

  private replySuccess(conn: ServerConnection, method: MethodBinding, ctx: CallContext, value: unknown): void {
    this.track(conn, -1);
    if (method.oneway) return;
    let reply: Uint8Array[];
    try {
      // Over shared memory a large binary (the handler's own, or a view of the request's slice)
      // is copied once, straight into the reply's slices, when the outbox writes it.
      const linkFrom = conn.connection.kind === 'shm' ? LINKED_BINARY_MIN : undefined;
      reply = this.format.encodeReply(method, method.success(value), ctx.seqId, linkFrom);
    } catch (error) {
      const failure = asHeddleError(error, ErrorCode.ERR_BAD_VALUE);
      this.log({ level: 'error', code: failure.code, message: `${method.name} returned a value that does not encode: ${failure.message}`, peer: conn.peer });
      this.replyException(conn, ctx.transport, this.format, method.name, ctx.seqId, ApplicationExceptionType.INTERNAL_ERROR, failure.message);
      return;
    }
    this.send(conn, ctx.transport, reply, this.replyHeader(ctx, MessageType.REPLY, this.format), ctx.seqId);
  }

  private replyFailure(conn: ServerConnection, method: MethodBinding, ctx: CallContext, error: unknown): void {
    this.track(conn, -1);
    if (method.oneway) return;
    const declared = method.failure(error);
    if (declared !== undefined) {
      this.send(conn, ctx.transport, this.format.encodeReply(method, declared, ctx.seqId), this.replyHeader(ctx, MessageType.REPLY, this.format), ctx.seqId);
      return;
    }
    // A business status travels in the TTHeader over an empty reply, as Kitex sends it; Framed and
    // buffered replies have no header, so there it becomes an application exception.
    if (isBizStatusError(error) && (ctx.transport === 'ttheader' || ctx.transport === 'ttheader-framed')) {
      writeBizStatus(ctx.responseMetainfo.strInfo, error.bizStatus);
      this.send(conn, ctx.transport, this.format.encodeEmptyReply(method, ctx.seqId), this.replyHeader(ctx, MessageType.REPLY, this.format), ctx.seqId);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (!isBizStatusError(error)) {
      this.log({ level: 'error', code: error instanceof HeddleError ? error.code : 'HANDLER_ERROR', message: `${method.name} failed: ${message}`, peer: conn.peer });
    }
    this.replyException(conn, ctx.transport, this.format, method.name, ctx.seqId, ApplicationExceptionType.INTERNAL_ERROR, message);
  }

  private replyException(conn: ServerConnection, transport: TransportName, format: MessageFormat, name: string, seqId: number, type: number, message: string): void {
    let bytes: Uint8Array[];
    try {
      bytes = format.encodeException(name, seqId, { type, message });
    } catch (error) {
      // Only a method name that is not valid UTF-8 text could get here; the caller gets nothing back.
      this.log({ level: 'error', code: asHeddleError(error, ErrorCode.ERR_BAD_VALUE).code, message: `cannot encode an exception for '${name}': ${String(error)}`, peer: conn.peer });
      return;
    }
    this.send(conn, transport, bytes, this.replyHeader(undefined, MessageType.EXCEPTION, format), seqId);
  }

  /** What a Kitex server writes back: the message type, backward metainfo, and `crrst` while
   * shutting down so clients retire the connection. Plain replies stamp a cached template; `send`
   * puts the call's seqID in either kind. */
  private replyHeader(ctx: CallContext | undefined, type: number, format: MessageFormat): TTHeaderInit | TTHeaderTemplate {
    const plain = this.closing === undefined && (ctx === undefined || !ctx.hasResponseMetainfo);
    if (plain) {
      const key = format === this.format ? type : type + FOREIGN;
      let template = this.replyTemplates.get(key);
      if (template === undefined) {
        template = new TTHeaderTemplate(this.replyHeaderInit(undefined, type, format));
        this.replyTemplates.set(key, template);
      }
      return template;
    }
    return this.replyHeaderInit(ctx, type, format);
  }

  private replyHeaderInit(ctx: CallContext | undefined, type: number, format: MessageFormat): TTHeaderInit {
    const intInfo = new Map<number, string>([[IntKey.MsgType, String(type)]]);
    const strInfo = new Map<string, string>();
    if (ctx?.hasResponseMetainfo) for (const [key, value] of ctx.responseMetainfo.strInfo) strInfo.set(key, value);
    if (this.closing !== undefined) strInfo.set(CONNECTION_RESET_KEY, '1');
    return { protocolId: format.ttheaderProtocolId, intInfo, strInfo };
  }

  private send(conn: ServerConnection, transport: TransportName, parts: Uint8Array[], header: TTHeaderInit | TTHeaderTemplate, seqId: number): void {
    let chunks: Uint8Array[];
    try {
      chunks = frameChunks(transport, parts, header, this.maxFrameSize, seqId);
    } catch (error) {
      this.log({ level: 'error', code: error instanceof HeddleError ? error.code : 'ERR_SIZE_LIMIT', message: String(error), peer: conn.peer });
      return;
    }
    conn.outbox.push(chunks);
  }

  private track(conn: ServerConnection, delta: number): void {
    conn.inflight += delta;
    if (conn.inflight === 0) conn.idleSince = Date.now();
    this.setPaused(conn, conn.outbox.blocked);
    this.countInflight(delta);
  }

  /** Calls in flight on the whole server; close waits for none. */
  private countInflight(delta: number): void {
    this.inflightTotal += delta;
    if (this.inflightTotal === 0 && this.idleWaiters.length > 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Stops reading from a connection whose peer does not read its replies or sends too many calls. */
  private setPaused(conn: ServerConnection, blocked: boolean): void {
    const pause = blocked || conn.inflight >= this.maxInflight;
    if (pause === conn.paused) return;
    conn.paused = pause;
    if (pause) conn.connection.pause();
    else conn.connection.resume();
  }

  private checkStalled(): void {
    const now = Date.now();
    for (const conn of this.connections) {
      const partial = conn.connection.partialBytes;
      const progressed = conn.framesReceived !== conn.framesAtCheck;
      conn.framesAtCheck = conn.framesReceived;
      if (progressed || partial > 0 || conn.inflight > 0) conn.idleSince = now;
      else if (this.idleTimeoutMs > 0 && now - conn.idleSince >= this.idleTimeoutMs) {
        this.log({ level: 'info', code: ErrorCode.ERR_TIMEOUT, message: `closed: idle for ${this.idleTimeoutMs} ms`, peer: conn.peer });
        conn.connection.destroy();
        continue;
      }
      // A peer trickling a frame byte by byte makes no progress until the frame completes.
      if (partial === 0 || progressed) {
        conn.stalledSince = now;
        continue;
      }
      if (now - conn.stalledSince >= this.readTimeoutMs) {
        this.log({ level: 'warn', code: ErrorCode.ERR_TIMEOUT, message: `cut: ${partial} bytes of a frame, no progress for ${this.readTimeoutMs} ms`, peer: conn.peer });
        conn.connection.destroy();
      }
    }
  }
}

/**
 * @internal A net.Server handing its sockets, paused, to `onSocket` once it listens by `start`
 * (which calls back when listening). A failure to listen rejects with ERR_CONNECTION naming
 * `where`; later listener errors are logged. Shared by servers and the worker acceptor.
 */
export async function listenNet(onSocket: (socket: net.Socket) => void, where: string, start: (server: net.Server, done: () => void) => void, log: (entry: ServerLogEntry) => void): Promise<net.Server> {
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, onSocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new HeddleError(ErrorCode.ERR_CONNECTION, `cannot listen on ${where}: ${error.code ?? error.message}`, { cause: error })),
    );
    start(server, resolve);
  });
  server.removeAllListeners('error');
  server.on('error', (error) => log({ level: 'error', code: ErrorCode.ERR_CONNECTION, message: `listener failed: ${error.message}` }));
  return server;
}

/** A Unix socket file left by a dead server is removed; one a live server answers on is an error. */
async function removeStaleSocket(path: string): Promise<void> {
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new HeddleError(ErrorCode.ERR_CONNECTION, `cannot listen on ${path}: another server is listening there`);
  unlinkSync(path);
}

/** Creates a server for `options.service`; call `listen(address)` to serve. With a service type
 * from `heddle types` (`createServer<EchoService>(...)`), the handlers are checked against it. */
export function createServer<S = never>(options: [S] extends [never] ? ServerOptions : Omit<ServerOptions, 'handlers'> & { handlers: TypedHandlers<S> }): RpcServer {
  return new RpcServer(options as ServerOptions);
}
