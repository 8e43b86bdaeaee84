import { afterEach, describe, expect, it } from 'vitest';
import { discovery, ErrorCode, rpc, thrift, type HeddleError } from '../../src-ts/index.js';
import { echoDoc, echoHandlers } from './echo-fixture.js';
import { echoProtoHandlers, echoRoot } from './protobuf-echo-fixture.js';

// Service inline (merged deployment): a client whose destService is served by a merged server of
// this same process calls its handlers directly; what the caller sees must match a call over the
// wire, and closing the server sends calls back to the network.
const HOST = 'inline-test-host';
const SERVICE_PB = 'echo.v1.Echo';
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function mergedServer(registry: discovery.MemoryDiscovery, options: Partial<rpc.ServerOptions> = {}) {
  const server = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, registry, serviceName: 'echo', mergedDeployment: { hostIdentity: HOST }, exitWaitMs: 0, ...options });
  await server.listen('tcp://127.0.0.1:0');
  cleanup.push(() => server.close({ timeoutMs: 200, exitWaitMs: 0 }));
  return server;
}

function client(registry: discovery.MemoryDiscovery, options: Partial<rpc.DiscoveryClientOptions> = {}) {
  const c = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: registry, destService: 'echo', localFirst: { hostIdentity: HOST }, ...options });
  cleanup.push(() => c.close());
  return c;
}

