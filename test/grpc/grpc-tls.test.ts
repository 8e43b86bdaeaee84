import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import { native } from '../../src-ts/native.js';
import { createClient, createServer, type GrpcClient, type RpcServer, type ServerLogEntry } from '../../src-ts/rpc/index.js';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { expectEchoPeer, grpcEchoRoot, heddleEchoHandlers, rejection, SERVICE, waitFor } from './grpc-echo-fixture.js';
import { grpcJsEcho, startGrpcJsServer } from './grpc-js-peer.js';
import { makeTestPki, type TestPki } from './tls-certs.js';

// gRPC over TLS (ALPN h2) on both HTTP/2 engines, against real peers: grpc-js with
// credentials.createSsl / ServerCredentials.createSsl and grpc-go with credentials.NewTLS, both
// ways, with and without client certificates. Certificates are made per run by the openssl command.

const ioPaths = native.loaded ? (['native', 'net'] as const) : (['net'] as const);
const engines = ['heddle', 'node'] as const;

let pki: TestPki;
beforeAll(() => {
  if (hasPeers(['openssl'])) pki = makeTestPki();
});
afterAll(() => pki?.remove());

type JsClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

function jsUnary(client: JsClient, request: object): Promise<{ msg: string; id: string }> {
  return new Promise((resolve, reject) => {
    client.Unary(request, (error: grpc.ServiceError | null, value: { msg: string; id: string }) => (error ? reject(error) : resolve(value)));
  });
}

function jsServerStream(client: JsClient, request: object): Promise<number[]> {
  const indexes: number[] = [];
  return new Promise((resolve, reject) => {
    const call = client.ServerStream(request) as grpc.ClientReadableStream<{ index: number }>;
    call.on('data', (reply) => indexes.push(reply.index));
    call.on('error', reject);
    call.on('end', () => resolve(indexes));
  });
}

async function tlsServer(engine: 'heddle' | 'node', io: 'native' | 'net', tlsOptions: object, log: ServerLogEntry[] = []): Promise<RpcServer> {
  const server = createServer({
    idl: grpcEchoRoot,
    service: SERVICE,
    handlers: heddleEchoHandlers,
    io,
    log: (entry) => log.push(entry),
    grpc: { http2: engine, tls: { cert: pki.server.cert, key: pki.server.key, ...tlsOptions } },
  });
  await server.listen('tcp://127.0.0.1:0');
  return server;
}

const portOf = (server: RpcServer) => server.address.slice('tcp://'.length);

