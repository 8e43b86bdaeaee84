import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { discovery, ErrorCode, rpc, type HeddleError } from '../../src-ts/index.js';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import { freePort, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { startGoServer, type GoServer } from '../rpc/go-peer.js';
import { echoDoc } from '../rpc/echo-fixture.js';

// A real etcd (Debian's etcd-server) on free loopback ports, and real Kitex v0.15.2 programs
// registering and resolving through github.com/kitex-contrib/registry-etcd v0.2.6
// (test/interop/kitex-etcd). Every test uses its own service name, so none sees another's instances.

let etcd: EtcdServer | undefined;
let raw: Etcd3 | undefined;
let goBinary = '';
let serviceCount = 0;
const servers: rpc.RpcServer[] = [];
const goServers: GoServer[] = [];
const closers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  if (!hasPeers(['etcd'])) return;
  etcd = await startEtcd();
  raw = new Etcd3({ hosts: `http://${etcd.endpoint}` });
  if (hasPeers(['go'])) goBinary = buildGoProgram('kitex-etcd', { kitexIdl: 'echo.thrift' });
}, 600_000);

afterAll(async () => {
  await Promise.all(goServers.map((s) => s.stop()));
  await Promise.all(servers.map((s) => s.close({ timeoutMs: 100, exitWaitMs: 0 })));
  await Promise.all(closers.map((c) => c.close()));
  raw?.close();
  await etcd?.stop();
}, 60_000);

function newService(): string {
  return `echo-${process.pid}-${++serviceCount}`;
}

function etcdDiscovery(options: Partial<discovery.EtcdDiscoveryOptions> = {}): discovery.EtcdDiscovery {
  const d = discovery.etcd({ endpoints: [etcd!.endpoint], ...options });
  closers.push(d);
  return d;
}

/** A heddle echo server registered as `serviceName`; its echo answers `heddle@host:port`. */
async function heddleServer(registry: discovery.Registry, serviceName: string, weight?: number): Promise<{ server: rpc.RpcServer; address: string }> {
  let name = '';
  const server = rpc.createServer({
    idl: echoDoc,
    service: 'EchoService',
    handlers: { echo: async ({ req }: { req: { action: string } }) => ({ action: req.action, msg: name }) },
    registry,
    serviceName,
    ...(weight === undefined ? {} : { weight }),
  });
  servers.push(server);
  await server.listen('tcp://127.0.0.1:0');
  const address = server.address.slice('tcp://'.length);
  name = `heddle@${address}`;
  return { server, address };
}

async function kitexServer(serviceName: string, weight: number): Promise<string> {
  const server = await startGoServer(goBinary, ['-etcd', etcd!.endpoint, '-service', serviceName, '-weight', String(weight)]);
  goServers.push(server);
  const address = server.address.slice('tcp://'.length);
  // Kitex registers one second after it starts listening.
  await until(async () => (await raw!.get(`kitex/registry-etcd/${serviceName}/${address}`).string()) !== null, 15_000);
  return address;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** 400 sequential calls from a heddle client; counts by the instance the context names and checks the reply agrees. */
async function heddleCalls(serviceName: string, calls = 400): Promise<Record<string, number>> {
  const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: etcdDiscovery(), destService: serviceName });
  closers.push(client);
  const served: Record<string, number> = {};
  for (let i = 0; i < calls; i++) {
    let peer = '';
    const reply = (await client.call('echo', { req: { action: 'echo', msg: 'who' } }, { onContext: (ctx) => (peer = ctx.peer) })) as { msg: string };
    expect(reply.msg.endsWith(`@${peer}`)).toBe(true);
    served[reply.msg] = (served[reply.msg] ?? 0) + 1;
  }
  return served;
}

interface CallRecord {
  /** When the call started, ms since the epoch. */
  at: number;
  served: string;
  error: string;
}

