import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeddleError } from '../../src-ts/errors.js';
import { native } from '../../src-ts/native.js';
import { createClient, createServer, type RpcServer } from '../../src-ts/rpc/index.js';
import { FrameReader } from '../../src-ts/transport/index.js';
import type { TransportName } from '../../src-ts/rpc/wire.js';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { useGoServer } from './go-peer.js';
import { echoDoc, echoHandlers } from './echo-fixture.js';

// The default client pipelines calls on a few connections (client.ts, `multiplexed` unset). These
// tests pin down what that means against each kind of peer: a heddle server (concurrent, replies
// in any order), a Kitex server (one request at a time per connection), and a peer that refuses a
// second request before it has answered the first. The `thrift` package's servers are covered in
// thrift-npm-interop.test.ts.

const ioPaths = native.loaded ? (['native', 'net'] as const) : (['net'] as const);
const echo = (msg: string) => ({ req: { action: 'echo', msg } });

describe.each(ioPaths)('pipelined default client, heddle server, %s I/O', (io) => {
  let server: RpcServer;
  beforeAll(async () => {
    server = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io, log: () => {} });
    await server.listen('tcp://127.0.0.1:0');
  });
  afterAll(() => server.close());

  it('packs 300 concurrent calls onto ceil(300 / pipelineDepth) connections and matches every reply', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, timeoutMs: 30_000 });
    try {
      expect(client.connectionSharing).toBe('pipelined');
      const results = await Promise.all(Array.from({ length: 300 }, (_, i) => client.call('echo', echo(`m${i}`.repeat(i % 50)))));
      expect(results).toEqual(Array.from({ length: 300 }, (_, i) => ({ action: 'echo', msg: `m${i}`.repeat(i % 50) })));
      expect(client.openConnections).toBe(Math.ceil(300 / 32));
      const narrow = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, timeoutMs: 30_000, pipelineDepth: 100 });
      await Promise.all(Array.from({ length: 300 }, (_, i) => narrow.call('echo', echo(`n${i}`))));
      expect(narrow.openConnections).toBe(3);
      await narrow.close();
    } finally {
      await client.close();
    }
  });

  it('sends a call behind a slower one on the same connection and takes the replies in the order they come', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io });
    try {
      const order: string[] = [];
      const slow = client.call('echo', { req: { action: 'sleep', msg: '150' } }).then((r) => (order.push('slow'), r));
      const fast = client.call('echo', echo('fast')).then((r) => (order.push('fast'), r));
      expect(await Promise.all([slow, fast])).toEqual([{ action: 'sleep', msg: '150' }, { action: 'echo', msg: 'fast' }]);
      expect(order).toEqual(['fast', 'slow']);
      expect(client.openConnections).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('keeps the old meanings: multiplexed false is one call per connection, true one connection by default', async () => {
    const pooled = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, multiplexed: false });
    const multiplexed = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, multiplexed: true });
    try {
      await Promise.all(Array.from({ length: 40 }, (_, i) => pooled.call('echo', echo(`p${i}`))));
      await Promise.all(Array.from({ length: 40 }, (_, i) => multiplexed.call('echo', echo(`x${i}`))));
      expect([pooled.connectionSharing, pooled.openConnections]).toEqual(['pooled', 40]);
      expect([multiplexed.connectionSharing, multiplexed.openConnections]).toEqual(['multiplexed', 1]);
    } finally {
      await pooled.close();
      await multiplexed.close();
    }
  });

  it('rejects a pipelineDepth that is not a positive integer', () => {
    for (const pipelineDepth of [0, -1, 1.5, Number.NaN]) {
      expect(() => createClient({ idl: echoDoc, service: 'EchoService', address: server.address, pipelineDepth })).toThrow(/pipelineDepth must be a positive integer/);
    }
  });

  it('falls back to one call per connection when a peer drops a connection carrying pipelined calls', async () => {
    const strict = await startOneAtATimePeer(server.address);
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: strict.address, io });
    try {
      // Both calls leave in one write on one connection; the peer hangs up without answering.
      const first = await Promise.allSettled([client.call('echo', echo('a')), client.call('echo', echo('b'))]);
      expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(first.map((r) => ((r as PromiseRejectedResult).reason as HeddleError).code)).toEqual(['ERR_CONNECTION', 'ERR_CONNECTION']);
      expect(client.connectionSharing).toBe('pooled');
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.call('echo', echo(`s${i}`))));
      expect(results).toEqual(Array.from({ length: 20 }, (_, i) => ({ action: 'echo', msg: `s${i}` })));
      expect(strict.refused()).toBe(1);
    } finally {
      await client.close();
      await strict.close();
    }
  });
});

