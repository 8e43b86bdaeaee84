import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { discovery, rpc, shm } from '../../src-ts/index.js';
import { startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { describeWithPeers, hasPeers, itWithPeers } from '../helpers/peers.js';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import { echoDoc } from './echo-fixture.js';

// Merged deployment across processes: heddle echo servers in processes of their own, registered
// in a real etcd under two host identities ("host-a", where this test's client runs, and
// "host-b"), so one machine plays several hosts. Caller instances on either host are caller-only
// entries in the same etcd. The client must split its calls by the whitepaper's K rule, reach
// host-a's instances over shared memory (the Unix socket without the addon), and survive a
// local instance being killed. Servers use the built package: run `npm run build` first.

const HOST_A = 'host-a';
const HOST_B = 'host-b';
const CALLEE = `merged-echo-${process.pid}`;
const CALLER = `merged-caller-${process.pid}`;
const fixture = new URL('./fixtures/merged-echo-server.mjs', import.meta.url).pathname;

interface Instance {
  readonly address: string;
  readonly host: string;
  readonly child: ChildProcess;
}

let etcd: EtcdServer | undefined;
let registry: discovery.EtcdDiscovery | undefined;
let dir = '';
const instances: Instance[] = [];

async function startInstance(host: string): Promise<Instance> {
  const child = spawn(process.execPath, [fixture, etcd!.endpoint, CALLEE, host, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => [`exited ${child.exitCode}`])])) as string[];
  if (!line!.startsWith('LISTENING ')) throw new Error(`merged echo server did not start: ${line}`);
  const instance = { address: line!.slice('LISTENING '.length), host, child };
  instances.push(instance);
  return instance;
}

beforeAll(async () => {
  if (!hasPeers(['etcd'])) return;
  dir = mkdtempSync(join(tmpdir(), 'heddle-merged-'));
  etcd = await startEtcd();
  registry = discovery.etcd({ endpoints: [etcd.endpoint], leaseTtlSeconds: 3 });
  // Callees: one on host-a, three on host-b (n = 4, n' = 1).
  await Promise.all([startInstance(HOST_A), startInstance(HOST_B), startInstance(HOST_B), startInstance(HOST_B)]);
}, 120_000);

