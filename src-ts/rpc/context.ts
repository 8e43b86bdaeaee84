import { MetaInfo } from '../transport/index.js';
import type { TransportName } from './wire.js';

/** What a call carries besides its arguments, on both sides of the wire. */
export interface RpcContext {
  /** `client` for a call being made, `server` for one being served. */
  readonly side: 'client' | 'server';
  /** The IDL service name. */
  readonly service: string;
  readonly method: string;
  /** The Thrift sequence id pairing the reply with the call. */
  seqId: number;
  /** The other end: `host:port` or the Unix socket path. */
  readonly peer: string;
  /** The Kitex transport of the call, `grpc` for gRPC over HTTP/2, or `inline` for a call to a
   * server of the same process made without a connection (merged deployment). */
  readonly transport: TransportName | 'grpc' | 'inline';
  /**
   * The request's TTHeader metainfo: on a client, what will be sent (set transient/persistent
   * values here in middleware); on a server, what the caller sent.
   */
  readonly metainfo: MetaInfo;
  /**
   * The reply's TTHeader metainfo: on a server, set backward values here (`setBackward`); on a
   * client, what the server sent back, once the call completed.
   */
  readonly responseMetainfo: MetaInfo;
  /** Milliseconds since the epoch by which the call must finish, when it has a timeout. */
  readonly deadline?: number;
  /** On a client, the attempts the call took, retries and backup requests included (1 without
   * any); the context passed to `onContext` is the deciding attempt's, `peer` its instance. */
  readonly attempts?: number;
}

/** A call as middleware sees it: context and arguments in, result out. */
export type Invoke = (ctx: RpcContext, args: Record<string, unknown>) => Promise<unknown>;

/** Middleware wraps the next step: `(next) => async (ctx, args) => { ...; return next(ctx, args); }`. */
export type Middleware = (next: Invoke) => Invoke;

/** Chains middleware around `last`; the first middleware in the list runs first. */
export function composeMiddleware(middleware: readonly Middleware[], last: Invoke): Invoke {
  let invoke = last;
  for (let i = middleware.length - 1; i >= 0; i--) invoke = middleware[i]!(invoke);
  return invoke;
}

/**
 * The context of one call. Most calls never touch their metainfo, so the two MetaInfo objects
 * (and their maps) are only made when first read; `hasMetainfo` tells the hot path whether a
 * request header needs anything beyond the fixed keys.
 */
export class CallContext<T extends TransportName | 'inline' = TransportName> implements RpcContext {
  seqId: number;
  attempts = 1;
  /** When the call started (ms since the epoch); the deadline counts from here. */
  readonly startedAt: number;
  private request: MetaInfo | undefined;
  private response: MetaInfo | undefined;

  constructor(
    readonly side: 'client' | 'server',
    readonly service: string,
    readonly method: string,
    readonly peer: string,
    readonly transport: T,
    /** The call's time budget in ms, when it has one. */
    readonly timeoutMs: number | undefined,
    metainfo?: MetaInfo,
  ) {
    this.seqId = 0;
    this.startedAt = Date.now();
    this.deadline = timeoutMs !== undefined && timeoutMs > 0 ? this.startedAt + timeoutMs : undefined;
    this.request = metainfo;
  }

  readonly deadline: number | undefined;

  get metainfo(): MetaInfo {
    return (this.request ??= new MetaInfo());
  }

  get responseMetainfo(): MetaInfo {
    return (this.response ??= new MetaInfo());
  }

  /** True when request metainfo exists and has entries. */
  get hasMetainfo(): boolean {
    return this.request !== undefined && (this.request.strInfo.size > 0 || this.request.intInfo.size > 0);
  }

  /**
   * Takes a reply header's info (a client receiving its reply): the header's own maps become the
   * response metainfo when nothing set it yet, as the server does with a request header; entries
   * are merged into what middleware already set otherwise.
   */
  takeResponseInfo(intInfo: Map<number, string>, strInfo: Map<string, string>): void {
    if (this.response === undefined) {
      this.response = new MetaInfo(intInfo, strInfo);
      return;
    }
    for (const [key, value] of strInfo) this.response.strInfo.set(key, value);
    for (const [key, value] of intInfo) this.response.intInfo.set(key, value);
  }

  /** True when reply metainfo was set. */
  get hasResponseMetainfo(): boolean {
    return this.response !== undefined && (this.response.strInfo.size > 0 || this.response.intInfo.size > 0);
  }
}
