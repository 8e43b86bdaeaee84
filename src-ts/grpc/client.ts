import type { OutgoingHttpHeaders } from 'node:http2';
import { ErrorCode, HeddleError } from '../errors.js';
import { parseAddress, type RpcAddress } from '../rpc/address.js';
import { bindService, type BindingCodecOptions, type MethodBinding, type ServiceBinding, type ServiceIdl } from '../rpc/binding.js';
import { composeMiddleware, type Invoke, type Middleware, type RpcContext } from '../rpc/context.js';
import { RawArgs } from '../rpc/raw-args.js';
import { currentServerCall } from '../rpc/call-scope.js';
import { Governor, isGoverned, refused, watched, type CircuitBreakerConfig, type GovernedCallOptions } from '../rpc/governed-call.js';
import type { RetryConfig } from '../governance/retry-policy.js';
import { MetaInfo } from '../transport/index.js';
import { ClientCall, type CallOutcome, type ClientCallEnv } from './client-call.js';
import { HTTP_PERSISTENT_PREFIX, HTTP_TRANSIENT_PREFIX, metainfoHeaderKey } from './context.js';
import { openConnection, type ClientConnection, type Http2Engine } from './client-connection.js';
import { checkKeepalive, type KeepaliveOptions } from './keepalive.js';
import { clientTls, type ClientTls, type GrpcClientTlsOptions } from './tls.js';
import { ACCEPT_ENCODING, DEFAULT_MAX_RECEIVE_MESSAGE_LENGTH, DEFAULT_MAX_SEND_MESSAGE_LENGTH } from './message-framing.js';
import type { MessageQueue } from './message-queue.js';
import { writeMetadata, type GrpcMetadata } from './metadata.js';
import { GrpcStatus, grpcStatusError } from './status.js';
import { encodeGrpcTimeout } from './timeout.js';
import { spanServiceName, withTelemetry, type TelemetrySetting } from '../telemetry/index.js';

/** The options of a call given none (shared: calls never write to it). */
const NO_OPTIONS: GrpcCallOptions = Object.freeze({});

export { CONNECTION_WINDOW, STREAM_WINDOW, type Http2Engine } from './client-connection.js';

/** Options of a gRPC client (`rpc.createClient({ ..., transport: 'grpc' })`). */
export interface GrpcClientOptions extends KeepaliveOptions {
  /** A Protobuf root (`protobuf.parse`, `protobuf.load`, `protobuf.fromDescriptorSet`). */
  idl: ServiceIdl;
  /** The service's full name, `echo.v1.Echo`. */
  service: string;
  /** `tcp://host:port` or `unix:///path.sock`. */
  address: string;
  transport: 'grpc';
  /** Protobuf codec options (int64, keepCase, ...). */
  codec?: BindingCodecOptions;
  /** Per-call deadline, sent as grpc-timeout. Default 3000 ms; 0 for none. */
  timeoutMs?: number;
  /** How long connecting may take before calls fail with UNAVAILABLE. Default 1000 ms. */
  connectTimeoutMs?: number;
  /** `gzip` compresses every request message. Default `identity`. */
  compression?: 'identity' | 'gzip';
  /** Largest response message accepted. Default 4 MiB (RESOURCE_EXHAUSTED past it). */
  maxReceiveMessageLength?: number;
  /** Largest request message sent. Default 2^31-1 (RESOURCE_EXHAUSTED past it). */
  maxSendMessageLength?: number;
  /** HTTP/2 connections to spread calls over. Default 1 (gRPC multiplexes streams on one). */
  maxConnections?: number;
  /** The HTTP/2 client under the calls: `'heddle'` (default), heddle's own, made for gRPC's many
   * small streams; `'node'`, node:http2. Both speak the same wire and report the same errors. */
  http2?: Http2Engine;
  /** gRPC over TLS (ALPN `h2`): `true` for Node's root CAs and default checks, or the CA, client
   * certificate, servername and verification to use. Default: cleartext HTTP/2 (h2c). */
  tls?: boolean | GrpcClientTlsOptions;
  /** Client middleware, outermost first; it sees unary and streaming calls alike. */
  middleware?: Middleware[];
  /** OpenTelemetry spans and metrics (docs/observability.md). Default: on when an SDK is registered. */
  telemetry?: TelemetrySetting;
  /** Metadata sent with every call. */
  metadata?: GrpcMetadata;
  /** The caller's service name: with `toService` and the method, it keys the service-level
   * circuit breaker and the retry budget, as on Kitex clients. */
  fromService?: string;
  /** Failure retry or backup requests of unary calls, as on Kitex clients (docs/governance.md):
   * DEADLINE_EXCEEDED is ERR_TIMEOUT (retried by default), UNAVAILABLE is ERR_CONNECTION.
   * Streaming calls are never retried. Default none. */
  retry?: RetryConfig;
  /** Service- and instance-level circuit breakers of unary calls (`true` for Kitex's defaults);
   * UNAVAILABLE counts as a connection failure for the instance breaker. Default none. */
  circuitBreaker?: CircuitBreakerConfig | boolean;
}

