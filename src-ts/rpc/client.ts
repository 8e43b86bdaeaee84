import { ErrorCode, HeddleError } from '../errors.js';
import { MessageType } from '../thrift/wire-types.js';
import { IntKey, PERSISTENT_PREFIX, type Frame, type TTHeaderInit } from '../transport/index.js';
import { parseAddress, type RpcAddress } from './address.js';
import { bindService, type BindingCodecOptions, type MethodBinding, type ServiceBinding, type ServiceIdl } from './binding.js';
import { bizStatusError, readBizStatus } from './biz-status.js';
import { checkBusyPollMicros } from './busy-poll.js';
import { describeAddress, dial, resolveIoPath, type IoPath } from './connect.js';
import { RawArgs } from './raw-args.js';
import { CallContext, composeMiddleware, type Invoke, type Middleware, type RpcContext } from './context.js';
import { DEFAULT_MAX_FRAME_SIZE, replyReaderKind, type FrameConnection } from './frame-connection.js';
import { Outbox } from './outbox.js';
import { connect as shmConnect, type ShmClient } from '../shm/client.js';
import type { ShmConnectOptions } from '../shm/options.js';
import { LINKED_BINARY_MIN, ShmFrameConnection } from './shm-connection.js';
import { CONNECTION_RESET_KEY, isControlFrame } from './control-frame.js';
import { messageFormatOf, type MessageEnvelope, type MessageFormat } from './message-format.js';
import { frameChunks, messageOf, TTHeaderTemplate, wireTransport, type TransportName } from './wire.js';
import { GrpcClient, type GrpcClientOptions } from '../grpc/client.js';
import { DiscoveryClient, type DiscoveryClientOptions } from './discovery-client.js';
import { spanServiceName, withTelemetry, type TelemetrySetting } from '../telemetry/index.js';
import { currentServerCall } from './call-scope.js';
import { Governor, isGoverned, refused, watched, type AttemptWatcher, type CircuitBreakerConfig } from './governed-call.js';
import { InflightTable } from './inflight-table.js';
import type { RetryConfig } from '../governance/retry-policy.js';
import type { TypedClient, TypedGrpcClient } from './typed.js';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The IDL: a Thrift document (`thrift.parse`, `thrift.load`) or a Protobuf root (`protobuf.parse`, ...). */
  idl: ServiceIdl;
  /** The service to call: a Thrift service (its `extends` chain included) or a Protobuf
   * service's full name (`echo.v1.Echo`), called over Kitex Protobuf. */
  service: string;
  /** `tcp://host:port`, `unix:///path.sock` or `shm:///path/control.sock`. */
  address: string;
  /** Default `ttheader`. Protobuf services go over TTHeaderFramed for `ttheader` (as Kitex's own
   * client sends them) and cannot go `buffered`. */
  transport?: TransportName;
  /** Thrift protocol of the messages. Default `binary`; Kitex speaks only Binary. Not for Protobuf services. */
  protocol?: 'binary' | 'compact';
  /** Value mapping of arguments and results: Thrift codec options (i64, map, set, typedArrays)
   * or Protobuf ones (int64, keepCase, ...). */
  codec?: BindingCodecOptions;
  /** Per-call deadline, covering connecting, sending and the reply. Default 3000 ms; 0 for none. */
  timeoutMs?: number;
  /** Default 1000 ms. */
  connectTimeoutMs?: number;
  /**
   * How calls share connections (docs/client-connections.md). Unset (default): pipelined — calls
   * go out back to back on a few connections, up to `pipelineDepth` in flight on each, replies
   * matched by seqID in whatever order they come; a connection that has not answered for
   * {@link PIPELINE_STALL_MS} ms, or whose oldest unanswered call is {@link PIPELINE_QUEUE_AGE_MS}
   * ms old, takes no new calls while another can, so a server that handles one request at a time
   * per connection (Kitex's default server) does not hold many calls behind slow ones; a peer
   * that drops a connection while pipelined calls on it wait turns the client into a pool for
   * `pipelineRetryMs`. `false`: a pool of long connections, one call in flight on each, as
   * Kitex's default client. `true`: calls share connections (1 by default), spread evenly, with
   * no limit per connection; the peer must serve them concurrently.
   */
  multiplexed?: boolean;
  /** Pipelined clients (`multiplexed` unset): most calls in flight on one connection before
   * another opens. Default 32. */
  pipelineDepth?: number;
  /** Pipelined clients: after a peer dropped a connection carrying pipelined calls unanswered, the
   * client runs as a pool for this long, then pipelines again; each further drop doubles the wait
   * (up to an hour). A restart or a reset ends pipelining only for a while, a peer that refuses
   * pipelining costs a pair of failed calls per retry. Default 30 000 ms. */
  pipelineRetryMs?: number;
  /** Most connections to open. Default 100 pooled and pipelined, 1 multiplexed. */
  maxConnections?: number;
  /** A connection with no call in flight for this long is closed when next picked, and the call
   * takes another, as Kitex's pool does (`MaxIdleTimeout`): servers close connections idle longer
   * (a heddle or Kitex server after 10 minutes), and a call must not be written into one as it
   * closes. Default 30 000 ms; 0 keeps idle connections. */
  idleTimeoutMs?: number;
  /** Calls allowed to wait for a connection before new calls fail with ERR_SIZE_LIMIT. Default 10000. */
  maxQueuedCalls?: number;
  /** Default `auto`: the native I/O path when the addon is loaded. */
  io?: IoPath;
  /** Largest frame sent or accepted. Default 64 MiB. */
  maxFrameSize?: number;
  /** Client middleware, outermost first. */
  middleware?: Middleware[];
  /** OpenTelemetry spans and metrics (docs/observability.md). Default: on when an SDK is registered. */
  telemetry?: TelemetrySetting;
  /** The caller's service name, sent as TTHeader FromService. */
  fromService?: string;
  /**
   * For `shm:///path/control.sock` addresses: shared-memory options, and `fallback` — the
   * server's Unix socket or TCP address to use when shared memory is unavailable (no addon, the
   * peer refuses, the pool is exhausted).
   *
   * Over shared memory, Thrift `binary` values of 16 KiB or more in a call's arguments are copied
   * once, from the caller's memory straight into the shared slices, when the call is written: just
   * after `call()` returns, or later when the pool is full. Later can be after the call settled (a
   * call that timed out while its request waited is still written), so do not modify such a buffer
   * after passing it to a call over shm; copy it first if it must change.
   */
  shm?: ShmConnectOptions;
  /**
   * Microseconds to keep the event loop polling, rather than sleeping, after each write, so a
   * quick reply is read without a thread wake-up. Cuts latency at low concurrency severalfold on
   * virtual machines, at the price of a busy core while waiting. Default 0 (off); at most 100 000.
   */
  busyPollMicros?: number;
  /** Failure retry or backup requests, Kitex's semantics and defaults, with per-method
   * overrides under `methods` (docs/governance.md). Default none. */
  retry?: RetryConfig;
  /** Service- and instance-level circuit breakers (`true` for Kitex's defaults). Default none. */
  circuitBreaker?: CircuitBreakerConfig | boolean;
}