describe('service inline', () => {
  it('calls the handler directly: transport inline, peer the registered address, values cloned both ways', async () => {
    const registry = discovery.memory();
    let seen: { req: { action: string; msg: string; extra?: number[] } } | undefined;
    const kept = { action: 'echo', msg: 'kept', extra: [1, 2] };
    const server = await mergedServer(registry, {
      handlers: {
        echo: async (args: { req: { action: string; msg: string } }) => {
          seen = args as typeof seen;
          (args.req as { msg: string }).msg = 'mutated by handler';
          return kept;
        },
      },
    });
    const c = client(registry);
    const request = { req: { action: 'echo', msg: 'hello' } };
    let ctx: rpc.RpcContext | undefined;
    const reply = (await c.call('echo', request, { onContext: (x) => (ctx = x) })) as typeof kept;
    expect(ctx!.transport).toBe('inline');
    expect(ctx!.peer).toBe(server.address.slice('tcp://'.length));
    expect(request.req.msg).toBe('hello');
    expect(seen!.req.msg).toBe('mutated by handler');
    expect(reply).toEqual({ action: 'echo', msg: 'kept', extra: [1, 2] });
    reply.extra!.push(3);
    expect(kept.extra).toEqual([1, 2]);
  });

  it('calls inline only the server published for the service; a second one of this process is reached through its socket', async () => {
    const registry = discovery.memory();
    const first = await mergedServer(registry);
    const second = await mergedServer(registry);
    await second.listen(`unix:///tmp/heddle-inline-second-${process.pid}.sock`);
    const c = client(registry);
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) await c.call('echo', { req: { action: 'echo', msg: '' } }, { onContext: (x) => seen.push(`${x.transport}@${x.peer}`) });
    // K = 1 (one caller, both callees here): all local; the inline instance is preferred.
    expect(new Set(seen)).toEqual(new Set([`inline@${first.address.slice(6)}`]));
    const noInline = client(registry, { localFirst: { hostIdentity: HOST, inline: false } });
    seen.length = 0;
    for (let i = 0; i < 8; i++) await noInline.call('echo', { req: { action: 'echo', msg: '' } }, { onContext: (x) => seen.push(`${x.transport}@${x.peer}`) });
    expect(seen.filter((s) => s === `ttheader@/tmp/heddle-inline-second-${process.pid}.sock`)).toHaveLength(4);
    expect(seen.filter((s) => s === `ttheader@${first.address.slice(6)}`)).toHaveLength(4);
  });

  it('shares the objects when clone is false', async () => {
    const registry = discovery.memory();
    const result = { action: 'echo', msg: 'shared' };
    let received: unknown;
    await mergedServer(registry, { handlers: { echo: async (args: unknown) => ((received = args), result) } });
    const c = client(registry, { localFirst: { hostIdentity: HOST, clone: false } });
    const request = { req: { action: 'echo', msg: 'x' } };
    expect(await c.call('echo', request)).toBe(result);
    expect(received).toBe(request);
  });

  it('calls inline only a server that maps values as the client does, and only when cloning keeps them intact', async () => {
    const registry = discovery.memory();
    const server = await mergedServer(registry);
    const transports = async (c: ReturnType<typeof client>): Promise<string[]> => {
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) await c.call('echo', { req: { action: 'echo', msg: 'v' } }, { onContext: (x) => seen.push(`${x.transport}@${x.peer}`) });
      return [...new Set(seen)];
    };
    const overTcp = [`ttheader@${server.address.slice(6)}`];
    expect(await transports(client(registry))).toEqual([`inline@${server.address.slice(6)}`]);
    // Another mapping (maps as objects): no codec would translate an inline call, so the socket.
    expect(await transports(client(registry, { codec: { map: 'object' } }))).toEqual(overTcp);
    // Buffers become plain Uint8Arrays in structuredClone: a server mapping binaries to Buffer is
    // called inline only by a client that shares its objects.
    const bufferRegistry = discovery.memory();
    const bufferServer = await mergedServer(bufferRegistry, { codec: { binary: 'Buffer' }, serviceName: 'echo-buffers' });
    const bufferClient = (clone: boolean) => client(bufferRegistry, { destService: 'echo-buffers', codec: { binary: 'Buffer' }, localFirst: { hostIdentity: HOST, clone } });
    expect(await transports(bufferClient(true))).toEqual([`ttheader@${bufferServer.address.slice(6)}`]);
    expect(await transports(bufferClient(false))).toEqual([`inline@${bufferServer.address.slice(6)}`]);
  });

  it('fails a result that cannot be cloned as a result the server could not encode: ERR_REMOTE', async () => {
    const registry = discovery.memory();
    await mergedServer(registry, { handlers: { echo: async () => ({ action: 'echo', msg: 'x', extra: [() => 1] }) } });
    const error = (await client(registry).call('echo', { req: { action: 'echo', msg: '' } }).catch((e: unknown) => e)) as HeddleError;
    expect(error.code).toBe(ErrorCode.ERR_REMOTE);
    expect(error.message).toMatch(/cannot be cloned/);
  });

  it('runs client then server middleware, carries metainfo both ways, and keeps FromService/ToMethod', async () => {
    const registry = discovery.memory();
    const order: string[] = [];
    const serverMiddleware: rpc.Middleware = (next) => async (ctx, args) => {
      order.push(`server:${ctx.side}:${ctx.transport}:${ctx.metainfo.getInt('FromService')}:${ctx.metainfo.getInt('ToMethod')}`);
      return next(ctx, args);
    };
    await mergedServer(registry, { middleware: [serverMiddleware] });
    const clientMiddleware: rpc.Middleware = (next) => async (ctx, args) => {
      order.push(`client:${ctx.side}`);
      ctx.metainfo.setTransient('from-middleware', 'yes');
      const value = await next(ctx, args);
      order.push('client:after');
      return value;
    };
    const c = client(registry, { middleware: [clientMiddleware], fromService: 'caller' });
    let ctx: rpc.RpcContext | undefined;
    const reply = (await c.call('echo', { req: { action: 'meta', msg: '' } }, { metainfo: { transient: { t: '1' }, persistent: { p: '2' } }, onContext: (x) => (ctx = x) })) as { msg: string };
    expect(JSON.parse(reply.msg)).toEqual({ transient: { t: '1', 'from-middleware': 'yes' }, persistent: { p: '2' } });
    expect(ctx!.responseMetainfo.backward().get('served-by')).toBe('heddle');
    expect(order).toEqual(['client:client', 'server:server:inline:caller:echo', 'client:after']);
  });

  it('rejects as over the wire: declared exception, handler crash as ERR_REMOTE, business status, timeout', async () => {
    const registry = discovery.memory();
    const logged: rpc.ServerLogEntry[] = [];
    await mergedServer(registry, {
      log: (entry) => logged.push(entry),
      handlers: {
        ...echoHandlers,
        ping: async () => {
          throw rpc.bizStatusError(42, 'biz says no', { k: 'v' });
        },
      },
    });
    const c = client(registry);
    const declared = (await c.call('echo', { req: { action: 'throw', msg: 'nope' } }).catch((e: unknown) => e)) as thrift.Exception;
    expect(declared).toBeInstanceOf(thrift.Exception);
    expect(declared.type).toBe('EchoError');
    expect(declared.value).toEqual({ code: 7, message: 'nope' });
    const crash = (await c.call('echo', { req: { action: 'crash', msg: 'boom' } }).catch((e: unknown) => e)) as HeddleError & { remote: { typeName: string } };
    expect(crash.code).toBe(ErrorCode.ERR_REMOTE);
    expect(crash.remote.typeName).toBe('INTERNAL_ERROR');
    expect(crash.message).toContain('handler crashed: boom');
    expect(logged.map((e) => e.code)).toEqual(['HANDLER_ERROR']);
    const biz = (await c.call('ping').catch((e: unknown) => e)) as rpc.BizStatusError;
    expect(rpc.isBizStatusError(biz)).toBe(true);
    expect(biz.bizStatus).toEqual({ code: 42, message: 'biz says no', extra: { k: 'v' } });
    const started = Date.now();
    const late = (await c.call('echo', { req: { action: 'sleep', msg: '1500' } }, { timeoutMs: 100 }).catch((e: unknown) => e)) as HeddleError;
    expect(late.code).toBe(ErrorCode.ERR_TIMEOUT);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('goes over the network once the server closes, without losing a call', async () => {
    const registry = discovery.memory();
    const merged = await mergedServer(registry, { exitWaitMs: 300 });
    // A second instance elsewhere (another host identity), reachable over TCP.
    const remote = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, registry, serviceName: 'echo', mergedDeployment: { hostIdentity: 'elsewhere' }, exitWaitMs: 0 });
    await remote.listen('tcp://127.0.0.1:0');
    cleanup.push(() => remote.close({ timeoutMs: 200 }));
    // A second caller elsewhere: m = 2, m' = 1 against n = 2, n' = 1 makes K = 1, every call local.
    await registry.registerCaller({ serviceName: 'front', id: 'other', tags: { [discovery.MergedTag.host]: 'elsewhere', [discovery.MergedTag.proc]: 'other' } });
    const c = client(registry, { refreshIntervalMs: 50, retry: { type: 'failure', maxRetries: 2 }, localFirst: { hostIdentity: HOST, serviceName: 'front' } });
    const transports: string[] = [];
    const call = () => c.call('echo', { req: { action: 'echo', msg: 'm' } }, { onContext: (x) => transports.push(`${x.transport}@${x.peer}`) });
    for (let i = 0; i < 20; i++) expect(await call()).toEqual({ action: 'echo', msg: 'm' });
    expect(new Set(transports)).toEqual(new Set([`inline@${merged.address.slice(6)}`]));
    transports.length = 0;
    const closing = merged.close({ timeoutMs: 200 });
    for (let i = 0; i < 20; i++) expect(await call()).toEqual({ action: 'echo', msg: 'm' });
    await closing;
    await new Promise((r) => setTimeout(r, 150));
    transports.length = 0;
    for (let i = 0; i < 10; i++) expect(await call()).toEqual({ action: 'echo', msg: 'm' });
    expect(new Set(transports)).toEqual(new Set([`ttheader@${remote.address.slice(6)}`]));
  });
});

