import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeddleError } from '../../src-ts/errors.js';
import { native } from '../../src-ts/native.js';
import { createClient, createServer, type RpcServer, type ServerLogEntry } from '../../src-ts/rpc/index.js';
import { decodeMessageHeader } from '../../src-ts/thrift/index.js';
import { encodeFrame, FrameReader, type Frame } from '../../src-ts/transport/index.js';
import { echoDoc, echoHandlers } from './echo-fixture.js';

const ioPaths = native.loaded ? (['native', 'net'] as const) : (['net'] as const);

function rawConnect(address: string): Promise<net.Socket> {
  const port = Number(address.split(':').pop());
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A TCP relay to `address` that counts the connections it accepts. */
async function countingRelay(address: string): Promise<{ address: string; accepted: () => number; close: () => void }> {
  const port = Number(address.split(':').pop());
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((inbound) => {
    accepted++;
    const outbound = net.connect(port, '127.0.0.1');
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => (inbound.destroy(), outbound.destroy()));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    address: `tcp://127.0.0.1:${(relay.address() as net.AddressInfo).port}`,
    accepted: () => accepted,
    close: () => {
      for (const socket of sockets) socket.destroy();
      relay.close();
    },
  };
}

function closedOf(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

describe.each(ioPaths)('RPC faults, %s I/O', (io) => {
  let server: RpcServer;
  const logs: ServerLogEntry[] = [];
  let handled = 0;
  beforeAll(async () => {
    server = createServer({
      idl: echoDoc,
      service: 'EchoService',
      handlers: { ...echoHandlers, echo: (args: { req: { action: string; msg: string } }, ctx) => (handled++, echoHandlers.echo(args, ctx)) },
      io,
      maxFrameSize: 256 * 1024,
      readTimeoutMs: 300,
      maxInflightPerConnection: 64,
      log: (entry) => logs.push(entry),
    });
    await server.listen('tcp://127.0.0.1:0');
  });
  afterAll(() => server.close({ timeoutMs: 100 }));

  it('closes a connection that sends garbage, logs the code, and keeps serving the others', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, maxConnections: 1 });
    expect(await client.call('ping')).toBe('pong');
    const before = logs.length;
    const garbage = await rawConnect(server.address);
    garbage.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await closedOf(garbage);
    expect(logs.slice(before).map((l) => l.code)).toContain('ERR_BAD_FRAME');
    // The established connection was untouched.
    expect(await client.call('echo', { req: { action: 'echo', msg: 'still here' } })).toEqual({ action: 'echo', msg: 'still here' });
    await client.close();
  });

  it('cuts a slow-loris sender that never completes its frame', async () => {
    const before = logs.length;
    const loris = await rawConnect(server.address);
    const frame = Buffer.alloc(64);
    frame.writeUInt32BE(60, 0);
    frame.writeUInt32BE(0x80010001, 4);
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < 40 && !loris.destroyed) loris.write(frame.subarray(sent, ++sent));
    }, 50);
    const started = Date.now();
    await closedOf(loris);
    clearInterval(trickle);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(logs.slice(before).some((l) => l.code === 'ERR_TIMEOUT' && /no progress/.test(l.message))).toBe(true);
  });

  it('refuses a frame over the size limit, and the client sees the connection fail', async () => {
    const before = logs.length;
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, transport: 'framed' });
    const error = (await client.call('echo', { req: { action: 'echo', msg: 'x'.repeat(300 * 1024) } }).catch((e: unknown) => e)) as HeddleError;
    expect(error.code).toBe('ERR_CONNECTION');
    expect(logs.slice(before).some((l) => l.code === 'ERR_BAD_FRAME')).toBe(true);
    // A client never sends what its own limit forbids.
    const small = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, maxFrameSize: 1024 });
    await expect(small.call('echo', { req: { action: 'echo', msg: 'y'.repeat(2048) } })).rejects.toMatchObject({ code: 'ERR_SIZE_LIMIT' });
    await client.close();
    await small.close();
  });

  it('fails calls with ERR_CONNECTION when the server resets in the middle of a reply frame', async () => {
    const liar = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write(Buffer.from([0, 0, 1, 0, 0x80, 0x01, 0x00, 0x02, 0, 0]));
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const address = `tcp://127.0.0.1:${(liar.address() as net.AddressInfo).port}`;
    const client = createClient({ idl: echoDoc, service: 'EchoService', address, io, transport: 'framed' });
    const error = (await client.call('ping').catch((e: unknown) => e)) as HeddleError;
    expect(error.code).toBe('ERR_CONNECTION');
    await client.close();
    liar.close();
  });

  it('fails calls with ERR_CONNECTION once the server is gone, and the next server is reached again', async () => {
    const gone = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io, log: () => {} });
    await gone.listen('tcp://127.0.0.1:0');
    const address = gone.address;
    const client = createClient({ idl: echoDoc, service: 'EchoService', address, io, connectTimeoutMs: 500 });
    expect(await client.call('ping')).toBe('pong');
    await gone.close({ timeoutMs: 50 });
    const error = (await client.call('ping').catch((e: unknown) => e)) as HeddleError;
    expect(error.code).toBe('ERR_CONNECTION');
    const again = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io, log: () => {} });
    await again.listen(address);
    expect(await client.call('ping')).toBe('pong');
    await client.close();
    await again.close();
  });

  it('stops reading from a peer that does not read its replies, so its buffers stay bounded', async () => {
    const hog = await rawConnect(server.address);
    hog.pause();
    const method = echoDoc.service('EchoService').method('echo');
    const msg = 'h'.repeat(64 * 1024);
    const before = handled;
    for (let seq = 1; seq <= 400; seq++) {
      const call = method.encodeCall({ req: { action: 'echo', msg } }, seq);
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(call.length);
      hog.write(prefix);
      hog.write(call);
    }
    // Wait until the server has stopped serving (no new call for 300 ms), however slow the
    // machine, then check it stays stopped while the peer keeps not reading.
    let served = -1;
    for (const deadline = Date.now() + 20_000; handled - before !== served && Date.now() < deadline; ) {
      served = handled - before;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The server stopped reading once its replies backed up: it served far fewer than were sent,
    // and nothing more while the peer kept not reading.
    expect(served).toBeLessThan(400);
    expect(handled - before).toBe(served);
    hog.destroy();
  });

  it('connects and disconnects thousands of times without leaking handles or descriptors', async () => {
    const fdsBefore = readdirSync('/proc/self/fd').length;
    const handlesBefore = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
    for (let round = 0; round < 20; round++) {
      const clients = Array.from({ length: 100 }, () => createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, maxConnections: 1 }));
      await Promise.all(clients.map((c) => c.call('ping')));
      await Promise.all(clients.map((c) => c.close()));
    }
    await expect.poll(() => server.connectionCount, { timeout: 5000 }).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(fdsBefore + 2);
    expect((process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length).toBeLessThanOrEqual(handlesBefore + 2);
  }, 60_000);
});

