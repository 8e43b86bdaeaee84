import * as grpc from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../src-ts/native.js';
import { createClient, createServer, GrpcStatus, type GrpcClient, type GrpcResponseStream, type RpcServer } from '../../src-ts/rpc/index.js';
import { cancelledCalls, collect, expectEchoPeer, grpcEchoRoot, heddleEchoHandlers, rejection, SERVICE, statusDetails, waitFor, type EchoResponse } from './grpc-echo-fixture.js';
import { grpcJsCancelled, grpcJsEcho, startGrpcJsServer } from './grpc-js-peer.js';

const ioPaths = native.loaded ? (['native', 'net'] as const) : (['net'] as const);
const allCodes = Array.from({ length: 16 }, (_, i) => i + 1);


type JsClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
type JsResponse = { msg: string; index: number; blob: Buffer; id: string };

function unary(client: JsClient, request: object, metadata = new grpc.Metadata(), options: grpc.CallOptions = {}) {
  let headers: grpc.Metadata | undefined;
  let status: grpc.StatusObject | undefined;
  const reply = new Promise<JsResponse>((resolve, reject) => {
    const call = client.Unary(request, metadata, options, (error: grpc.ServiceError | null, value: JsResponse) => (error ? reject(error) : resolve(value))) as grpc.ClientUnaryCall;
    call.on('metadata', (md) => (headers = md));
    call.on('status', (s) => (status = s));
  });
  return { reply, headers: () => headers, status: () => status };
}

function readAll<T>(stream: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>): Promise<T[]> {
  const out: T[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (item: T) => out.push(item));
    stream.on('error', reject);
    stream.on('end', () => resolve(out));
  });
}

