import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statSync } from 'node:fs';
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

  it.skipIf(!shm.available)('prefers shared memory when the instance registered a control socket', async () => {
    const registry = discovery.memory();
    await server(registry, ['tcp://127.0.0.1:0', `unix://${base}-c.sock`, `shm://${base}-c-shm.sock`]);
    expect(statSync(`${base}-c-shm.sock`).mode & 0o777).toBe(0o600);
    expect(await arrival(registry, { hostIdentity: HOST, inline: false })).toBe('shm');
    expect(await arrival(registry, { hostIdentity: HOST, inline: false, sharedMemory: false })).toBe('unix');
  });
});