/** Options of one call. */
export interface CallOptions {
  /** Overrides the client's timeoutMs for this call. */
  timeoutMs?: number;
  /** TTHeader metainfo for this call: transient values reach the next hop, persistent ones the whole chain. */
  metainfo?: { transient?: Record<string, string>; persistent?: Record<string, string> };
  /** Receives the call's context once it completes (e.g. to read `responseMetainfo`). */
  onContext?: (ctx: RpcContext) => void;
  /** The server call being served, when this call is made by its handler: the call carries its
   * persistent metainfo, and does not retry if it is a retry (Kitex's chain stop). Found without
   * this option too while a client with `retry` exists in the process. */
  parent?: RpcContext;
}

interface PendingCall {
  readonly seqId: number;
  readonly method: MethodBinding;
  readonly ctx: CallContext;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** The governor's ear for this attempt, told before the promise settles. */
  readonly watcher: AttemptWatcher | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  channel: Channel | undefined;
  settled: boolean;
  /** A callRaw call: the reply resolves to the response body's bytes. */
  readonly raw: boolean;
  /** Pipelined clients: when the call was given its connection (`performance.now()` ms). */
  sentAt: number;
}


/** One connection and the calls in flight on it. */
class Channel {
  connection: FrameConnection | undefined;
  /** Calls sent and not answered, by sequence id (not a Map: see inflight-table.ts). */
  readonly inflight = new InflightTable<PendingCall>();
  /** The server asked for this connection to be dropped (Kitex `crrst`), or a call on it timed out. */
  retiring = false;
  /** Pipelined clients: when this connection last showed progress (a reply, or its first call
   * after being idle), in `performance.now()` milliseconds. */
  progressAt = 0;
  /** Pipelined clients: a call went out while another was unanswered, and no reply came since:
   * if the connection drops now, the peer may be refusing pipelined calls. */
  pipelinedUnanswered = false;
  /** Pipelined clients: calls given this connection that have not reached it yet (acquire
   * resolves a turn later), so a burst of calls counts them. */
  reserved = 0;
  /** Since when no call has been in flight (`performance.now()` ms), for the idle timeout. */
  idleSince = performance.now();
  closed = false;
  readonly outbox: Outbox;
  readonly whenClosed: Promise<void>;
  private markClosed!: () => void;

  constructor(private readonly client: RpcClient) {
    // A connection the kernel stops taking bytes from gets no new calls until it drains.
    this.outbox = new Outbox(
      () => this.connection,
      (blocked) => {
        if (!blocked) this.client.onChannelDrained();
      },
      client.busyPollMicros,
    );
    this.whenClosed = new Promise((resolve) => (this.markClosed = resolve));
  }

  frames(batch: Frame[]): void {
    for (const frame of batch) this.client.onFrame(this, frame);
  }

  drain(): void {
    this.outbox.drained();
  }

  closed_(error?: HeddleError): void {
    this.closed = true;
    this.markClosed();
    this.client.onChannelClosed(this, error);
  }

  /** Can take another call now. */
  get usable(): boolean {
    return !this.retiring && !this.closed && this.connection !== undefined && !this.outbox.blocked;
  }
}