// Both HTTP/2 server engines run the whole server suite: heddle's own (the default) and node:http2.
for (const serverEngine of ['heddle', 'node'] as const) {
  describe.each(ioPaths)(`a grpc-js client against a heddle server (http2: '${serverEngine}'), %s I/O`, (io) => {
    let server: RpcServer;
    let client: JsClient;

    beforeAll(async () => {
      server = createServer({ idl: grpcEchoRoot, service: SERVICE, handlers: heddleEchoHandlers, io, log: () => {}, grpc: { http2: serverEngine } });
      await server.listen('tcp://127.0.0.1:0');
      client = new grpcJsEcho(server.address.slice('tcp://'.length), grpc.credentials.createInsecure()) as unknown as JsClient;
    });

    afterAll(async () => {
      client.close();
      await server.close();
    });

    it('unary, with metadata both ways and int64 intact', async () => {
      const md = new grpc.Metadata();
      md.set('x-echo', 'from grpc-js');
      md.set('x-echo-bin', Buffer.from([0, 1, 2, 255]));
      const call = unary(client, { msg: 'héllo', id: '-9007199254740993', blob: Buffer.from([9, 8]) }, md);
      expect(await call.reply).toEqual({ msg: 'héllo', index: 0, blob: Buffer.from([9, 8]), id: '-9007199254740993' });
      expect(call.headers()!.get('x-echo')).toEqual(['from grpc-js']);
      expect(call.headers()!.get('x-echo-bin')).toEqual([Buffer.from([0, 1, 2, 255])]);
      await waitFor(() => call.status() !== undefined);
      expect(call.status()!.metadata.get('x-trailer')).toEqual(['done']);
    });

    it('server, client and bidi streaming', async () => {
      const replies = await readAll<JsResponse>(client.ServerStream({ msg: 's', count: 20 }) as grpc.ClientReadableStream<JsResponse>);
      expect(replies.map((r) => r.index)).toEqual([...Array(20).keys()]);
      const summed = await new Promise<JsResponse>((resolve, reject) => {
        const call = client.ClientStream((error: grpc.ServiceError | null, value: JsResponse) => (error ? reject(error) : resolve(value))) as grpc.ClientWritableStream<object>;
        for (const msg of ['a', 'b', 'c']) call.write({ msg });
        call.end();
      });
      expect(summed).toMatchObject({ msg: 'a,b,c', index: 3 });
      const duplex = client.Bidi() as grpc.ClientDuplexStream<object, JsResponse>;
      const echoed = readAll(duplex);
      for (const msg of ['x', 'y']) duplex.write({ msg });
      duplex.end();
      expect((await echoed).map((r) => [r.msg, r.index])).toEqual([['x', 0], ['y', 1]]);
    });

    it('every status code, with message, details and trailers', async () => {
      for (const code of allCodes) {
        const error = (await rejection(unary(client, { msg: `status ${code} ✗`, status: code }).reply)) as unknown as grpc.ServiceError;
        expect(error.code).toBe(code);
        expect(error.details).toBe(`status ${code} ✗`);
        expect(error.metadata.get('x-error')).toEqual(['yes']);
        expect(error.metadata.get('grpc-status-details-bin')).toEqual([Buffer.from(statusDetails(code, `status ${code} ✗`))]);
      }
    });

    it('deadlines: DEADLINE_EXCEEDED, and the handler is told', async () => {
      cancelledCalls.length = 0;
      const error = (await rejection(unary(client, { msg: 'slow', sleepMs: 5000 }, new grpc.Metadata(), { deadline: Date.now() + 200 }).reply)) as unknown as grpc.ServiceError;
      expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      await waitFor(() => cancelledCalls.some((c) => c.method === 'Unary'));
    });

    it('cancellation: call.cancel() reaches the handler as ERR_CANCELLED', async () => {
      cancelledCalls.length = 0;
      const stream = client.ServerStream({ msg: 'endless', count: 100000, sleepMs: 10 }) as grpc.ClientReadableStream<JsResponse>;
      const ended = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
      let seen = 0;
      stream.on('data', () => {
        if (++seen === 3) stream.cancel();
      });
      expect((await ended).code).toBe(grpc.status.CANCELLED);
      await waitFor(() => cancelledCalls.some((c) => c.method === 'ServerStream' && c.reason === 'ERR_CANCELLED'));
    });

    it('gzip: a compressing grpc-js client gets compressed answers', async () => {
      const gz = new grpcJsEcho(server.address.slice('tcp://'.length), grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 }) as unknown as JsClient;
      try {
        const blob = Buffer.alloc(50_000, 3);
        expect(await unary(gz, { msg: 'zip', blob }).reply).toMatchObject({ msg: 'zip', blob });
        const replies = await readAll<JsResponse>(gz.ServerStream({ msg: 'z', count: 5, blob }) as grpc.ClientReadableStream<JsResponse>);
        expect(replies.length).toBe(5);
      } finally {
        gz.close();
      }
    });

    it('an unknown method is UNIMPLEMENTED and a too-large message RESOURCE_EXHAUSTED', async () => {
      const partial = createServer({ idl: grpcEchoRoot, service: SERVICE, io, handlers: { Unary: heddleEchoHandlers.Unary }, grpc: { maxReceiveMessageLength: 1000, http2: serverEngine } });
      await partial.listen('tcp://127.0.0.1:0');
      const c = new grpcJsEcho(partial.address.slice('tcp://'.length), grpc.credentials.createInsecure()) as unknown as JsClient;
      try {
        const error = await new Promise<grpc.ServiceError>((resolve) => (c.ServerStream({ msg: '' }) as grpc.ClientReadableStream<unknown>).on('error', resolve));
        expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
        expect(((await rejection(unary(c, { blob: Buffer.alloc(5000) }).reply)) as unknown as grpc.ServiceError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
        expect(await unary(c, { msg: 'small' }).reply).toMatchObject({ msg: 'small' });
      } finally {
        c.close();
        await partial.close();
      }
    });

    it('a grpc-js client reaches a heddle server on a Unix socket', async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'heddle-grpc-js-')), 'echo.sock');
      const s = createServer({ idl: grpcEchoRoot, service: SERVICE, io, handlers: heddleEchoHandlers, grpc: { http2: serverEngine } });
      await s.listen(`unix://${path}`);
      const c = new grpcJsEcho(`unix://${path}`, grpc.credentials.createInsecure()) as unknown as JsClient;
      try {
        expect(await unary(c, { msg: 'over uds' }).reply).toMatchObject({ msg: 'over uds' });
      } finally {
        c.close();
        await s.close();
      }
    });
  });
}

