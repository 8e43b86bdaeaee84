import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discovery, ErrorCode, rpc, type HeddleError } from '../../src-ts/index.js';
import { echoDoc } from './echo-fixture.js';

// Retries over real heddle servers on loopback. Each server answers a retried call (one carrying
// RPC_PERSIST_RetryReq) at once and lets a first try outlast the client's timeout, so which
// attempt went where is decided by the retry logic alone, not by timing luck.
interface Seen {
  server: string;
  retryReq: string | undefined;
}

const servers: rpc.RpcServer[] = [];
const addresses: string[] = [];
const seen: Seen[] = [];

function slowFirstTry(name: () => string, firstTryMs: number): rpc.Handler {
  return async ({ req }: { req: { msg: string } }, ctx: rpc.RpcContext) => {
    const retryReq = ctx.metainfo.getPersistent('RetryReq');
    seen.push({ server: name(), retryReq });
    const slow = (retryReq === undefined || ctx.metainfo.getPersistent('slow') !== undefined) && req.msg !== 'fast';
    if (slow) await new Promise((resolve) => setTimeout(resolve, firstTryMs));
    return { action: 'echo', msg: name() };
  };
}

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    let name = '';
    const server = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: { echo: slowFirstTry(() => name, 1500) } });
    await server.listen('tcp://127.0.0.1:0');
    name = server.address.slice('tcp://'.length);
    servers.push(server);
    addresses.push(name);
  }
});

afterAll(() => Promise.all(servers.map((s) => s.close({ timeoutMs: 100 }))));

const request = (msg = '') => ({ req: { action: 'echo', msg } });

async function callWithContext(client: { call: rpc.RpcClient['call'] }, msg = '', options: rpc.CallOptions = {}): Promise<{ reply: { msg: string }; ctx: rpc.RpcContext }> {
  let ctx: rpc.RpcContext | undefined;
  const reply = (await client.call('echo', request(msg), { ...options, onContext: (c) => (ctx = c) })) as { msg: string };
  return { reply, ctx: ctx! };
}

describe('failure retry over two heddle servers', () => {
  it('retries a timed-out call on the other instance, the retry carrying RPC_PERSIST_RetryReq = "1"', async () => {
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: discovery.static(addresses), destService: 'echo', timeoutMs: 300, retry: {} });
    try {
      seen.length = 0;
      const { reply, ctx } = await callWithContext(client);
      expect(ctx.attempts).toBe(2);
      expect(seen).toHaveLength(2);
      expect(seen[0]!.retryReq).toBeUndefined();
      expect(seen[1]).toEqual({ server: reply.msg, retryReq: '1' });
      // Not the same node: the retry went to the instance the first try did not.
      expect(seen[1]!.server).not.toBe(seen[0]!.server);
      expect(ctx.peer).toBe(reply.msg);
    } finally {
      await client.close();
    }
  });

  it('with retrySameNode the retry goes back to the instance that timed out', async () => {
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: discovery.static(addresses), destService: 'echo', timeoutMs: 300, retry: { retrySameNode: true } });
    try {
      for (let i = 0; i < 2; i++) {
        seen.length = 0;
        const { ctx } = await callWithContext(client);
        expect(ctx.attempts).toBe(2);
        expect(seen.map((s) => s.retryReq)).toEqual([undefined, '1']);
        expect(seen[1]!.server).toBe(seen[0]!.server);
      }
    } finally {
      await client.close();
    }
  });

  it('a client with a fixed address retries too, and a call that succeeds first time reports 1 attempt', async () => {
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: servers[0]!.address, timeoutMs: 300, retry: { maxRetries: 1 } });
    try {
      seen.length = 0;
      const retried = await callWithContext(client);
      expect(retried.ctx.attempts).toBe(2);
      expect(seen.map((s) => s.retryReq)).toEqual([undefined, '1']);
      const direct = await callWithContext(client, 'fast');
      expect(direct.ctx.attempts).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('per-method override `false` turns retry off: the timeout is the answer after one attempt', async () => {
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: servers[0]!.address, timeoutMs: 200, retry: { methods: { echo: false } } });
    try {
      seen.length = 0;
      let attempts: number | undefined;
      await expect(client.call('echo', request(), { onContext: (c) => (attempts = c.attempts) })).rejects.toMatchObject({ code: ErrorCode.ERR_TIMEOUT });
      expect(attempts).toBe(1);
      expect(seen).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('maxDurationMs bounds all attempts: no attempt starts after it and the last is cut to what is left', async () => {
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: servers[0]!.address, timeoutMs: 400, retry: { maxDurationMs: 600, retryOnCodes: [] } });
    try {
      seen.length = 0;
      const started = performance.now();
      let attempts = 0;
      // Every attempt is slow here: retried calls too.
      const error = (await client.call('echo', request(), { metainfo: { persistent: { slow: '1' } }, onContext: (c) => (attempts = c.attempts!) }).catch((e: unknown) => e)) as HeddleError;
      expect(error.code).toBe(ErrorCode.ERR_TIMEOUT);
      // 400 ms, then what is left of 600 (on a loaded machine the first may overrun it alone):
      // never the third attempt the policy allows.
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThan(3);
      expect(performance.now() - started).toBeLessThan(1400);
    } finally {
      await client.close();
    }
  });
});