/** A Kitex client making `calls` calls `intervalMs` apart, reporting each as it completes. */
function kitexCallStream(serviceName: string, calls: number, intervalMs: number) {
  const child = spawn(goBinary, ['client', '-etcd', etcd!.endpoint, '-service', serviceName, '-calls', String(calls), '-interval', `${intervalMs}ms`, '-stream'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records: CallRecord[] = [];
  let summary: { served: Record<string, number>; failed: number; lastError: string } | undefined;
  let pending = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => {
    pending += d.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = JSON.parse(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      if ('at' in line) records.push(line as CallRecord);
      else summary = line;
    }
  });
  const done = once(child, 'exit').then(([code]) => {
    if (code !== 0 || summary === undefined) throw new Error(`the Kitex client exited with ${code}: ${stderr}`);
    return { records, summary };
  });
  const kill = () => {
    // Killed on purpose: its exit is not a failure of the test.
    done.catch(() => undefined);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return { records, done, kill };
}

/** How many of `records` each server answered. */
function servedBy(records: readonly CallRecord[]): Record<string, number> {
  const served: Record<string, number> = {};
  for (const r of records) if (r.error === '') served[r.served] = (served[r.served] ?? 0) + 1;
  return served;
}

async function kitexCalls(serviceName: string, calls = 400): Promise<{ served: Record<string, number>; failed: number; lastError: string }> {
  const { stdout } = await promisify(execFile)(goBinary, ['client', '-etcd', etcd!.endpoint, '-service', serviceName, '-calls', String(calls)], { timeout: 60_000 });
  return JSON.parse(stdout);
}

describeWithPeers(['etcd'], 'discovery.etcd on a real etcd', () => {
  it("registers a heddle server under registry-etcd's exact key and value, on a 60 s lease, and deletes the key on close", async () => {
    const serviceName = newService();
    const saved = process.env.KITEX_ETCD_REGISTRY_LEASE_TTL;
    delete process.env.KITEX_ETCD_REGISTRY_LEASE_TTL;
    const registry = etcdDiscovery();
    if (saved !== undefined) process.env.KITEX_ETCD_REGISTRY_LEASE_TTL = saved;
    const { server, address } = await heddleServer(registry, serviceName, 30);
    const key = `kitex/registry-etcd/${serviceName}/${address}`;
    const all = await raw!.getAll().prefix(`kitex/registry-etcd/${serviceName}/`).strings();
    expect(all).toEqual({ [key]: `{"network":"tcp","address":"${address}","weight":30,"tags":null}` });
    const [kv] = (await raw!.get(key).exec()).kvs;
    const lease = await raw!.leaseClient.leaseTimeToLive({ ID: kv!.lease });
    expect(Number(lease.grantedTTL)).toBe(60);
    // Closing deregisters first, then serves through the exit wait (told here, 1.5 s), then stops.
    const direct = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address });
    closers.push(direct);
    const closing = server.close({ exitWaitMs: 1500 });
    await until(async () => (await raw!.get(key).string()) === null, 1000);
    expect(await direct.call('echo', { req: { action: 'echo', msg: '' } })).toEqual({ action: 'echo', msg: `heddle@${address}` });
    await closing;
    const error = (await direct.call('echo', { req: { action: 'echo', msg: '' } }).catch((e: unknown) => e)) as HeddleError;
    expect(error.code).toBe(ErrorCode.ERR_CONNECTION);
  });

  it('spreads 400 heddle calls 100/300 over heddle servers weighted 10 and 30, and names the instance that served each', async () => {
    const serviceName = newService();
    const light = await heddleServer(etcdDiscovery(), serviceName, 10);
    const heavy = await heddleServer(etcdDiscovery(), serviceName, 30);
    expect(await heddleCalls(serviceName)).toEqual({ [`heddle@${light.address}`]: 100, [`heddle@${heavy.address}`]: 300 });
  });

  it('fails calls with ERR_NO_INSTANCE while nothing is registered, and finds an instance through the watch', async () => {
    const serviceName = newService();
    // A periodic read this slow never happens within the test: only the watch can bring the instance.
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: etcdDiscovery(), destService: serviceName, refreshIntervalMs: 600_000 });
    closers.push(client);
    const error = (await client.call('echo', { req: { action: 'echo', msg: '' } }).catch((e: unknown) => e)) as HeddleError;
    expect(error.code).toBe(ErrorCode.ERR_NO_INSTANCE);
    expect(error.message).toBe(`no instance of ${serviceName} in the registry`);
    const { address } = await heddleServer(etcdDiscovery(), serviceName);
    await until(() => client.instances.length === 1, 15_000);
    expect(await client.call('echo', { req: { action: 'echo', msg: '' } })).toEqual({ action: 'echo', msg: `heddle@${address}` });
  });

  it('skips malformed values, reporting each key with its reason', async () => {
    const serviceName = newService();
    const prefix = `kitex/registry-etcd/${serviceName}/`;
    await raw!.put(`${prefix}bad-json`).value('{not json');
    await raw!.put(`${prefix}bad-address`).value('{"network":"tcp","address":"nohost","weight":10,"tags":null}');
    await raw!.put(`${prefix}127.0.0.1:1`).value('{"network":"tcp","address":"127.0.0.1:1","weight":10,"tags":null}');
    const skipped: Array<[string, string]> = [];
    const resolver = etcdDiscovery({ onSkip: (key, reason) => skipped.push([key, reason]) });
    expect(await resolver.resolve(serviceName)).toEqual([{ network: 'tcp', address: '127.0.0.1:1', weight: 10, tags: null }]);
    expect(skipped.sort()).toEqual([
      [`${prefix}bad-address`, 'address "nohost" is not host:port'],
      [`${prefix}bad-json`, expect.stringMatching(/^not JSON: /)],
    ]);
    await raw!.delete().prefix(prefix);
  });

  it('a deregistration that overtakes its registration leaves no key and no lease; a registration made again stays', async () => {
    const serviceName = newService();
    const registry = etcdDiscovery();
    const info = { serviceName, address: '127.0.0.1:7', weight: 10, tags: null };
    const key = `kitex/registry-etcd/${serviceName}/127.0.0.1:7`;
    const leasesBefore = (await raw!.leaseClient.leaseLeases({})).leases.length;
    // The delete is one round trip, the lease grant and put two: the delete lands first.
    await Promise.all([registry.register(info), registry.deregister(info)]);
    expect(await raw!.get(key).string()).toBeNull();
    expect((await raw!.leaseClient.leaseLeases({})).leases.length).toBe(leasesBefore);
    // Withdrawn, then registered again while the first write is still on its way: the new one holds.
    const first = registry.register(info);
    await registry.deregister(info);
    await Promise.all([first, registry.register(info)]);
    expect(JSON.parse((await raw!.get(key).string())!)).toMatchObject({ address: '127.0.0.1:7' });
    await registry.deregister(info);
    expect(await raw!.get(key).string()).toBeNull();
  });

  it('grants a new lease and writes the key again when etcd drops the lease', async () => {
    const serviceName = newService();
    const { address } = await heddleServer(etcdDiscovery({ leaseTtlSeconds: 3 }), serviceName);
    const key = `kitex/registry-etcd/${serviceName}/${address}`;
    const [before] = (await raw!.get(key).exec()).kvs;
    await raw!.leaseClient.leaseRevoke({ ID: before!.lease });
    expect(await raw!.get(key).string()).toBeNull();
    await until(async () => (await raw!.get(key).exec()).kvs.length === 1, 20_000);
    const [after] = (await raw!.get(key).exec()).kvs;
    expect(after!.lease).not.toBe(before!.lease);
    expect(after!.value.toString()).toBe(`{"network":"tcp","address":"${address}","weight":10,"tags":null}`);
  }, 30_000);

  it('keeps serving the last list while etcd is down, and registers again in a fresh etcd', async () => {
    // An etcd of its own: this test takes it down.
    let own = await startEtcd();
    try {
      const serviceName = newService();
      const registry = discovery.etcd({ endpoints: [own.endpoint], leaseTtlSeconds: 3 });
      const resolver = discovery.etcd({ endpoints: [own.endpoint] });
      closers.push(registry, resolver);
      const { server, address } = await heddleServer(registry, serviceName);
      const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver, destService: serviceName, refreshIntervalMs: 200 });
      closers.push(client);
      const call = () => client.call('echo', { req: { action: 'echo', msg: '' } });
      expect(await call()).toEqual({ action: 'echo', msg: `heddle@${address}` });
      await own.stop();
      // Periodic reads fail now; the client keeps its list.
      await new Promise((r) => setTimeout(r, 1000));
      expect(await call()).toEqual({ action: 'echo', msg: `heddle@${address}` });
      // A new etcd with no data where the old one was: the lease is unknown there, so the server
      // is granted a new one and writes its key again.
      own = await startEtcd({ clientPort: own.clientPort, peerPort: own.peerPort });
      const fresh = new Etcd3({ hosts: `http://${own.endpoint}` });
      try {
        const key = `kitex/registry-etcd/${serviceName}/${address}`;
        await until(async () => (await fresh.get(key).string().catch(() => null)) !== null, 30_000);
        expect(await fresh.get(key).string()).toBe(`{"network":"tcp","address":"${address}","weight":10,"tags":null}`);
        expect(await call()).toEqual({ action: 'echo', msg: `heddle@${address}` });
        await server.close({ timeoutMs: 100, exitWaitMs: 0 });
        expect(await fresh.get(key).string()).toBeNull();
      } finally {
        fresh.close();
      }
    } finally {
      await own.stop();
    }
  }, 90_000);

  it('with etcd unreachable at start, calls fail with ERR_DISCOVERY and the client reads again on later calls, finding etcd once it is up', async () => {
    const clientPort = await freePort();
    const peerPort = await freePort();
    const resolver = discovery.etcd({ endpoints: [`127.0.0.1:${clientPort}`] });
    closers.push(resolver);
    const serviceName = newService();
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver, destService: serviceName });
    closers.push(client);
    const call = () => client.call('echo', { req: { action: 'echo', msg: '' } });
    const error = (await call().catch((e: unknown) => e)) as HeddleError;
    expect(error.code).toBe(ErrorCode.ERR_DISCOVERY);
    expect(error.message).toMatch(/^etcd: reading echo-\d+-\d+ failed: /);
    const late = await startEtcd({ clientPort, peerPort });
    try {
      const registry = discovery.etcd({ endpoints: [late.endpoint] });
      closers.push(registry);
      const { address } = await heddleServer(registry, serviceName);
      // etcd3's own breaker holds a failed host back for 5 s before trying it again.
      await until(() => call().then(() => true, () => false), 20_000);
      expect(await call()).toEqual({ action: 'echo', msg: `heddle@${address}` });
    } finally {
      await Promise.all(servers.splice(-1).map((s) => s.close({ timeoutMs: 100, exitWaitMs: 0 })));
      await late.stop();
    }
  }, 60_000);

  it('rejects a registry without serviceName, and a bad weight', () => {
    const registry = etcdDiscovery();
    expect(() => rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: {}, registry })).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
    expect(() => rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: {}, registry, serviceName: 'x', weight: 0 })).toThrow(
      expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }),
    );
  });
});