describeWithPeers(['openssl'], 'gRPC over TLS: heddle client and server', () => {
  for (const serverEngine of engines) {
    describe.each(ioPaths)(`heddle server (http2: '${serverEngine}'), %s I/O`, (io) => {
      let server: RpcServer;
      const log: ServerLogEntry[] = [];

      beforeAll(async () => {
        server = await tlsServer(serverEngine, io, {}, log);
      });
      afterAll(() => server.close());

      for (const clientEngine of engines) {
        it(`a heddle client (http2: '${clientEngine}') trusting the CA: unary, metadata and every streaming kind`, async () => {
          const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', http2: clientEngine, tls: { ca: pki.ca } });
          try {
            await expectEchoPeer(client);
          } finally {
            await client.close();
          }
        });
      }

      it('a grpc-js client with credentials.createSsl(ca)', async () => {
        const client = new grpcJsEcho(portOf(server), grpc.credentials.createSsl(pki.ca)) as unknown as JsClient;
        try {
          expect(await jsUnary(client, { msg: 'tls ✓', id: '-9007199254740993' })).toMatchObject({ msg: 'tls ✓', id: '-9007199254740993' });
          expect(await jsServerStream(client, { msg: 's', count: 50, blob: Buffer.alloc(4096, 7) })).toEqual([...Array(50).keys()]);
        } finally {
          client.close();
        }
      });

      it('cleartext HTTP/2 is refused while allowPlaintext is off, and logged', async () => {
        const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', http2: 'heddle' });
        try {
          expect(await rejection(client.call('Unary', { msg: 'h2c' }))).toMatchObject({ code: 'ERR_CONNECTION', grpcStatus: 14 });
        } finally {
          await client.close();
        }
        expect(log.some((entry) => entry.message.includes('cleartext HTTP/2 on a server with grpc.tls'))).toBe(true);
      });

      it('a client that does not trust the server certificate fails with UNAVAILABLE naming why', async () => {
        const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', http2: 'heddle', tls: { ca: pki.otherCa } });
        try {
          const error = await rejection(client.call('Unary', { msg: 'untrusted' }));
          expect(error).toMatchObject({ code: 'ERR_CONNECTION', grpcStatus: 14 });
          expect(error.message).toMatch(/certificate/i);
        } finally {
          await client.close();
        }
      });
    });
  }

  it('the port serving gRPC over TLS still serves Kitex Protobuf over TTHeader and Framed in cleartext', async () => {
    const server = createServer({
      idl: grpcEchoRoot,
      service: SERVICE,
      handlers: { Unary: (request: { msg: string; id: bigint }) => ({ msg: request.msg, id: request.id }) },
      io: ioPaths[0],
      log: () => {},
      grpc: { tls: { cert: pki.server.cert, key: pki.server.key } },
    });
    await server.listen('tcp://127.0.0.1:0');
    const clients = [
      createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', tls: { ca: pki.ca } }),
      createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'ttheader' }),
      createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'framed' }),
    ];
    try {
      for (const [i, client] of clients.entries()) expect(await client.call('Unary', { msg: `明文 ${i}`, id: -42n })).toMatchObject({ msg: `明文 ${i}`, id: -42n });
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
    }
  });

  it('allowPlaintext serves h2c and TLS side by side; a wrong servername is refused', async () => {
    const server = await tlsServer('heddle', ioPaths[0], { allowPlaintext: true });
    const plain = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc' });
    const secure = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', tls: { ca: pki.ca, servername: 'localhost' } });
    const misnamed = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', tls: { ca: pki.ca, servername: 'elsewhere.example' } });
    try {
      expect(await plain.call('Unary', { msg: 'h2c' })).toMatchObject({ msg: 'h2c' });
      expect(await secure.call('Unary', { msg: 'h2' })).toMatchObject({ msg: 'h2' });
      const error = await rejection(misnamed.call('Unary', { msg: 'x' }));
      expect(error).toMatchObject({ code: 'ERR_CONNECTION', grpcStatus: 14 });
      expect(error.message).toMatch(/elsewhere\.example/);
    } finally {
      await Promise.all([plain.close(), secure.close(), misnamed.close()]);
      await server.close();
    }
  });

  for (const engine of engines) {
    it(`mutual TLS (http2: '${engine}'): a client certificate is required and checked`, async () => {
      const log: ServerLogEntry[] = [];
      const server = await tlsServer(engine, ioPaths[0], { ca: pki.ca, requestCert: true }, log);
      const withCert = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', http2: engine, tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } });
      const without = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', http2: engine, tls: { ca: pki.ca } });
      const js = new grpcJsEcho(portOf(server), grpc.credentials.createSsl(pki.ca, pki.client.key, pki.client.cert)) as unknown as JsClient;
      try {
        expect(await withCert.call('Unary', { msg: 'mtls' })).toMatchObject({ msg: 'mtls' });
        expect(await jsUnary(js, { msg: 'mtls from grpc-js' })).toMatchObject({ msg: 'mtls from grpc-js' });
        expect(await rejection(without.call('Unary', { msg: 'no cert' }))).toMatchObject({ grpcStatus: 14 });
        await waitFor(() => log.some((entry) => /client certificate was refused|TLS handshake .* failed/.test(entry.message)));
      } finally {
        js.close();
        await Promise.all([withCert.close(), without.close()]);
        await server.close();
      }
    });
  }

  it('a client that starts a handshake and stalls is cut after handshakeTimeoutMs', async () => {
    const log: ServerLogEntry[] = [];
    const server = await tlsServer('heddle', ioPaths[0], { handshakeTimeoutMs: 300 }, log);
    try {
      const socket = net.connect(Number(portOf(server).split(':')[1]), '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      // A TLS handshake record header and nothing more.
      socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40]));
      const started = Date.now();
      await once(socket, 'close');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(log.some((entry) => entry.message.includes('took longer than 300 ms'))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a TLS handshake to a server without grpc.tls is closed and logged, and the server keeps serving', async () => {
    const log: ServerLogEntry[] = [];
    const server = createServer({ idl: grpcEchoRoot, service: SERVICE, handlers: heddleEchoHandlers, io: ioPaths[0], log: (entry) => log.push(entry) });
    await server.listen('tcp://127.0.0.1:0');
    const secure = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', tls: { ca: pki.ca } });
    const plain = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc' });
    try {
      expect(await rejection(secure.call('Unary', { msg: 'x' }))).toMatchObject({ grpcStatus: 14 });
      expect(log.some((entry) => entry.message.includes('this server has no grpc.tls'))).toBe(true);
      expect(await plain.call('Unary', { msg: 'still here' })).toMatchObject({ msg: 'still here' });
    } finally {
      await Promise.all([secure.close(), plain.close()]);
      await server.close();
    }
  });

  it('bad TLS options are ERR_INVALID_ARGUMENT at creation', () => {
    const make = (grpcTls: unknown) => () => createServer({ idl: grpcEchoRoot, service: SERVICE, handlers: heddleEchoHandlers, grpc: { tls: grpcTls as never } });
    expect(make({ cert: pki.server.cert })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('grpc.tls.key') }));
    expect(make({ cert: pki.server.cert, key: pki.client.key })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('createServer: grpc.tls') }));
    expect(make({ cert: pki.server.cert, key: pki.server.key, handshakeTimeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    const client = (clientTls: unknown) => () => createClient({ idl: grpcEchoRoot, service: SERVICE, address: 'tcp://127.0.0.1:1', transport: 'grpc', tls: clientTls as never });
    expect(client({ ca: 'not a certificate' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(client({ cert: pki.client.cert })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('tls.key') }));
    expect(client({ servername: '' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(client(7)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describeWithPeers(['openssl'], 'gRPC over TLS: a heddle client against a grpc-js server (ServerCredentials.createSsl)', () => {
  for (const engine of engines) {
    it(`http2: '${engine}': unary, metadata and every streaming kind; then mutual TLS`, async () => {
      const { server, address } = await startGrpcJsServer('127.0.0.1:0', {}, grpc.ServerCredentials.createSsl(pki.ca, [{ cert_chain: pki.server.cert, private_key: pki.server.key }], false));
      const mutual = await startGrpcJsServer('127.0.0.1:0', {}, grpc.ServerCredentials.createSsl(pki.ca, [{ cert_chain: pki.server.cert, private_key: pki.server.key }], true));
      const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', http2: engine, tls: { ca: pki.ca } });
      const withCert = createClient({ idl: grpcEchoRoot, service: SERVICE, address: mutual.address, transport: 'grpc', http2: engine, tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } });
      const without = createClient({ idl: grpcEchoRoot, service: SERVICE, address: mutual.address, transport: 'grpc', http2: engine, tls: { ca: pki.ca } });
      try {
        await expectEchoPeer(client);
        expect(await withCert.call('Unary', { msg: 'mtls' })).toMatchObject({ msg: 'mtls' });
        expect(await rejection(without.call('Unary', { msg: 'no cert' }))).toMatchObject({ grpcStatus: 14 });
      } finally {
        await Promise.all([client.close(), withCert.close(), without.close()]);
        server.forceShutdown();
        mutual.server.forceShutdown();
      }
    });
  }
});

let goBinary = '';
describeWithPeers(['openssl', 'go'], 'gRPC over TLS against grpc-go (credentials.NewTLS)', () => {
  beforeAll(() => {
    goBinary = buildGoProgram('grpc-go-echo');
  }, 600_000);

  for (const engine of engines) {
    it(`a heddle client (http2: '${engine}') against a grpc-go TLS server requiring client certificates`, async () => {
      const env = { ...process.env, GRPC_TLS_CERT: pki.server.certPath, GRPC_TLS_KEY: pki.server.keyPath, GRPC_TLS_CA: pki.caPath };
      const child = spawn(goBinary, ['server'], { stdio: ['pipe', 'pipe', 'inherit'], env });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      let client: GrpcClient | undefined;
      let without: GrpcClient | undefined;
      try {
        await waitFor(() => /LISTENING (\S+)/.test(output), 10_000);
        const address = `tcp://${/LISTENING (\S+)/.exec(output)![1]}`;
        client = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', http2: engine, timeoutMs: 5000, tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } });
        await expectEchoPeer(client);
        without = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', http2: engine, tls: { ca: pki.ca } });
        expect(await rejection(without.call('Unary', { msg: 'no cert' }))).toMatchObject({ grpcStatus: 14 });
      } finally {
        await client?.close();
        await without?.close();
        child.stdin!.end();
        await once(child, 'exit');
      }
    }, 30_000);

    it(`a grpc-go client over mutual TLS against a heddle server (http2: '${engine}')`, async () => {
      const server = await tlsServer(engine, ioPaths[0], { ca: pki.ca, requestCert: true });
      try {
        const env = { ...process.env, GRPC_TLS_CA: pki.caPath, GRPC_TLS_CERT: pki.client.certPath, GRPC_TLS_KEY: pki.client.keyPath };
        const child = spawn(goBinary, ['client', portOf(server)], { stdio: ['ignore', 'pipe', 'inherit'], env });
        let text = '';
        child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
        await once(child, 'exit');
        expect(text).toContain('DONE');
        const checks = Object.fromEntries(text.split('\n').filter((line) => line.startsWith('{')).map((line) => {
          const parsed = JSON.parse(line) as { check: string };
          return [parsed.check, parsed];
        })) as unknown as Record<string, { value: unknown; code?: number }>;
        expect(checks.unary).toMatchObject({ value: { msg: 'héllo', id: '-9007199254740993', 'x-echo': ['from grpc-go'], 'x-trailer': ['done'] } });
        expect(checks['server-stream']!.value).toEqual([...Array(20).keys()]);
        expect(checks['client-stream']!.value).toEqual({ msg: 'a,b,c', index: 3 });
        expect(checks.bidi!.value).toEqual(['x0', 'y1', 'z2']);
        expect((checks.statuses!.value as Array<{ code: number }>).map((s) => s.code)).toEqual([...Array(16).keys()].map((i) => i + 1));
        expect(checks.gzip).toMatchObject({ value: { msg: 'zip', blobLength: 50000 } });
      } finally {
        await server.close();
      }
    }, 60_000);
  }
});

// A peer that is not gRPC at all, to pin what the server hands node:tls: the bytes sniffed to tell
// TLS from a Kitex frame must reach the handshake intact, on both I/O paths.
describeWithPeers(['openssl'], 'gRPC over TLS: the sniffed ClientHello reaches node:tls intact', () => {
  it.each(ioPaths)('%s I/O: a raw tls.connect negotiates h2 with the server certificate', async (io) => {
    const server = await tlsServer('heddle', io, {});
    try {
      const [host, port] = portOf(server).split(':') as [string, string];
      const socket = tls.connect({ host, port: Number(port), ca: pki.ca, servername: 'localhost', ALPNProtocols: ['h2'] });
      await once(socket, 'secureConnect');
      expect(socket.alpnProtocol).toBe('h2');
      expect(socket.authorized).toBe(true);
      expect(socket.getPeerCertificate().subject.CN).toBe('heddle test server');
      socket.destroy();
    } finally {
      await server.close();
    }
  });
});
