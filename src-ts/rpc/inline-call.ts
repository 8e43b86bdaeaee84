import { ErrorCode, HeddleError } from '../errors.js';
import { ApplicationExceptionType, remoteError } from '../thrift/application-exception.js';
import { IntKey, MetaInfo } from '../transport/index.js';
import { spanServiceName, withTelemetry } from '../telemetry/index.js';
import { bindService, type ServiceBinding } from './binding.js';
import { bizStatusError, isBizStatusError } from './biz-status.js';
import { checkMs, runClientCall, type CallOptions, type ClientOptions } from './client.js';
import { CallContext, composeMiddleware, type Invoke } from './context.js';
import { watched, type AttemptWatcher } from './governed-call.js';
import { inlineServer, type InlineTarget } from './inline-services.js';
import { RawArgs } from './raw-args.js';

/**
 * A client of a server in this same process (merged deployment's "service inline"): a call runs
 * the client middleware, then the server's middleware and handler, with no connection and no
 * encoding. What a caller sees matches a call over the wire: metainfo reaches the handler
 * (transient and persistent keys as on the wire, FromService/ToService/ToMethod), backward
 * metainfo comes back, the deadline rejects with ERR_TIMEOUT while the handler runs on, declared
 * exceptions reject as `thrift.Exception`, business status errors as ERR_BIZ_STATUS, other
 * handler failures as ERR_REMOTE (INTERNAL_ERROR). Arguments and results are isolated with
 * `structuredClone` unless `clone` is false, so neither side sees the other's later mutations.
 */
export class InlineClient {
  readonly service: ServiceBinding;
  private readonly invoke: Invoke;
  private readonly timeoutMs: number;
  private readonly fromService: string;
  private seq = 0;
  private closed = false;

  /** @internal `serviceName` is the registered name the server is published under; `peer` the
   * instance address it registered. */
  constructor(
    options: ClientOptions,
    private readonly serviceName: string,
    private readonly peer: string,
    private readonly clone: boolean,
  ) {
    this.service = bindService(options.idl, options.service, { protocol: options.protocol, codec: options.codec }, 'createClient');
    this.timeoutMs = checkMs(options.timeoutMs ?? 3000, 'timeoutMs');
    this.fromService = options.fromService ?? '';
    const telemetry = { side: 'client', spanService: spanServiceName(options.idl, this.service), rpcService: this.service.name } as const;
    this.invoke = composeMiddleware(withTelemetry(options.middleware, options.telemetry, telemetry), (ctx, args) => this.send(ctx as CallContext<'inline'>, args));
  }

  /** The server this client calls, while it serves the same IDL service in this process. */
  target(): InlineTarget | undefined {
    const server = inlineServer(this.serviceName);
    return server !== undefined && server.service.name === this.service.name ? server : undefined;
  }

  /** One call; see the class comment for how it maps to a call over the wire. */
  attempt(method: string, request: Record<string, unknown>, options: CallOptions, watcher?: AttemptWatcher): Promise<unknown> {
    // Inline calls settle in their own code paths (and middleware may answer): the watcher waits
    // on the promise.
    return watcher === undefined ? this.attemptInline(method, request, options) : watched(this.attemptInline(method, request, options), watcher);
  }

  private attemptInline(method: string, request: Record<string, unknown>, options: CallOptions): Promise<unknown> {
    if (this.closed) return Promise.reject(new HeddleError(ErrorCode.ERR_CONNECTION, 'the client is closed'));
    let name: string;
    let timeoutMs: number;
    try {
      name = this.service.method(method).name;
      timeoutMs = options.timeoutMs === undefined ? this.timeoutMs : checkMs(options.timeoutMs, 'timeoutMs');
    } catch (error) {
      return Promise.reject(error);
    }
    const ctx = new CallContext('client', this.service.name, name, this.peer, 'inline', timeoutMs > 0 ? timeoutMs : undefined);
    return runClientCall(this.invoke, ctx, request, options);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private send(ctx: CallContext<'inline'>, request: Record<string, unknown>): Promise<unknown> {
    const server = this.target();
    // Closing (or gone): the caller's breaker and retry treat it as a lost connection.
    if (server === undefined) return Promise.reject(new HeddleError(ErrorCode.ERR_CONNECTION, `${this.serviceName} no longer serves in this process`));
    const method = this.service.method(ctx.method);
    if (!server.handles(ctx.method)) return Promise.reject(remoteError({ type: ApplicationExceptionType.UNKNOWN_METHOD, message: `unknown method ${ctx.method}` }, ctx.method));
    this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1;
    ctx.seqId = this.seq;
    const served = new CallContext('server', server.service.name, ctx.method, 'inline', 'inline', ctx.timeoutMs, this.requestInfo(ctx));
    served.seqId = ctx.seqId;
    let args: Record<string, unknown>;
    const raw = request instanceof RawArgs;
    try {
      args = raw ? (method.request.decode(request.raw) as Record<string, unknown>) : this.clone ? structuredClone(request) : request;
    } catch (error) {
      // Raw arguments that do not decode are answered as a server answers them over the wire.
      if (raw) return Promise.reject(remoteError({ type: ApplicationExceptionType.PROTOCOL_ERROR, message: (error as Error).message }, ctx.method));
      return Promise.reject(new HeddleError(ErrorCode.ERR_BAD_VALUE, `${ctx.method}: the arguments cannot be cloned for an inline call: ${(error as Error).message}`, { cause: error }));
    }
    const serving = turnIsLong() ? new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.serveAfterTurn(served, args)) : server.serveInline(served, args);
    const reply = serving.then(
      (value) => {
        takeResponse(ctx, served);
        if (raw) return this.encodeResult(method.success(value), ctx.method);
        return method.unwrap(this.cloneResult(method.success(value), ctx.method));
      },
      (error: unknown) => {
        takeResponse(ctx, served);
        const declared = method.failure(error);
        if (declared !== undefined) return raw ? this.encodeResult(declared, ctx.method) : method.unwrap(this.cloneResult(declared, ctx.method));
        if (isBizStatusError(error)) throw bizStatusError(error.bizStatus.code, error.bizStatus.message, error.bizStatus.extra);
        throw remoteError({ type: ApplicationExceptionType.INTERNAL_ERROR, message: error instanceof Error ? error.message : String(error) }, ctx.method);
      },
    );
    if (method.oneway) {
      reply.catch(() => undefined);
      return Promise.resolve(undefined);
    }
    return ctx.deadline === undefined ? reply : withDeadline(reply, ctx, this.peer);
  }