describeWithPeers(['etcd', 'go'], 'registry-etcd interop with Go Kitex', () => {
  it('a heddle client resolves Kitex servers weighted 10 and 30 and lands 400 calls 100/300; Kitex writes the bytes heddle writes', async () => {
    const serviceName = newService();
    const light = await kitexServer(serviceName, 10);
    const heavy = await kitexServer(serviceName, 30);
    expect(await raw!.get(`kitex/registry-etcd/${serviceName}/${light}`).string()).toBe(discovery.encodeInstanceValue('tcp', light, { weight: 10, tags: null }));
    expect(await raw!.get(`kitex/registry-etcd/${serviceName}/${heavy}`).string()).toBe(`{"network":"tcp","address":"${heavy}","weight":30,"tags":null}`);
    expect(await heddleCalls(serviceName)).toEqual({ [`kitex@${light}`]: 100, [`kitex@${heavy}`]: 300 });
  }, 60_000);

  // Kitex v0.15.2's default balancer is smooth weighted round robin (NewWeightedBalancer returns
  // NewWeightedRoundRobinBalancer), so its split is exact too.
  it('a Kitex client resolves heddle servers weighted 10 and 30 and lands 400 calls 100/300', async () => {
    const serviceName = newService();
    const light = await heddleServer(etcdDiscovery(), serviceName, 10);
    const heavy = await heddleServer(etcdDiscovery(), serviceName, 30);
    expect(await kitexCalls(serviceName)).toEqual({ served: { [`heddle@${light.address}`]: 100, [`heddle@${heavy.address}`]: 300 }, failed: 0, lastError: '' });
  }, 60_000);

  it('a mixed pool (heddle weighted 10, Kitex weighted 30) under one name is reached 100/300 by both clients', async () => {
    const serviceName = newService();
    const heddle = await heddleServer(etcdDiscovery(), serviceName, 10);
    const kitex = await kitexServer(serviceName, 30);
    const expected = { [`heddle@${heddle.address}`]: 100, [`kitex@${kitex}`]: 300 };
    expect(await heddleCalls(serviceName)).toEqual(expected);
    expect(await kitexCalls(serviceName)).toEqual({ served: expected, failed: 0, lastError: '' });
  }, 60_000);

  it('a stopped Kitex server deregisters, and the heddle client stops picking it', async () => {
    const serviceName = newService();
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: etcdDiscovery(), destService: serviceName, refreshIntervalMs: 600_000 });
    closers.push(client);
    const kitex = await startGoServer(goBinary, ['-etcd', etcd!.endpoint, '-service', serviceName, '-weight', '10']);
    const kitexAddress = kitex.address.slice('tcp://'.length);
    await until(async () => (await raw!.get(`kitex/registry-etcd/${serviceName}/${kitexAddress}`).string()) !== null, 15_000);
    const heddle = await heddleServer(etcdDiscovery(), serviceName, 10);
    await until(async () => (await client.refresh(), client.instances.length === 2), 15_000);
    await kitex.stop();
    expect(await raw!.get(`kitex/registry-etcd/${serviceName}/${kitexAddress}`).string()).toBeNull();
    await until(() => client.instances.length === 1, 15_000);
    for (let i = 0; i < 20; i++) expect(await client.call('echo', { req: { action: 'echo', msg: '' } })).toEqual({ action: 'echo', msg: `heddle@${heddle.address}` });
  }, 60_000);

  it("a heddle server's graceful stop during a Kitex client's calls loses no call: it deregisters, serves through its 5 s exit wait, then closes", async () => {
    const serviceName = newService();
    const stopping = await heddleServer(etcdDiscovery(), serviceName, 10);
    const staying = await heddleServer(etcdDiscovery(), serviceName, 10);
    const calls = kitexCallStream(serviceName, 1000, 10);
    try {
      await until(() => Object.keys(servedBy(calls.records)).length === 2, 20_000);
      const closeStarted = Date.now();
      await stopping.server.close();
      const closedAt = Date.now();
      // Kitex's exit wait by default, for a registered server.
      expect(closedAt - closeStarted).toBeGreaterThanOrEqual(5000);
      const { records, summary } = await calls.done;
      expect(summary.failed).toBe(0);
      expect(summary.lastError).toBe('');
      expect(summary.served[`heddle@${stopping.address}`]).toBeGreaterThan(0);
      const after = records.filter((r) => r.at > closedAt);
      expect(after.length).toBeGreaterThan(50);
      expect(servedBy(after)).toEqual({ [`heddle@${staying.address}`]: after.length });
    } finally {
      calls.kill();
    }
  }, 90_000);

  it('a killed heddle server (kill -9) leaves the pool when its 3 s lease expires, and a Kitex client moves its calls to the other', async () => {
    const serviceName = newService();
    const child = spawn(process.execPath, [new URL('./fixtures/registered-echo-server.mjs', import.meta.url).pathname, etcd!.endpoint, serviceName, '10'], {
      env: { ...process.env, KITEX_ETCD_REGISTRY_LEASE_TTL: '3' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    let calls: ReturnType<typeof kitexCallStream> | undefined;
    try {
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      await until(() => /LISTENING (\S+)/.test(output), 20_000);
      const killedAddress = /LISTENING (\S+)/.exec(output)![1]!;
      const key = `kitex/registry-etcd/${serviceName}/${killedAddress}`;
      const [kv] = (await raw!.get(key).exec()).kvs;
      expect(Number((await raw!.leaseClient.leaseTimeToLive({ ID: kv!.lease })).grantedTTL)).toBe(3);
      const staying = await heddleServer(etcdDiscovery(), serviceName, 10);
      calls = kitexCallStream(serviceName, 2500, 10);
      await until(() => Object.keys(servedBy(calls!.records)).length === 2, 20_000);
      process.kill(child.pid!, 'SIGKILL');
      await exited;
      await until(async () => (await raw!.get(key).string()) === null, 20_000);
      // Kitex clients read the registry again every 5 s; from then on no call goes to the dead one.
      const settled = Date.now() + 5500;
      await until(() => calls!.records.filter((r) => r.at > settled).length >= 100, 40_000);
      const after = calls.records.filter((r) => r.at > settled);
      expect(servedBy(after)).toEqual({ [`heddle@${staying.address}`]: after.length });
    } finally {
      calls?.kill();
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    }
  }, 90_000);

  it("a Kitex server's graceful stop during a heddle client's calls (4 at a time) loses no call", async () => {
    const serviceName = newService();
    const stopping = await startGoServer(goBinary, ['-etcd', etcd!.endpoint, '-service', serviceName, '-weight', '10', '-exit-wait', '5s']);
    goServers.push(stopping);
    const stoppingAddress = stopping.address.slice('tcp://'.length);
    await until(async () => (await raw!.get(`kitex/registry-etcd/${serviceName}/${stoppingAddress}`).string()) !== null, 15_000);
    const staying = await kitexServer(serviceName, 10);
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: etcdDiscovery(), destService: serviceName });
    closers.push(client);
    const records: CallRecord[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const at = Date.now();
        try {
          const { msg } = (await client.call('echo', { req: { action: 'echo', msg: '' } })) as { msg: string };
          records.push({ at, served: msg, error: '' });
        } catch (error) {
          records.push({ at, served: '', error: String(error) });
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const workers = Promise.all([worker(), worker(), worker(), worker()]);
    await until(() => Object.keys(servedBy(records)).length === 2, 20_000);
    await stopping.stop();
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await workers;
    expect(records.filter((r) => r.error !== '')).toEqual([]);
    const after = records.filter((r) => r.at > stoppedAt);
    expect(after.length).toBeGreaterThan(10);
    expect(servedBy(after)).toEqual({ [`kitex@${staying}`]: after.length });
  }, 60_000);

  it('a killed Kitex server leaves the pool when its lease (KITEX_ETCD_REGISTRY_LEASE_TTL=3) expires, and calls go to the rest', async () => {
    const serviceName = newService();
    const child = spawn(goBinary, ['server', '-etcd', etcd!.endpoint, '-service', serviceName, '-weight', '10'], {
      env: { ...process.env, KITEX_ETCD_REGISTRY_LEASE_TTL: '3' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const exited = once(child, 'exit');
    try {
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      await until(() => /LISTENING (\S+)/.test(output), 15_000);
      const kitexAddress = /LISTENING (\S+)/.exec(output)![1]!;
      const key = `kitex/registry-etcd/${serviceName}/${kitexAddress}`;
      await until(async () => (await raw!.get(key).string()) !== null, 15_000);
      const [kv] = (await raw!.get(key).exec()).kvs;
      expect(Number((await raw!.leaseClient.leaseTimeToLive({ ID: kv!.lease })).grantedTTL)).toBe(3);
      const heddle = await heddleServer(etcdDiscovery(), serviceName, 10);
      const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: etcdDiscovery(), destService: serviceName, refreshIntervalMs: 600_000 });
      closers.push(client);
      await client.refresh();
      expect(client.instances.map((i) => i.address).sort()).toEqual([heddle.address, kitexAddress].sort());
      process.kill(child.pid!, 'SIGKILL');
      await exited;
      // Nothing deregisters a killed server: its key goes when etcd expires the lease, and the watch reports it.
      await until(() => client.instances.length === 1, 20_000);
      expect(await raw!.get(key).string()).toBeNull();
      for (let i = 0; i < 20; i++) expect(await client.call('echo', { req: { action: 'echo', msg: '' } })).toEqual({ action: 'echo', msg: `heddle@${heddle.address}` });
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    }
  }, 60_000);
});
