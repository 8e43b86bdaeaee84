import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeddleError } from '../../src-ts/errors.js';
import { native } from '../../src-ts/native.js';
import * as protobuf from '../../src-ts/protobuf/index.js';
import { createClient, createServer, type BizStatusError, type RpcServer, type ServerLogEntry } from '../../src-ts/rpc/index.js';
import type { TransportName } from '../../src-ts/rpc/wire.js';
import { FrameReader, type Frame } from '../../src-ts/transport/index.js';
import { echoDoc, echoHandlers } from './echo-fixture.js';
import { echoProtoHandlers, echoProtoSource, echoRoot, type EchoMessage } from './protobuf-echo-fixture.js';

const ioPaths = native.loaded ? (['native', 'net'] as const) : (['net'] as const);
type RemoteError = HeddleError & { remote: { type: number; typeName: string; message: string } };

const hello: EchoMessage = { action: 'echo', msg: 'héllo, 世界', id: -9007199254740993n, tags: ['a', 'β'] };

/** Sends `bytes` on a fresh connection and collects what comes back until the server closes it
 * or `frames` Framed replies arrived. */
function exchange(address: string, bytes: Uint8Array, frames = 1): Promise<{ replies: Frame[]; closed: boolean }> {
  const { hostname, port } = new URL(address);
  const reader = new FrameReader({ kind: 'framed' });
  const replies: Frame[] = [];
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.write(bytes));
    socket.on('data', (chunk) => {
      replies.push(...reader.push(chunk));
      if (replies.length >= frames) {
        socket.destroy();
        resolve({ replies, closed: false });
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ replies, closed: true }));
  });
}