describe('service inline, Protobuf', () => {
  it('echoes messages, rejects a business status as ERR_BIZ_STATUS and a handler failure as ERR_REMOTE', async () => {
    const registry = discovery.memory();
    const server = rpc.createServer({ idl: echoRoot, service: SERVICE_PB, handlers: echoProtoHandlers, registry, serviceName: 'echo-pb', mergedDeployment: { hostIdentity: HOST }, exitWaitMs: 0 });
    await server.listen('tcp://127.0.0.1:0');
    cleanup.push(() => server.close({ timeoutMs: 200 }));
    const c = rpc.createClient({ idl: echoRoot, service: SERVICE_PB, resolver: registry, destService: 'echo-pb', localFirst: { hostIdentity: HOST } });
    cleanup.push(() => c.close());
    let transport = '';
    const request = { action: 'echo', msg: 'hi', id: 7n, tags: ['a', 'b'] };
    expect(await c.call('Echo', request, { onContext: (ctx) => (transport = ctx.transport) })).toEqual(request);
    expect(transport).toBe('inline');
    const biz = (await c.call('Echo', { ...request, action: 'biz', msg: 'over quota' }).catch((e: unknown) => e)) as rpc.BizStatusError;
    expect(biz.bizStatus).toEqual({ code: 1001, message: 'over quota', extra: { reason: 'quota' } });
    const failed = (await c.call('Echo', { ...request, action: 'fail', msg: 'x' }).catch((e: unknown) => e)) as HeddleError;
    expect(failed.code).toBe(ErrorCode.ERR_REMOTE);
    expect(failed.message).toContain('handler failed: x');
  });
});