describe('RPC memory across many connections', () => {
  it('keeps the heap flat over thousands of connect-call-close cycles (child process with --expose-gc)', () => {
    const script = `
      const { createClient, createServer } = require('./dist/rpc/index.js');
      const thrift = require('./dist/thrift/index.js');
      const fs = require('fs');
      const doc = thrift.parse(fs.readFileSync('test/interop/kitex-echo/echo.thrift', 'utf8'));
      (async () => {
        const server = createServer({ idl: doc, service: 'EchoService', handlers: { ping: async () => 'pong' }, log: () => {} });
        await server.listen('tcp://127.0.0.1:0');
        const cycle = async (n) => { for (let i = 0; i < n; i++) { const c = createClient({ idl: doc, service: 'EchoService', address: server.address, maxConnections: 1 }); await c.call('ping'); await c.close(); } };
        await cycle(500); global.gc(); const a = process.memoryUsage().heapUsed;
        await cycle(2000); global.gc(); const b = process.memoryUsage().heapUsed;
        await server.close();
        console.log(JSON.stringify({ a, b }));
      })();`;
    const result = spawnSync(process.execPath, ['--expose-gc', '-e', script], { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    const { a, b } = JSON.parse(result.stdout.trim().split('\n').pop()!) as { a: number; b: number };
    expect(b - a).toBeLessThan(4 * 1024 * 1024);
  }, 130_000);
});

/** A TTHeader peer on a raw socket, to see exactly the frames the server writes back. */
async function rawTTHeaderPeer(address: string) {
  const raw = await rawConnect(address);
  const frames: Frame[] = [];
  const reader = new FrameReader({ kind: 'ttheader' });
  raw.on('data', (chunk: Buffer) => frames.push(...reader.push(chunk)));
  const send = (message: Uint8Array, seqId: number) =>
    raw.write(encodeFrame({ kind: 'ttheader', header: { seqId, strInfo: { isn: 'EchoService' } } }, message));
  return { raw, frames, send };
}

describe.each(ioPaths)('graceful shutdown, %s I/O', (io) => {
  it('finishes in-flight calls, sends the seqID-0 control frame with crrst, then closes', async () => {
    const server = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io, log: () => {} });
    await server.listen('tcp://127.0.0.1:0');
    // A raw TTHeader peer, to see the frames the server writes; its ping makes it a TTHeader
    // connection, the only kind a control frame may be sent to.
    const { raw, frames, send } = await rawTTHeaderPeer(server.address);
    send(echoDoc.service('EchoService').method('ping').encodeCall({}, 9), 9);
    await expect.poll(() => frames.length).toBe(1);
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io });
    expect(await client.call('ping')).toBe('pong');
    const slow = client.call('echo', { req: { action: 'sleep', msg: '200' } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const closing = server.close({ timeoutMs: 2000 });
    expect(await slow).toEqual({ action: 'sleep', msg: '200' });
    await closing;
    await closedOf(raw);
    const control = frames.find((f) => f.kind === 'ttheader' && f.header.seqId === 0);
    expect(control, 'control frame').toBeDefined();
    if (control?.kind === 'ttheader') expect(control.header.strInfo.get('crrst')).toBe('1');
    await expect(client.call('ping')).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    await client.close();
  });

  it('stamps each reply written while shutting down with its call\'s seqID, exceptions too', async () => {
    // A TTHeader frame with seqID 0 and crrst is Kitex's control frame: a reply carrying them would
    // be taken for one by a Kitex client and its call left waiting.
    const server = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io, log: () => {} });
    await server.listen('tcp://127.0.0.1:0');
    const { raw, frames, send } = await rawTTHeaderPeer(server.address);
    const service = echoDoc.service('EchoService');
    send(service.method('echo').encodeCall({ req: { action: 'sleep', msg: '300' } }, 5), 5);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const closing = server.close({ timeoutMs: 2000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    send(service.method('ping').encodeCall({}, 11), 11);
    send(service.method('echo').encodeCall({ req: { action: 'crash', msg: 'x' } }, 12), 12);
    send(service.method('echo').encodeCall({ req: { action: 'throw', msg: 'y' } }, 13), 13);
    // A method the service does not have, answered with a TApplicationException: ping's call
    // with the name (strict Binary: version, name length, name) spelled "nope".
    const unknown = service.method('ping').encodeCall({}, 14);
    unknown.set(Buffer.from('nope'), 8);
    send(unknown, 14);
    await closing;
    await closedOf(raw);
    const replies = frames.filter((f) => f.kind === 'ttheader' && !(f.header.seqId === 0 && f.header.strInfo.get('crrst') === '1'));
    const seqIds = replies.map((f) => (f.kind === 'ttheader' ? [f.header.seqId, decodeMessageHeader(f.payload.peek(f.payload.length)).seqId] : []));
    expect(seqIds.sort((x, y) => x[0]! - y[0]!)).toEqual([[5, 5], [11, 11], [12, 12], [13, 13], [14, 14]]);
  });
});