describe('the pooled spell after a drop', () => {
  let server: RpcServer;
  beforeAll(async () => {
    server = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, log: () => {} });
    await server.listen('tcp://127.0.0.1:0');
  });
  afterAll(() => server.close());

  it('ends after pipelineRetryMs, and each further drop doubles it', async () => {
    const strict = await startOneAtATimePeer(server.address!);
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: strict.address, pipelineRetryMs: 150 });
    const pair = () => Promise.allSettled([client.call('echo', echo('a')), client.call('echo', echo('b'))]);
    try {
      expect((await pair()).map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(client.connectionSharing).toBe('pooled');
      expect((await pair()).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Pipelining again: this strict peer drops the pair once more, and the spell is now 300 ms.
      expect((await pair()).map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect([client.connectionSharing, strict.refused()]).toEqual(['pooled', 2]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await pair()).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      expect([client.connectionSharing, strict.refused()]).toEqual(['pooled', 2]);
    } finally {
      await client.close();
      await strict.close();
    }
  });
});

/**
 * A strictly request-response peer in front of a real heddle server: it forwards one TTHeader
 * request at a time and hangs up on a client that sends another before the answer went back.
 */
async function startOneAtATimePeer(upstreamAddress: string): Promise<{ address: string; refused: () => number; close: () => Promise<void> }> {
  const upstreamPort = Number(upstreamAddress.split(':').pop());
  const sockets = new Set<net.Socket>();
  let refused = 0;
  const listener = net.createServer((downstream) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    sockets.add(downstream).add(upstream);
    const requests = new FrameReader({ kind: 'ttheader' });
    const replies = new FrameReader({ kind: 'ttheader' });
    let unanswered = 0;
    downstream.on('data', (chunk) => {
      const frames = requests.push(new Uint8Array(chunk));
      for (const frame of frames) frame.payload.close();
      unanswered += frames.length;
      if (unanswered > 1) {
        refused++;
        downstream.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      const frames = replies.push(new Uint8Array(chunk));
      for (const frame of frames) frame.payload.close();
      unanswered -= frames.length;
      downstream.write(chunk);
    });
    downstream.on('error', () => upstream.destroy());
    upstream.on('error', () => downstream.destroy());
    downstream.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  return {
    address: `tcp://127.0.0.1:${port}`,
    refused: () => refused,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => listener.close(() => resolve()));
    },
  };
}

let kitexBinary = '';
beforeAll(() => {
  if (hasPeers(['go'])) kitexBinary = buildGoProgram('kitex-echo', { kitexIdl: 'echo.thrift' });
}, 600_000);

// Kitex's default server reads the next request of a connection only after answering the one
// before: pipelined calls are answered in order, one at a time.
describeWithPeers(['go'], 'pipelined default client -> Kitex server', () => {
  const peer = useGoServer(() => kitexBinary);

  it.each(['ttheader', 'framed'] as TransportName[])('matches 200 concurrent calls over %s on a few connections', async (transport) => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: peer.address, transport, timeoutMs: 30_000 });
    try {
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => client.call('echo', echo(`k${i}`.repeat(i % 40)))));
      expect(results).toEqual(Array.from({ length: 200 }, (_, i) => ({ action: 'echo', msg: `k${i}`.repeat(i % 40) })));
      expect(client.connectionSharing).toBe('pipelined');
      expect(client.openConnections).toBeLessThanOrEqual(Math.ceil(200 / 32));
    } finally {
      await client.close();
    }
  });

  it('under steady load keeps calls from queueing behind one another (judged by the oldest unanswered call)', async () => {
    // Ten callers in a closed loop, 30 ms handlers. Each reply frees its caller at once, so a rule
    // looking only at the last reply would find the busy connection fresh and queue every caller
    // on it (about 10 x 30 ms a call); judged by its oldest unanswered call it is not.
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: peer.address, timeoutMs: 30_000 });
    try {
      await client.call('ping');
      const latencies: number[] = [];
      await Promise.all(Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 12; i++) {
          const started = performance.now();
          expect(await client.call('echo', { req: { action: 'sleep', msg: '30' } })).toEqual({ action: 'sleep', msg: '30' });
          latencies.push(performance.now() - started);
        }
      }));
      latencies.sort((a, b) => a - b);
      expect(latencies[latencies.length >> 1]).toBeLessThan(150);
      expect(client.openConnections).toBeGreaterThanOrEqual(5);
    } finally {
      await client.close();
    }
  });

  it('sends a new call around a connection that stopped answering, not behind its slow call', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: peer.address });
    try {
      await client.call('ping');
      const order: string[] = [];
      const slow = client.call('echo', { req: { action: 'sleep', msg: '600' } }).then(() => order.push('slow'));
      // Long past PIPELINE_STALL_MS: the slow call's connection is silent, so the next call opens another.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const fast = client.call('echo', echo('around')).then((r) => (order.push('fast'), r));
      expect(await fast).toEqual({ action: 'echo', msg: 'around' });
      await slow;
      expect(order).toEqual(['fast', 'slow']);
      expect(client.openConnections).toBe(2);
    } finally {
      await client.close();
    }
  });
});