afterAll(async () => {
  for (const { child } of instances) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await registry?.close();
  await etcd?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Caller-only entries of CALLER besides this test's own client: `local` on host-a, `remote` on host-b. */
async function otherCallers(local: number, remote: number): Promise<() => Promise<void>> {
  const entries = [
    ...Array.from({ length: local }, (_, i) => ({ id: `fake-a-${i}`, host: HOST_A })),
    ...Array.from({ length: remote }, (_, i) => ({ id: `fake-b-${i}`, host: HOST_B })),
  ].map(({ id, host }) => ({ serviceName: CALLER, id, tags: { [discovery.MergedTag.host]: host, [discovery.MergedTag.proc]: id } }));
  await Promise.all(entries.map((e) => registry!.registerCaller(e)));
  return async () => void (await Promise.all(entries.map((e) => registry!.deregisterCaller(e))));
}

function mergedClient(options: Partial<rpc.DiscoveryClientOptions> = {}) {
  return rpc.createClient({
    idl: echoDoc,
    service: 'EchoService',
    resolver: registry!,
    destService: CALLEE,
    localFirst: { hostIdentity: HOST_A, serviceName: CALLER },
    timeoutMs: 10_000,
    ...options,
  });
}

/** Calls `calls` times, `concurrency` at a time; counts replies by serving instance and how they arrived. */
async function drive(client: rpc.DiscoveryClient, calls: number | (() => boolean), concurrency = 8): Promise<{ byInstance: Record<string, number>; arrivals: Set<string>; failures: unknown[] }> {
  const byInstance: Record<string, number> = {};
  const arrivals = new Set<string>();
  const failures: unknown[] = [];
  let next = 0;
  const more = typeof calls === 'number' ? () => next < calls : calls;
  const worker = async () => {
    while (more()) {
      next++;
      try {
        const reply = (await client.call('echo', { req: { action: 'echo', msg: '' } })) as { msg: string };
        const [instance, arrival] = reply.msg.split('|') as [string, string];
        byInstance[instance] = (byInstance[instance] ?? 0) + 1;
        arrivals.add(arrival.startsWith('shm stream') ? 'shm' : arrival === 'unix socket peer' ? 'unix' : 'tcp');
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { byInstance, arrivals, failures };
}

const local = () => instances.find((i) => i.host === HOST_A)!.address;
const remotes = () => instances.filter((i) => i.host === HOST_B).map((i) => i.address);
const sameHostPath = shm.available ? 'shm' : 'unix';

describeWithPeers(['etcd'], 'merged deployment over a real etcd, several processes on two simulated hosts', () => {
  it("keeps registry-etcd's format: instances gain tags only; caller entries sit outside the prefix Kitex reads", async () => {
    const withdraw = await otherCallers(1, 0);
    const client = mergedClient();
    const raw = new Etcd3({ hosts: `http://${etcd!.endpoint}` });
    try {
      await client.refresh();
      const served = await raw.getAll().prefix(`kitex/registry-etcd/${CALLEE}/`).strings();
      expect(Object.keys(served).sort()).toEqual(instances.map((i) => `kitex/registry-etcd/${CALLEE}/${i.address}`).sort());
      for (const value of Object.values(served)) {
        const parsed = JSON.parse(value);
        expect(Object.keys(parsed)).toEqual(['network', 'address', 'weight', 'tags']);
        expect(parsed.tags).toEqual(expect.objectContaining({ [discovery.MergedTag.host]: expect.stringMatching(/^host-[ab]$/), [discovery.MergedTag.unix]: expect.stringMatching(/\.sock$/) }));
        if (shm.available) expect(parsed.tags[discovery.MergedTag.shm]).toMatch(/-shm\.sock$/);
      }
      // registry-etcd's resolver reads `kitex/registry-etcd/<service>` by prefix, without a slash.
      expect(await raw.getAll().prefix(`kitex/registry-etcd/${CALLER}`).keys()).toEqual([]);
      const callers = await raw.getAll().prefix(`kitex/registry-etcd-callers/${CALLER}/`).strings();
      expect(Object.values(callers).map((v) => JSON.parse(v)[discovery.MergedTag.host]).sort()).toEqual([HOST_A, HOST_A]);
    } finally {
      raw.close();
      await client.close();
      await withdraw();
    }
  }, 60_000);

  it('K = 1 (m = 4, m\' = 1, n = 4, n\' = 1): all 2000 calls stay on the host, over its same-host endpoint', async () => {
    const withdraw = await otherCallers(0, 3);
    const client = mergedClient();
    try {
      const { byInstance, arrivals, failures } = await drive(client, 2000);
      expect(failures).toEqual([]);
      expect(client.localRouting).toEqual({ host: HOST_A, localShare: 1, counts: { callers: 4, localCallers: 1, callees: 4, localCallees: 1 } });
      expect(byInstance).toEqual({ [local()]: 2000 });
      expect(arrivals).toEqual(new Set([sameHostPath]));
    } finally {
      await client.close();
      await withdraw();
    }
  }, 120_000);

  for (const { localCallers, k } of [
    { localCallers: 2, k: 2 },
    { localCallers: 3, k: 3 },
  ]) {
    it(`K = ${k} (m = 4, m' = ${localCallers}, n = 4, n' = 1): local : remote = 1 : ${k - 1} over 3000 calls, remote calls spread evenly over TCP`, async () => {
      const withdraw = await otherCallers(localCallers - 1, 4 - localCallers);
      const client = mergedClient();
      try {
        const calls = 3000;
        const { byInstance, arrivals, failures } = await drive(client, calls);
        expect(failures).toEqual([]);
        expect(client.localRouting!.counts).toEqual({ callers: 4, localCallers, callees: 4, localCallees: 1 });
        const share = 1 / k;
        // The split is deterministic (a credit counter); allow three binomial standard deviations anyway.
        const slack = 3 * Math.sqrt(calls * share * (1 - share));
        expect(Math.abs((byInstance[local()] ?? 0) - calls * share)).toBeLessThanOrEqual(slack);
        const remoteCalls = calls - (byInstance[local()] ?? 0);
        for (const address of remotes()) expect(Math.abs((byInstance[address] ?? 0) - remoteCalls / 3)).toBeLessThanOrEqual(remoteCalls * 0.05 + 3);
        expect(arrivals).toEqual(new Set([sameHostPath, 'tcp']));
      } finally {
        await client.close();
        await withdraw();
      }
    }, 120_000);
  }

  itWithPeers(['go'], 'a Go Kitex client (registry-etcd) calls every merged instance over TCP, and finds no instance in caller entries', async () => {
    const goBinary = buildGoProgram('kitex-etcd', { kitexIdl: 'echo.thrift' });
    const withdraw = await otherCallers(1, 1);
    try {
      const run = async (service: string) => JSON.parse((await promisify(execFile)(goBinary, ['client', '-etcd', etcd!.endpoint, '-service', service, '-calls', '200'], { timeout: 120_000 })).stdout);
      const callee = (await run(CALLEE)) as { served: Record<string, number>; failed: number };
      expect(callee.failed).toBe(0);
      const byInstance: Record<string, number> = {};
      for (const [reply, count] of Object.entries(callee.served)) {
        const [instance, arrival] = reply.split('|') as [string, string];
        expect(arrival).toMatch(/^127\.0\.0\.1:\d+$/);
        byInstance[instance] = (byInstance[instance] ?? 0) + count;
      }
      expect(Object.keys(byInstance).sort()).toEqual(instances.map((i) => i.address).sort());
      // Kitex's default balancer spreads equal weights evenly (50 each here); only that all serve is asserted.
      for (const count of Object.values(byInstance)) expect(count).toBeGreaterThan(0);
      expect(Object.values(byInstance).reduce((a, b) => a + b, 0)).toBe(200);
      const caller = (await run(CALLER)) as { served: Record<string, number>; failed: number; lastError: string };
      expect(caller.served).toEqual({});
      expect(caller.failed).toBe(200);
    } finally {
      await withdraw();
    }
  }, 600_000);

  it('killing a local instance with SIGKILL moves its calls to the other local one, with no call lost', async () => {
    const second = await startInstance(HOST_A);
    // m = 5, m' = 2 against n = 5, n' = 2: K = 1, every call local, shared by the two host-a instances.
    const withdraw = await otherCallers(1, 3);
    const client = mergedClient({ retry: { type: 'failure', maxRetries: 3, retryOnCodes: ['ERR_CONNECTION'], budget: false }, refreshIntervalMs: 500 });
    try {
      await client.refresh();
      const before = await drive(client, 400);
      expect(before.failures).toEqual([]);
      expect(before.byInstance).toEqual({ [local()]: 200, [second.address]: 200 });
      // Calls keep going while the second instance dies, and for 2 s after.
      let stopAt = Infinity;
      const during = drive(client, () => Date.now() < stopAt, 8);
      await new Promise((resolve) => setTimeout(resolve, 500));
      second.child.kill('SIGKILL');
      await once(second.child, 'exit');
      stopAt = Date.now() + 2000;
      const { byInstance, failures } = await during;
      expect(failures).toEqual([]);
      // Until the registry drops it, every call stays local (K = 1): on the survivor once it died;
      // the split may already follow the new counts if its lease lapsed within those 2 s.
      expect(byInstance[second.address]).toBeGreaterThan(0);
      expect(byInstance[local()]).toBeGreaterThan(byInstance[second.address]!);
      expect(Object.keys(byInstance).every((a) => instances.some((i) => i.address === a))).toBe(true);
      // Once its lease lapses (3 s) the registry no longer lists it, and the split follows the new
      // counts: n = 4, n' = 1 against m = 5, m' = 2 gives K = 1.6, so 1/1.6 of calls stay local.
      const deadline = Date.now() + 20_000;
      while (client.instances.some((i) => i.address === second.address) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(client.localRouting!.counts).toEqual({ callers: 5, localCallers: 2, callees: 4, localCallees: 1 });
      const after = await drive(client, 800);
      expect(after.failures).toEqual([]);
      expect(after.byInstance[second.address]).toBeUndefined();
      expect(Math.abs(after.byInstance[local()]! - 800 / 1.6)).toBeLessThanOrEqual(3 * Math.sqrt(800 * 0.625 * 0.375));
      for (const address of remotes()) expect(after.byInstance[address]).toBeGreaterThan(0);
    } finally {
      await client.close();
      await withdraw();
    }
  }, 120_000);
});
