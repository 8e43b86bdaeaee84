/**
 * The merged-deployment part of `heddle demo`: an in-process row (a client calling a server of its
 * own process inline, no connection, no encoding) and, when an etcd answers, a merged run in which
 * the client finds the demo server through the registry and picks the same-host path by itself.
 */
import * as discovery from '../discovery/index.js';
import { defaultHostIdentity } from '../discovery/host-identity.js';
import { createClient } from '../rpc/client.js';
import type { RpcContext } from '../rpc/context.js';
import { createServer } from '../rpc/server.js';
import type * as thrift from '../thrift/index.js';
import { thriftEcho } from './demo-idl.js';

/** Runs `call` at a concurrency for the row's time; see demo.ts. */
export type Drive = (call: () => Promise<unknown>, concurrency: number, ms: number) => Promise<{ rate: number; p50: number; p99: number }>;

/** One row of the demo's table. */
export type Row = (label: string, protocol: string, concurrency: number, result: { rate: number; p50: number; p99: number }) => void;

/** What one merged-deployment row needs of the demo around it. */
export interface MergedRowContext {
  doc: thrift.ThriftDocument;
  rowMs: number;
  drive: Drive;
  row: Row;
  /** Calls with action "fail": true when the error is the declared EchoError. */
  failsAsDeclared: (client: { call(method: string, request: Record<string, unknown>): Promise<unknown> }) => Promise<boolean>;
}

const DEMO_HOST = 'heddle-demo-process';

/** The in-process rows: a merged server in this thread, found through `discovery.memory()`. */
export async function inlineRows(context: MergedRowContext): Promise<boolean> {
  const registry = discovery.memory();
  const serviceName = `heddle-demo-inline-${process.pid}`;
  const server = createServer({ idl: context.doc, service: 'EchoService', handlers: { echo: thriftEcho }, registry, serviceName, mergedDeployment: { hostIdentity: DEMO_HOST }, exitWaitMs: 0 });
  await server.listen('tcp://127.0.0.1:0');
  let ok = true;
  try {
    const msg = 'x'.repeat(1024);
    for (const concurrency of [1, 64]) {
      const client = createClient({ idl: context.doc, service: 'EchoService', resolver: registry, destService: serviceName, localFirst: { hostIdentity: DEMO_HOST } });
      let transport = '';
      const reply = (await client.call('echo', { req: { action: 'echo', msg } }, { onContext: (ctx) => (transport = ctx.transport) })) as { msg: string };
      ok &&= reply.msg === msg && transport === 'inline' && (await context.failsAsDeclared(client));
      const result = await context.drive(() => client.call('echo', { req: { action: 'echo', msg } }), concurrency, context.rowMs);
      await client.close();
      context.row('in-process', 'Thrift', concurrency, result);
    }
  } finally {
    await server.close({ timeoutMs: 500 });
  }
  return ok;
}

/** Where the merged run's registry is, or why there is none. */
export type MergedSetup = { endpoint: string; serviceName: string } | { skipped: string };

/**
 * Looks for an etcd at `endpoint` (`--etcd`, else `HEDDLE_DEMO_ETCD`, else 127.0.0.1:2379) and for
 * what the merged run needs besides it: the optional etcd3 package and a host identity.
 */
export async function mergedSetup(endpoint: string | undefined): Promise<MergedSetup> {
  const at = endpoint ?? process.env.HEDDLE_DEMO_ETCD ?? '127.0.0.1:2379';
  try {
    defaultHostIdentity();
  } catch (error) {
    return { skipped: (error as Error).message };
  }
  try {
    await import('etcd3');
  } catch {
    return { skipped: 'the optional etcd3 package is not installed (npm install etcd3)' };
  }
  const healthy = await fetch(`http://${at}/health`, { signal: AbortSignal.timeout(1000) }).then(
    async (response) => response.ok && ((await response.json()) as { health?: string }).health === 'true',
    () => false,
  );
  if (!healthy) return { skipped: `no etcd answers at ${at} (start one, or pass --etcd host:port)` };
  return { endpoint: at, serviceName: `heddle-demo-merged-${process.pid}` };
}

/**
 * The merged run: the demo server (another thread, so another "process" to routing) registered
 * itself in etcd with its host identity and same-host endpoints; this client knows only the
 * service name, and local-first routing picks shared memory (or the Unix socket) on its own.
 */
export async function mergedRow(context: MergedRowContext, setup: { endpoint: string; serviceName: string }, print: (line: string) => void): Promise<boolean> {
  const registry = discovery.etcd({ endpoints: [setup.endpoint] });
  const client = createClient({ idl: context.doc, service: 'EchoService', resolver: registry, destService: setup.serviceName });
  try {
    const msg = 'x'.repeat(1024);
    let picked: RpcContext | undefined;
    const reply = (await client.call('echo', { req: { action: 'echo', msg } }, { onContext: (ctx) => (picked = ctx) })) as { msg: string };
    const routing = client.localRouting;
    const path = picked === undefined ? 'nothing' : describePath(picked);
    print(`  merged run: ${setup.serviceName} found in etcd at ${setup.endpoint} (${client.instances.length} instance, host ${routing?.host ?? '?'}, local share ${routing?.localShare ?? 0}); the client picked ${path}`);
    const ok = reply.msg === msg && (await context.failsAsDeclared(client)) && path !== 'TCP';
    for (const concurrency of [1, 64]) context.row('merged', 'Thrift', concurrency, await context.drive(() => client.call('echo', { req: { action: 'echo', msg } }), concurrency, context.rowMs));
    return ok;
  } finally {
    await client.close();
    await registry.close();
  }
}

/** How a call went, from its context: the peer of a same-host call is the socket path. */
function describePath(ctx: RpcContext): string {
  if (ctx.transport === 'inline') return 'an inline call';
  if (ctx.peer.endsWith('-shm.sock')) return `shared memory (${ctx.peer})`;
  if (ctx.peer.startsWith('/')) return `the Unix socket (${ctx.peer})`;
  return 'TCP';
}
