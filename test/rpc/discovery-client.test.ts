import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discovery, ErrorCode, rpc, type HeddleError } from '../../src-ts/index.js';
import { echoDoc } from './echo-fixture.js';

// The discovery client over real heddle servers with the static resolver (the etcd resolver has
// its own suite, test/discovery/etcd.test.ts, against a real etcd).
const servers: rpc.RpcServer[] = [];
const addresses: string[] = [];

beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    let name = '';
    const server = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: { echo: async () => ({ action: 'echo', msg: name }) } });
    await server.listen('tcp://127.0.0.1:0');
    name = server.address.slice('tcp://'.length);
    servers.push(server);
    addresses.push(name);
  }
});

afterAll(() => Promise.all(servers.map((s) => s.close({ timeoutMs: 100 }))));

const request = { req: { action: 'echo', msg: '' } };

async function served(client: rpc.DiscoveryClient, calls: number, options: (i: number) => rpc.DiscoveryCallOptions = () => ({})): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < calls; i++) {
    let peer = '';
    const reply = (await client.call('echo', request, { ...options(i), onContext: (ctx) => (peer = ctx.peer) })) as { msg: string };
    expect(reply.msg).toBe(peer);
    counts[peer] = (counts[peer] ?? 0) + 1;
  }
  return counts;
}

describe('DiscoveryClient over a static list', () => {
  it('balances by smooth weighted round robin by default: weights 10, 30, 20 give 100, 300, 200 of 600', async () => {
    const resolver = discovery.static([
      { address: addresses[0]!, weight: 10 },
      { address: addresses[1]!, weight: 30 },
      { address: addresses[2]!, weight: 20 },
    ]);
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver, destService: 'echo' });
    try {
      expect(client.loadBalancer).toBe('weighted-round-robin');
      expect(await served(client, 600)).toEqual({ [addresses[0]!]: 100, [addresses[1]!]: 300, [addresses[2]!]: 200 });
    } finally {
      await client.close();
    }
  });

  it('sends equal hash keys to one instance with consistent-hash, and fails a call without a key', async () => {
    const resolver = discovery.static(addresses);
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver, destService: 'echo', loadBalancer: 'consistent-hash' });
    try {
      for (const key of ['user-1', 'user-2', 'user-3', 'user-4']) {
        const counts = await served(client, 10, () => ({ hashKey: key }));
        expect(Object.values(counts)).toEqual([10]);
      }
      const spread = await served(client, 300, (i) => ({ hashKey: `user-${i}` }));
      expect(Object.keys(spread).sort()).toEqual([...addresses].sort());
      const error = (await client.call('echo', request).catch((e: unknown) => e)) as HeddleError;
      expect(error.code).toBe(ErrorCode.ERR_INVALID_ARGUMENT);
    } finally {
      await client.close();
    }
  });

  it('reaches every instance with weighted-random', async () => {
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: discovery.static(addresses), destService: 'echo', loadBalancer: 'weighted-random' });
    try {
      expect(Object.keys(await served(client, 300)).sort()).toEqual([...addresses].sort());
    } finally {
      await client.close();
    }
  });

  it('fails calls with ERR_NO_INSTANCE on an empty list, and ERR_DISCOVERY when the resolver fails', async () => {
    const empty = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: discovery.static([]), destService: 'echo' });
    expect(((await empty.call('echo', request).catch((e: unknown) => e)) as HeddleError).code).toBe(ErrorCode.ERR_NO_INSTANCE);
    await empty.close();
    const broken = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: { resolve: async () => Promise.reject(new Error('backend down')) }, destService: 'echo' });
    const error = (await broken.call('echo', request).catch((e: unknown) => e)) as HeddleError;
    expect(error.code).toBe(ErrorCode.ERR_DISCOVERY);
    expect(error.message).toBe('resolving echo failed: backend down');
    await broken.close();
  });

  it('keeps the last list when a later read fails', async () => {
    let fail = false;
    const resolver = { resolve: async () => (fail ? Promise.reject(new Error('etcd gone')) : [{ network: 'tcp' as const, address: addresses[0]!, weight: 10, tags: null }]) };
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver, destService: 'echo' });
    try {
      expect(await served(client, 2)).toEqual({ [addresses[0]!]: 2 });
      fail = true;
      await expect(client.refresh()).rejects.toMatchObject({ code: ErrorCode.ERR_DISCOVERY });
      expect(await served(client, 2)).toEqual({ [addresses[0]!]: 2 });
    } finally {
      await client.close();
    }
  });

  it('sends a call whose instance refused the connection to another instance once: nothing was sent', async () => {
    // A listener opened and closed: its port refuses connections, as a server that stopped
    // (leaving the registry and closing its listener at once) does before watchers hear it left.
    const gone = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: { echo: async () => ({ action: 'echo', msg: 'gone' }) } });
    await gone.listen('tcp://127.0.0.1:0');
    const goneAddress = gone.address.slice('tcp://'.length);
    await gone.close();
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: discovery.static([goneAddress, addresses[0]!]), destService: 'echo' });
    const alone = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: discovery.static([goneAddress]), destService: 'echo' });
    try {
      const replies = await Promise.all(Array.from({ length: 40 }, () => client.call('echo', request) as Promise<{ msg: string }>));
      expect(new Set(replies.map((r) => r.msg))).toEqual(new Set([addresses[0]]));
      // With no other instance the refusal is the call's error, after one try.
      await expect(alone.call('echo', request)).rejects.toMatchObject({ code: ErrorCode.ERR_CONNECTION, message: expect.stringContaining('ECONNREFUSED') });
    } finally {
      await Promise.all([client.close(), alone.close()]);
    }
  });

  it('rejects bad options with ERR_INVALID_ARGUMENT', () => {
    const base = { idl: echoDoc, service: 'EchoService', resolver: discovery.static(addresses), destService: 'echo' };
    for (const bad of [{ destService: '' }, { loadBalancer: 'round-robin' }, { refreshIntervalMs: 0 }, { resolver: {} }, { timeoutMs: -1 }]) {
      expect(() => rpc.createClient({ ...base, ...bad } as never)).toThrow(expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT }));
    }
  });
});

describe('discovery.etcd with etcd unreachable', () => {
  it('fails reads and registrations with ERR_DISCOVERY, promptly', async () => {
    const etcd = discovery.etcd({ endpoints: ['127.0.0.1:1'] });
    try {
      const started = Date.now();
      const read = (await etcd.resolve('echo').catch((e: unknown) => e)) as HeddleError;
      expect(read.code).toBe(ErrorCode.ERR_DISCOVERY);
      expect(read.message).toMatch(/^etcd: reading echo failed: /);
      const registered = (await etcd.register({ serviceName: 'echo', address: '127.0.0.1:5', weight: 10, tags: null }).catch((e: unknown) => e)) as HeddleError;
      expect(registered.code).toBe(ErrorCode.ERR_DISCOVERY);
      expect(registered.message).toMatch(/^etcd: registering kitex\/registry-etcd\/echo\/127\.0\.0\.1:5 failed: /);
      // A refused connection fails at once; the 3 s call deadline bounds a silent one.
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await etcd.close();
    }
  }, 30_000);
});
