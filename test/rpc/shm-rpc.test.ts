import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createServer, type RpcServer } from '../../src-ts/rpc/index.js';
import * as shm from '../../src-ts/shm/index.js';
import { ThriftException } from '../../src-ts/thrift/index.js';
import { echoDoc, echoHandlers } from './echo-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'heddle-shm-rpc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shmFiles = () => (existsSync('/dev/shm') ? readdirSync('/dev/shm').filter((f) => f.startsWith('heddle')) : []);

describe('RPC over shared memory (shm://), with the socket fallback', () => {
  let server: RpcServer;
  const control = join(dir, 'control.sock');
  const fallback = `unix://${join(dir, 'fallback.sock')}`;
  const peers: string[] = [];
  beforeAll(async () => {
    server = createServer({
      idl: echoDoc,
      service: 'EchoService',
      handlers: echoHandlers,
      shm: { fallback },
      log: () => {},
      middleware: [(next) => (ctx, args) => (peers.push(ctx.peer), next(ctx, args))],
    });
    await server.listen(`shm://${control}`);
    await server.listen('tcp://127.0.0.1:0');
  });
  afterAll(() => server.close());

  it('listens on shm and tcp at once', () => {
    expect(server.addresses).toEqual([`shm://${control}`, expect.stringMatching(/^tcp:\/\/127\.0\.0\.1:\d+$/)]);
  });

  it.each(['ttheader', 'framed'] as const)('round-trips calls, 4 MiB payloads, exceptions and metainfo over %s', async (transport) => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: `shm://${control}`, transport, shm: { fallback } });
    try {
      expect(await client.call('echo', { req: { action: 'echo', msg: 'over shared memory' } })).toEqual({ action: 'echo', msg: 'over shared memory' });
      for (const size of [1, 1024, 64 * 1024, 1 << 20, 4 << 20]) {
        const msg = 'm'.repeat(size);
        expect(await client.call('echo', { req: { action: 'echo', msg } })).toEqual({ action: 'echo', msg });
      }
      const thrown = await client.call('echo', { req: { action: 'throw', msg: 'shm' } }).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(ThriftException);
      if (transport === 'ttheader') {
        const meta = (await client.call('echo', { req: { action: 'meta', msg: '' } }, { metainfo: { persistent: { tenant: 'acme' } } })) as { msg: string };
        expect(JSON.parse(meta.msg).persistent).toEqual({ tenant: 'acme' });
      }
    } finally {
      await client.close();
    }
  });

  it('serves many concurrent calls, pooled and multiplexed', async () => {
    for (const multiplexed of [false, true]) {
      // Correctness under load, not deadlines: an emulated arm64 machine needs more than the 3 s default.
      const client = createClient({ idl: echoDoc, service: 'EchoService', address: `shm://${control}`, multiplexed, maxConnections: multiplexed ? 2 : 32, shm: { fallback }, timeoutMs: 30_000 });
      const replies = await Promise.all(Array.from({ length: 300 }, (_, i) => client.call('echo', { req: { action: 'echo', msg: `c${i}` } })));
      expect(replies).toEqual(Array.from({ length: 300 }, (_, i) => ({ action: 'echo', msg: `c${i}` })));
      await client.close();
    }
  });

  it('falls back to TCP when the server refuses the shared-memory peer', async () => {
    // The allowlist also guards a Unix-socket fallback, so a refused uid can only come in over TCP.
    const refusing = createServer({
      idl: echoDoc,
      service: 'EchoService',
      handlers: echoHandlers,
      shm: { fallback: 'tcp://127.0.0.1:0', allowedUids: [(process.getuid?.() ?? 0) + 4242] },
      log: () => {},
      middleware: [(next) => (ctx, args) => (refusedPeers.push(ctx.peer), next(ctx, args))],
    });
    const refusedPeers: string[] = [];
    await refusing.listen(`shm://${join(dir, 'refusing.sock')}`);
    const [tcpFallback] = refusing.shmFallbackAddresses;
    expect(tcpFallback).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: `shm://${join(dir, 'refusing.sock')}`, shm: { fallback: tcpFallback! } });
    expect(await client.call('echo', { req: { action: 'echo', msg: 'via fallback' } })).toEqual({ action: 'echo', msg: 'via fallback' });
    expect(refusedPeers).toEqual([expect.stringMatching(/\(tcp\)$/)]);
    await client.close();
    await refusing.close();
  });

  it('leaves no shared-memory files behind after a clean shutdown', async () => {
    const before = shmFiles();
    const own = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, log: () => {}, shm: { fallback: `unix://${join(dir, 'own-fallback.sock')}` } });
    await own.listen(`shm://${join(dir, 'own.sock')}`);
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: `shm://${join(dir, 'own.sock')}`, shm: { version: 2, fallback: `unix://${join(dir, 'own-fallback.sock')}` } });
    expect(await client.call('ping')).toBe('pong');
    await client.close();
    await own.close();
    expect(shmFiles()).toEqual(before);
    expect(existsSync(join(dir, 'own.sock'))).toBe(false);
  });

  it('carries calls over shared memory when the addon is loaded, else over the fallback socket', () => {
    // Without the addon (HEDDLE_NO_NATIVE=1) only the fallback listens and every call above went
    // over the Unix socket; with it, none did.
    expect(peers.length).toBeGreaterThan(600);
    const expected = shm.available ? /\(shm\)$/ : /\(unix\)$/;
    expect(peers.filter((peer) => !expected.test(peer))).toEqual([]);
  });
});