describe('merged registration', () => {
  it('registers host, process and same-host endpoints as extra tags of the TCP instance; the caller registers apart', async () => {
    const registry = discovery.memory();
    const dir = `/tmp/heddle-inline-${process.pid}`;
    const server = await mergedServer(registry);
    await server.listen(`unix://${dir}.sock`);
    const [instance] = await registry.resolve('echo');
    expect(instance!.address).toBe(server.address.slice(6));
    expect(instance!.tags).toEqual({
      [discovery.MergedTag.host]: HOST,
      [discovery.MergedTag.proc]: expect.stringMatching(new RegExp(`^${process.pid}-[0-9a-f]{12}$`)),
      [discovery.MergedTag.server]: server.inlineId,
      [discovery.MergedTag.uid]: String(process.getuid!()),
      [discovery.MergedTag.unix]: `${dir}.sock`,
      [discovery.MergedTag.unixId]: expect.stringMatching(/^\d+:\d+$/),
    });
    const c = client(registry, { localFirst: { hostIdentity: HOST, serviceName: 'frontend' } });
    await c.refresh();
    expect(await registry.resolveCallers('frontend')).toEqual([{ [discovery.MergedTag.host]: HOST, [discovery.MergedTag.proc]: instance!.tags![discovery.MergedTag.proc] }]);
    expect(await registry.resolve('frontend')).toEqual([]);
    // A second client of the same caller service shares the entry; the last to close withdraws it.
    const other = client(registry, { localFirst: { hostIdentity: HOST, serviceName: 'frontend' } });
    await other.refresh();
    await c.close();
    expect(await registry.resolveCallers('frontend')).toHaveLength(1);
    await other.close();
    expect(await registry.resolveCallers('frontend')).toEqual([]);
  });

  it('writes no caller entry while no instance of the callee is merged, and registers once one is', async () => {
    const registry = discovery.memory();
    const plain = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, registry, serviceName: 'echo', exitWaitMs: 0 });
    await plain.listen('tcp://127.0.0.1:0');
    cleanup.push(() => plain.close({ timeoutMs: 200, exitWaitMs: 0 }));
    const c = client(registry, { localFirst: { hostIdentity: HOST, serviceName: 'frontend' } });
    expect(await c.call('echo', { req: { action: 'echo', msg: 'x' } })).toEqual({ action: 'echo', msg: 'x' });
    expect(await registry.resolveCallers('frontend')).toEqual([]);
    await mergedServer(registry);
    await c.refresh();
    expect(await registry.resolveCallers('frontend')).toHaveLength(1);
  });

  it('refuses mergedDeployment without a registry', () => {
    expect(() => rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: {}, mergedDeployment: true })).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
  });
});
