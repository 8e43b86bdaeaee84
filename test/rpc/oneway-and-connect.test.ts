import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { HeddleError } from '../../src-ts/errors.js';
import { native } from '../../src-ts/native.js';
import { createClient, createServer } from '../../src-ts/rpc/index.js';
import * as thrift from '../../src-ts/thrift/index.js';
import { itWithPeers, PYTHON } from '../helpers/peers.js';

const ioPaths = native.loaded ? (['native', 'net'] as const) : (['net'] as const);
const doc = thrift.parse(`
  service Notifier {
    oneway void notify(1: string what)
    i32 count()
  }
`);

describe.each(ioPaths)('oneway calls and connect timeouts, %s I/O', (io) => {
  it('delivers oneway calls without a reply, in order with two-way calls', async () => {
    const seen: string[] = [];
    const server = createServer({ idl: doc, service: 'Notifier', io, handlers: { notify: ({ what }: { what: string }) => void seen.push(what), count: () => seen.length } });
    await server.listen('tcp://127.0.0.1:0');
    const client = createClient({ idl: doc, service: 'Notifier', address: server.address, io, maxConnections: 1 });
    for (const what of ['a', 'b', 'c']) expect(await client.call('notify', { what })).toBeUndefined();
    // A two-way call on the same connection is read after the oneway ones.
    expect(await client.call('count')).toBe(3);
    expect(seen).toEqual(['a', 'b', 'c']);
    await client.close();
    await server.close();
  });

  const stalled: Array<() => void> = [];
  afterAll(() => stalled.forEach((stop) => stop()));

  itWithPeers(['python3'], 'gives ERR_TIMEOUT when connecting takes longer than connectTimeoutMs', async () => {
    // A listener whose backlog is full and that never accepts: further SYNs go unanswered.
    const peer = spawn(PYTHON, ['-c', [
      'import socket,sys',
      's=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(0)',
      'fill=[socket.socket() for _ in range(4)]',
      '[(c.setblocking(False), c.connect_ex(s.getsockname())) for c in fill]',
      'print(s.getsockname()[1], flush=True); sys.stdin.read()',
    ].join('\n')], { stdio: ['pipe', 'pipe', 'inherit'] });
    stalled.push(() => peer.stdin.end());
    const port = await new Promise<number>((resolve) => peer.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const client = createClient({ idl: doc, service: 'Notifier', address: `tcp://127.0.0.1:${port}`, io, connectTimeoutMs: 150, timeoutMs: 2000 });
    const started = Date.now();
    const error = (await client.call('count').catch((e: unknown) => e)) as HeddleError;
    expect(error.code).toBe('ERR_TIMEOUT');
    expect(error.message).toMatch(/connecting to 127\.0\.0\.1:\d+ took longer than 150 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
    await client.close();
  });
});
