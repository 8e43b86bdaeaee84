import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode, rpc, type HeddleError } from '../../src-ts/index.js';
import { currentServerCall } from '../../src-ts/rpc/call-scope.js';
import { echoDoc } from './echo-fixture.js';

// The call scope is process-wide, so this file (its own process in vitest) checks the order a
// process goes through: off by default, on once a client with `retry` exists.
let leaf: rpc.RpcServer;
let middle: rpc.RpcServer;
let plain: rpc.RpcClient;
let caller: rpc.RpcClient;
let leafSaw: Array<Record<string, string>> = [];
let scopeSeen: Array<string | undefined> = [];

beforeAll(async () => {
  leaf = rpc.createServer({
    idl: echoDoc,
    service: 'EchoService',
    handlers: {
      echo: async ({ req }: { req: { msg: string } }, ctx: rpc.RpcContext) => {
        leafSaw.push(Object.fromEntries(ctx.metainfo.persistent()));
        await new Promise((resolve) => setTimeout(resolve, Number(req.msg)));
        return { action: 'echo', msg: '' };
      },
    },
  });
  await leaf.listen('tcp://127.0.0.1:0');
  plain = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: leaf.address });
  middle = rpc.createServer({
    idl: echoDoc,
    service: 'EchoService',
    handlers: {
      echo: async (_args: unknown, ctx: rpc.RpcContext) => {
        scopeSeen.push(currentServerCall()?.method);
        await plain.call('echo', { req: { action: 'echo', msg: '0' } });
        return { action: 'echo', msg: String(ctx.deadline !== undefined) };
      },
    },
  });
  await middle.listen('tcp://127.0.0.1:0');
  caller = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: middle.address });
});

afterAll(async () => {
  await Promise.all([caller.close(), plain.close()]);
  await Promise.all([middle.close({ timeoutMs: 100 }), leaf.close({ timeoutMs: 100 })]);
});

const tenant = { metainfo: { persistent: { tenant: 't-1' } } };

it('without a retry client the scope is off: a handler\'s plain call carries nothing of its caller', async () => {
  leafSaw = [];
  scopeSeen = [];
  await caller.call('echo', { req: { action: 'echo', msg: '' } }, tenant);
  expect(scopeSeen).toEqual([undefined]);
  expect(leafSaw).toEqual([{}]);
});

it('once a client with retry exists, handlers run in the scope and persistent metainfo flows on', async () => {
  const retrying = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: leaf.address, retry: {} });
  try {
    leafSaw = [];
    scopeSeen = [];
    await caller.call('echo', { req: { action: 'echo', msg: '' } }, tenant);
    expect(scopeSeen).toEqual(['echo']);
    expect(leafSaw).toEqual([{ tenant: 't-1' }]);
  } finally {
    await retrying.close();
  }
});

it("the served call's deadline bounds a handler's retries: never the 3 attempts the policy allows", async () => {
  const retrying = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: leaf.address, timeoutMs: 400, retry: {} });
  const finished: Array<{ attempts: number; code: string; ms: number }> = [];
  const front = rpc.createServer({
    idl: echoDoc,
    service: 'EchoService',
    handlers: {
      echo: async () => {
        const started = performance.now();
        let attempts = 0;
        const code = await retrying.call('echo', { req: { action: 'echo', msg: '2000' } }, { onContext: (c) => (attempts = c.attempts!) }).then(
          () => 'ok',
          (e: HeddleError) => e.code,
        );
        finished.push({ attempts, code, ms: performance.now() - started });
        return { action: 'echo', msg: '' };
      },
    },
  });
  await front.listen('tcp://127.0.0.1:0');
  const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: front.address, timeoutMs: 600 });
  try {
    // The caller gives 600 ms: a first 400 ms attempt, then one cut to what is left, then none.
    await expect(client.call('echo', { req: { action: 'echo', msg: '' } })).rejects.toMatchObject({ code: ErrorCode.ERR_TIMEOUT });
    for (let i = 0; i < 100 && finished.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 30));
    expect(finished).toHaveLength(1);
    expect(finished[0]!.code).toBe(ErrorCode.ERR_TIMEOUT);
    expect(finished[0]!.attempts).toBeGreaterThanOrEqual(1);
    expect(finished[0]!.attempts).toBeLessThan(3);
    // Three full attempts would take 1200 ms.
    expect(finished[0]!.ms).toBeLessThan(1100);
  } finally {
    await client.close();
    await retrying.close();
    await front.close({ timeoutMs: 100 });
  }
});
