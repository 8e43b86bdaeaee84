import type { ServiceBinding } from './binding.js';
import type { CallContext } from './context.js';

/** What a same-process client needs of a server to call it inline (merged deployment). */
export interface InlineTarget {
  readonly service: ServiceBinding;
  /** The server's `heddle.server` tag: which registered instance of this process it is. */
  readonly inlineId: string;
  /** Whether the server has a handler for `method` (without one it answers UNKNOWN_METHOD). */
  handles(method: string): boolean;
  /** Runs the server's middleware and handler for a call made in this process, counted as in
   * flight for graceful shutdown; rejects with what the handler threw. */
  serveInline(ctx: CallContext<'inline'>, args: Record<string, unknown>): Promise<unknown>;
}

/** Servers of this process taking part in merged deployment, by registered service name. */
const servers = new Map<string, InlineTarget>();

/** A merged server listens: clients in this process may call it inline. The first one wins. */
export function publishInline(serviceName: string, target: InlineTarget): void {
  if (!servers.has(serviceName)) servers.set(serviceName, target);
}

/** The server is closing: from now on its callers go through the registry as everyone else's. */
export function withdrawInline(serviceName: string, target: InlineTarget): void {
  if (servers.get(serviceName) === target) servers.delete(serviceName);
}

/** This process's merged server registered as `serviceName`, if one is serving. */
export function inlineServer(serviceName: string): InlineTarget | undefined {
  return servers.get(serviceName);
}
