import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import type { Registry, RegistryInfo } from '../../src-ts/discovery/types.js';
import { HeddleError } from '../../src-ts/errors.js';
import { native } from '../../src-ts/native.js';
import * as shm from '../../src-ts/shm/index.js';
import { createClient, createWorkerServer, type RpcClient, type ServerLogEntry, type WorkerServer } from '../../src-ts/rpc/index.js';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { echoDoc } from './echo-fixture.js';
import { echoRoot } from './protobuf-echo-fixture.js';

// rpc.createWorkerServer: one port served by worker threads, each loading
// fixtures/worker-echo-server.cjs (the Kitex peer's EchoService; `who` answers with the serving
// thread, `crash` kills it). The workers run the built package (npm run build first).
const workerModule = join(__dirname, 'fixtures', 'worker-echo-server.cjs');
const sharings = native.loaded ? (['reuse-port', 'acceptor'] as const) : (['acceptor'] as const);
const run = promisify(execFile);

type EchoReply = { action: string; msg: string };

function clients(address: string, count: number): RpcClient[] {
  // One client each: a connection each, so that connections (and calls) spread over the workers.
  return Array.from({ length: count }, () => createClient({ idl: echoDoc, service: 'EchoService', address, transport: 'ttheader' }));
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createWorkerServer options', () => {
  it('refuses bad options with ERR_INVALID_ARGUMENT before starting a thread', () => {
    const bad = (options: object) => {
      try {
        createWorkerServer({ module: workerModule, ...options });
      } catch (error) {
        return (error as HeddleError).code;
      }
      return 'accepted';
    };
    expect(bad({ threads: 0 })).toBe('ERR_INVALID_ARGUMENT');
    expect(bad({ threads: 1.5 })).toBe('ERR_INVALID_ARGUMENT');
    expect(bad({ portSharing: 'fork' })).toBe('ERR_INVALID_ARGUMENT');
    expect(bad({ mergedDeployment: true })).toBe('ERR_INVALID_ARGUMENT');
    expect(bad({ serviceName: 'echo' })).toBe('ERR_INVALID_ARGUMENT'); // no registry
    expect(bad({ restart: { limit: -1 } })).toBe('ERR_INVALID_ARGUMENT');
    expect(bad({ module: '' })).toBe('ERR_INVALID_ARGUMENT');
    if (!native.loaded) expect(bad({ portSharing: 'reuse-port' })).toBe('ERR_NATIVE_UNAVAILABLE');
  });

  it('fails listen with ERR_WORKER, naming the cause, when the module throws in a worker', async () => {
    const server = createWorkerServer({ module: workerModule, threads: 2, workerData: { crashOnStart: true }, log: () => {} });
    const failure = (await server.listen('tcp://127.0.0.1:0').catch((e: unknown) => e)) as HeddleError;
    expect(failure).toBeInstanceOf(HeddleError);
    expect(failure.code).toBe('ERR_WORKER');
    expect(failure.message).toMatch(/refuses to start/);
    await server.close();
    expect(server.threadIds).toEqual([]);
  });
});

