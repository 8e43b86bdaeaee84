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
  readonly transport: TransportName;
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

/** A fresh context. */
export function createContext(init: Omit<RpcContext, 'metainfo' | 'responseMetainfo'> & { metainfo?: MetaInfo; responseMetainfo?: MetaInfo }): RpcContext {
  return {
    ...init,
    metainfo: init.metainfo ?? new MetaInfo(),
    responseMetainfo: init.responseMetainfo ?? new MetaInfo(),
  };
}