describe.each(ioPaths)('idle connections, %s I/O', (io) => {
  const IDLE_MS = 400;
  let server: RpcServer;
  const logs: ServerLogEntry[] = [];
  beforeAll(async () => {
    server = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io, idleTimeoutMs: IDLE_MS, log: (entry) => logs.push(entry) });
    await server.listen('tcp://127.0.0.1:0');
  });
  afterAll(() => server.close({ timeoutMs: 100 }));

  it('the server closes a connection that never sends a byte once it has been idle idleTimeoutMs', async () => {
    const before = logs.length;
    const silent = await rawConnect(server.address);
    const started = Date.now();
    await closedOf(silent);
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(logs.slice(before)).toContainEqual(expect.objectContaining({ level: 'info', code: 'ERR_TIMEOUT', message: `closed: idle for ${IDLE_MS} ms` }));
  });

  it('a call in flight longer than idleTimeoutMs keeps its connection; the idle clock starts at its reply', async () => {
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: server.address, io, multiplexed: false, idleTimeoutMs: 0 });
    const slow = String(IDLE_MS * 3);
    expect(await client.call('echo', { req: { action: 'sleep', msg: slow } })).toEqual({ action: 'sleep', msg: slow });
    expect(client.openConnections).toBe(1);
    // Idle past the server's limit: the server closes it, and the next call opens another.
    const repliedAt = Date.now();
    while (client.openConnections > 0 && Date.now() - repliedAt < 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(client.openConnections).toBe(0);
    expect(Date.now() - repliedAt).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(await client.call('ping')).toBe('pong');
    await client.close();
  });

  it('a client closes its own connection idle idleTimeoutMs when it next picks it, and the call goes on a new one', async () => {
    const quiet = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io, idleTimeoutMs: 0 });
    await quiet.listen('tcp://127.0.0.1:0');
    for (const multiplexed of [undefined, false, true]) {
      const relay = await countingRelay(quiet.address);
      const client = createClient({ idl: echoDoc, service: 'EchoService', address: relay.address, io, multiplexed, idleTimeoutMs: 500 });
      expect(await client.call('ping')).toBe('pong');
      expect(await client.call('ping')).toBe('pong');
      expect(relay.accepted()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await client.call('ping')).toBe('pong');
      expect(relay.accepted()).toBe(2);
      expect(client.openConnections).toBe(1);
      await client.close();
      relay.close();
    }
    await quiet.close();
  });

  it('a multiplexed connection whose last call timed out counts as idle from the timeout, not from its last reply', async () => {
    const quiet = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, io, idleTimeoutMs: 0 });
    await quiet.listen('tcp://127.0.0.1:0');
    const relay = await countingRelay(quiet.address);
    const client = createClient({ idl: echoDoc, service: 'EchoService', address: relay.address, io, multiplexed: true, idleTimeoutMs: 1500 });
    expect(await client.call('ping')).toBe('pong');
    // In flight from 0 to 1.2 s, then timed out: the connection was busy until then.
    await expect(client.call('echo', { req: { action: 'sleep', msg: '5000' } }, { timeoutMs: 1200 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await client.call('ping')).toBe('pong');
    expect(relay.accepted()).toBe(1);
    await client.close();
    relay.close();
    await quiet.close({ timeoutMs: 100 });
  });

  it('rejects a negative or fractional idleTimeoutMs', () => {
    for (const idleTimeoutMs of [-1, 1.5]) {
      expect(() => createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, idleTimeoutMs })).toThrow(/idleTimeoutMs must be/);
    }
    expect(() => createClient({ idl: echoDoc, service: 'EchoService', address: 'tcp://127.0.0.1:1', idleTimeoutMs: -1 })).toThrow(/idleTimeoutMs must be/);
  });
});