describe.each(sharings)('worker server listen errors, port shared by %s', (portSharing) => {
  it('rejects a port another socket holds with ERR_CONNECTION (EADDRINUSE), and still closes', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    const server = createWorkerServer({ module: workerModule, threads: 2, portSharing, log: () => {} });
    try {
      const failure = (await server.listen(`tcp://127.0.0.1:${port}`).catch((e: unknown) => e)) as HeddleError;
      expect(failure.code).toBe('ERR_CONNECTION');
      expect(failure.message).toMatch(new RegExp(`cannot listen on tcp://127.0.0.1:${port}: EADDRINUSE`));
      // The workers are up and the server usable on another port.
      await server.listen('tcp://127.0.0.1:0');
      const [client] = clients(server.address, 1);
      expect(await client!.call('ping')).toBe('pong');
      await client!.close();
    } finally {
      await server.close();
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);
});

describe.runIf(native.loaded)('worker server, a worker dying with its reuse-port descriptor', () => {
  it('fails listen with ERR_WORKER and leaves no socket on the port once closed', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const server = createWorkerServer({ module: workerModule, threads: 2, portSharing: 'reuse-port', workerData: { dieOnDescriptor: 1 }, restart: false, log: () => {} });
    const failed = new Promise<HeddleError>((resolve) => server.on('error', resolve));
    const failure = (await server.listen(`tcp://127.0.0.1:${port}`).catch((e: unknown) => e)) as HeddleError;
    expect(failure).toBeInstanceOf(HeddleError);
    expect(failure.code).toBe('ERR_WORKER');
    expect(failure.message).toMatch(/worker 1 .*exited with code 70/);
    expect((await failed).message).toMatch(/restart budget \(0 in 0 ms\) spent, closing the server/);
    await server.close();
    // A descriptor left open in the process would keep the port bound (and take a share of its
    // connections that nobody accepts): a plain listener could not bind it.
    const plain = net.createServer();
    await new Promise<void>((resolve, reject) => {
      plain.once('error', reject);
      plain.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => plain.close(resolve));
  }, 60_000);
});

describe.each(sharings)('worker server, port shared by %s', (portSharing) => {
  let server: WorkerServer;
  const logged: ServerLogEntry[] = [];
  beforeAll(async () => {
    server = createWorkerServer({ module: workerModule, threads: 2, portSharing, log: (entry) => logged.push(entry) });
    await server.listen('tcp://127.0.0.1:0');
  }, 60_000);
  afterAll(() => server.close());

  it('serves calls from more than one thread, with metainfo and middleware in each worker', async () => {
    expect(server.portSharing).toBe(portSharing);
    expect(server.ioPath).toBe(portSharing === 'reuse-port' ? 'native' : 'net');
    expect(server.threadIds).toHaveLength(2);
    const callers = clients(server.address, 16);
    try {
      const served = new Map<string, string>();
      await Promise.all(
        callers.map(async (client, i) => {
          let backward: Map<string, string> | undefined;
          const reply = (await client.call('echo', { req: { action: 'meta', msg: '' } }, {
            metainfo: { transient: { 'trace-tag': `t-${i}` }, persistent: { tenant: 'acme' } },
            onContext: (ctx) => (backward = ctx.responseMetainfo.backward()),
          })) as EchoReply;
          expect(JSON.parse(reply.msg)).toEqual({ transient: { 'trace-tag': `t-${i}` }, persistent: { tenant: 'acme' } });
          // The handler's backward value and the middleware's, from the same worker.
          expect(backward?.get('served-by')).toBe(reply.action);
          served.set(reply.action, backward!.get('worker-index')!);
        }),
      );
      expect([...served.keys()].sort()).toEqual(server.threadIds.map((id) => `thread-${id}`).sort());
      expect([...served.values()].sort()).toEqual(['0', '1']);
      expect(await callers[0]!.call('ping')).toBe('pong');
    } finally {
      await Promise.all(callers.map((c) => c.close()));
    }
  });

  it('serves unix:// and shm:// (shared memory, where available) from worker 0 beside the shared TCP port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heddle-workers-'));
    try {
      await server.listen(`unix://${join(dir, 'echo.sock')}`);
      expect(server.addresses[1]).toBe(`unix://${join(dir, 'echo.sock')}`);
      const [client] = clients(server.addresses[1]!, 1);
      const reply = (await client!.call('echo', { req: { action: 'who', msg: 'over unix' } })) as EchoReply;
      expect(reply).toEqual({ action: `thread-${server.threadIds[0]}`, msg: 'over unix' });
      await client!.close();
      if (!shm.available) return;
      // Worker 0 owns the shmipc control socket and maps each client's shared memory.
      await server.listen(`shm://${join(dir, 'control.sock')}`);
      expect(server.addresses[2]).toBe(`shm://${join(dir, 'control.sock')}`);
      const [overShm] = clients(server.addresses[2]!, 1);
      const big = '共享内存'.repeat(64 * 1024);
      expect(await overShm!.call('echo', { req: { action: 'who', msg: big } })).toEqual({ action: `thread-${server.threadIds[0]}`, msg: big });
      await overShm!.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('restarts a worker that dies, reports it, and serves on with both threads', async () => {
    const before = server.threadIds;
    const callers = clients(server.address, 16);
    try {
      // Find a connection served by worker 1 and kill that worker through it.
      const replies = (await Promise.all(callers.map((c) => c.call('echo', { req: { action: 'who', msg: '' } })))) as EchoReply[];
      const victim = replies.findIndex((r) => r.action === `thread-${before[1]}`);
      expect(victim).toBeGreaterThanOrEqual(0);
      await callers[victim]!.call('echo', { req: { action: 'crash', msg: 'test' } });
      await until(() => server.threadIds.length === 2 && server.threadIds[1] !== before[1], 'the restarted worker');
      const crash = logged.find((entry) => entry.code === 'ERR_WORKER');
      expect(crash?.level).toBe('error');
      expect(crash?.message).toMatch(new RegExp(`worker 1 \\(thread ${before[1]}\\) died: crash requested: test; restarting it`));
      expect(server.threadIds[0]).toBe(before[0]);
    } finally {
      await Promise.all(callers.map((c) => c.close()));
    }
    // The replacement takes its share of the port: new connections reach both threads again.
    const fresh = clients(server.address, 24);
    try {
      let seen = new Set<string>();
      for (let attempt = 0; attempt < 5 && seen.size < 2; attempt++) {
        const replies = (await Promise.all(fresh.map((c) => c.call('echo', { req: { action: 'who', msg: 'again' } })))) as EchoReply[];
        seen = new Set([...seen, ...replies.map((r) => r.action)]);
      }
      expect([...seen].sort()).toEqual(server.threadIds.map((id) => `thread-${id}`).sort());
    } finally {
      await Promise.all(fresh.map((c) => c.close()));
    }
  });
});

describe.each(sharings)('Protobuf worker server, port shared by %s', (portSharing) => {
  it('answers gRPC (HTTP/2) and Kitex Protobuf on the one port, from more than one thread', async () => {
    const logged: ServerLogEntry[] = [];
    const server = createWorkerServer({ module: join(__dirname, 'fixtures', 'worker-protobuf-server.cjs'), threads: 2, portSharing, log: (entry) => logged.push(entry) });
    await server.listen('tcp://127.0.0.1:0');
    const callers = (['grpc', 'ttheader'] as const).flatMap((transport) =>
      Array.from({ length: 12 }, () => ({ transport, client: createClient({ idl: echoRoot, service: 'echo.v1.Echo', address: server.address, transport }) })),
    );
    try {
      const replies = await Promise.all(
        callers.map(async ({ transport, client }, i) => ({ transport, reply: (await client.call('Echo', { action: 'echo', msg: `m${i}`, id: BigInt(i) << 40n, tags: ['甲', 'b'] })) as { action: string; msg: string; id: bigint; tags: string[] } })),
      );
      for (const [i, { reply }] of replies.entries()) expect(reply).toMatchObject({ msg: `m${i}`, id: BigInt(i) << 40n, tags: ['甲', 'b'] });
      const threads = server.threadIds.map((id) => `thread-${id}`).sort();
      for (const transport of ['grpc', 'ttheader']) {
        expect([...new Set(replies.filter((r) => r.transport === transport).map((r) => r.reply.action))].sort(), transport).toEqual(threads);
      }
      // Closed under open gRPC and TTHeader connections: each worker's server ends them (GOAWAY,
      // control frame) and no worker dies doing so.
      await server.close({ timeoutMs: 2000 });
      expect(logged.filter((entry) => entry.code === 'ERR_WORKER')).toEqual([]);
      expect(server.threadIds).toEqual([]);
    } finally {
      await Promise.all(callers.map(({ client }) => client.close()));
      await server.close();
    }
  }, 60_000);
});

describe.each(sharings)('worker server shutdown, port shared by %s', (portSharing) => {
  it('stops accepting, finishes every call in flight, deregisters once, then the threads end', async () => {
    const events: string[] = [];
    const registry: Registry = {
      register: async (info: RegistryInfo) => void events.push(`register ${info.address}`),
      deregister: async (info: RegistryInfo) => void events.push(`deregister ${info.address}`),
    };
    const server = createWorkerServer({ module: workerModule, threads: 2, portSharing, registry, serviceName: 'echo', exitWaitMs: 0, log: () => {} });
    await server.listen('tcp://127.0.0.1:0');
    const hostPort = server.address.slice('tcp://'.length);
    expect(events).toEqual([`register ${hostPort}`]);
    const callers = clients(server.address, 24);
    try {
      // Every connection open (and so accepted by a worker) before the calls that close overlaps.
      await Promise.all(callers.map((c) => c.call('ping')));
      const inFlight = callers.map((c, i) => c.call('echo', { req: { action: 'sleep', msg: '400' } }).then((r) => ({ i, r: r as EchoReply })));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closed = server.close({ timeoutMs: 10_000 });
      const results = await Promise.all(inFlight);
      expect(results.map((x) => x.r)).toEqual(callers.map(() => ({ action: 'sleep', msg: '400' })));
      await closed;
      expect(events).toEqual([`register ${hostPort}`, `deregister ${hostPort}`]);
      expect(server.threadIds).toEqual([]);
      const late = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, transport: 'ttheader', connectTimeoutMs: 2000 } as never);
      const refused = (await late.call('ping').catch((e: unknown) => e)) as HeddleError;
      expect(refused.code).toBe('ERR_CONNECTION');
      await late.close();
    } finally {
      await Promise.all(callers.map((c) => c.close()));
    }
  }, 60_000);

  it('serves connections that arrive during the exit wait, then refuses them', async () => {
    const server = createWorkerServer({ module: workerModule, threads: 2, portSharing, exitWaitMs: 800, log: () => {} });
    await server.listen('tcp://127.0.0.1:0');
    const closed = server.close({ timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    // A client that has not yet seen the server leave: answered, not reset.
    const newcomer = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, transport: 'ttheader' });
    try {
      expect(await newcomer.call('echo', { req: { action: 'echo', msg: 'late but welcome' } })).toEqual({ action: 'echo', msg: 'late but welcome' });
    } finally {
      await newcomer.close();
    }
    await closed;
    const late = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, transport: 'ttheader', connectTimeoutMs: 2000 });
    expect(((await late.call('ping').catch((e: unknown) => e)) as HeddleError).code).toBe('ERR_CONNECTION');
    await late.close();
  }, 60_000);

  it("fails with 'error' (ERR_WORKER) and closes when a worker dies past the restart budget", async () => {
    const server = createWorkerServer({ module: workerModule, threads: 2, portSharing, restart: false, log: () => {} });
    await server.listen('tcp://127.0.0.1:0');
    const failed = new Promise<HeddleError>((resolve) => server.once('error', resolve));
    const [client] = clients(server.address, 1);
    await client!.call('echo', { req: { action: 'crash', msg: 'fatal' } });
    const error = await failed;
    expect(error.code).toBe('ERR_WORKER');
    expect(error.message).toMatch(/crash requested: fatal; restart budget \(0 in 0 ms\) spent, closing the server/);
    expect(server.threadIds).toEqual([]);
    await client!.close();
  }, 60_000);
});

