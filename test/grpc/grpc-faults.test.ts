import http2 from 'node:http2';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../src-ts/native.js';
import { createClient, createServer, type RpcServer, type ServerLogEntry } from '../../src-ts/rpc/index.js';
import { grpcEchoRoot, heddleEchoHandlers, SERVICE } from './grpc-echo-fixture.js';

const ioPaths = native.loaded ? (['native', 'net'] as const) : (['net'] as const);
const requestCodec = grpcEchoRoot.codec('grpcecho.v1.EchoRequest');

interface RawAnswer {
  httpStatus: number;
  grpcStatus: string | undefined;
  grpcMessage: string | undefined;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
}

/** Sends one raw HTTP/2 request with `body` as its DATA and reads the whole answer. */
function raw(address: string, body: Buffer, headers: http2.OutgoingHttpHeaders = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${address.slice('tcp://'.length)}`);
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': `/${SERVICE}/Unary`, 'content-type': 'application/grpc', te: 'trailers', ...headers });
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (responseHeaders = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', () => {});
    stream.on('close', () => {
      session.close();
      const status = trailers['grpc-status'] ?? responseHeaders['grpc-status'];
      const message = trailers['grpc-message'] ?? responseHeaders['grpc-message'];
      resolve({ httpStatus: Number(responseHeaders[':status']), grpcStatus: status as string | undefined, grpcMessage: message as string | undefined, headers: responseHeaders, body: Buffer.concat(chunks) });
    });
    stream.end(body);
  });
}

function prefix(flag: number, length: number): Buffer {
  const out = Buffer.alloc(5);
  out[0] = flag;
  out.writeUInt32BE(length, 1);
  return out;
}

function message(value: Record<string, unknown>): Buffer {
  const body = requestCodec.encode(value);
  return Buffer.concat([prefix(0, body.length), body]);
}

describe.each(ioPaths)('malformed gRPC from a raw HTTP/2 peer, %s I/O', (io) => {
  let server: RpcServer;
  const logs: ServerLogEntry[] = [];

  beforeAll(async () => {
    server = createServer({ idl: grpcEchoRoot, service: SERVICE, handlers: heddleEchoHandlers, io, log: (entry) => logs.push(entry), grpc: { maxReceiveMessageLength: 64 * 1024 } });
    await server.listen('tcp://127.0.0.1:0');
  });

  afterAll(() => server.close());

  it('a well-formed raw request is answered (the baseline the faults are measured against)', async () => {
    const answer = await raw(server.address, message({ msg: 'raw' }));
    expect(answer).toMatchObject({ httpStatus: 200, grpcStatus: '0' });
    expect(answer.headers['content-type']).toBe('application/grpc');
  });

  it.each([
    ['a compressed flag of 2', Buffer.concat([prefix(2, 0)]), {}, '13', /compressed flag 2/],
    ['a compressed message without grpc-encoding', Buffer.concat([prefix(1, 3), Buffer.from([1, 2, 3])]), {}, '13', /without grpc-encoding/],
    ['a length prefix over the receive limit', prefix(0, 0x7fff_ffff), {}, '8', /exceeds the 65536-byte receive limit/],
    ['a stream ending inside a message', Buffer.concat([prefix(0, 100), Buffer.alloc(10)]), {}, '13', /ended inside a message/],
    ['a stream ending inside a prefix', Buffer.from([0, 0]), {}, '13', /ended inside a message/],
    ['a body that is not the request message', Buffer.concat([prefix(0, 2), Buffer.from([0x0a, 0x05])]), {}, '13', /cannot decode the Unary request/],
    ['no message at all', Buffer.alloc(0), {}, '13', /sent none/],
    ['two messages for a unary call', Buffer.concat([message({ msg: 'a' }), message({ msg: 'b' })]), {}, '13', /sent more/],
    ['gzip bytes that do not inflate', Buffer.concat([prefix(1, 4), Buffer.from([1, 2, 3, 4])]), { 'grpc-encoding': 'gzip' }, '13', /cannot gunzip/],
    ['an encoding heddle does not speak', message({ msg: 'x' }), { 'grpc-encoding': 'br' }, '12', /'br' is not supported/],
    ['a malformed grpc-timeout', message({ msg: 'x' }), { 'grpc-timeout': '10 parsecs' }, '13', /malformed grpc-timeout/],
    ['an unknown service', message({ msg: 'x' }), { ':path': '/nope.Svc/Unary' }, '12', /unknown service nope.Svc/],
    ['an unknown method', message({ msg: 'x' }), { ':path': `/${SERVICE}/Nope` }, '12', /unknown method Nope/],
  ] as const)('%s ends that stream with the right status, and the server keeps serving', async (_, body, headers, status, text) => {
    const answer = await raw(server.address, body, headers);
    expect(answer.httpStatus).toBe(200);
    expect(answer.grpcStatus).toBe(status);
    expect(decodeURIComponent(answer.grpcMessage ?? '')).toMatch(text);
    expect(await raw(server.address, message({ msg: 'after' }))).toMatchObject({ grpcStatus: '0' });
  });

  it('a client that stops counting still gets DEADLINE_EXCEEDED from the server, shortly after its deadline', async () => {
    const started = Date.now();
    const answer = await raw(server.address, message({ msg: 'slow', sleepMs: 5000 }), { 'grpc-timeout': '100m' });
    expect(answer).toMatchObject({ httpStatus: 200, grpcStatus: '4' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('a client vanishing mid-stream fails the handler\'s request iterable with ERR_CONNECTION', async () => {
    let failure: unknown;
    const s = createServer({
      idl: grpcEchoRoot,
      service: SERVICE,
      io,
      log: () => {},
      handlers: {
        ClientStream: async (requests: AsyncIterable<unknown>) => {
          try {
            for await (const r of requests) void r;
          } catch (error) {
            failure = error;
          }
          return { msg: '' };
        },
      },
    });
    await s.listen('tcp://127.0.0.1:0');
    try {
      const { hostname, port } = new URL(s.address.replace('tcp://', 'http://'));
      const socket = net.connect({ host: hostname, port: Number(port) });
      const session = http2.connect(`http://${hostname}:${port}`, { createConnection: () => socket });
      session.on('error', () => {});
      const stream = session.request({ ':method': 'POST', ':path': `/${SERVICE}/ClientStream`, 'content-type': 'application/grpc', te: 'trailers' });
      stream.on('error', () => {});
      stream.write(message({ msg: 'first' }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      socket.destroy();
      const until = Date.now() + 5000;
      while (failure === undefined && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(failure).toMatchObject({ code: 'ERR_CONNECTION' });
    } finally {
      await s.close();
    }
  });

  it('answers a non-gRPC request with HTTP 415', async () => {
    const answer = await raw(server.address, Buffer.from('{}'), { 'content-type': 'application/json' });
    expect(answer.httpStatus).toBe(415);
  });

  it('a connection sending garbage after the HTTP/2 preface is closed; others are served', async () => {
    const closed = await new Promise<boolean>((resolve) => {
      const { hostname, port } = new URL(server.address.replace('tcp://', 'http://'));
      const socket = net.connect({ host: hostname, port: Number(port) }, () => {
        socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
        socket.write(Buffer.from('\xff\xff\xff\x09garbage frames that are not HTTP/2 at all', 'latin1'));
      });
      socket.on('data', () => {});
      socket.on('error', () => {});
      socket.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 5000);
    });
    expect(closed).toBe(true);
    expect(await raw(server.address, message({ msg: 'still' }))).toMatchObject({ grpcStatus: '0' });
  });

  it('a connection that stops after "PRI " is neither served nor crashes anything', async () => {
    const { hostname, port } = new URL(server.address.replace('tcp://', 'http://'));
    const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.end('PRI '));
    await new Promise<void>((resolve) => {
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.resume();
    });
    expect(await raw(server.address, message({ msg: 'still' }))).toMatchObject({ grpcStatus: '0' });
  });

  it('thousands of short streams and hundreds of connections leak no handles', async () => {
    const handles = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
    const before = handles();
    for (let round = 0; round < 10; round++) {
      await Promise.all(Array.from({ length: 20 }, async () => {
        const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc' });
        await Promise.all(Array.from({ length: 10 }, (_, i) => c.call('Unary', { msg: `m${i}` })));
        await c.close();
      }));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    // 2000 calls over 200 connections; what remains open is what was open before, give or take a timer.
    expect(handles() - before).toBeLessThanOrEqual(2);
    expect(server.connectionCount).toBe(0);
  });

  it('logged bad frames as warnings at most, never an uncaught failure', () => {
    expect(logs.every((entry) => entry.level === 'warn' || /failed/.test(entry.message))).toBe(true);
  });
});