  /** A callRaw call's reply body: the response encoded as the server would send it. */
  private encodeResult(response: unknown, methodName: string): Uint8Array {
    try {
      return this.service.method(methodName).response.encode(response).slice();
    } catch (error) {
      throw remoteError({ type: ApplicationExceptionType.INTERNAL_ERROR, message: `the result cannot be encoded: ${(error as Error).message}` }, methodName);
    }
  }

  /** A call that waited for the event loop to turn: the server may have begun closing meanwhile,
   * and then the call is lost as one on a closing connection would be. */
  private serveAfterTurn(served: CallContext<'inline'>, args: Record<string, unknown>): Promise<unknown> {
    const server = this.target();
    if (server === undefined) return Promise.reject(new HeddleError(ErrorCode.ERR_CONNECTION, `${this.serviceName} stopped serving in this process`));
    return server.serveInline(served, args);
  }

  /** The handler's result as the caller gets it; one that cannot be cloned fails as a result the
   * server could not encode does over the wire (ERR_REMOTE, INTERNAL_ERROR). */
  private cloneResult(value: unknown, methodName: string): unknown {
    if (!this.clone) return value;
    try {
      return structuredClone(value);
    } catch (error) {
      throw remoteError({ type: ApplicationExceptionType.INTERNAL_ERROR, message: `the result cannot be cloned for an inline call: ${(error as Error).message}` }, methodName);
    }
  }

  /** What the server's context reads: the wire's keys, in maps of its own. */
  private requestInfo(ctx: CallContext<'inline'>): MetaInfo {
    const intInfo = new Map(ctx.hasMetainfo ? ctx.metainfo.intInfo : undefined);
    if (this.fromService !== '') intInfo.set(IntKey.FromService, this.fromService);
    intInfo.set(IntKey.ToService, this.service.kitexName);
    intInfo.set(IntKey.ToMethod, ctx.method);
    if (ctx.timeoutMs !== undefined) intInfo.set(IntKey.RPCTimeout, String(ctx.timeoutMs));
    return new MetaInfo(intInfo, new Map(ctx.hasMetainfo ? ctx.metainfo.strInfo : undefined));
  }
}

/** Inline calls made since the event loop last turned. */
let callsThisTurn = 0;
let turnWatched = false;

/**
 * True when this call should wait for the next event-loop turn: a loop awaiting nothing but
 * inline calls (each settling in microtasks) would otherwise starve timers and I/O, which a call
 * over the wire never does. After {@link CALLS_PER_TURN} calls in one turn, calls take a turn.
 */
function turnIsLong(): boolean {
  if (!turnWatched) {
    turnWatched = true;
    setImmediate(() => {
      callsThisTurn = 0;
      turnWatched = false;
    });
  }
  return ++callsThisTurn > CALLS_PER_TURN;
}

const CALLS_PER_TURN = 256;

/** The server's backward metainfo becomes the caller's response metainfo, as a reply header would. */
function takeResponse(ctx: CallContext<'inline'>, served: CallContext<'inline'>): void {
  if (served.hasResponseMetainfo) ctx.takeResponseInfo(new Map(served.responseMetainfo.intInfo), new Map(served.responseMetainfo.strInfo));
}

/** Rejects with ERR_TIMEOUT at the call's deadline; the handler runs on, as a remote one would. */
function withDeadline(reply: Promise<unknown>, ctx: CallContext<'inline'>, peer: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const budget = ctx.deadline! - Date.now();
    const timer = setTimeout(() => reject(new HeddleError(ErrorCode.ERR_TIMEOUT, `call ${ctx.service}.${ctx.method} to ${peer} (inline) timed out after ${ctx.timeoutMs} ms`)), Math.max(0, budget));
    reply.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