/** A Framed Kitex Protobuf message: magic, type, method, seqId, body. */
function kitexProtobufFrame(type: number, method: string, seqId: number, body: Uint8Array, lengthOverride?: number): Buffer {
  const name = Buffer.from(method);
  const message = Buffer.concat([Buffer.from([0x90, 0x01, 0, type]), u32(name.length), name, u32(seqId), body]);
  return Buffer.concat([u32(lengthOverride ?? message.length), message]);
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

const errorProto = protobuf
  .parse('syntax = "proto3"; message ErrorProto { int32 TypeID = 1; string Message = 2; }')
  .codec<{ TypeID: number; Message: string }>('ErrorProto', { keepCase: true });

function bodyOf(frame: Frame): Uint8Array {
  return frame.payload.next(frame.payload.length).subarray(frame.envelope!.size);
}

describe.each(ioPaths)('Kitex Protobuf between heddle clients and a heddle server, %s I/O', (io) => {
  let server: RpcServer;
  const logs: ServerLogEntry[] = [];
  beforeAll(async () => {
    server = createServer({ idl: echoRoot, service: 'echo.v1.Echo', handlers: echoProtoHandlers, io, maxFrameSize: 2 << 20, log: (e) => logs.push(e) });
    await server.listen('tcp://127.0.0.1:0');
  });
  afterAll(() => server.close({ timeoutMs: 100 }));

  it.each(['ttheader', 'ttheader-framed', 'framed'] as TransportName[])('calls, metainfo, biz status, errors and timeouts over %s', async (transport) => {
    const client = createClient({ idl: echoRoot, service: 'echo.v1.Echo', address: server.address, transport, io });
    try {
      // Kitex reads Protobuf only Framed, so TTHeader carries it as TTHeaderFramed.
      expect(client.transport).toBe(transport === 'ttheader' ? 'ttheader-framed' : transport);
      expect(await client.call('Echo', hello)).toEqual(hello);
      const big = { action: 'echo', msg: 'k'.repeat(1 << 20), id: 0n, tags: [] };
      expect(await client.call('Echo', big)).toEqual(big);
      const many = await Promise.all(Array.from({ length: 30 }, (_, i) => client.call('Echo', { action: 'echo', msg: `${i}`, id: BigInt(i), tags: [] })));
      expect(many.map((m) => (m as EchoMessage).id)).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(i)));

      let backward: Map<string, string> | undefined;
      const meta = (await client.call('Echo', { action: 'meta' }, {
        metainfo: { transient: { 'trace-tag': 't-42' }, persistent: { tenant: 'acme' } },
        onContext: (ctx) => (backward = ctx.responseMetainfo.backward()),
      })) as EchoMessage;
      const biz = (await client.call('Echo', { action: 'biz', msg: 'biz said no' }).catch((e: unknown) => e)) as BizStatusError | RemoteError;
      if (transport === 'framed') {
        // Framed has no header: neither metainfo nor a business status can travel.
        expect(JSON.parse(meta.msg)).toEqual({ transient: {}, persistent: {} });
        expect(biz.code).toBe('ERR_REMOTE');
        expect((biz as RemoteError).remote).toEqual({ type: 6, typeName: 'INTERNAL_ERROR', message: 'biz status 1001: biz said no' });
      } else {
        expect(JSON.parse(meta.msg)).toEqual({ transient: { 'trace-tag': 't-42' }, persistent: { tenant: 'acme' } });
        expect(backward?.get('served-by')).toBe('heddle');
        expect(biz.code).toBe('ERR_BIZ_STATUS');
        expect((biz as BizStatusError).bizStatus).toEqual({ code: 1001, message: 'biz said no', extra: { reason: 'quota' } });
      }

      const failed = (await client.call('Echo', { action: 'fail', msg: 'boom' }).catch((e: unknown) => e)) as RemoteError;
      expect(failed.code).toBe('ERR_REMOTE');
      expect(failed.remote).toEqual({ type: 6, typeName: 'INTERNAL_ERROR', message: 'handler failed: boom' });

      const timedOut = (await client.call('Echo', { action: 'sleep', msg: '400' }, { timeoutMs: 100 }).catch((e: unknown) => e)) as HeddleError;
      expect(timedOut.code).toBe('ERR_TIMEOUT');
      expect(await client.call('Echo', { ...hello, msg: 'after timeout' })).toEqual({ ...hello, msg: 'after timeout' });
    } finally {
      await client.close();
    }
  });

  it('answers an unknown method, a reply sent as a call and a malformed body with exceptions, and keeps the connection', async () => {
    const wider = protobuf.parse(echoProtoSource.replace('rpc Echo(EchoRequest) returns (EchoResponse);', '$& rpc Nope(EchoRequest) returns (EchoResponse);'));
    const client = createClient({ idl: wider, service: 'echo.v1.Echo', address: server.address, io, maxConnections: 1 });
    try {
      const unknown = (await client.call('Nope', hello).catch((e: unknown) => e)) as RemoteError;
      expect(unknown.code).toBe('ERR_REMOTE');
      expect(unknown.remote).toEqual({ type: 1, typeName: 'UNKNOWN_METHOD', message: 'unknown method Nope' });
      expect(await client.call('Echo', hello)).toEqual(hello);
    } finally {
      await client.close();
    }

    // Field 2 (msg) claims 100 bytes, 3 follow: the body does not decode.
    const truncatedBody = Uint8Array.from([0x12, 100, 0x61, 0x62, 0x63]);
    const bad = kitexProtobufFrame(1, 'Echo', 7, truncatedBody);
    const asReply = kitexProtobufFrame(2, 'Echo', 8, new Uint8Array());
    const good = kitexProtobufFrame(1, 'Echo', 9, echoRoot.codec('echo.v1.EchoRequest').encode(hello));
    const { replies, closed } = await exchange(server.address, Buffer.concat([bad, asReply, good]), 3);
    expect(closed).toBe(false);
    expect(replies.map((r) => [r.envelope!.messageType, r.envelope!.method, r.envelope!.seqId])).toEqual([
      [3, 'Echo', 7],
      [3, 'Echo', 8],
      [2, 'Echo', 9],
    ]);
    const protocolError = errorProto.decode(bodyOf(replies[0]!));
    expect(protocolError.TypeID).toBe(7);
    expect(protocolError.Message).toBe('input ended inside a field (at msg, at byte 0)');
    expect(errorProto.decode(bodyOf(replies[1]!))).toEqual({ TypeID: 2, Message: 'message type 2 is not a call' });
    expect(echoRoot.codec('echo.v1.EchoResponse').decode(bodyOf(replies[2]!))).toEqual(hello);
  });

  it.each([
    ['an envelope cut short', Buffer.concat([u32(6), Buffer.from([0x90, 0x01, 0, 1, 0, 0])]), /shorter than its 12-byte envelope/],
    ['a method name running past the message', kitexProtobufFrame(1, 'Echo', 1, new Uint8Array()).fill(0x7f, 8, 11), /method name of \d+ bytes runs past the message \(at byte 8\)/],
    ['a length over the frame limit', kitexProtobufFrame(1, 'Echo', 1, new Uint8Array(), (2 << 20) + 1), /exceeds|limit/],
  ])('closes a connection that sends %s with ERR_BAD_FRAME, and keeps serving', async (_, bytes, why) => {
    const before = logs.length;
    const { replies, closed } = await exchange(server.address, bytes);
    expect(closed).toBe(true);
    expect(replies).toEqual([]);
    const entry = () => logs.slice(before).find((e) => e.code === 'ERR_BAD_FRAME');
    for (let waited = 0; entry() === undefined && waited < 2000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    // The native path reports where the frame went bad; the frame reader says what was wrong.
    expect(entry()?.message).toMatch(io === 'native' && why.source === 'exceeds|limit' ? /frame/ : why);
    const client = createClient({ idl: echoRoot, service: 'echo.v1.Echo', address: server.address, io });
    try {
      expect(await client.call('Echo', hello)).toEqual(hello);
    } finally {
      await client.close();
    }
  });
});