describe('keepalive pings', () => {
  it('a peer that stops answering PINGs is dropped: calls fail with ERR_CONNECTION instead of hanging', async () => {
    // Accepts connections and reads them, but never writes a byte (a half-dead peer or path).
    const sockets: net.Socket[] = [];
    const blackHole = net.createServer((socket) => {
      sockets.push(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as net.AddressInfo;
    const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: `tcp://127.0.0.1:${port}`, transport: 'grpc', timeoutMs: 0, keepaliveMs: 100, keepaliveTimeoutMs: 300 });
    try {
      const started = Date.now();
      const error = await c.call('Unary', { msg: 'void' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_CONNECTION', grpcStatus: 14 });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await c.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    }
  });

  it('answered PINGs keep a long call alive, on both sides', async () => {
    const server = createServer({ idl: grpcEchoRoot, service: SERVICE, handlers: heddleEchoHandlers, grpc: { keepaliveMs: 50, keepaliveTimeoutMs: 1000 } });
    await server.listen('tcp://127.0.0.1:0');
    const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', timeoutMs: 0, keepaliveMs: 50, keepaliveTimeoutMs: 1000 });
    try {
      expect(await c.call('Unary', { msg: 'patient', sleepMs: 600 })).toMatchObject({ msg: 'patient' });
    } finally {
      await c.close();
      await server.close();
    }
  });
});
