import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { discovery, rpc, shm } from '../../src-ts/index.js';
import { echoDoc } from './echo-fixture.js';

// How a same-host instance is reached (inline calls off, so this process's server plays an
// instance of another process on this host): shared memory when registered and available, its
// Unix socket otherwise, TCP when the endpoint's owner is not allowed or local-first is off.
const HOST = 'routing-test-host';
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function server(registry: discovery.MemoryDiscovery, listen: string[]) {
  const s = rpc.createServer({
    idl: echoDoc,
    service: 'EchoService',
    handlers: { echo: async ({ req }: { req: { action: string } }, ctx: rpc.RpcContext) => ({ action: req.action, msg: ctx.peer }) },
    registry,
    serviceName: 'echo',
    mergedDeployment: { hostIdentity: HOST },
    exitWaitMs: 0,
  });
  for (const address of listen) await s.listen(address);
  cleanup.push(() => s.close({ timeoutMs: 200 }));
  return s;
}

async function arrival(registry: discovery.MemoryDiscovery, localFirst: rpc.DiscoveryClientOptions['localFirst']): Promise<string> {
  const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: registry, destService: 'echo', localFirst });
  cleanup.push(() => client.close());
  const reply = (await client.call('echo', { req: { action: 'echo', msg: '' } })) as { msg: string };
  return reply.msg.startsWith('shm stream') ? 'shm' : reply.msg === 'unix socket peer' ? 'unix' : reply.msg.startsWith('127.0.0.1:') ? 'tcp' : reply.msg;
}

const base = join(tmpdir(), `heddle-routing-${process.pid}`);

describe('same-host endpoints', () => {
  it('creates the Unix socket 0600 and reaches the instance through it; TCP when local-first is off', async () => {
    const registry = discovery.memory();
    await server(registry, ['tcp://127.0.0.1:0', `unix://${base}-a.sock`]);
    expect(statSync(`${base}-a.sock`).mode & 0o777).toBe(0o600);
    expect(await arrival(registry, { hostIdentity: HOST, inline: false })).toBe('unix');
    expect(await arrival(registry, false)).toBe('tcp');
    expect(await arrival(registry, { hostIdentity: 'another-host', inline: false })).toBe('tcp');
  });

  it('never follows an endpoint owned by a uid outside allowedUids: the call goes over TCP', async () => {
    const registry = discovery.memory();
    await server(registry, ['tcp://127.0.0.1:0', `unix://${base}-b.sock`]);
    const stranger = process.getuid!() + 4242;
    expect(await arrival(registry, { hostIdentity: HOST, inline: false, allowedUids: [stranger] })).toBe('tcp');
    expect(await arrival(registry, { hostIdentity: HOST, inline: false, allowedUids: [stranger, process.getuid!()] })).toBe('unix');
  });

  it('follows a socket path only while it names the file the instance registered (dev:ino), never a namesake', async () => {
    const registry = discovery.memory();
    const path = `${base}-d.sock`;
    await server(registry, ['tcp://127.0.0.1:0', `unix://${path}`]);
    const [instance] = await registry.resolve('echo');
    const stat = statSync(path, { bigint: true });
    expect(instance!.tags).toMatchObject({ 'heddle.unix': path, 'heddle.unix.id': `${stat.dev}:${stat.ino}` });
    expect(await arrival(registry, { hostIdentity: HOST, inline: false })).toBe('unix');
    // Another mount namespace of this host has its own socket at the same path: a stranger there.
    unlinkSync(path);
    const stranger = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => stranger.listen(path, resolve));
    cleanup.push(() => new Promise((resolve) => stranger.close(resolve)));
    expect(await arrival(registry, { hostIdentity: HOST, inline: false })).toBe('tcp');
  });

  it.skipIf(!shm.available)('prefers shared memory when the instance registered a control socket', async () => {
    const registry = discovery.memory();
    await server(registry, ['tcp://127.0.0.1:0', `unix://${base}-c.sock`, `shm://${base}-c-shm.sock`]);
    expect(statSync(`${base}-c-shm.sock`).mode & 0o777).toBe(0o600);
    expect(await arrival(registry, { hostIdentity: HOST, inline: false })).toBe('shm');
    expect(await arrival(registry, { hostIdentity: HOST, inline: false, sharedMemory: false })).toBe('unix');
  });
});