let nextClientId = 1;

/**
 * Pipelined clients: a connection with calls in flight and no reply for this long takes no new
 * calls while another connection can. A server that reads one request at a time per connection
 * (Kitex's default, the `thrift` package's on a slow handler) answers pipelined calls one after
 * the other; past this silence the calls behind are better off on another connection.
 */
export const PIPELINE_STALL_MS = 2;

/**
 * Pipelined clients: a connection whose oldest unanswered call is this old takes no new calls
 * while another connection can. Against a server that answers a connection's requests one at a
 * time, the silence rule alone is not enough under steady load: every reply makes the connection
 * look fresh, and it fills to pipelineDepth while each call waits behind the ones before it (ten
 * callers of a 30 ms Kitex handler waited about 275 ms a call; test/rpc/pipelining.test.ts).
 * Servers that answer concurrently stay well under it, so their calls still pack.
 */
export const PIPELINE_QUEUE_AGE_MS = 10;

/** The longest a pipelined client that keeps finding its peer dropping pipelined calls runs as a
 * pool before trying again (see {@link ClientOptions.pipelineRetryMs}). */
const PIPELINE_RETRY_MAX_MS = 3_600_000;

/** How a client's calls share its connections (see {@link ClientOptions.multiplexed}). */
export type Sharing = 'pooled' | 'pipelined' | 'multiplexed';

/**
 * A Kitex-compatible RPC client of one service binding (Thrift or Protobuf). Create with
 * {@link createClient}; `call(method, request)` resolves to the method's result, rejects with a
 * `thrift.Exception` for a declared exception, or with a HeddleError (ERR_TIMEOUT,
 * ERR_CONNECTION, ERR_REMOTE for an application exception, ERR_BIZ_STATUS, ...).
 */
export class RpcClient {
  /** The service's method table. */
  readonly service: ServiceBinding;
  readonly address: RpcAddress;
  /** The transport calls go out on (`ttheader-framed` where `ttheader` was asked for Kitex Protobuf). */
  readonly transport: TransportName;
  /** The Thrift protocol; `binary` for Protobuf services, where it does not apply. */
  readonly protocol: 'binary' | 'compact';
  private readonly format: MessageFormat;
  private readonly options: Required<Omit<ClientOptions, 'codec' | 'middleware' | 'telemetry' | 'fromService' | 'idl' | 'service' | 'address' | 'shm' | 'retry' | 'circuitBreaker' | 'multiplexed'>>;
  /** Pipelined until a peer shows it cannot take calls back to back (then pooled). */
  private sharing: Sharing;
  /** Pipelined clients: the connection being dialed and how many calls wait for it. */
  private opening: { channel: Promise<Channel>; calls: number; retire: boolean } | undefined;
  /** Pipelined clients running as a pool after a drop: when to pipeline again, and the next wait. */
  private pipelineRetryAt: number | undefined;
  private pipelineBackoffMs: number;
  private readonly io: 'native' | 'net';
  private readonly invoke: Invoke;
  /** No middleware (telemetry included) stands between a call and {@link send}. */
  private readonly bare: boolean;
  private readonly channels = new Set<Channel>();
  private readonly idle: Channel[] = [];
  private readonly waiting: Array<{ resolve: (c: Channel) => void; reject: (e: unknown) => void }> = [];
  private dialing = 0;
  private seq = 0;
  private closed = false;
  private readonly fromService: string;
  private readonly peer: string;
  /** TTHeader request headers by method and timeout, for calls without metainfo. */
  private readonly headerTemplates = new Map<string, TTHeaderTemplate>();
  private readonly shmOptions: ShmConnectOptions;
  private shmClient: Promise<ShmClient> | undefined;
  /** Binary values from this size are not copied by the encoder (shm:// only; see LINKED_BINARY_MIN). */
  private readonly linkFrom: number | undefined;
  private readonly governor: Governor | undefined;
  readonly id = nextClientId++;