describe('Kitex Protobuf and Thrift on each other', () => {
  let pbServer: RpcServer;
  let thriftServer: RpcServer;
  beforeAll(async () => {
    pbServer = createServer({ idl: echoRoot, service: 'echo.v1.Echo', handlers: echoProtoHandlers, log: () => {} });
    thriftServer = createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers, log: () => {} });
    await Promise.all([pbServer.listen('tcp://127.0.0.1:0'), thriftServer.listen('tcp://127.0.0.1:0')]);
  });
  afterAll(() => Promise.all([pbServer.close(), thriftServer.close()]));

  it('a server answers the other kind of message with INVALID_PROTOCOL in the caller’s own format', async () => {
    const thriftClient = createClient({ idl: echoDoc, service: 'EchoService', address: pbServer.address });
    const pbClient = createClient({ idl: echoRoot, service: 'echo.v1.Echo', address: thriftServer.address });
    try {
      const a = (await thriftClient.call('ping').catch((e: unknown) => e)) as RemoteError;
      expect(a.remote).toEqual({ type: 9, typeName: 'INVALID_PROTOCOL', message: 'echo.v1.Echo speaks kitex-protobuf, not thrift-binary' });
      const b = (await pbClient.call('Echo', hello).catch((e: unknown) => e)) as RemoteError;
      expect(b.remote).toEqual({ type: 9, typeName: 'INVALID_PROTOCOL', message: 'EchoService speaks thrift-binary, not kitex-protobuf' });
    } finally {
      await Promise.all([thriftClient.close(), pbClient.close()]);
    }
  });

  it('refuses what Kitex Protobuf cannot carry: bare messages, streaming methods, a Thrift protocol', async () => {
    expect(() => createClient({ idl: echoRoot, service: 'echo.v1.Echo', address: pbServer.address, transport: 'buffered' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/'buffered' cannot carry kitex-protobuf/) }),
    );
    expect(() => createServer({ idl: echoRoot, service: 'echo.v1.Echo', handlers: {}, protocol: 'compact' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => createServer({ idl: echoRoot, service: 'echo.v1.Nope', handlers: {} })).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_TYPE' }));
    const streaming = protobuf.parse(`${echoProtoSource}\nservice Feed { rpc Watch(EchoRequest) returns (stream EchoResponse); }`);
    const client = createClient({ idl: streaming, service: 'echo.v1.Feed', address: pbServer.address });
    expect(client.service.method('Watch').streaming).toBe('server');
    await expect(client.call('Watch', hello)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: 'Watch is a server-streaming method: ttheader-framed carries only unary calls' });
    await client.close();
  });

  it('serves a request a real Kitex client recorded (test/transport/fixtures/kitex) and answers in kind', async () => {
    const captureProto = readFileSync(new URL('../interop/kitex-capture/echo.proto', import.meta.url), 'utf8');
    const root = protobuf.parse(captureProto, { filename: 'echo.proto' });
    const seen: unknown[] = [];
    const server = createServer({
      idl: root,
      service: 'echo.EchoService',
      handlers: {
        Echo: (req: { message: string; id: bigint }, ctx) => {
          seen.push({ req, transient: Object.fromEntries(ctx.metainfo.transient()), persistent: Object.fromEntries(ctx.metainfo.persistent()) });
          ctx.responseMetainfo.setBackward('served-by', 'heddle');
          return { message: `echo: ${req.message}`, id: req.id };
        },
      },
      log: () => {},
    });
    await server.listen('tcp://127.0.0.1:0');
    try {
      const request = readFileSync(new URL('../transport/fixtures/kitex/protobuf-ttheader-framed-echo.request.bin', import.meta.url));
      const { hostname, port } = new URL(server.address);
      const reader = new FrameReader({ kind: 'ttheader' });
      const reply = await new Promise<Frame>((resolve) => {
        const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.write(request));
        socket.on('data', (chunk) => {
          const [frame] = reader.push(chunk);
          if (frame !== undefined) {
            socket.destroy();
            resolve(frame);
          }
        });
      });
      expect(seen).toEqual([{ req: { message: 'hello protobuf ttheader', id: 42n }, transient: { 'gdpr-token': 'acl-secret', 'trace-id': 't-42' }, persistent: { tenant: 'acme' } }]);
      expect(reply.kind).toBe('ttheader-framed');
      if (reply.kind !== 'ttheader-framed') return;
      expect(reply.header.protocolId).toBe(4);
      expect(reply.header.seqId).toBe(10);
      expect(reply.header.intInfo.get(22)).toBe('2');
      expect(reply.header.strInfo.get('served-by')).toBe('heddle');
      expect(reply.envelope).toMatchObject({ messageType: 2, method: 'Echo', seqId: 10 });
      expect(root.codec('echo.EchoResponse').decode(bodyOf(reply))).toEqual({ message: 'echo: hello protobuf ttheader', id: 42n });
    } finally {
      await server.close();
    }
  });
});