describe('backup requests', () => {
  it('sends a backup when no reply came within delayMs; the backup answers first and wins', async () => {
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: discovery.static(addresses), destService: 'echo', timeoutMs: 3000, retry: { type: 'backup', delayMs: 100 } });
    try {
      seen.length = 0;
      const { reply, ctx } = await callWithContext(client);
      expect(ctx.attempts).toBe(2);
      expect(seen[1]).toEqual({ server: reply.msg, retryReq: '1' });
      expect(ctx.peer).toBe(seen[1]!.server);
      seen.length = 0;
      const quick = await callWithContext(client, 'fast');
      expect(quick.ctx.attempts).toBe(1);
      expect(seen).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});

describe('chain stop and persistent metainfo down the chain', () => {
  it('a handler serving a retried call does not retry downstream; one serving a first try does', async () => {
    const downstream = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: servers[1]!.address, timeoutMs: 250, retry: {} });
    const downstreamAttempts: number[] = [];
    const middle = rpc.createServer({
      idl: echoDoc,
      service: 'EchoService',
      handlers: {
        echo: async () => {
          let attempts = 0;
          const outcome = await downstream.call('echo', request(), { onContext: (c) => (attempts = c.attempts!) }).then(
            () => 'ok',
            (e: HeddleError) => e.code,
          );
          downstreamAttempts.push(attempts);
          return { action: 'echo', msg: outcome };
        },
      },
    });
    await middle.listen('tcp://127.0.0.1:0');
    const caller = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: middle.address, timeoutMs: 3000 });
    try {
      // `slow` (persistent, so it reaches the downstream server) makes every attempt time out.
      const slow = { slow: '1' };
      seen.length = 0;
      expect(await caller.call('echo', request(), { metainfo: { persistent: slow } })).toEqual({ action: 'echo', msg: ErrorCode.ERR_TIMEOUT });
      expect(downstreamAttempts).toEqual([3]);
      expect(seen.map((s) => s.retryReq)).toEqual([undefined, '1', '2']);
      // The same call marked as a retry, as a Kitex client's retry is: one downstream attempt,
      // and RetryReq travels on down the chain with it.
      seen.length = 0;
      expect(await caller.call('echo', request(), { metainfo: { persistent: { ...slow, RetryReq: '1' } } })).toEqual({ action: 'echo', msg: ErrorCode.ERR_TIMEOUT });
      expect(downstreamAttempts).toEqual([3, 1]);
      expect(seen).toEqual([{ server: addresses[1], retryReq: '1' }]);
    } finally {
      await Promise.all([caller.close(), downstream.close()]);
      await middle.close({ timeoutMs: 100 });
    }
  });

  it('the `parent` call option carries a served call\'s persistent metainfo without the scope', async () => {
    let persistent: Record<string, string> = {};
    const leaf = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: { echo: async (_a: unknown, ctx: rpc.RpcContext) => ((persistent = Object.fromEntries(ctx.metainfo.persistent())), { action: 'echo', msg: '' }) } });
    await leaf.listen('tcp://127.0.0.1:0');
    const plain = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: leaf.address });
    const middle = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: { echo: async (_a: unknown, ctx: rpc.RpcContext) => plain.call('echo', request(), { parent: ctx }) } });
    await middle.listen('tcp://127.0.0.1:0');
    const caller = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: middle.address });
    try {
      await caller.call('echo', request(), { metainfo: { persistent: { tenant: 't-7' }, transient: { hop: 'one' } } });
      // Persistent values reach the next hop but one; transient ones stop at the first.
      expect(persistent).toEqual({ tenant: 't-7' });
    } finally {
      await Promise.all([caller.close(), plain.close()]);
      await Promise.all([middle.close({ timeoutMs: 100 }), leaf.close({ timeoutMs: 100 })]);
    }
  });
});