  /** @internal Use {@link createClient}. */
  constructor(options: ClientOptions) {
    this.service = bindService(options.idl, options.service, { protocol: options.protocol, codec: options.codec }, 'createClient');
    this.protocol = options.protocol ?? 'binary';
    this.format = messageFormatOf(this.service);
    this.address = parseAddress(options.address);
    this.transport = wireTransport(options.transport ?? 'ttheader', this.format);
    this.linkFrom = this.address.scheme === 'shm' ? LINKED_BINARY_MIN : undefined;
    this.sharing = options.multiplexed === undefined ? 'pipelined' : options.multiplexed ? 'multiplexed' : 'pooled';
    this.options = {
      transport: this.transport,
      protocol: this.protocol,
      timeoutMs: checkMs(options.timeoutMs ?? 3000, 'timeoutMs'),
      connectTimeoutMs: checkMs(options.connectTimeoutMs ?? 1000, 'connectTimeoutMs'),
      pipelineDepth: checkCount(options.pipelineDepth ?? 32, 'pipelineDepth'),
      pipelineRetryMs: checkMs(options.pipelineRetryMs ?? 30_000, 'pipelineRetryMs'),
      maxConnections: checkCount(options.maxConnections ?? (this.sharing === 'multiplexed' ? 1 : 100), 'maxConnections'),
      idleTimeoutMs: checkMs(options.idleTimeoutMs ?? 30_000, 'idleTimeoutMs'),
      maxQueuedCalls: checkCount(options.maxQueuedCalls ?? 10_000, 'maxQueuedCalls'),
      io: options.io ?? 'auto',
      maxFrameSize: options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
      busyPollMicros: checkBusyPollMicros(options.busyPollMicros),
    };
    this.io = resolveIoPath(this.options.io);
    this.pipelineBackoffMs = this.options.pipelineRetryMs;
    this.fromService = options.fromService ?? '';
    this.peer = describeAddress(this.address);
    this.shmOptions = options.shm ?? {};
    const telemetry = { side: 'client', spanService: spanServiceName(options.idl, this.service), rpcService: this.service.name } as const;
    const middleware = withTelemetry(options.middleware, options.telemetry, telemetry);
    this.bare = middleware.length === 0;
    this.invoke = composeMiddleware(middleware, (ctx, args) => this.send(ctx, args, undefined));
    if (isGoverned(options)) {
      this.governor = new Governor(options.retry, options.circuitBreaker, this.fromService, this.service.kitexName, this.options.timeoutMs, (method, request, callOptions, choice, watcher) => {
        if (!choice.allowed(this.peer)) return refused(new HeddleError(ErrorCode.ERR_CIRCUIT_OPEN, `the circuit breaker of ${this.peer} is open`), watcher);
        choice.chosen(this.peer);
        return this.attempt(method, request, callOptions, watcher);
      });
    }
  }

  /** The per-call timeout calls get without their own `timeoutMs`. */
  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** @internal The budget each channel's outbox polls for after a write. */
  get busyPollMicros(): number {
    return this.options.busyPollMicros;
  }

  /** How calls share connections: `pipelined` (the default, until a peer refuses it), `pooled`
   * or `multiplexed`. */
  get connectionSharing(): Sharing {
    return this.sharing;
  }

  /** Connections open now (dialing ones not counted). */
  get openConnections(): number {
    return this.channels.size;
  }

  /** Which I/O path this client's connections use. */
  get ioPath(): 'native' | 'net' {
    return this.io;
  }

  /**
   * Calls `method` and resolves to its result. `request` is, for Thrift, the arguments keyed by IDL
   * parameter name, and for Protobuf the request message.
   */
  call(method: string, request: Record<string, unknown> = {}, options: CallOptions = {}): Promise<unknown> {
    if (this.governor !== undefined) return this.governor.call(method, request, options);
    return this.attempt(method, request, options);
  }