let kitex = '';
beforeAll(() => {
  if (hasPeers(['go'])) kitex = buildGoProgram('kitex-echo', { kitexIdl: 'echo.thrift' });
}, 600_000);

describeWithPeers(['go'], 'Kitex client -> worker server', () => {
  describe.each(sharings)('port shared by %s', (portSharing) => {
    let server: WorkerServer;
    beforeAll(async () => {
      server = createWorkerServer({ module: workerModule, threads: 2, portSharing, log: () => {} });
      await server.listen('tcp://127.0.0.1:0');
    }, 60_000);
    afterAll(() => server.close());

    it('passes every Kitex client scenario (echo, 1 MiB, exception, metainfo, timeout, ping)', async () => {
      const { stdout } = await run(kitex, ['client', '-addr', server.address.slice('tcp://'.length), '-transport', 'ttheader'], { timeout: 60_000 });
      const results = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { scenario: string; ok: boolean; msg?: string; error?: string; backward?: Record<string, string> })
          .map((r) => [r.scenario, r]),
      );
      expect(Object.keys(results).sort()).toEqual(['echo', 'echo-1MiB', 'meta', 'ping', 'throw', 'timeout']);
      for (const result of Object.values(results)) expect(result.ok, `${result.scenario}: ${result.error}`).toBe(true);
      const seen = JSON.parse(results.meta!.msg!) as { transient: Record<string, string>; persistent: Record<string, string> };
      expect(seen.transient['trace-tag']).toBe('t-42');
      expect(seen.persistent.tenant).toBe('acme');
      expect(results.meta!.backward!['served-by']).toMatch(/^thread-\d+$/);
      expect(['0', '1']).toContain(results.meta!.backward!['worker-index']);
    }, 90_000);

    it('spreads a Kitex client load over both threads without a failed call', async () => {
      const { stdout } = await run(kitex, ['load', '-addr', server.address.slice('tcp://'.length), '-callers', '16', '-seconds', '2', '-bytes', '300', '-action', 'who'], { timeout: 60_000 });
      const report = JSON.parse(stdout.trim().split('\n').pop()!) as { calls: number; errors: number; by_action: Record<string, number>; first_error?: string };
      expect(report.errors, report.first_error).toBe(0);
      // Enough calls to reach both threads; no rate: under qemu (arm64 CI) the acceptor relays
      // about 60 calls a second, on a quiet x64 machine thousands.
      expect(report.calls).toBeGreaterThanOrEqual(32);
      expect(Object.keys(report.by_action).sort()).toEqual(server.threadIds.map((id) => `thread-${id}`).sort());
      expect(Object.values(report.by_action).reduce((a, b) => a + b, 0)).toBe(report.calls);
    }, 90_000);
  });
});

it('the worker entry is built (npm run build) so worker threads can start', () => {
  expect(existsSync(join(__dirname, '..', '..', 'dist', 'rpc', 'worker-thread.js'))).toBe(true);
});
