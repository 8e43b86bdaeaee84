import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../src-ts/native.js';
import { createClient, createServer, GrpcStatus, type GrpcClient, type GrpcClientContext, type GrpcResponseStream, type RpcServer, type ServerLogEntry } from '../../src-ts/rpc/index.js';
import { echoProtoHandlers, echoRoot } from '../rpc/protobuf-echo-fixture.js';
import { cancelledCalls, collect, DETAIL_TYPE, grpcEchoRoot, heddleEchoHandlers, rejection, SERVICE, statusCodec, waitFor, type EchoRequest, type EchoResponse } from './grpc-echo-fixture.js';

const ioPaths = native.loaded ? (['native', 'net'] as const) : (['net'] as const);
const req = (fields: Partial<EchoRequest>): Partial<EchoRequest> => ({ msg: '', ...fields });


describe.each(ioPaths)('gRPC between a heddle client and a heddle server, %s I/O', (io) => {
  let server: RpcServer;
  let client: GrpcClient;
  const logs: ServerLogEntry[] = [];

  beforeAll(async () => {
    server = createServer({ idl: grpcEchoRoot, service: SERVICE, handlers: heddleEchoHandlers, io, log: (entry) => logs.push(entry) });
    await server.listen('tcp://127.0.0.1:0');
    client = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', timeoutMs: 5000 });
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('answers unary calls with the values the codec maps', async () => {
    const reply = (await client.call('Unary', req({ msg: 'héllo, 世界', id: -9007199254740993n, blob: new Uint8Array([0, 255]) }))) as EchoResponse;
    expect(reply).toEqual({ msg: 'héllo, 世界', index: 0, blob: new Uint8Array([0, 255]), id: -9007199254740993n });
  });

  it('streams server responses as an async iterable', async () => {
    const replies = await collect(client.call('ServerStream', req({ msg: 's', count: 50 })) as unknown as GrpcResponseStream<EchoResponse>);
    expect(replies.map((r) => r.index)).toEqual([...Array(50).keys()]);
    expect(replies.every((r) => r.msg === 's')).toBe(true);
  });

  it('stream() types server and bidi calls as their response stream, and refuses the others', async () => {
    const replies = await collect(client.stream<EchoResponse>('ServerStream', req({ msg: 't', count: 3 })));
    expect(replies.map((r) => r.index)).toEqual([0, 1, 2]);
    expect((await collect(client.stream<EchoResponse>('Bidi', [req({ msg: 'b' })]))).map((r) => r.msg)).toEqual(['b']);
    expect(await rejection(collect(client.stream('Unary', req({}))))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(await rejection(collect(client.stream('Nope', req({}))))).toMatchObject({ code: 'ERR_UNKNOWN_TYPE' });
  });

  it('takes client streams from async generators and plain iterables', async () => {
    async function* requests() {
      for (const msg of ['a', 'b', 'c']) yield req({ msg });
    }
    expect(await client.call('ClientStream', requests())).toMatchObject({ msg: 'a,b,c', index: 3 });
    expect(await client.call('ClientStream', [req({ msg: 'x' })])).toMatchObject({ msg: 'x', index: 1 });
    expect(await client.call('ClientStream', [])).toMatchObject({ msg: '', index: 0 });
  });

  it('runs bidi streams message by message', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* requests() {
      yield req({ msg: 'first' });
      await gate; // the reply to the first must arrive before the second is sent
      yield req({ msg: 'second' });
    }
    const seen: EchoResponse[] = [];
    for await (const reply of client.call('Bidi', requests()) as unknown as GrpcResponseStream<EchoResponse>) {
      seen.push(reply);
      release();
    }
    expect(seen.map((r) => [r.msg, r.index])).toEqual([['first', 0], ['second', 1]]);
  });

  it('carries metadata in headers and trailers, -bin keys as bytes', async () => {
    let ctx!: GrpcClientContext;
    await client.call('Unary', req({ msg: 'm' }), {
      metadata: { 'x-echo': 'text value', 'x-echo-bin': new Uint8Array([0, 1, 254, 255]) },
      onContext: (c) => (ctx = c),
    });
    expect(ctx.responseHeaders['x-echo']).toBe('text value');
    expect(ctx.responseHeaders['x-echo-bin']).toEqual(new Uint8Array([0, 1, 254, 255]));
    expect(ctx.responseTrailers['x-trailer']).toBe('done');
    const stream = client.call('ServerStream', req({ count: 1 }), { metadata: { 'x-echo': 'streamed' } }) as unknown as GrpcResponseStream;
    await collect(stream);
    expect((await stream.headers)['x-echo']).toBe('streamed');
    expect((await stream.trailers)['x-trailer']).toBe('done');
  });

  it('refuses metadata that cannot go on the wire', async () => {
    expect(await rejection(client.call('Unary', req({}), { metadata: { 'Bad Key': 'x' } }))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(await rejection(client.call('Unary', req({}), { metadata: { 'x-text': 'line\nbreak' } }))).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('reports a handler status with its message, details and trailers', async () => {
    const error = await rejection(client.call('Unary', req({ msg: 'no such thing: 100% ünicode', status: GrpcStatus.NOT_FOUND })));
    expect(error).toMatchObject({ code: 'ERR_REMOTE', grpcStatus: 5, grpcMessage: 'no such thing: 100% ünicode' });
    expect(statusCodec.decode(error.details as Uint8Array)).toEqual({ code: 5, message: 'no such thing: 100% ünicode', details: [{ typeUrl: DETAIL_TYPE, value: new Uint8Array([1, 2, 3]) }] });
    expect((error.metadata as Record<string, unknown>)['x-error']).toBe('yes');
    const streamError = await rejection(collect(client.call('ServerStream', req({ msg: 'late', count: 2, status: GrpcStatus.ABORTED })) as unknown as GrpcResponseStream));
    expect(streamError).toMatchObject({ code: 'ERR_REMOTE', grpcStatus: 10, grpcMessage: 'late' });
  });

  it('answers UNKNOWN for a plain handler error and UNIMPLEMENTED for an unknown method', async () => {
    const plain = createServer({ idl: grpcEchoRoot, service: SERVICE, io, log: () => {}, handlers: { Unary: async () => { throw new Error('boom'); } } });
    await plain.listen('tcp://127.0.0.1:0');
    const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: plain.address, transport: 'grpc' });
    try {
      expect(await rejection(c.call('Unary', req({})))).toMatchObject({ code: 'ERR_REMOTE', grpcStatus: GrpcStatus.UNKNOWN, grpcMessage: 'boom' });
      expect(await rejection(c.call('ClientStream', []))).toMatchObject({ grpcStatus: GrpcStatus.UNIMPLEMENTED });
    } finally {
      await c.close();
      await plain.close();
    }
  });

  it('carries a Kitex business status as Kitex does over gRPC (INTERNAL, biz-* trailers), back to ERR_BIZ_STATUS', async () => {
    const s = createServer({ idl: echoRoot, service: 'echo.v1.Echo', io, handlers: echoProtoHandlers });
    await s.listen('tcp://127.0.0.1:0');
    const c = createClient({ idl: echoRoot, service: 'echo.v1.Echo', address: s.address, transport: 'grpc' });
    try {
      const error = await rejection(c.call('Echo', { action: 'biz', msg: 'quota exceeded' }));
      expect(error).toMatchObject({ code: 'ERR_BIZ_STATUS', grpcStatus: GrpcStatus.INTERNAL, bizStatus: { code: 1001, message: 'quota exceeded', extra: { reason: 'quota' } } });
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('enforces deadlines on both sides and tells the handler', async () => {
    cancelledCalls.length = 0;
    const started = Date.now();
    const error = await rejection(client.call('Unary', req({ sleepMs: 5000 }), { timeoutMs: 200 }));
    expect(error).toMatchObject({ code: 'ERR_TIMEOUT', grpcStatus: GrpcStatus.DEADLINE_EXCEEDED });
    expect(Date.now() - started).toBeLessThan(4000);
    await waitFor(() => cancelledCalls.some((c) => c.method === 'Unary'));
  });

  it('cancels with an AbortSignal: RST_STREAM reaches the handler', async () => {
    cancelledCalls.length = 0;
    const controller = new AbortController();
    const pending = client.call('Unary', req({ sleepMs: 5000 }), { signal: controller.signal, timeoutMs: 0 });
    setTimeout(() => controller.abort(), 100);
    expect(await rejection(pending)).toMatchObject({ code: 'ERR_CANCELLED', grpcStatus: GrpcStatus.CANCELLED });
    await waitFor(() => cancelledCalls.some((c) => c.method === 'Unary' && c.reason === 'ERR_CANCELLED'));
    // Leaving a response loop early cancels the stream too.
    cancelledCalls.length = 0;
    for await (const reply of client.call('ServerStream', req({ count: 1000, sleepMs: 5 })) as unknown as GrpcResponseStream<EchoResponse>) {
      if (reply.index === 2) break;
    }
    await waitFor(() => cancelledCalls.some((c) => c.method === 'ServerStream'));
  });

  it('a cancelled bidi call reaches the handler as a cancel, not as the end of its requests', async () => {
    cancelledCalls.length = 0;
    const controller = new AbortController();
    async function* requests() {
      yield req({ msg: 'one' });
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
    const seen: string[] = [];
    const failure = rejection((async () => {
      for await (const reply of client.call('Bidi', requests(), { signal: controller.signal, timeoutMs: 0 }) as unknown as GrpcResponseStream<EchoResponse>) {
        seen.push(reply.msg);
        controller.abort();
      }
    })());
    expect(await failure).toMatchObject({ code: 'ERR_CANCELLED' });
    expect(seen).toEqual(['one']);
    await waitFor(() => cancelledCalls.some((c) => c.method === 'Bidi' && c.reason === 'ERR_CANCELLED'));
  });

  it('compresses with gzip both ways', async () => {
    const gz = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', compression: 'gzip' });
    try {
      const blob = new Uint8Array(100_000).fill(7);
      const reply = (await gz.call('Unary', req({ msg: 'zip', blob }))) as EchoResponse;
      expect(reply.blob).toEqual(blob);
      expect((await collect(gz.call('Bidi', [req({ msg: 'a' }), req({ msg: 'b' })]) as unknown as GrpcResponseStream<EchoResponse>)).map((r) => r.msg)).toEqual(['a', 'b']);
    } finally {
      await gz.close();
    }
  });

  it('limits message sizes with RESOURCE_EXHAUSTED', async () => {
    const small = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', maxReceiveMessageLength: 1000, maxSendMessageLength: 5000 });
    try {
      expect(await rejection(small.call('Unary', req({ blob: new Uint8Array(2000) })))).toMatchObject({ code: 'ERR_SIZE_LIMIT', grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED });
      expect(await rejection(small.call('Unary', req({ blob: new Uint8Array(6000) })))).toMatchObject({ code: 'ERR_SIZE_LIMIT', grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED });
      expect(await small.call('Unary', req({ msg: 'fits' }))).toMatchObject({ msg: 'fits' });
    } finally {
      await small.close();
    }
    const strict = createServer({ idl: grpcEchoRoot, service: SERVICE, io, handlers: heddleEchoHandlers, grpc: { maxReceiveMessageLength: 1000 } });
    await strict.listen('tcp://127.0.0.1:0');
    const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: strict.address, transport: 'grpc' });
    try {
      expect(await rejection(c.call('Unary', req({ blob: new Uint8Array(5000) })))).toMatchObject({ code: 'ERR_REMOTE', grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED });
      expect(await c.call('Unary', req({ msg: 'still serving' }))).toMatchObject({ msg: 'still serving' });
    } finally {
      await c.close();
      await strict.close();
    }
  });

  it('holds back a fast server stream while the client reads slowly', async () => {
    let produced = 0;
    const blob = new Uint8Array(16 * 1024);
    const s = createServer({
      idl: grpcEchoRoot,
      service: SERVICE,
      io,
      handlers: {
        ServerStream: async function* () {
          for (let i = 0; i < 2000; i++) {
            produced++;
            yield { msg: '', index: i, blob };
          }
        },
      },
    });
    await s.listen('tcp://127.0.0.1:0');
    const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: s.address, transport: 'grpc', timeoutMs: 0 });
    try {
      let consumed = 0;
      let maxAhead = 0;
      for await (const reply of c.call('ServerStream', req({})) as unknown as GrpcResponseStream<EchoResponse>) {
        expect(reply.index).toBe(consumed);
        consumed++;
        if (consumed <= 20) await new Promise((resolve) => setTimeout(resolve, 20));
        maxAhead = Math.max(maxAhead, produced - consumed);
      }
      expect(consumed).toBe(2000);
      // HTTP/2 windows (64 KiB each way) and the 32-message read queue bound what runs ahead.
      expect(maxAhead).toBeLessThan(120);
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('holds back a fast client stream while the handler reads slowly', async () => {
    let consumed = 0;
    const s = createServer({
      idl: grpcEchoRoot,
      service: SERVICE,
      io,
      handlers: {
        ClientStream: async (requests: AsyncIterable<EchoRequest>) => {
          for await (const r of requests) {
            void r;
            consumed++;
            if (consumed <= 20) await new Promise((resolve) => setTimeout(resolve, 20));
          }
          return { msg: 'ok', index: consumed };
        },
      },
    });
    await s.listen('tcp://127.0.0.1:0');
    const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: s.address, transport: 'grpc', timeoutMs: 0 });
    let produced = 0;
    let maxAhead = 0;
    const blob = new Uint8Array(16 * 1024);
    async function* requests() {
      for (let i = 0; i < 1000; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield { msg: '', blob };
      }
    }
    try {
      expect(await c.call('ClientStream', requests())).toMatchObject({ index: 1000 });
      expect(maxAhead).toBeLessThan(120);
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('serves gRPC and Kitex Protobuf on the same port', async () => {
    const both = createServer({ idl: echoRoot, service: 'echo.v1.Echo', io, handlers: echoProtoHandlers });
    await both.listen('tcp://127.0.0.1:0');
    const kitex = createClient({ idl: echoRoot, service: 'echo.v1.Echo', address: both.address });
    const grpc = createClient({ idl: echoRoot, service: 'echo.v1.Echo', address: both.address, transport: 'grpc' });
    try {
      const [a, b] = await Promise.all([kitex.call('Echo', { action: 'echo', msg: 'kitex' }), grpc.call('Echo', { action: 'echo', msg: 'grpc' })]);
      expect(a).toMatchObject({ msg: 'kitex' });
      expect(b).toMatchObject({ msg: 'grpc' });
    } finally {
      await kitex.close();
      await grpc.close();
      await both.close();
    }
  });

  it('works over a Unix socket', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'heddle-grpc-')), 'echo.sock');
    const s = createServer({ idl: grpcEchoRoot, service: SERVICE, io, handlers: heddleEchoHandlers });
    await s.listen(`unix://${path}`);
    const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: s.address, transport: 'grpc' });
    try {
      expect(await c.call('Unary', req({ msg: 'uds' }))).toMatchObject({ msg: 'uds' });
      expect((await collect(c.call('ServerStream', req({ count: 3 })) as unknown as GrpcResponseStream)).length).toBe(3);
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('drains in-flight calls on close (GOAWAY), then fails what is still running with ERR_CONNECTION', async () => {
    const s = createServer({ idl: grpcEchoRoot, service: SERVICE, io, handlers: heddleEchoHandlers });
    await s.listen('tcp://127.0.0.1:0');
    const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: s.address, transport: 'grpc', timeoutMs: 0 });
    try {
      const slow = c.call('Unary', req({ msg: 'drained', sleepMs: 300 }));
      const endless = collect(c.call('ServerStream', req({ count: 1_000_000, sleepMs: 20 })) as unknown as GrpcResponseStream);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closing = s.close({ timeoutMs: 1000 });
      expect(await slow).toMatchObject({ msg: 'drained' });
      expect(await rejection(endless)).toMatchObject({ code: 'ERR_CONNECTION', grpcStatus: GrpcStatus.UNAVAILABLE });
      await closing;
      expect(await rejection(c.call('Unary', req({})))).toMatchObject({ code: 'ERR_CONNECTION' });
    } finally {
      await c.close();
    }
  });

  it('a call in flight keeps the process alive (an idle connection does not)', async () => {
    // A process whose only handle is the client's connection: it must wait for the reply, then exit.
    const script = `
      const heddle = require(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).pathname)});
      const root = heddle.protobuf.parse(require('node:fs').readFileSync(${JSON.stringify(new URL('../interop/grpc-go-echo/echo.proto', import.meta.url).pathname)}, 'utf8'));
      const client = heddle.rpc.createClient({ idl: root, service: '${SERVICE}', address: '${server.address}', transport: 'grpc' });
      client.call('Unary', { msg: 'kept alive', sleepMs: 300 }).then((r) => process.stdout.write(r.msg));
    `;
    // Spawned, not spawnSync: the server answering it lives in this process's event loop.
    const child = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      proc.on('exit', (status) => resolve({ status, stdout }));
    });
    expect(child.stdout).toBe('kept alive');
    expect(child.status).toBe(0);
  });

  it('logged nothing unexpected', () => {
    expect(logs.filter((l) => l.level === 'error' && !/failed: (late|boom)/.test(l.message))).toEqual([]);
  });
});