  /**
   * Calls `method` with arguments encoded already, and resolves to the reply's body as bytes of
   * their own: for Thrift `argsBytes` is the method's argument struct (`doc.service(name)
   * .method(m).args` encodes it; a gateway gets it from `fromJSON` or `patch`) and the reply the
   * result struct (`success` at field 0, declared exceptions at theirs: read them with `peek`);
   * for Protobuf both are the messages. The bytes are sent as they are, not copied nor checked.
   * Everything else is as {@link call}: timeouts, metainfo, middleware (which sees a
   * {@link RawArgs} as the request), retry and breakers; application exceptions and business
   * status errors reject with ERR_REMOTE and ERR_BIZ_STATUS.
   */
  callRaw(method: string, argsBytes: Uint8Array, options: CallOptions = {}): Promise<Uint8Array> {
    if (!(argsBytes instanceof Uint8Array)) return Promise.reject(new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'callRaw expects the encoded arguments as a Uint8Array'));
    return this.call(method, new RawArgs(argsBytes) as unknown as Record<string, unknown>, options) as Promise<Uint8Array>;
  }

  /**
   * @internal One attempt of a call, without retry or breakers. `watcher` hears its outcome once,
   * before the returned promise settles: from the code that settles a sent call when no
   * middleware could answer instead, else when the middleware's promise settles.
   */
  attempt(method: string, request: Record<string, unknown>, options: CallOptions, watcher?: AttemptWatcher): Promise<unknown> {
    if (this.closed) return refused(new HeddleError(ErrorCode.ERR_CONNECTION, 'the client is closed'), watcher);
    let descriptor: MethodBinding;
    let timeoutMs: number;
    try {
      descriptor = this.service.method(method);
      if (descriptor.streaming !== 'unary') {
        throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${method} is a ${descriptor.streaming}-streaming method: ${this.transport} carries only unary calls`);
      }
      timeoutMs = options.timeoutMs === undefined ? this.options.timeoutMs : checkMs(options.timeoutMs, 'timeoutMs');
    } catch (error) {
      return refused(error, watcher);
    }
    const ctx = new CallContext('client', this.service.name, descriptor.name, this.peer, this.transport, timeoutMs > 0 ? timeoutMs : undefined);
    if (watcher === undefined) return runClientCall(this.invoke, ctx, request, options);
    if (!this.bare) return watched(runClientCall(this.invoke, ctx, request, options), watcher);
    try {
      applyCallMetainfo(ctx, options);
    } catch (error) {
      return refused(error, watcher);
    }
    return reportContext(this.send(ctx, request, watcher), ctx, options);
  }

  /** Closes every connection; calls in flight fail with ERR_CONNECTION. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new HeddleError(ErrorCode.ERR_CONNECTION, 'the client was closed'));
    const channels = [...this.channels];
    for (const channel of channels) channel.connection?.destroy();
    await Promise.all(channels.map((channel) => channel.whenClosed));
    if (this.shmClient !== undefined) await (await this.shmClient.catch(() => undefined))?.close();
  }

  private nextSeqId(): number {
    // Sequence ids are int32; 0 is Kitex's control frame, so it is never a call's.
    this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1;
    return this.seq;
  }

  private send(rpcContext: RpcContext, request: Record<string, unknown>, watcher: AttemptWatcher | undefined): Promise<unknown> {
    const ctx = rpcContext as CallContext;
    const method = this.service.method(ctx.method);
    const seqId = this.nextSeqId();
    ctx.seqId = seqId;
    let chunks: Uint8Array[];
    const raw = request instanceof RawArgs;
    try {
      const message = raw ? this.format.encodeRawCall(method, request.raw, seqId) : this.format.encodeCall(method, request, seqId, this.linkFrom);
      chunks = frameChunks(this.transport, message, this.requestHeader(ctx, method), this.options.maxFrameSize, seqId);
    } catch (error) {
      return refused(error, watcher);
    }
    return new Promise((resolve, reject) => {
      const pending: PendingCall = { seqId, method, ctx, resolve, reject, watcher, timer: undefined, channel: undefined, settled: false, raw, sentAt: 0 };
      if (ctx.deadline !== undefined) {
        const timeoutMs = ctx.deadline - Date.now();
        pending.timer = setTimeout(() => this.onTimeout(pending, timeoutMs), Math.max(0, timeoutMs));
      }
      this.acquire().then(
        (channel) => this.dispatch(channel, pending, chunks),
        (error) => this.settle(pending, error, true),
      );
    });
  }

  private requestHeader(ctx: CallContext, method: MethodBinding): TTHeaderInit | TTHeaderTemplate {
    if (this.transport !== 'ttheader' && this.transport !== 'ttheader-framed') return {};
    // Kitex sends the call's configured timeout, not what is left of it.
    const timeoutMs = ctx.timeoutMs;
    if (!ctx.hasMetainfo) {
      const key = `${method.name}|${timeoutMs ?? ''}`;
      let template = this.headerTemplates.get(key);
      if (template === undefined) {
        template = new TTHeaderTemplate(this.headerInit(method, timeoutMs, undefined));
        this.headerTemplates.set(key, template);
      }
      return template;
    }
    return this.headerInit(method, timeoutMs, ctx);
  }

  /** The keys a Kitex client writes (cloudwego/kitex pkg/transmeta): who calls whom, which
   * method, the message type, the timeout; `isn` names the IDL service. */
  private headerInit(method: MethodBinding, timeoutMs: number | undefined, ctx: CallContext | undefined): TTHeaderInit {
    const intInfo = new Map<number, string>();
    if (this.fromService !== '') intInfo.set(IntKey.FromService, this.fromService);
    intInfo.set(IntKey.ToService, this.service.kitexName);
    intInfo.set(IntKey.ToMethod, method.name);
    intInfo.set(IntKey.MsgType, method.oneway ? '4' : '1');
    if (timeoutMs !== undefined) intInfo.set(IntKey.RPCTimeout, String(timeoutMs));
    const strInfo = new Map<string, string>([['isn', this.service.kitexName]]);
    if (ctx !== undefined) {
      for (const [key, value] of ctx.metainfo.strInfo) strInfo.set(key, value);
      for (const [key, value] of ctx.metainfo.intInfo) intInfo.set(key, value);
    }
    return { protocolId: this.format.ttheaderProtocolId, intInfo, strInfo };
  }

  private dispatch(channel: Channel, pending: PendingCall, chunks: Uint8Array[]): void {
    if (channel.reserved > 0) channel.reserved--;
    if (pending.settled) {
      // Timed out while waiting for a connection.
      this.release(channel);
      return;
    }
    if (channel.closed) {
      this.settle(pending, new HeddleError(ErrorCode.ERR_CONNECTION, `connection to ${this.peer} closed`), true);
      return;
    }
    if (channel.retiring) {
      // Retired between acquire and now (a crrst, a timeout, a fall back from pipelining): the
      // call has not gone out, so it takes another connection.
      this.acquire().then((next) => this.dispatch(next, pending, chunks), (error) => this.settle(pending, error, true));
      return;
    }
    pending.channel = channel;
    if (pending.method.oneway) {
      if (channel.inflight.size === 0) channel.idleSince = performance.now();
      channel.outbox.push(chunks);
      this.release(channel);
      this.settle(pending, undefined, false);
      return;
    }
    if (this.sharing === 'pipelined') {
      pending.sentAt = performance.now();
      if (channel.inflight.size > 0) channel.pipelinedUnanswered = true;
      if (channel.inflight.size === 0) channel.progressAt = pending.sentAt;
    }
    channel.inflight.set(pending.seqId, pending);
    channel.outbox.push(chunks);
    if (this.sharing !== 'pooled') this.release(channel);
  }

  /** @internal A reply (or control frame) arrived on `channel`. */
  onFrame(channel: Channel, frame: Frame): void {
    const header = frame.kind === 'ttheader' || frame.kind === 'ttheader-framed' ? frame.header : undefined;
    if (header?.strInfo.get(CONNECTION_RESET_KEY) !== undefined) channel.retiring = true;
    let message: Uint8Array;
    let envelope: MessageEnvelope;
    try {
      message = messageOf(frame);
      envelope = this.format.envelope(frame, message);
    } catch (error) {
      this.failChannel(channel, error);
      return;
    }
    const seqId = envelope.seqId;
    if (isControlFrame(seqId, header)) {
      // The server is going away: an idle connection goes now, a busy one after its last reply.
      if (channel.inflight.size === 0) channel.connection?.destroy();
      return;
    }
    const pending = channel.inflight.take(seqId);
    // A reply nobody waits for belongs to a call that timed out: drop it.
    if (pending === undefined) return;
    if (channel.inflight.size === 0) channel.idleSince = performance.now();
    channel.pipelinedUnanswered = false;
    if (this.sharing === 'pipelined') channel.progressAt = performance.now();
    if (header !== undefined) pending.ctx.takeResponseInfo(header.intInfo, header.strInfo);
    let value: unknown;
    let failure: unknown;
    let failed = false;
    try {
      // A business status in the header is the answer, whatever the (empty) body says.
      const status = header === undefined || envelope.type !== MessageType.REPLY ? undefined : readBizStatus(header.strInfo);
      if (status !== undefined) throw bizStatusError(status.code, status.message, status.extra);
      value = pending.raw
        ? this.format.decodeRawReply(pending.method, message, envelope)
        : pending.method.unwrap(this.format.decodeReply(pending.method, message, envelope));
    } catch (error) {
      failure = error;
      failed = true;
    }
    if (this.sharing === 'pooled') this.release(channel);
    else if (channel.retiring && channel.inflight.size === 0) channel.connection?.destroy();
    this.settle(pending, failure, failed, value);
  }

  private settle(pending: PendingCall, error: unknown, failed: boolean, value?: unknown): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    pending.watcher?.attemptSettled(error, failed);
    if (failed) pending.reject(error);
    else pending.resolve(value);
  }

  private onTimeout(pending: PendingCall, timeoutMs: number): void {
    const channel = pending.channel;
    if (channel !== undefined) {
      channel.inflight.delete(pending.seqId);
      if (channel.inflight.size === 0) channel.idleSince = performance.now();
      // A pooled connection would deliver the late reply to its next call's read: retire it. A
      // pipelined one may sit behind a server busy with the late call: it takes no new calls and
      // closes once the calls on it are answered (as Kitex closes a connection on a timeout).
      if (this.sharing === 'pooled') {
        channel.retiring = true;
        channel.connection?.destroy();
      } else if (this.sharing === 'pipelined') {
        channel.retiring = true;
        if (channel.inflight.size === 0) channel.connection?.destroy();
      }
    }
    this.settle(
      pending,
      new HeddleError(ErrorCode.ERR_TIMEOUT, `call ${this.service.name}.${pending.ctx.method} to ${this.peer} timed out after ${Math.round(timeoutMs)} ms`),
      true,
    );
  }

  /** @internal */
  onChannelClosed(channel: Channel, error?: HeddleError): void {
    this.channels.delete(channel);
    if (this.sharing === 'pipelined' && !this.closed && channel.pipelinedUnanswered && channel.inflight.size > 1) this.stopPipelining();
    const at = this.idle.indexOf(channel);
    if (at >= 0) this.idle.splice(at, 1);
    const failure = new HeddleError(
      ErrorCode.ERR_CONNECTION,
      `connection to ${this.peer} closed with ${channel.inflight.size} call(s) in flight${error ? `: ${error.message}` : ''}`,
      error ? { cause: error } : {},
    );
    for (const pending of channel.inflight.values()) this.settle(pending, failure, true);
    channel.inflight.clear();
    this.serveWaiters();
  }

  /** @internal A blocked connection drained: calls waiting for one may go. */
  onChannelDrained(): void {
    this.serveWaiters();
  }

  /** A reply that cannot be read poisons the connection: every call on it fails. */
  private failChannel(channel: Channel, error: unknown): void {
    channel.retiring = true;
    const failure = new HeddleError(ErrorCode.ERR_CONNECTION, `unreadable reply from ${this.peer}`, { cause: error });
    for (const pending of channel.inflight.values()) this.settle(pending, failure, true);
    channel.inflight.clear();
    channel.connection?.destroy();
  }

  /**
   * The peer dropped a connection that carried pipelined calls without answering any: it reads one
   * request per connection at a time, refuses what follows, or went away (a restart, a reset).
   * For pipelineRetryMs (doubling on each drop), one call per connection; the connections
   * carrying several calls close once those are answered.
   */
  private stopPipelining(): void {
    this.sharing = 'pooled';
    this.pipelineRetryAt = performance.now() + this.pipelineBackoffMs;
    this.pipelineBackoffMs = Math.min(this.pipelineBackoffMs * 2, PIPELINE_RETRY_MAX_MS);
    // The connection being dialed carries calls already given to it: they find it retired and
    // take connections of their own.
    if (this.opening !== undefined) this.opening.retire = true;
    for (const channel of this.channels) {
      channel.retiring = true;
      if (channel.inflight.size === 0) channel.connection?.destroy();
    }
  }

  /**
   * Pipelined clients: the oldest connection with room (fewer than pipelineDepth calls in flight)
   * that has answered within PIPELINE_STALL_MS and whose oldest unanswered call is younger than
   * PIPELINE_QUEUE_AGE_MS, so calls pack onto few connections and later ones
   * stay idle; else the connection being dialed while it has room; else a new connection; at
   * maxConnections, the least busy one.
   */
  private acquirePipelined(): Promise<Channel> | undefined {
    const depth = this.options.pipelineDepth;
    let now = -1;
    let leastBusy: Channel | undefined;
    let leastLoad = Infinity;
    for (const channel of this.channels) {
      if (!channel.usable) continue;
      const load = channel.inflight.size + channel.reserved;
      if (load < depth) {
        if (now < 0) now = performance.now();
        if (load === 0 && this.expireIdle(channel, now)) continue;
        if (channel.inflight.size === 0) return reserve(channel);
        // Answering, and not holding calls that wait long: a server that reads one request at a
        // time keeps answering while the calls queued behind grow old (see PIPELINE_QUEUE_AGE_MS).
        if (now - channel.progressAt < PIPELINE_STALL_MS && now - channel.inflight.first()!.sentAt < PIPELINE_QUEUE_AGE_MS) return reserve(channel);
      }
      if (load < leastLoad) {
        leastBusy = channel;
        leastLoad = load;
      }
    }
    if (this.opening !== undefined && this.opening.calls < depth) {
      this.opening.calls++;
      return this.opening.channel;
    }
    if (this.channels.size + this.dialing < this.options.maxConnections) {
      const channel = this.open();
      const opening = { channel, calls: 1, retire: false };
      this.opening = opening;
      const done = (opened?: Channel) => {
        if (this.opening === opening) this.opening = undefined;
        // Runs before the calls' own callbacks: they find their places taken.
        if (opened !== undefined) opened.reserved += opening.calls;
        if (opened !== undefined && opening.retire) opened.retiring = true;
      };
      channel.then(done, () => done());
      return channel;
    }
    return leastBusy === undefined ? undefined : reserve(leastBusy);
  }

  private acquire(): Promise<Channel> {
    if (this.closed) return Promise.reject(new HeddleError(ErrorCode.ERR_CONNECTION, 'the client is closed'));
    if (this.pipelineRetryAt !== undefined && performance.now() >= this.pipelineRetryAt) {
      // The pooled spell after a drop is over: pipeline again (idle connections stay in use).
      this.pipelineRetryAt = undefined;
      this.sharing = 'pipelined';
      this.idle.length = 0;
    }
    if (this.sharing === 'pipelined') {
      const chosen = this.acquirePipelined();
      if (chosen !== undefined) return chosen;
    } else if (this.sharing === 'multiplexed') {
      let best: Channel | undefined;
      const now = performance.now();
      for (const channel of this.channels) {
        if (!channel.usable || (channel.inflight.size === 0 && this.expireIdle(channel, now))) continue;
        if (best === undefined || channel.inflight.size < best.inflight.size) best = channel;
      }
      if (best !== undefined && (best.inflight.size === 0 || this.channels.size + this.dialing >= this.options.maxConnections)) {
        return Promise.resolve(best);
      }
    } else {
      while (this.idle.length > 0) {
        const channel = this.idle.pop()!;
        if (channel.usable && !this.expireIdle(channel, performance.now())) return Promise.resolve(channel);
      }
    }
    if (this.channels.size + this.dialing < this.options.maxConnections) return this.open();
    if (this.waiting.length >= this.options.maxQueuedCalls) {
      return Promise.reject(new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `${this.waiting.length} calls already wait for a connection (maxQueuedCalls)`));
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Closes `channel`, which has no call in flight, if it has been idle for idleTimeoutMs. */
  private expireIdle(channel: Channel, now: number): boolean {
    const limit = this.options.idleTimeoutMs;
    if (limit === 0 || now - channel.idleSince < limit) return false;
    channel.retiring = true;
    channel.connection?.destroy();
    return true;
  }

  private release(channel: Channel): void {
    if (channel.retiring) {
      if (channel.inflight.size === 0) channel.connection?.destroy();
      this.serveWaiters();
      return;
    }
    if (channel.closed) return;
    if (this.sharing !== 'pooled') {
      this.serveWaiters();
      return;
    }
    // After a fall back from pipelining a connection may still carry several calls: it is free
    // only once the last is answered.
    if (channel.inflight.size > 0) return;
    const waiter = this.waiting.shift();
    if (waiter !== undefined) waiter.resolve(channel);
    else this.idle.push(channel);
  }

  private serveWaiters(): void {
    while (this.waiting.length > 0 && this.channels.size + this.dialing < this.options.maxConnections) {
      const waiter = this.waiting.shift()!;
      this.open().then(waiter.resolve, waiter.reject);
    }
    if (this.sharing !== 'pooled') {
      for (const channel of this.channels) {
        if (this.waiting.length === 0) break;
        if (channel.usable) this.waiting.shift()!.resolve(channel);
      }
    }
  }

  private async open(): Promise<Channel> {
    const channel = new Channel(this);
    this.dialing++;
    try {
      channel.connection = this.address.scheme === 'shm' ? await this.openShmStream(channel) : await dial(this.address, this.io, this.options.connectTimeoutMs, {
        framing: this.framing(),
        readerKind: replyReaderKind(this.transport),
        protocol: this.protocol,
        maxFrameSize: this.options.maxFrameSize,
      }, {
        frames: (batch) => channel.frames(batch),
        drain: () => channel.drain(),
        closed: (error) => channel.closed_(error),
      });
    } finally {
      this.dialing--;
    }
    if (this.closed) {
      channel.connection.destroy();
      throw new HeddleError(ErrorCode.ERR_CONNECTION, 'the client was closed');
    }
    this.channels.add(channel);
    return channel;
  }

  /** A channel over a shmipc stream; the shm client (one session, a stream pool, reconnects and
   * the socket fallback) is opened on first use. */
  private async openShmStream(channel: Channel): Promise<FrameConnection> {
    this.shmClient ??= shmConnect((this.address as { path: string }).path, { connectTimeoutMs: this.options.connectTimeoutMs, ...this.shmOptions });
    const stream = await (await this.shmClient).acquireStream();
    return new ShmFrameConnection(stream, { framing: this.framing(), readerKind: replyReaderKind(this.transport), maxFrameSize: this.options.maxFrameSize }, {
      frames: (batch) => channel.frames(batch),
      drain: () => channel.drain(),
      closed: (error) => channel.closed_(error),
    });
  }

  private framing() {
    return this.transport === 'buffered' ? ('unframed' as const) : ('length-prefixed' as const);
  }
}

/**
 * Runs a client call through `invoke` (middleware, then the transport): the call's metainfo
 * options, the persistent metainfo of the server call being served (as Kitex's goes on down the
 * chain), then `onContext` once it settles. Shared by connection and inline clients.
 */
export function runClientCall(invoke: Invoke, ctx: CallContext<TransportName | 'inline'>, request: Record<string, unknown>, options: CallOptions): Promise<unknown> {
  try {
    applyCallMetainfo(ctx, options);
  } catch (error) {
    // A metainfo value that is not a string: a rejected call, like every other refusal.
    return Promise.reject(error);
  }
  return reportContext(invoke(ctx, request), ctx, options);
}

/** The call's metainfo options, then the persistent metainfo of the server call being served. */
function applyCallMetainfo(ctx: CallContext<TransportName | 'inline'>, options: CallOptions): void {
  if (options.metainfo !== undefined) {
    for (const [key, value] of Object.entries(options.metainfo.transient ?? {})) ctx.metainfo.setTransient(key, value);
    for (const [key, value] of Object.entries(options.metainfo.persistent ?? {})) ctx.metainfo.setPersistent(key, value);
  }
  const parent = options.parent ?? currentServerCall();
  if (parent !== undefined && parent.side === 'server') {
    // Straight from the wire keys: no prefix stripped into a new Map and added back per call.
    for (const [key, value] of parent.metainfo.strInfo) if (key.startsWith(PERSISTENT_PREFIX) && !ctx.metainfo.strInfo.has(key)) ctx.metainfo.set(key, value);
  }
}

/** `result`, after which `onContext` (when given) sees the call's context. */
function reportContext(result: Promise<unknown>, ctx: CallContext<TransportName | 'inline'>, options: CallOptions): Promise<unknown> {
  if (options.onContext === undefined) return result;
  const report = () => options.onContext!(ctx);
  return result.finally(report);
}

export function checkMs(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}

function reserve(channel: Channel): Promise<Channel> {
  channel.reserved++;
  return Promise.resolve(channel);
}

function checkCount(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Creates a client for `options.service` at `options.address`. Connections open on first call.
 * `transport: 'grpc'` makes a gRPC client (HTTP/2) of a Protobuf service; `resolver` and
 * `destService` instead of `address` make a {@link DiscoveryClient} over the service's instances.
 * With a service type from `heddle types` (`createClient<EchoService>(...)`), calls are checked
 * against it (typed.ts).
 */
export function createClient<S = never>(options: GrpcClientOptions): TypedGrpcClient<GrpcClient, S>;
export function createClient<S = never>(options: DiscoveryClientOptions): TypedClient<DiscoveryClient, S>;
export function createClient<S = never>(options: ClientOptions): TypedClient<RpcClient, S>;
export function createClient(options: ClientOptions | GrpcClientOptions | DiscoveryClientOptions): unknown {
  if (options?.transport === 'grpc') return new GrpcClient(options as GrpcClientOptions);
  // With a resolver, instances come from discovery and each call picks one (discovery-client.ts).
  if ((options as DiscoveryClientOptions)?.resolver !== undefined) return new DiscoveryClient(options as DiscoveryClientOptions);
  return new RpcClient(options as ClientOptions);
}