// Both HTTP/2 engines run the whole client suite: heddle's own (the default) and node:http2.
for (const engine of ['heddle', 'node'] as const) {
  describe(`a heddle client (http2: '${engine}') against a grpc-js server`, () => {
    let server: grpc.Server;
    let client: GrpcClient;
    let address: string;

    beforeAll(async () => {
      ({ server, address } = await startGrpcJsServer());
      client = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', http2: engine, timeoutMs: 5000 });
    });

    afterAll(async () => {
      await client.close();
      server.forceShutdown();
    });

    it('unary with metadata both ways, int64 intact; server, client and bidi streaming', () => expectEchoPeer(client));

    it('every status code, with message, details and trailers', async () => {
      for (const code of allCodes) {
        const error = await rejection(client.call('Unary', { msg: `status ${code} ✗`, status: code }));
        expect(error).toMatchObject({ grpcStatus: code, grpcMessage: `status ${code} ✗`, details: statusDetails(code, `status ${code} ✗`) });
        expect((error.metadata as Record<string, unknown>)['x-error']).toBe('yes');
        const expectedCode = code === GrpcStatus.DEADLINE_EXCEEDED ? 'ERR_TIMEOUT' : code === GrpcStatus.CANCELLED ? 'ERR_CANCELLED' : code === GrpcStatus.UNAVAILABLE ? 'ERR_CONNECTION' : 'ERR_REMOTE';
        expect(error.code).toBe(expectedCode);
      }
    });

    it('deadlines: the grpc-js handler sees the call cancelled', async () => {
      grpcJsCancelled.length = 0;
      expect(await rejection(client.call('Unary', { msg: 'slow', sleepMs: 5000 }, { timeoutMs: 200 }))).toMatchObject({ code: 'ERR_TIMEOUT', grpcStatus: 4 });
      await waitFor(() => grpcJsCancelled.includes('Unary'));
    });

    it('cancellation: an AbortSignal and an early break both reach the grpc-js handler', async () => {
      grpcJsCancelled.length = 0;
      const controller = new AbortController();
      const pending = client.call('Unary', { msg: 'slow', sleepMs: 5000 }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      expect(await rejection(pending)).toMatchObject({ code: 'ERR_CANCELLED', grpcStatus: 1 });
      await waitFor(() => grpcJsCancelled.includes('Unary'));
      for await (const reply of client.call('ServerStream', { msg: 'endless', count: 100000, sleepMs: 5 }) as unknown as GrpcResponseStream<EchoResponse>) {
        if (reply.index === 2) break;
      }
      await waitFor(() => grpcJsCancelled.includes('ServerStream'));
    });

    it('gzip both ways, against a grpc-js server that compresses its answers', async () => {
      const { server: gzServer, address: gzAddress } = await startGrpcJsServer('127.0.0.1:0', { 'grpc.default_compression_algorithm': 2 });
      const gz = createClient({ idl: grpcEchoRoot, service: SERVICE, address: gzAddress, transport: 'grpc', http2: engine, compression: 'gzip' });
      try {
        const blob = new Uint8Array(50_000).fill(3);
        expect(await gz.call('Unary', { msg: 'zip', blob })).toMatchObject({ msg: 'zip', blob });
        expect((await collect(gz.call('ServerStream', { msg: 'z', count: 5, blob }) as unknown as GrpcResponseStream)).length).toBe(5);
      } finally {
        await gz.close();
        gzServer.forceShutdown();
      }
    });

    it('RESOURCE_EXHAUSTED both ways: over the client receive limit, over the server receive limit', async () => {
      const small = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', http2: engine, maxReceiveMessageLength: 1000 });
      try {
        expect(await rejection(small.call('Unary', { blob: new Uint8Array(5000) }))).toMatchObject({ code: 'ERR_SIZE_LIMIT', grpcStatus: 8 });
      } finally {
        await small.close();
      }
      const { server: strict, address: strictAddress } = await startGrpcJsServer('127.0.0.1:0', { 'grpc.max_receive_message_length': 1000 });
      const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: strictAddress, transport: 'grpc', http2: engine });
      try {
        expect(await rejection(c.call('Unary', { blob: new Uint8Array(5000) }))).toMatchObject({ grpcStatus: 8 });
      } finally {
        await c.close();
        strict.forceShutdown();
      }
    });

    it('a server that vanishes mid-stream fails the iterable with ERR_CONNECTION', async () => {
      const { server: doomed, address: doomedAddress } = await startGrpcJsServer();
      const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: doomedAddress, transport: 'grpc', http2: engine, timeoutMs: 0 });
      try {
        let seen = 0;
        const error = await rejection((async () => {
          for await (const reply of c.call('ServerStream', { msg: 'x', count: 100000, sleepMs: 5 }) as unknown as GrpcResponseStream<EchoResponse>) {
            void reply;
            if (++seen === 3) doomed.forceShutdown();
          }
        })());
        expect(error).toMatchObject({ code: 'ERR_CONNECTION', grpcStatus: GrpcStatus.UNAVAILABLE });
      } finally {
        await c.close();
      }
    });

    it('a heddle client reaches a grpc-js server on a Unix socket', async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'heddle-grpc-js-')), 'echo.sock');
      const { server: uds, address: udsAddress } = await startGrpcJsServer(path);
      const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: udsAddress, transport: 'grpc', http2: engine });
      try {
        expect(await c.call('Unary', { msg: 'over uds' })).toMatchObject({ msg: 'over uds' });
      } finally {
        await c.close();
        uds.forceShutdown();
      }
    });
  });
}
