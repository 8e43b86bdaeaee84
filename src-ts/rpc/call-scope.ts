import { AsyncLocalStorage } from 'node:async_hooks';
import type { RpcContext } from './context.js';

/**
 * The call a server handler is serving, visible to the client calls the handler makes, so they
 * carry the call's persistent metainfo on down the chain and know whether it is a retry (Kitex
 * passes both in Go's context). On Node 20 the first AsyncLocalStorage turns on promise hooks
 * for the whole process, a measurable cost on every call (bench/rpc), so the scope stays off
 * until something needs it: a client with a retry policy, or {@link enableCallScope}. Without
 * it, a handler passes its context as the `parent` call option instead.
 */
let scope: AsyncLocalStorage<RpcContext> | undefined;

/** Makes servers expose the call being served to client calls made while serving it. */
export function enableCallScope(): void {
  scope ??= new AsyncLocalStorage<RpcContext>();
}

/** Runs a server's invoke inside the scope of `ctx`, when the scope is on. */
export function invokeInScope<A, R>(ctx: RpcContext, invoke: (ctx: RpcContext, args: A) => R, args: A): R {
  return scope === undefined ? invoke(ctx, args) : scope.run(ctx, invoke, ctx, args);
}

/** The server call being served where this runs, if the scope is on and there is one. */
export function currentServerCall(): RpcContext | undefined {
  return scope?.getStore();
}