/** Options of one gRPC call. */
export interface GrpcCallOptions {
  /** Overrides the client's timeoutMs. */
  timeoutMs?: number;
  /** Request metadata (custom headers; `-bin` keys carry bytes). */
  metadata?: GrpcMetadata;
  /** Cancels the call: RST_STREAM CANCEL to the server, ERR_CANCELLED (gRPC CANCELLED) here. */
  signal?: AbortSignal;
  /** Metainfo sent as `rpc-transit-*` / `rpc-persist-*` headers, as Kitex reads it over gRPC. */
  metainfo?: { transient?: Record<string, string>; persistent?: Record<string, string> };
  /**
   * The server call this call is made for (a handler's own context): its persistent metainfo goes
   * on with this call, under what `metainfo` sets, and a call retrying it is not retried again,
   * as on Kitex clients. Without it, the call being served is found by itself when the call
   * scope is on (`rpc.enableCallScope()`, or any client with a retry policy).
   */
  parent?: RpcContext;
  /** Receives the call's context once it completes: `responseHeaders`, `responseTrailers`. */
  onContext?: (ctx: GrpcClientContext) => void;
}

/** A gRPC client call's context: what middleware sees and `onContext` receives. */
export interface GrpcClientContext extends RpcContext {
  readonly transport: 'grpc';
  /** Request metadata; middleware may add to it. */
  readonly metadata: GrpcMetadata;
  /** Response header metadata, once the call completed. */
  readonly responseHeaders: GrpcMetadata;
  /** Trailer metadata, once the call completed. */
  readonly responseTrailers: GrpcMetadata;
}

/**
 * The response messages of a server- or bidi-streaming call: iterate it with `for await`. It ends
 * when the server ends the call with OK and throws the call's status error otherwise; leaving the
 * loop early cancels the call. Unread messages hold back the server (HTTP/2 flow control).
 */
export interface GrpcResponseStream<T = unknown> extends AsyncIterable<T> {
  /** Response header metadata (empty if the call failed before any). */
  readonly headers: Promise<GrpcMetadata>;
  /** Trailer metadata (empty if the call failed without trailers). */
  readonly trailers: Promise<GrpcMetadata>;
  /** Cancels the call: RST_STREAM CANCEL; iteration then throws ERR_CANCELLED. */
  cancel(): void;
}

class ClientContext implements GrpcClientContext {
  readonly side = 'client';
  readonly transport = 'grpc';
  seqId = 0;
  readonly deadline: number | undefined;
  metadata: GrpcMetadata;
  /** @internal How the call ended; its metadata is parsed when read. */
  outcome: CallOutcome | undefined;
  private request: MetaInfo | undefined;
  private response: MetaInfo | undefined;

  constructor(
    readonly service: string,
    readonly method: string,
    readonly peer: string,
    readonly timeoutMs: number | undefined,
    metadata: GrpcMetadata | undefined,
  ) {
    this.deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    this.metadata = metadata ?? {};
  }

