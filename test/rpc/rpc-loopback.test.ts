import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { native } from '../../src-ts/native.js';
import { createClient, createServer, type RpcServer, type ServerLogEntry } from '../../src-ts/rpc/index.js';
import type { TransportName } from '../../src-ts/rpc/wire.js';
import { ThriftException } from '../../src-ts/thrift/index.js';
import { echoDoc, echoHandlers } from './echo-fixture.js';

const ioPaths = native.loaded ? (['native', 'net'] as const) : (['net'] as const);
const dir = mkdtempSync(join(tmpdir(), 'heddle-rpc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(ioPaths)('heddle client and server, %s I/O', (io) => {
  let server: RpcServer;
  const logs: ServerLogEntry[] = [];
  beforeAll(async () => {
    server = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io, log: (e) => logs.push(e) });
    await server.listen('tcp://127.0.0.1:0');
    await server.listen(`unix://${join(dir, `${io}.sock`)}`);
  });
  afterAll(() => server.close());

  it('listens on TCP and a 0600 Unix socket at once', () => {
    expect(server.addresses[0]).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(server.addresses[1]).toBe(`unix://${join(dir, `${io}.sock`)}`);
    expect(statSync(join(dir, `${io}.sock`)).mode & 0o777).toBe(0o600);
  });

  it.each(['ttheader', 'ttheader-framed', 'framed', 'buffered'] as TransportName[])('round-trips calls over %s, on both addresses', async (transport) => {
    for (const address of server.addresses) {
      const client = createClient({ idl: echoDoc, service: 'EchoService', address, transport, io });
      try {
        expect(await client.call('echo', { req: { action: 'echo', msg: 'hi' } })).toEqual({ action: 'echo', msg: 'hi' });
        const big = 'x'.repeat(1 << 20);
        expect(await client.call('echo', { req: { action: 'echo', msg: big } })).toEqual({ action: 'echo', msg: big });
        expect(await client.call('ping')).toBe('pong');
      } finally {
        await client.close();
      }
    }
  });

  it.each([false, true])('serves 500 concurrent calls (multiplexed: %s) and matches every reply', async (multiplexed) => {
    // Correctness under load, not deadlines: an emulated arm64 machine needs more than the 3 s default.
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, multiplexed, maxConnections: multiplexed ? 2 : 50, timeoutMs: 30_000 });
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => client.call('echo', { req: { action: 'echo', msg: `m${i}` } })));
    expect(results).toEqual(Array.from({ length: 500 }, (_, i) => ({ action: 'echo', msg: `m${i}` })));
    await client.close();
  });

  it('accepts out-of-order replies on a multiplexed connection, matched by seqID', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, multiplexed: true, maxConnections: 1 });
    const order: string[] = [];
    const slow = client.call('echo', { req: { action: 'sleep', msg: '150' } }).then((r) => (order.push('slow'), r));
    const fast = client.call('echo', { req: { action: 'echo', msg: 'fast' } }).then((r) => (order.push('fast'), r));
    expect(await Promise.all([slow, fast])).toEqual([{ action: 'sleep', msg: '150' }, { action: 'echo', msg: 'fast' }]);
    expect(order).toEqual(['fast', 'slow']);
    await client.close();
  });

  it('rejects a declared exception with its type and decoded value', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io });
    const error = await client.call('echo', { req: { action: 'throw', msg: 'nope' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThriftException);
    expect((error as ThriftException).type).toBe('EchoError');
    expect((error as ThriftException).value).toEqual({ code: 7, message: 'nope' });
    await client.close();
  });

  it('maps a handler crash to a TApplicationException, and the connection keeps serving', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, maxConnections: 1 });
    const error = (await client.call('echo', { req: { action: 'crash', msg: 'boom' } }).catch((e: unknown) => e)) as HeddleError & { remote: { typeName: string } };
    expect(error).toBeInstanceOf(HeddleError);
    expect(error.code).toBe('ERR_REMOTE');
    expect(error.remote.typeName).toBe('INTERNAL_ERROR');
    expect(error.message).toMatch(/handler crashed: boom/);
    expect(await client.call('ping')).toBe('pong');
    expect(logs.some((l) => l.message.includes('handler crashed: boom'))).toBe(true);
    await client.close();
  });

  it('carries transient, persistent and backward metainfo over TTHeader', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, transport: 'ttheader' });
    let backward: Map<string, string> | undefined;
    const result = (await client.call('echo', { req: { action: 'meta', msg: '' } }, {
      metainfo: { transient: { 'trace-tag': 't-42' }, persistent: { tenant: 'acme' } },
      onContext: (ctx) => (backward = ctx.responseMetainfo.backward()),
    })) as { msg: string };
    expect(JSON.parse(result.msg)).toEqual({ transient: { 'trace-tag': 't-42' }, persistent: { tenant: 'acme' } });
    expect(backward?.get('served-by')).toBe('heddle');
    await client.close();
  });

  it('runs client and server middleware around the call, with the context', async () => {
    const seen: string[] = [];
    const mwServer = createServer({
      idl: echoDoc,
      service: 'EchoService',
      handlers: echoHandlers,
      io,
      middleware: [(next) => async (ctx, args) => {
        seen.push(`server:${ctx.method}:${ctx.seqId}:${ctx.transport}`);
        const out = (await next(ctx, args)) as { action: string; msg: string };
        return { ...out, msg: `${out.msg}+server` };
      }],
    });
    await mwServer.listen('tcp://127.0.0.1:0');
    const client = createClient({
      idl: echoDoc,
      service: 'EchoService',
      address: mwServer.address,
      io,
      middleware: [(next) => async (ctx, args) => {
        seen.push(`client:${ctx.method}`);
        return next(ctx, { req: { ...(args.req as object), msg: 'rewritten' } });
      }],
    });
    expect(await client.call('echo', { req: { action: 'echo', msg: 'original' } })).toEqual({ action: 'echo', msg: 'rewritten+server' });
    expect(seen).toEqual(['client:echo', 'server:echo:1:ttheader']);
    await client.close();
    await mwServer.close();
  });

  it('times out a slow call with ERR_TIMEOUT, drops the late reply, and keeps working', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, multiplexed: true });
    const started = Date.now();
    const error = (await client.call('echo', { req: { action: 'sleep', msg: '300' } }, { timeoutMs: 80 }).catch((e: unknown) => e)) as HeddleError;
    expect(error.code).toBe('ERR_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(250);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the late reply arrives and is dropped
    expect(await client.call('echo', { req: { action: 'echo', msg: 'after' } })).toEqual({ action: 'echo', msg: 'after' });
    await client.close();
  });

  it('answers an unknown method with UNKNOWN_METHOD and rejects unknown names locally', async () => {
    const partial = createServer({ idl: echoDoc, service: 'EchoService', handlers: { ping: echoHandlers.ping }, io, log: () => {} });
    await partial.listen('tcp://127.0.0.1:0');
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: partial.address, io });
    const error = (await client.call('echo', { req: { action: 'echo', msg: '' } }).catch((e: unknown) => e)) as HeddleError & { remote: { typeName: string } };
    expect(error.code).toBe('ERR_REMOTE');
    expect(error.remote.typeName).toBe('UNKNOWN_METHOD');
    await expect(client.call('nosuch', {})).rejects.toMatchObject({ code: 'ERR_UNKNOWN_TYPE' });
    await client.close();
    await partial.close();
  });
});
