import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../src-ts/native.js';
import { createClient, createServer, type RpcServer, type ServerLogEntry } from '../../src-ts/rpc/index.js';
import { echoDoc, echoHandlers } from './echo-fixture.js';

// heddle speaking Thrift Compact to itself, on each I/O path: the server sniffs bare (buffered)
// and Framed Compact, the client reads replies with its transport's reader; malformed Compact
// from a peer closes that peer's connection and nothing else.

const ioPaths = native.loaded ? (['native', 'net'] as const) : (['net'] as const);

/** Sends `bytes` on a raw connection and resolves once the server has closed it. */
function sendRaw(address: string, bytes: Uint8Array): Promise<void> {
  const { hostname, port } = new URL(address);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.write(bytes));
    socket.on('data', () => reject(new Error('the server answered malformed input')));
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

describe.each(ioPaths)('Thrift Compact between heddle clients and a heddle server, %s server I/O', (serverIo) => {
  let server: RpcServer;
  const logs: ServerLogEntry[] = [];
  beforeAll(async () => {
    server = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, protocol: 'compact', io: serverIo, log: (e) => logs.push(e) });
    await server.listen('tcp://127.0.0.1:0');
  });
  afterAll(() => server.close());

  it.each(ioPaths.flatMap((io) => (['framed', 'buffered', 'ttheader', 'ttheader-framed'] as const).map((transport) => [transport, io] as const)))(
    'round-trips calls over %s from a %s-I/O client, large messages included',
    async (transport, io) => {
      const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, transport, protocol: 'compact', io });
      try {
        expect(await client.call('echo', { req: { action: 'echo', msg: 'compact' } })).toEqual({ action: 'echo', msg: 'compact' });
        // Larger than a native read slab, so the unframed scan runs across reads.
        const big = 'c'.repeat(300_000);
        expect(await client.call('echo', { req: { action: 'echo', msg: big } })).toEqual({ action: 'echo', msg: big });
        const many = await Promise.all(Array.from({ length: 30 }, (_, i) => client.call('echo', { req: { action: 'echo', msg: `${i}` } })));
        expect(many).toEqual(Array.from({ length: 30 }, (_, i) => ({ action: 'echo', msg: `${i}` })));
        await expect(client.call('echo', { req: { action: 'throw', msg: 'declared' } })).rejects.toMatchObject({ type: 'EchoError', value: { code: 7, message: 'declared' } });
      } finally {
        await client.close();
      }
    },
  );

  it.each([
    // A string whose length varint is negative, at byte 5 of the bare message.
    ['a negative string length', '82 21 00 00 18 ff ff ff ff 0f'],
    // Structs nested 65 deep.
    ['nesting past the depth limit', `82 21 00 00 ${'1c'.repeat(64)}${'00'.repeat(65)}`],
  ])('closes the connection of a buffered peer that sends %s, and keeps serving others', async (_, text) => {
    const before = logs.length;
    await sendRaw(server.address, Buffer.from(text.replace(/\s+/g, ''), 'hex'));
    // The server logs why it closed the connection; the close may reach the peer first.
    const closedWhy = () => logs.slice(before).find((entry) => entry.code === 'ERR_BAD_FRAME' || entry.code === 'ERR_DEPTH_LIMIT');
    for (let waited = 0; closedWhy() === undefined && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closedWhy()).toBeDefined();
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, transport: 'buffered', protocol: 'compact' });
    try {
      expect(await client.call('ping')).toBe('pong');
    } finally {
      await client.close();
    }
  });
});
