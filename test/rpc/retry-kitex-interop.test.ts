import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { discovery, ErrorCode, rpc, type HeddleError } from '../../src-ts/index.js';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { useGoServer } from './go-peer.js';
import { echoDoc } from './echo-fixture.js';

// Retries on the wire between heddle and a real CloudWeGo Kitex v0.15.2 (test/interop/kitex-retry):
// the Kitex side judges retries with its own retry package (retry.IsRemoteRetryRequest, the
// persistent metainfo value retry.TransitKey), and retries with its default failure policy.
let binary = '';

beforeAll(() => {
  if (hasPeers(['go'])) binary = buildGoProgram('kitex-retry', { kitexIdl: fileURLToPath(new URL('../interop/kitex-echo/echo.thrift', import.meta.url)) });
}, 600_000);

interface KitexSeen {
  retry: boolean;
  retryReq: string;
  persistent: Record<string, string> | null;
}

describeWithPeers(['go'], 'a heddle retry, as a Kitex handler sees it', () => {
  const peer = useGoServer(() => binary);

  it.each([
    ['failure retry after a timeout', { timeoutMs: 300, retry: {} }],
    ['a backup request', { timeoutMs: 3000, retry: { type: 'backup', delayMs: 150 } }],
  ] as const)('%s is a retry to Kitex: IsRemoteRetryRequest true, RetryReq "1"', async (_name, options) => {
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: peer.address, ...options });
    try {
      let attempts = 0;
      const before = JSON.parse(((await client.call('echo', { req: { action: 'log', msg: '' } })) as { msg: string }).msg) as KitexSeen[] | null;
      const reply = (await client.call('echo', { req: { action: 'slow-first', msg: '1000' } }, { onContext: (c) => (attempts = c.attempts!) })) as { msg: string };
      expect(JSON.parse(reply.msg)).toEqual({ retry: true, retryReq: '1', persistent: { RetryReq: '1' } });
      expect(attempts).toBe(2);
      // The first try, as Kitex saw it, was no retry.
      const log = JSON.parse(((await client.call('echo', { req: { action: 'log', msg: '' } })) as { msg: string }).msg) as KitexSeen[];
      expect(log.slice(before?.length ?? 0)).toEqual([
        { retry: false, retryReq: '', persistent: null },
        { retry: true, retryReq: '1', persistent: { RetryReq: '1' } },
      ]);
    } finally {
      await client.close();
    }
  });
});

describeWithPeers(['go'], 'a heddle retry across two Kitex instances', () => {
  const first = useGoServer(() => binary);
  const second = useGoServer(() => binary);

  it('goes to the other instance, which sees it as a retry; the one that timed out saw a first try', async () => {
    const hostPort = (address: string) => address.slice('tcp://'.length);
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: discovery.static([hostPort(first.address), hostPort(second.address)]), destService: 'echo', timeoutMs: 300, retry: {} });
    const logOf = async (address: string) => {
      const direct = rpc.createClient({ idl: echoDoc, service: 'EchoService', address });
      try {
        return (JSON.parse(((await direct.call('echo', { req: { action: 'log', msg: '' } })) as { msg: string }).msg) ?? []) as KitexSeen[];
      } finally {
        await direct.close();
      }
    };
    try {
      let peer = '';
      let attempts = 0;
      const reply = (await client.call('echo', { req: { action: 'slow-first', msg: '1000' } }, { onContext: (c) => ((peer = c.peer), (attempts = c.attempts!)) })) as { msg: string };
      expect(attempts).toBe(2);
      expect(JSON.parse(reply.msg)).toMatchObject({ retry: true, retryReq: '1' });
      const served = peer === hostPort(first.address) ? first : second;
      const timedOut = served === first ? second : first;
      expect(await logOf(served.address)).toEqual([{ retry: true, retryReq: '1', persistent: { RetryReq: '1' } }]);
      expect(await logOf(timedOut.address)).toEqual([{ retry: false, retryReq: '', persistent: null }]);
    } finally {
      await client.close();
    }
  });
});

describeWithPeers(['go'], 'a Kitex retry reaching a heddle server', () => {
  interface Served {
    retryReq: string | undefined;
    downstreamAttempts?: number;
    downstreamError?: string;
  }
  const served: Served[] = [];
  const downstreamSeen: Array<string | undefined> = [];
  let leaf: rpc.RpcServer;
  let front: rpc.RpcServer;
  let downstream: rpc.RpcClient;

  beforeAll(async () => {
    // The leaf never answers in time, so a downstream client free to retry would try 3 times.
    leaf = rpc.createServer({
      idl: echoDoc,
      service: 'EchoService',
      handlers: {
        echo: async (_args: unknown, ctx: rpc.RpcContext) => {
          downstreamSeen.push(ctx.metainfo.getPersistent('RetryReq'));
          await new Promise((resolve) => setTimeout(resolve, 400));
          return { action: 'echo', msg: 'late' };
        },
      },
    });
    await leaf.listen('tcp://127.0.0.1:0');
    downstream = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: leaf.address, timeoutMs: 100, retry: {} });
    front = rpc.createServer({
      idl: echoDoc,
      service: 'EchoService',
      handlers: {
        echo: async ({ req }: { req: { msg: string } }, ctx: rpc.RpcContext) => {
          const entry: Served = { retryReq: ctx.metainfo.getPersistent('RetryReq') };
          served.push(entry);
          // The first try outlasts the Kitex client's 500 ms timeout; its retry calls downstream.
          if (entry.retryReq === undefined) {
            await new Promise((resolve) => setTimeout(resolve, Number(req.msg)));
            return { action: 'echo', msg: 'first' };
          }
          await downstream.call('echo', { req: { action: 'echo', msg: '' } }, { onContext: (c) => (entry.downstreamAttempts = c.attempts) }).catch((e: HeddleError) => (entry.downstreamError = e.code));
          return { action: 'echo', msg: JSON.stringify(entry) };
        },
      },
    });
    await front.listen('tcp://127.0.0.1:0');
  });

  afterAll(async () => {
    await downstream.close();
    await Promise.all([front.close({ timeoutMs: 1500 }), leaf.close({ timeoutMs: 1000 })]);
  });

  it('carries RPC_PERSIST_RetryReq = "1", and the heddle handler serving it does not retry downstream', async () => {
    const { stdout } = await promisify(execFile)(binary, ['client', '-addr', front.address.slice('tcp://'.length), '-timeout', '500ms', '-action', 'echo', '-msg', '1200'], { timeout: 20_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { msg?: string; error?: string };
    expect(result.error).toBeUndefined();
    const entry = JSON.parse(result.msg!) as Served;
    expect(entry).toEqual({ retryReq: '1', downstreamAttempts: 1, downstreamError: ErrorCode.ERR_TIMEOUT });
    expect(served.map((s) => s.retryReq)).toEqual([undefined, '1']);
    // RetryReq went on down the chain as persistent metainfo, as Kitex's does.
    expect(downstreamSeen).toEqual(['1']);
  });
});