  get responseHeaders(): GrpcMetadata {
    return this.outcome?.headers ?? {};
  }

  get responseTrailers(): GrpcMetadata {
    return this.outcome?.trailers ?? {};
  }

  get metainfo(): MetaInfo {
    return (this.request ??= new MetaInfo());
  }

  get responseMetainfo(): MetaInfo {
    return (this.response ??= new MetaInfo());
  }

  get hasMetainfo(): boolean {
    return this.request !== undefined && this.request.strInfo.size > 0;
  }
}

/** Arguments middleware sees for a gRPC call: the request (a message, or an iterable of them). */
interface CallArgs {
  request: unknown;
  options: GrpcCallOptions;
}

function checkMs(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}

/**
 * A gRPC client of one Protobuf service over HTTP/2 (heddle's own client, or node:http2 with
 * `http2: 'node'`). `call(method, request)`:
 * - unary: resolves to the response message;
 * - client streaming: `request` is an iterable or async iterable of messages; resolves to the response;
 * - server streaming: returns a {@link GrpcResponseStream} of response messages;
 * - bidi: `request` is an iterable of messages; returns a {@link GrpcResponseStream}.
 * Failures are HeddleErrors with `grpcStatus` (ERR_REMOTE, ERR_TIMEOUT, ERR_CANCELLED, ...).
 */
export class GrpcClient {
  readonly service: ServiceBinding;
  readonly address: RpcAddress;
  readonly transport = 'grpc';
  private readonly authority: string;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly gzip: boolean;
  private readonly maxReceive: number;
  private readonly maxSend: number;
  private readonly maxConnections: number;
  private readonly keepalive: KeepaliveOptions;
  private readonly tls: ClientTls | undefined;
  private readonly defaultMetadata: GrpcMetadata | undefined;
  private readonly invoke: Invoke;
  private readonly connections: ClientConnection[] = [];
  private readonly engine: Http2Engine;
  private readonly paths = new Map<string, string>();
  private readonly descriptions = new Map<string, string>();
  /** What every call shares of the client's settings. */
  private callEnv: ClientCallEnv | undefined;
  private readonly peer: string;
  private closed = false;
  /** Retries and breakers around unary calls, when asked for. */
  private readonly governor: Governor | undefined;