describe('failing local instances', () => {
  it('are dropped from local routing by their breaker, and their share goes remote without a lost call', async () => {
    const registry = discovery.memory();
    // A remote instance that answers, and a local one whose port nothing listens on.
    const remote = rpc.createServer({
      idl: echoDoc,
      service: 'EchoService',
      handlers: { echo: async ({ req }: { req: { action: string } }) => ({ action: req.action, msg: 'remote' }) },
      registry,
      serviceName: 'echo',
      mergedDeployment: { hostIdentity: 'elsewhere' },
      exitWaitMs: 0,
    });
    await remote.listen('tcp://127.0.0.1:0');
    cleanup.push(() => remote.close({ timeoutMs: 200 }));
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    await registry.register({ serviceName: 'echo', address: `127.0.0.1:${deadPort}`, weight: 10, tags: { [discovery.MergedTag.host]: HOST, [discovery.MergedTag.proc]: 'gone-1' } });
    // One caller here, one callee here of two: K = 2, half the calls try the local instance.
    const client = rpc.createClient({
      idl: echoDoc,
      service: 'EchoService',
      resolver: registry,
      destService: 'echo',
      localFirst: { hostIdentity: HOST },
      retry: { type: 'failure', maxRetries: 2, retryOnCodes: ['ERR_CONNECTION'], budget: false },
      circuitBreaker: { service: false, instance: { minSamples: 4, errorRate: 0.5, coolingMs: 60_000 } },
    });
    cleanup.push(() => client.close());
    const attempts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const reply = (await client.call('echo', { req: { action: 'echo', msg: '' } }, { onContext: (ctx) => attempts.push(ctx.attempts ?? 1) })) as { msg: string };
      expect(reply.msg).toBe('remote');
    }
    expect(client.localRouting!.localShare).toBe(0.5);
    // The breaker opened after a few failed attempts; from then on no call tries the dead instance.
    expect(attempts.slice(20).every((n) => n === 1)).toBe(true);
    expect(attempts.filter((n) => n > 1).length).toBeGreaterThan(0);
  });
});

describe('consistent hashing with a local/remote split', () => {
  it('keeps every hash key on one instance while the keys overall follow the share', async () => {
    const registry = discovery.memory();
    for (const [name, hostIdentity] of [['local', HOST], ['remote', 'elsewhere']] as const) {
      const s = rpc.createServer({
        idl: echoDoc,
        service: 'EchoService',
        handlers: { echo: async ({ req }: { req: { action: string } }) => ({ action: req.action, msg: name }) },
        registry,
        serviceName: 'echo',
        mergedDeployment: { hostIdentity },
        exitWaitMs: 0,
      });
      await s.listen('tcp://127.0.0.1:0');
      cleanup.push(() => s.close({ timeoutMs: 200 }));
    }
    // One callee here of two, one caller: K = 2, so half the keys go local. An odd number of keys a
    // round, so a split by call order (not by key) would move keys between rounds.
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: registry, destService: 'echo', loadBalancer: 'consistent-hash', localFirst: { hostIdentity: HOST, inline: false } });
    cleanup.push(() => client.close());
    const landing = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 61; k++) {
        const key = `buyer-${k}`;
        const reply = (await client.call('echo', { req: { action: 'echo', msg: '' } }, { hashKey: key })) as { msg: string };
        if (round === 0) landing.set(key, reply.msg);
        else expect(reply.msg).toBe(landing.get(key));
      }
    }
    expect(client.localRouting!.localShare).toBe(0.5);
    const local = [...landing.values()].filter((m) => m === 'local').length;
    expect(local).toBeGreaterThan(15);
    expect(local).toBeLessThan(46);
  });
});
