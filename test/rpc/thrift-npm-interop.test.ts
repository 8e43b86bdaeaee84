import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createServer, type RpcServer } from '../../src-ts/rpc/index.js';
import { nativeIoAvailable } from '../../src-ts/rpc/native-connection.js';
import { startThriftServer, thriftClient } from '../../bench/rpc/peers.mjs';
import { describeWithPeers } from '../helpers/peers.js';
import { echoDoc, echoHandlers } from './echo-fixture.js';

// The Apache `thrift` npm package (code from the Debian thrift compiler, `--gen js:node`) as
// server and as client, on Framed and Buffered transports, Binary and Compact protocols, with
// heddle on each I/O path (the addon's native scanner, and net.Socket with the TS FrameReader).

const ioPaths = nativeIoAvailable() ? (['native', 'net'] as const) : (['net'] as const);
const combos = (['framed', 'buffered'] as const).flatMap((transport) =>
  (['binary', 'compact'] as const).flatMap((protocol) => ioPaths.map((io) => [transport, protocol, io] as const)),
);

describeWithPeers(['thrift'], 'thrift npm package', () => describe.each(combos)('%s transport, %s protocol, %s I/O', (transport, protocol, io) => {
  let peer: { address: string; close(): Promise<void> };
  let server: RpcServer;
  beforeAll(async () => {
    peer = await startThriftServer('tcp://127.0.0.1:0', transport, protocol);
    server = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, protocol, io, log: () => {} });
    await server.listen('tcp://127.0.0.1:0');
  });
  afterAll(async () => {
    await peer.close();
    await server.close();
  });

  it('heddle client calls the thrift package server', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: peer.address, transport, protocol, io });
    try {
      expect(await client.call('echo', { req: { action: 'echo', msg: 'to apache' } })).toEqual({ action: 'echo', msg: 'to apache' });
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => client.call('echo', { req: { action: 'echo', msg: `n${i}`.repeat(i * 10) } })));
      expect(results).toEqual(Array.from({ length: 50 }, (_, i) => ({ action: 'echo', msg: `n${i}`.repeat(i * 10) })));
      // The default client pipelined them (32 a connection) and the package's server answered each by seqID.
      expect([client.connectionSharing, client.openConnections]).toEqual(['pipelined', 2]);
      expect(await client.call('ping')).toBe('pong');
    } finally {
      await client.close();
    }
  });

  it('the thrift package client calls the heddle server', async () => {
    const client = thriftClient(server.address, transport, protocol);
    await client.ready;
    try {
      expect(await client.call({ action: 'echo', msg: 'from apache' })).toMatchObject({ action: 'echo', msg: 'from apache' });
      const big = 'z'.repeat(200_000);
      expect(await client.call({ action: 'echo', msg: big })).toMatchObject({ msg: big });
      expect(await client.ping()).toBe('pong');
      const thrown = (await client.call({ action: 'throw', msg: 'declared' }).catch((e: unknown) => e)) as { code?: number; message?: string; name?: string };
      expect(thrown).toMatchObject({ code: 7, message: 'declared' });
    } finally {
      client.close();
    }
  });
}));