  /** @internal Use `rpc.createClient({ transport: 'grpc', ... })`. */
  constructor(options: GrpcClientOptions) {
    this.service = bindService(options.idl, options.service, { codec: options.codec }, 'createClient');
    if (this.service.encoding !== 'protobuf') {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `createClient: transport 'grpc' carries Protobuf services; ${options.service} is a Thrift service`);
    }
    this.address = parseAddress(options.address);
    if (this.address.scheme === 'shm') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, "createClient: transport 'grpc' runs over tcp:// or unix:// addresses, not shm://");
    this.authority = this.address.scheme === 'tcp' ? `${this.address.host.includes(':') ? `[${this.address.host}]` : this.address.host}:${this.address.port}` : 'localhost';
    this.peer = this.address.scheme === 'tcp' ? `${this.address.host}:${this.address.port}` : this.address.path;
    this.timeoutMs = checkMs(options.timeoutMs ?? 3000, 'timeoutMs');
    this.connectTimeoutMs = checkMs(options.connectTimeoutMs ?? 1000, 'connectTimeoutMs');
    if (options.compression !== undefined && options.compression !== 'gzip' && options.compression !== 'identity') {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `compression must be 'identity' or 'gzip', got ${String(options.compression)}`);
    }
    this.gzip = options.compression === 'gzip';
    this.maxReceive = options.maxReceiveMessageLength ?? DEFAULT_MAX_RECEIVE_MESSAGE_LENGTH;
    this.maxSend = options.maxSendMessageLength ?? DEFAULT_MAX_SEND_MESSAGE_LENGTH;
    for (const [what, value] of [['maxReceiveMessageLength', this.maxReceive], ['maxSendMessageLength', this.maxSend]] as const) {
      if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what} must be an integer in [0, 2^31), got ${value}`);
    }
    this.maxConnections = options.maxConnections ?? 1;
    if (!Number.isInteger(this.maxConnections) || this.maxConnections < 1) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `maxConnections must be a positive integer, got ${this.maxConnections}`);
    checkKeepalive(options);
    this.keepalive = options;
    if (options.http2 !== undefined && options.http2 !== 'heddle' && options.http2 !== 'node') {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `http2 must be 'heddle' or 'node', got ${String(options.http2)}`);
    }
    this.engine = options.http2 ?? 'heddle';
    this.tls = clientTls(options.tls);
    if (options.metadata !== undefined) writeMetadata({}, options.metadata); // fail early on bad metadata
    this.defaultMetadata = options.metadata;
    const telemetry = { side: 'client', spanService: spanServiceName(options.idl, this.service), rpcService: this.service.name } as const;
    this.invoke = composeMiddleware(withTelemetry(options.middleware, options.telemetry, telemetry), (ctx, args) => this.start(ctx as ClientContext, args as unknown as CallArgs));
    if (isGoverned(options)) {
      this.governor = new Governor(options.retry, options.circuitBreaker, options.fromService ?? '', this.service.kitexName, this.timeoutMs, (method, request, callOptions, choice, watcher) => {
        if (!choice.allowed(this.peer)) return refused(new HeddleError(ErrorCode.ERR_CIRCUIT_OPEN, `the circuit breaker of ${this.peer} is open`), watcher);
        choice.chosen(this.peer);
        const attempt = this.attempt(method, request, callOptions as GrpcCallOptions) as Promise<unknown>;
        return watcher === undefined ? attempt : watched(attempt, watcher);
      });
    }
  }

  /**
   * A server- or bidi-streaming call, typed as what it returns: the response stream. `request` is
   * the request message (server streaming) or an iterable of them (bidi). A unary or
   * client-streaming method is ERR_INVALID_ARGUMENT (through the stream's iteration): use `call`.
   */
  stream<T = unknown>(method: string, request: unknown, options: GrpcCallOptions = {}): GrpcResponseStream<T> {
    const binding = this.service.methods.get(method);
    if (binding !== undefined && binding.streaming !== 'server' && binding.streaming !== 'bidi') {
      return failedStream(new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${method} is a ${binding.streaming} method: call it with call(), which resolves to its response`)) as GrpcResponseStream<T>;
    }
    const result = this.call(method, request, options) as unknown;
    // An unknown method or a closed client comes back as a rejected promise: make it a stream that fails.
    if (result instanceof Promise) return failedStreamFrom(result) as GrpcResponseStream<T>;
    return result as GrpcResponseStream<T>;
  }

  /** Calls `method`; see the class comment for what each streaming kind takes and returns. For
   * server and bidi streams `stream()` gives the same call its proper type. */
  call(method: string, request?: unknown, options?: GrpcCallOptions): Promise<unknown>;
  call(method: string, request: unknown = {}, options: GrpcCallOptions = NO_OPTIONS): Promise<unknown> | GrpcResponseStream {
    // Only unary calls can be sent again: a stream's messages are consumed as they go.
    if (this.governor !== undefined && !this.closed && this.service.methods.get(method)?.streaming === 'unary') {
      return this.governor.call(method, request as Record<string, unknown>, options as GovernedCallOptions);
    }
    return this.attempt(method, request, options);
  }

  /** One call, as `call` makes it without retries or breakers. */
  private attempt(method: string, request: unknown, options: GrpcCallOptions): Promise<unknown> | GrpcResponseStream {
    let binding: MethodBinding;
    let ctx: ClientContext;
    try {
      if (this.closed) throw new HeddleError(ErrorCode.ERR_CONNECTION, 'the client is closed');
      binding = this.service.method(method);
      const timeoutMs = options.timeoutMs === undefined ? this.timeoutMs : checkMs(options.timeoutMs, 'timeoutMs');
      const metadata = this.defaultMetadata === undefined ? options.metadata : { ...this.defaultMetadata, ...options.metadata };
      ctx = new ClientContext(this.service.name, binding.name, this.peer, timeoutMs > 0 ? timeoutMs : undefined, metadata);
      if (options.metainfo !== undefined) {
        for (const [key, value] of Object.entries(options.metainfo.transient ?? {})) ctx.metainfo.setTransient(key, value);
        for (const [key, value] of Object.entries(options.metainfo.persistent ?? {})) ctx.metainfo.setPersistent(key, value);
      }
      const parent = options.parent ?? currentServerCall();
      if (parent !== undefined && parent.side === 'server') {
        for (const [key, value] of parent.metainfo.persistent()) if (ctx.metainfo.getPersistent(key) === undefined) ctx.metainfo.setPersistent(key, value);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const streamingResponse = binding.streaming === 'server' || binding.streaming === 'bidi';
    const result = this.invoke(ctx, { request, options } as unknown as Record<string, unknown>);
    if (streamingResponse) return result as unknown as GrpcResponseStream;
    if (options.onContext === undefined) return result;
    const report = () => options.onContext!(ctx);
    return result.finally(report);
  }

  /**
   * Calls the unary `method` with its request message encoded already, and resolves to the
   * response message's bytes (their own copy). The bytes are sent as they are, not checked.
   * Everything else is as {@link call}: deadlines, metadata, metainfo, middleware (which sees a
   * {@link RawArgs} as the request); failures are the same status errors. A gateway gets the
   * request from `fromJSON` or `patch` and reads the response with `toJSON` or `peek`.
   */
  callRaw(method: string, requestBytes: Uint8Array, options: GrpcCallOptions = NO_OPTIONS): Promise<Uint8Array> {
    if (!(requestBytes instanceof Uint8Array)) return Promise.reject(new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'callRaw expects the encoded request message as a Uint8Array'));
    const binding = this.service.methods.get(method);
    if (binding !== undefined && binding.streaming !== 'unary') {
      return Promise.reject(new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${method} is a ${binding.streaming}-streaming method: callRaw takes unary methods`));
    }
    return this.call(method, new RawArgs(requestBytes), options) as Promise<Uint8Array>;
  }

  /** The final step under the middleware: opens the stream and runs the call. For streaming
   * responses the "promise" is the response stream itself (middleware passes it through). */
  private start(ctx: ClientContext, args: CallArgs): Promise<unknown> {
    const method = this.service.method(ctx.method);
    const { request, options } = args;
    const headers: OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': this.pathOf(method.name),
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-accept-encoding': ACCEPT_ENCODING,
      'user-agent': 'heddle-grpc/0.1',
    };
    if (this.gzip) headers['grpc-encoding'] = 'gzip';
    const timeoutMs = ctx.deadline === undefined ? undefined : ctx.deadline - Date.now();
    if (timeoutMs !== undefined) headers['grpc-timeout'] = encodeGrpcTimeout(timeoutMs);
    const streamingResponse = method.streaming === 'server' || method.streaming === 'bidi';
    const streamingRequest = method.streaming === 'client' || method.streaming === 'bidi';
    let call: ClientCall;
    let connection: ClientConnection;
    try {
      writeMetadata(headers, ctx.metadata);
      if (ctx.hasMetainfo) {
        for (const [key, value] of ctx.metainfo.transient()) headers[metainfoHeaderKey(HTTP_TRANSIENT_PREFIX, key)] = value;
        for (const [key, value] of ctx.metainfo.persistent()) headers[metainfoHeaderKey(HTTP_PERSISTENT_PREFIX, key)] = value;
      }
      connection = this.connection();
      const stream = connection.request(headers, streamingRequest);
      // Calls in flight keep the process alive; an idle connection does not.
      if (connection.active++ === 0) connection.ref();
      call = new ClientCall(
        (this.callEnv ??= { maxReceiveMessageLength: this.maxReceive, maxSendMessageLength: this.maxSend, gzip: this.gzip, peer: this.peer }),
        stream,
        method,
        this.describe(method.name),
        timeoutMs,
        options.signal,
        request instanceof RawArgs,
      );
      ctx.seqId = stream.id;
    } catch (error) {
      const failure = error instanceof HeddleError ? error : grpcStatusError(GrpcStatus.UNAVAILABLE, `cannot start ${method.name} on ${this.peer}: ${(error as Error).message}`, { local: true, cause: error });
      if (streamingResponse) return failedStream(failure) as unknown as Promise<unknown>;
      return Promise.reject(failure);
    }
    let resolveHeaders!: (m: GrpcMetadata) => void;
    let resolveTrailers!: (m: GrpcMetadata) => void;
    const headersPromise = streamingResponse ? new Promise<GrpcMetadata>((resolve) => (resolveHeaders = resolve)) : undefined;
    const trailersPromise = streamingResponse ? new Promise<GrpcMetadata>((resolve) => (resolveTrailers = resolve)) : undefined;
    call.onOutcome = (outcome: CallOutcome) => {
      if (--connection.active === 0) connection.unref();
      ctx.outcome = outcome;
      resolveHeaders?.(outcome.headers);
      resolveTrailers?.(outcome.trailers);
      if (connection.retiring && connection.active === 0) connection.close();
      if (streamingResponse) options.onContext?.(ctx);
    };
    if (streamingRequest) void call.sendAll(request as AsyncIterable<unknown>);
    else call.sendOne(request);
    if (!streamingResponse) return call.promise;
    const responses = call.responses as MessageQueue<unknown>;
    const stream: GrpcResponseStream = {
      headers: headersPromise!,
      trailers: trailersPromise!,
      cancel: () => call.cancel(grpcStatusError(GrpcStatus.CANCELLED, `${this.service.name}/${method.name}: cancelled by the caller`, { local: true }), true),
      [Symbol.asyncIterator]: () => responses[Symbol.asyncIterator](),
    };
    return stream as unknown as Promise<unknown>;
  }

  /** How errors name a call of `method`: `pkg.Service/Method to host:port`. */
  private describe(method: string): string {
    let text = this.descriptions.get(method);
    if (text === undefined) {
      text = `${this.service.name}/${method} to ${this.peer}`;
      this.descriptions.set(method, text);
    }
    return text;
  }

  private pathOf(method: string): string {
    let path = this.paths.get(method);
    if (path === undefined) {
      path = `/${this.service.name}/${method}`;
      this.paths.set(method, path);
    }
    return path;
  }

  /** The least busy open connection, or a new one while fewer than maxConnections are open. */
  private connection(): ClientConnection {
    let best: ClientConnection | undefined;
    for (const connection of this.connections) {
      if (!connection.usable) continue;
      if (best === undefined || connection.active < best.active) best = connection;
    }
    if (best !== undefined && (best.active === 0 || this.connections.length >= this.maxConnections)) return best;
    return this.open();
  }

  private open(): ClientConnection {
    const target = { address: this.address, authority: this.authority, peer: this.peer, connectTimeoutMs: this.connectTimeoutMs, keepalive: this.keepalive, tls: this.tls };
    const connection = openConnection(this.engine, target, (gone) => {
      const at = this.connections.indexOf(gone);
      if (at >= 0) this.connections.splice(at, 1);
    });
    this.connections.push(connection);
    return connection;
  }

  /** Closes every connection; calls in flight fail with ERR_CONNECTION (UNAVAILABLE). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.connections.splice(0).map((connection) => connection.destroy()));
  }
}

/** A response stream that fails with what `rejected` rejects with. */
function failedStreamFrom(rejected: Promise<unknown>): GrpcResponseStream {
  const failure = rejected.then(
    () => new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'not a streaming call'),
    (error: unknown) => error,
  );
  return {
    headers: Promise.resolve({}),
    trailers: Promise.resolve({}),
    cancel: () => {},
    [Symbol.asyncIterator]: () => ({ next: () => failure.then((error) => Promise.reject(error)) }),
  };
}

/** A response stream that fails at once (the call could not start). */
function failedStream(error: HeddleError): GrpcResponseStream {
  return {
    headers: Promise.resolve({}),
    trailers: Promise.resolve({}),
    cancel: () => {},
    [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
  };
}
