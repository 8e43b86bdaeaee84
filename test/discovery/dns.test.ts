import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discovery, ErrorCode, rpc, type HeddleError } from '../../src-ts/index.js';
import { startDnsmasq, type DnsServer } from '../helpers/dnsmasq.js';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { echoDoc } from '../rpc/echo-fixture.js';

describe('discovery.dns targets and options', () => {
  it('takes an IP target as is, on the default port 443 or the given one, without a lookup', async () => {
    expect(await discovery.dns('10.1.2.3').resolve('ignored')).toEqual([{ network: 'tcp', address: '10.1.2.3:443', weight: 10, tags: null }]);
    expect(await discovery.dns('[fd00::7]:8888').resolve('ignored')).toEqual([{ network: 'tcp', address: '[fd00::7]:8888', weight: 10, tags: null }]);
    expect(await discovery.dns('fd00::7', { defaultPort: 9000, weight: 3 }).resolve('x')).toEqual([{ network: 'tcp', address: '[fd00::7]:9000', weight: 3, tags: null }]);
  });

  it('without a target, resolves the service name as host:port, as kitex-contrib/resolver-dns does', async () => {
    const resolver = discovery.dns();
    expect(await resolver.resolve('127.0.0.9:7000')).toEqual([{ network: 'tcp', address: '127.0.0.9:7000', weight: 10, tags: null }]);
  });

  it('looks names up through the system resolver (getaddrinfo reads /etc/hosts)', async () => {
    expect(await discovery.dns('localhost:8123', { family: 4 }).resolve('x')).toEqual([{ network: 'tcp', address: '127.0.0.1:8123', weight: 10, tags: null }]);
  });

  it('rejects bad targets and options with ERR_INVALID_ARGUMENT naming them', async () => {
    const bad = async (target: string) => ((await discovery.dns().resolve(target).catch((e: unknown) => e)) as HeddleError);
    expect((await bad('')).message).toBe('discovery.dns: the target is empty; give host:port');
    expect((await bad('host:')).message).toBe('discovery.dns: "host:" has a colon but no port');
    expect((await bad('host:70000')).message).toBe('discovery.dns: "host:70000" has a bad port');
    expect((await bad('a:b:c')).message).toBe('discovery.dns: "a:b:c" is not host:port');
    for (const error of [await bad(''), await bad('a:b:c')]) expect(error.code).toBe(ErrorCode.ERR_INVALID_ARGUMENT);
    expect(() => discovery.dns('h:1', { weight: 0 })).toThrow('discovery.dns: weight must be a positive integer, got 0');
    expect(() => discovery.dns('h:1', { servers: [] })).toThrow('discovery.dns: servers must be a non-empty array');
    expect(() => discovery.dns('h:1', { servers: ['not an address'] })).toThrow(/^discovery\.dns: bad servers/);
    expect(() => discovery.dns('h:1', { family: 5 as 4 })).toThrow('discovery.dns: family must be 0, 4 or 6, got 5');
  });
});

// A real DNS server (dnsmasq) answering for a name with one A record per heddle server, as a
// Kubernetes headless service answers with one per ready pod.
let dns: DnsServer | undefined;
const servers: rpc.RpcServer[] = [];
const closers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  if (hasPeers(['dnsmasq'])) dns = await startDnsmasq();
}, 30_000);

afterAll(async () => {
  await Promise.all(closers.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close({ timeoutMs: 100 })));
  await dns?.stop();
});

/** Echo servers on the same port of 127.0.0.2, 127.0.0.3, ...: each answers with its own host. */
async function serversOnOnePort(count: number): Promise<number> {
  let port = 0;
  for (let i = 0; i < count; i++) {
    const host = `127.0.0.${i + 2}`;
    const server = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: { echo: async () => ({ action: 'echo', msg: host }) } });
    servers.push(server);
    await server.listen(`tcp://${host}:${port}`);
    port = Number(server.address.slice(server.address.lastIndexOf(':') + 1));
  }
  return port;
}

describeWithPeers(['dnsmasq'], 'discovery.dns against a real DNS server', () => {
  it('spreads calls over every A record, and follows the records as they change', async () => {
    const port = await serversOnOnePort(2);
    await dns!.setHosts({ 'echo.heddle.test': ['127.0.0.2', '127.0.0.3'] });
    const resolver = discovery.dns(`echo.heddle.test:${port}`, { servers: [dns!.address] });
    expect(await resolver.resolve('any')).toEqual([
      { network: 'tcp', address: `127.0.0.2:${port}`, weight: 10, tags: null },
      { network: 'tcp', address: `127.0.0.3:${port}`, weight: 10, tags: null },
    ]);
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver, destService: 'echo', refreshIntervalMs: 100 });
    closers.push(client);
    const tally = async (calls: number) => {
      const served: Record<string, number> = {};
      for (let i = 0; i < calls; i++) {
        const { msg } = (await client.call('echo', { req: { action: 'echo', msg: '' } })) as { msg: string };
        served[msg] = (served[msg] ?? 0) + 1;
      }
      return served;
    };
    expect(await tally(100)).toEqual({ '127.0.0.2': 50, '127.0.0.3': 50 });
    // A pod goes away: its record goes, and the next periodic read drops it.
    await dns!.setHosts({ 'echo.heddle.test': ['127.0.0.3'] });
    const deadline = Date.now() + 10_000;
    while (client.instances.length !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(client.instances.map((i) => i.address)).toEqual([`127.0.0.3:${port}`]);
    expect(await tally(20)).toEqual({ '127.0.0.3': 20 });
  }, 30_000);

  it('serves AAAA records as bracketed addresses, and asks for one family only when told', async () => {
    await dns!.setHosts({ 'dual.heddle.test': ['127.0.0.5', '::1'] });
    const both = await discovery.dns('dual.heddle.test:81', { servers: [dns!.address] }).resolve('x');
    expect(both.map((i) => i.address)).toEqual(['127.0.0.5:81', '[::1]:81']);
    const v6 = await discovery.dns('dual.heddle.test:81', { servers: [dns!.address], family: 6 }).resolve('x');
    expect(v6.map((i) => i.address)).toEqual(['[::1]:81']);
  });

  it('fails the first call with ERR_DISCOVERY for an unknown name, and keeps the last list when the DNS server is gone', async () => {
    const unknown = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: discovery.dns('nothing.heddle.test:1', { servers: [dns!.address] }), destService: 'x' });
    closers.push(unknown);
    const error = (await unknown.call('echo', { req: { action: 'echo', msg: '' } }).catch((e: unknown) => e)) as HeddleError;
    expect(error.code).toBe(ErrorCode.ERR_DISCOVERY);
    expect(error.message).toBe('discovery.dns: resolving nothing.heddle.test failed: ENOTFOUND');

    const own = await startDnsmasq();
    // Another server on 127.0.0.2, on a port of its own.
    const port = await serversOnOnePort(1);
    await own.setHosts({ 'solo.heddle.test': ['127.0.0.2'] });
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: discovery.dns(`solo.heddle.test:${port}`, { servers: [own.address] }), destService: 'solo', refreshIntervalMs: 50 });
    closers.push(client);
    expect(await client.call('echo', { req: { action: 'echo', msg: '' } })).toEqual({ action: 'echo', msg: '127.0.0.2' });
    await own.stop();
    await new Promise((r) => setTimeout(r, 1500));
    expect(client.instances.map((i) => i.address)).toEqual([`127.0.0.2:${port}`]);
    expect(await client.call('echo', { req: { action: 'echo', msg: '' } })).toEqual({ action: 'echo', msg: '127.0.0.2' });
  }, 30_000);
});
