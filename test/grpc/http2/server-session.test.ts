import net from 'node:net';
import { getDefaultHighWaterMark, setDefaultHighWaterMark } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_PREFACE, encodeFrame, Flag, FrameType, H2Error, settingsPayload, Setting } from '../../../src-ts/grpc/http2/frames.js';
import { HpackDecoder, HpackEncoder } from '../../../src-ts/grpc/http2/hpack.js';
import { frameMessage } from '../../../src-ts/grpc/message-framing.js';
import { createClient, createServer, type GrpcContext, type RpcServer } from '../../../src-ts/rpc/index.js';
import { grpcEchoRoot, heddleEchoHandlers, SERVICE, type EchoRequest, type EchoResponse } from '../grpc-echo-fixture.js';
import { grpcJsEcho } from '../grpc-js-peer.js';

const requestCodec = grpcEchoRoot.codec<Partial<EchoRequest>>('grpcecho.v1.EchoRequest');
const responseCodec = grpcEchoRoot.codec<EchoResponse>('grpcecho.v1.EchoResponse');

interface ServerFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** A raw HTTP/2 client: writes the bytes a test gives it and collects the server's frames until
 * the server closes the socket. */
async function rawClient(address: string, bytes: Buffer[]): Promise<{ frames: ServerFrame[]; closed: Promise<void>; socket: net.Socket }> {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  const frames: ServerFrame[] = [];
  socket.on('data', (chunk) => {
    chunks.push(chunk);
    const all = Buffer.concat(chunks);
    frames.length = 0;
    let at = 0;
    while (all.length - at >= 9) {
      const length = all.readUIntBE(at, 3);
      if (all.length - at - 9 < length) break;
      frames.push({ type: all[at + 3]!, flags: all[at + 4]!, streamId: all.readUInt32BE(at + 5) & 0x7fffffff, payload: all.subarray(at + 9, at + 9 + length) });
      at += 9 + length;
    }
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  for (const chunk of bytes) socket.write(chunk);
  return { frames, closed, socket };
}

const opening = () => [CLIENT_PREFACE, encodeFrame(FrameType.SETTINGS, 0, 0, settingsPayload([[Setting.INITIAL_WINDOW_SIZE, 1 << 20]]))];

function requestBlock(encoder: HpackEncoder, path = `/${SERVICE}/Unary`, extra: string[] = []): Buffer {
  return encoder.encode([':method', 'POST', ':scheme', 'http', ':path', path, ':authority', 'test', 'content-type', 'application/grpc', 'te', 'trailers', ...extra]);
}

function goawayOf(frames: ServerFrame[]): { lastStreamId: number; code: number; debug: string } | undefined {
  const frame = frames.find((f) => f.type === FrameType.GOAWAY);
  if (frame === undefined) return undefined;
  return { lastStreamId: frame.payload.readUInt32BE(0), code: frame.payload.readUInt32BE(4), debug: frame.payload.subarray(8).toString() };
}

/** The header blocks the server sent on `streamId`, decoded in order (HEADERS then CONTINUATIONs). */
function headerListsOf(frames: ServerFrame[], streamId: number): Array<Record<string, string>> {
  const decoder = new HpackDecoder();
  const lists: Array<Record<string, string>> = [];
  let parts: Buffer[] = [];
  for (const frame of frames) {
    if (frame.type !== FrameType.HEADERS && frame.type !== FrameType.CONTINUATION) continue;
    parts.push(frame.payload);
    if ((frame.flags & Flag.END_HEADERS) === 0) continue;
    const { fields } = decoder.decode(Buffer.concat(parts));
    parts = [];
    if (frame.streamId !== streamId) continue;
    const list: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) list[fields[i]!] = fields[i + 1]!;
    lists.push(list);
  }
  return lists;
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("heddle's HTTP/2 server engine against raw frames", () => {
  let server: RpcServer;
  const logged: string[] = [];

  beforeAll(async () => {
    server = createServer({ idl: grpcEchoRoot, service: SERVICE, handlers: heddleEchoHandlers, log: (entry) => logged.push(entry.message), grpc: { maxConcurrentStreams: 4 } });
    await server.listen('tcp://127.0.0.1:0');
  });

  afterAll(async () => {
    await server.close();
  });

  it('answers a request split over padded, prioritised HEADERS, CONTINUATION and padded DATA', async () => {
    const block = requestBlock(new HpackEncoder(), `/${SERVICE}/Unary`, ['x-long', 'x'.repeat(3000)]);
    const first = block.subarray(0, 100);
    // PADDED | PRIORITY: pad length, 5 priority bytes, fragment, padding.
    const headersPayload = Buffer.concat([Buffer.from([7]), Buffer.from([0, 0, 0, 0, 16]), first, Buffer.alloc(7)]);
    const message = frameMessage(requestCodec.encode({ msg: '你好, padded' }), false, 1 << 20);
    const dataPayload = Buffer.concat([Buffer.from([3]), message, Buffer.alloc(3)]);
    const client = await rawClient(server.address, [
      ...opening(),
      encodeFrame(FrameType.HEADERS, Flag.PADDED | Flag.PRIORITY, 1, headersPayload),
      encodeFrame(FrameType.CONTINUATION, 0, 1, block.subarray(100, 1000)),
      encodeFrame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, block.subarray(1000)),
      encodeFrame(FrameType.DATA, Flag.PADDED | Flag.END_STREAM, 1, dataPayload),
    ]);
    try {
      await waitFor(() => headerListsOf(client.frames, 1).length === 2);
      const [headers, trailers] = headerListsOf(client.frames, 1);
      expect(headers).toMatchObject({ ':status': '200', 'content-type': 'application/grpc' });
      expect(trailers).toMatchObject({ 'grpc-status': '0' });
      const data = Buffer.concat(client.frames.filter((f) => f.type === FrameType.DATA && f.streamId === 1).map((f) => f.payload));
      expect(data[0]).toBe(0);
      expect(responseCodec.decode(data.subarray(5, 5 + data.readUInt32BE(1)))).toMatchObject({ msg: '你好, padded', index: 0 });
      // The server acknowledged the client's SETTINGS.
      expect(client.frames.some((f) => f.type === FrameType.SETTINGS && f.flags === Flag.ACK)).toBe(true);
    } finally {
      client.socket.destroy();
    }
  });

  it('sends DATA frames no longer than an output block, even to a client that allows 256 KiB frames', async () => {
    const message = frameMessage(requestCodec.encode({ msg: 'big', count: 40, blob: new Uint8Array(16 * 1024).fill(5) }), false, 1 << 20);
    const client = await rawClient(server.address, [
      CLIENT_PREFACE,
      encodeFrame(FrameType.SETTINGS, 0, 0, settingsPayload([[Setting.INITIAL_WINDOW_SIZE, 1 << 22], [Setting.MAX_FRAME_SIZE, 1 << 18]])),
      encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, Buffer.from([0, 0x80, 0, 0])),
      encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 1, requestBlock(new HpackEncoder(), `/${SERVICE}/ServerStream`)),
      encodeFrame(FrameType.DATA, Flag.END_STREAM, 1, message),
    ]);
    try {
      await waitFor(() => headerListsOf(client.frames, 1).length === 2);
      expect(headerListsOf(client.frames, 1)[1]).toMatchObject({ 'grpc-status': '0' });
      const data = client.frames.filter((f) => f.type === FrameType.DATA && f.streamId === 1);
      const longest = Math.max(...data.map((f) => f.payload.length));
      // A turn's messages are still coalesced past the default 16 KiB...
      expect(longest).toBeGreaterThan(16 * 1024);
      // ...but never past what one reused output block holds (64 KiB less the frame header).
      expect(longest).toBeLessThanOrEqual(64 * 1024 - 9);
      const bytes = Buffer.concat(data.map((f) => f.payload));
      let at = 0;
      let count = 0;
      while (at < bytes.length) {
        const length = bytes.readUInt32BE(at + 1);
        expect(responseCodec.decode(bytes.subarray(at + 5, at + 5 + length))).toMatchObject({ index: count, blob: new Uint8Array(16 * 1024).fill(5) });
        at += 5 + length;
        count++;
      }
      expect(count).toBe(40);
    } finally {
      client.socket.destroy();
    }
  });

  it('answers PING with the same payload', async () => {
    const opaque = Buffer.from('heddle!!');
    const client = await rawClient(server.address, [...opening(), encodeFrame(FrameType.PING, 0, 0, opaque)]);
    try {
      await waitFor(() => client.frames.some((f) => f.type === FrameType.PING));
      const ack = client.frames.find((f) => f.type === FrameType.PING)!;
      expect(ack.flags).toBe(Flag.ACK);
      expect(ack.payload).toEqual(opaque);
    } finally {
      client.socket.destroy();
    }
  });

  it('refuses streams past its MAX_CONCURRENT_STREAMS with RST_STREAM REFUSED_STREAM', async () => {
    const encoder = new HpackEncoder();
    const slow = frameMessage(requestCodec.encode({ msg: 'slow', sleepMs: 2000 }), false, 1 << 20);
    const bytes = [...opening()];
    for (let id = 1; id <= 11; id += 2) {
      bytes.push(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, id, requestBlock(encoder)), encodeFrame(FrameType.DATA, Flag.END_STREAM, id, slow));
    }
    const client = await rawClient(server.address, bytes);
    try {
      await waitFor(() => client.frames.filter((f) => f.type === FrameType.RST_STREAM).length === 2);
      const resets = client.frames.filter((f) => f.type === FrameType.RST_STREAM);
      expect(resets.map((f) => [f.streamId, f.payload.readUInt32BE(0)])).toEqual([
        [9, H2Error.REFUSED_STREAM],
        [11, H2Error.REFUSED_STREAM],
      ]);
      const settings = client.frames.find((f) => f.type === FrameType.SETTINGS && f.flags === 0)!;
      const advertised = new Map<number, number>();
      for (let at = 0; at < settings.payload.length; at += 6) advertised.set(settings.payload.readUInt16BE(at), settings.payload.readUInt32BE(at + 2));
      expect(advertised.get(Setting.MAX_CONCURRENT_STREAMS)).toBe(4);
    } finally {
      client.socket.destroy();
    }
  });

  const hostile: Array<[string, () => Buffer[], number]> = [
    // The server's sniffing routes anything starting 'PRI ' here; the rest must still match.
    ['a wrong preface', () => [Buffer.from('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n', 'latin1')], H2Error.PROTOCOL_ERROR],
    ['a first frame that is not SETTINGS', () => [CLIENT_PREFACE, encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(8))], H2Error.PROTOCOL_ERROR],
    ['DATA on an idle stream', () => [...opening(), encodeFrame(FrameType.DATA, 0, 5, Buffer.alloc(4))], H2Error.PROTOCOL_ERROR],
    ['HEADERS on an even stream', () => [...opening(), encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 2, requestBlock(new HpackEncoder()))], H2Error.PROTOCOL_ERROR],
    ['a frame over the advertised MAX_FRAME_SIZE', () => [...opening(), encodeFrame(FrameType.DATA, 0, 1, Buffer.alloc((1 << 18) + 1))], H2Error.FRAME_SIZE_ERROR],
    ['an HPACK index of 0', () => [...opening(), encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 1, Buffer.from([0x80]))], H2Error.COMPRESSION_ERROR],
    ['an HPACK index past both tables', () => [...opening(), encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 1, Buffer.from([0xff, 0x20]))], H2Error.COMPRESSION_ERROR],
    ['CONTINUATION without HEADERS', () => [...opening(), encodeFrame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, Buffer.alloc(3))], H2Error.PROTOCOL_ERROR],
    ['a frame inside a header block', () => [...opening(), encodeFrame(FrameType.HEADERS, 0, 1, Buffer.from([0x83])), encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(8))], H2Error.PROTOCOL_ERROR],
    ['a connection WINDOW_UPDATE of 0', () => [...opening(), encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, Buffer.alloc(4))], H2Error.PROTOCOL_ERROR],
    ['a connection window past 2^31-1', () => [...opening(), encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, Buffer.from([0x7f, 0xff, 0xff, 0xff]))], H2Error.FLOW_CONTROL_ERROR],
    ['SETTINGS of 5 bytes', () => [CLIENT_PREFACE, encodeFrame(FrameType.SETTINGS, 0, 0, Buffer.alloc(5))], H2Error.FRAME_SIZE_ERROR],
    ['SETTINGS_MAX_FRAME_SIZE below 2^14', () => [CLIENT_PREFACE, encodeFrame(FrameType.SETTINGS, 0, 0, settingsPayload([[Setting.MAX_FRAME_SIZE, 100]]))], H2Error.PROTOCOL_ERROR],
    ['a PING of 7 bytes', () => [...opening(), encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(7))], H2Error.FRAME_SIZE_ERROR],
    ['PUSH_PROMISE from a client', () => [...opening(), encodeFrame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, Buffer.alloc(4))], H2Error.PROTOCOL_ERROR],
    ['padding longer than the DATA payload', () => {
      const encoder = new HpackEncoder();
      return [...opening(), encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 1, requestBlock(encoder)), encodeFrame(FrameType.DATA, Flag.PADDED, 1, Buffer.from([9, 1, 2]))];
    }, H2Error.PROTOCOL_ERROR],
    ['a header block far past MAX_HEADER_LIST_SIZE', () => [...opening(), encodeFrame(FrameType.HEADERS, 0, 1, Buffer.alloc(100_000)), encodeFrame(FrameType.CONTINUATION, 0, 1, Buffer.alloc(100_000))], H2Error.ENHANCE_YOUR_CALM],
  ];

  it.each(hostile)('%s ends the connection with GOAWAY and the right code, and the server goes on serving', async (_name, bytes, code) => {
    logged.length = 0;
    const client = await rawClient(server.address, bytes());
    await client.closed;
    expect(goawayOf(client.frames)?.code).toBe(code);
    expect(logged.some((line) => line.includes('connection closed'))).toBe(true);
    const js = new grpcJsEcho(server.address.slice('tcp://'.length), grpc.credentials.createInsecure()) as unknown as grpc.Client & { Unary: (req: object, cb: (e: Error | null, r: EchoResponse) => void) => void };
    try {
      const reply = await new Promise<EchoResponse>((resolve, reject) => js.Unary({ msg: 'still here' }, (error, value) => (error ? reject(error) : resolve(value))));
      expect(reply.msg).toBe('still here');
    } finally {
      js.close();
    }
  });

  it('a request with a bad header list gets RST_STREAM PROTOCOL_ERROR, the connection lives on', async () => {
    const encoder = new HpackEncoder();
    const bad = encoder.encode([':method', 'POST', ':path', `/${SERVICE}/Unary`, 'connection', 'keep-alive']);
    const client = await rawClient(server.address, [...opening(), encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, bad), encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(8))]);
    try {
      await waitFor(() => client.frames.some((f) => f.type === FrameType.PING));
      const reset = client.frames.find((f) => f.type === FrameType.RST_STREAM);
      expect([reset?.streamId, reset?.payload.readUInt32BE(0)]).toEqual([1, H2Error.PROTOCOL_ERROR]);
      expect(goawayOf(client.frames)).toBeUndefined();
    } finally {
      client.socket.destroy();
    }
  });
});

describe("heddle's HTTP/2 server engine: flow control against a grpc-js client and a raw one", () => {
  const MESSAGE = 16 * 1024;
  const TOTAL = 2000;
  let produced = 0;
  let server: RpcServer;

  beforeAll(async () => {
    server = createServer({
      idl: grpcEchoRoot,
      service: SERVICE,
      handlers: {
        ...heddleEchoHandlers,
        async *ServerStream(_req: EchoRequest, _ctx: GrpcContext) {
          const blob = new Uint8Array(MESSAGE).fill(7);
          for (let index = 0; index < TOTAL; index++) {
            produced++;
            yield { msg: '慢', index, blob };
          }
        },
      },
    });
    await server.listen('tcp://127.0.0.1:0');
  });

  afterAll(async () => {
    await server.close();
  });

  it('a paused grpc-js reader holds the handler back (bounded buffering), then every message arrives', async () => {
    const js = new grpcJsEcho(server.address.slice('tcp://'.length), grpc.credentials.createInsecure()) as unknown as grpc.Client & { ServerStream: (req: object) => grpc.ClientReadableStream<EchoResponse> };
    try {
      const stream = js.ServerStream({ msg: 'x' });
      const indexes: number[] = [];
      const ended = new Promise<void>((resolve, reject) => {
        stream.on('end', () => resolve());
        stream.on('error', reject);
      });
      stream.on('data', (reply: EchoResponse) => {
        indexes.push(reply.index);
        if (indexes.length === 1) stream.pause();
      });
      await waitFor(() => indexes.length === 1);
      // While the reader is paused, the windows fill and the producer stops far short of the end.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const whilePaused = produced;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(produced).toBe(whilePaused);
      expect(produced).toBeLessThan(TOTAL / 2);
      stream.resume();
      await ended;
      expect(indexes).toEqual([...Array(TOTAL).keys()]);
      expect(produced).toBe(TOTAL);
    } finally {
      js.close();
    }
  });

  // Under a socket high-water mark above the 128 KiB the server keeps in flight no write reports
  // the socket full, so no 'drain' follows one; the server must still send the rest.
  it.each([undefined, 1 << 20])('a client that opens every window and stops reading holds the handler back, then gets every message (socket high-water mark %s)', async (highWaterMark) => {
    produced = 0;
    const defaultMark = getDefaultHighWaterMark(false);
    if (highWaterMark !== undefined) setDefaultHighWaterMark(false, highWaterMark);
    // Windows as large as HTTP/2 allows: only the socket can hold the server back.
    const port = Number(server.address.slice(server.address.lastIndexOf(':') + 1));
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.pause();
    socket.write(CLIENT_PREFACE);
    socket.write(encodeFrame(FrameType.SETTINGS, 0, 0, settingsPayload([[Setting.INITIAL_WINDOW_SIZE, 0x7fffffff]])));
    socket.write(encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, Buffer.from([0x7f, 0xff, 0, 0])));
    socket.write(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 1, requestBlock(new HpackEncoder(), `/${SERVICE}/ServerStream`)));
    socket.write(encodeFrame(FrameType.DATA, Flag.END_STREAM, 1, frameMessage(requestCodec.encode({ msg: 'x' }), false, 1 << 20)));
    try {
      await waitFor(() => produced > 0);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const whilePaused = produced;
      await new Promise((resolve) => setTimeout(resolve, 300));
      // 32 MiB were asked for; the kernel's socket buffers hold a few MiB, and the server keeps
      // at most 128 KiB more in flight and each stream's 64 KiB queue, so the handler stops far
      // short. (It used to hand every frame the windows allowed to the socket: all 2,000.)
      expect(produced).toBe(whilePaused);
      expect(produced).toBeLessThan(TOTAL / 2);

      // Reading again drains the socket, and the rest follows: every message, in order.
      let pending = Buffer.alloc(0);
      let message = Buffer.alloc(0);
      const indexes: number[] = [];
      const ended = new Promise<void>((resolve) => {
        socket.on('data', (chunk: Buffer) => {
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
          let at = 0;
          while (pending.length - at >= 9) {
            const length = pending.readUIntBE(at, 3);
            if (pending.length - at - 9 < length) break;
            const type = pending[at + 3]!;
            const flags = pending[at + 4]!;
            const payload = pending.subarray(at + 9, at + 9 + length);
            at += 9 + length;
            if (type === FrameType.DATA) {
              message = message.length === 0 ? Buffer.from(payload) : Buffer.concat([message, payload]);
              while (message.length >= 5 && message.length >= 5 + message.readUInt32BE(1)) {
                const size = message.readUInt32BE(1);
                const reply = responseCodec.decode(message.subarray(5, 5 + size));
                if (reply.blob.length === MESSAGE && reply.blob.every((b) => b === 7)) indexes.push(reply.index);
                message = message.subarray(5 + size);
              }
            }
            if (type === FrameType.HEADERS && flags & Flag.END_STREAM) resolve();
          }
          pending = pending.subarray(at);
        });
      });
      socket.resume();
      await ended;
      expect(produced).toBe(TOTAL);
      expect(indexes).toEqual([...Array(TOTAL).keys()]);
    } finally {
      socket.destroy();
      setDefaultHighWaterMark(false, defaultMark);
    }
  });
});

// Both engines bound how long a client may stall the connection's start, and (when asked) how
// long a connection may sit without streams. Lower bounds only on elapsed times, and generous
// waits for the close, so a loaded machine cannot fail these.
describe.each(['heddle', 'node'] as const)("server timeouts (http2: '%s'): silent clients, missing SETTINGS ACKs, idle connections", (engine) => {
  let server: RpcServer;
  const logged: string[] = [];
  const SETTINGS_TIMEOUT_MS = 300;
  const IDLE_TIMEOUT_MS = 400;

  beforeAll(async () => {
    server = createServer({
      idl: grpcEchoRoot,
      service: SERVICE,
      handlers: heddleEchoHandlers,
      log: (entry) => logged.push(entry.message),
      grpc: { http2: engine, settingsTimeoutMs: SETTINGS_TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS },
    });
    await server.listen('tcp://127.0.0.1:0');
  });

  afterAll(async () => {
    await server.close();
  });

  const ack = () => encodeFrame(FrameType.SETTINGS, Flag.ACK, 0, Buffer.alloc(0));

  // (Until its first four bytes the connection could still be TTHeader or Framed, which the RPC
  // core's own timeouts govern; from "PRI " on it is HTTP/2's.)
  it('a client that stops inside the preface gets GOAWAY PROTOCOL_ERROR and is closed', async () => {
    logged.length = 0;
    const started = Date.now();
    const client = await rawClient(server.address, [CLIENT_PREFACE.subarray(0, 10)]);
    await client.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(SETTINGS_TIMEOUT_MS - 50);
    expect(goawayOf(client.frames)).toMatchObject({ code: H2Error.PROTOCOL_ERROR, debug: `the client did not send its preface and SETTINGS within ${SETTINGS_TIMEOUT_MS} ms` });
    expect(logged.some((line) => line.includes(`not send its preface and SETTINGS within ${SETTINGS_TIMEOUT_MS} ms`))).toBe(true);
  });

  it('a client that never acknowledges the server SETTINGS gets GOAWAY SETTINGS_TIMEOUT', async () => {
    const started = Date.now();
    const client = await rawClient(server.address, opening());
    await client.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(SETTINGS_TIMEOUT_MS - 50);
    expect(goawayOf(client.frames)).toMatchObject({ code: H2Error.SETTINGS_TIMEOUT, debug: `the client did not acknowledge SETTINGS within ${SETTINGS_TIMEOUT_MS} ms` });
  });

  it('a client that acknowledged is kept past the SETTINGS timeout while a stream is open, then closed idle with GOAWAY NO_ERROR', async () => {
    const encoder = new HpackEncoder();
    const request = frameMessage(requestCodec.encode({ msg: 'slow', sleepMs: IDLE_TIMEOUT_MS * 2 }), false);
    const started = Date.now();
    const client = await rawClient(server.address, [...opening(), ack(), encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 1, requestBlock(encoder)), encodeFrame(FrameType.DATA, Flag.END_STREAM, 1, Buffer.from(request))]);
    // The answer comes after both timeouts have passed once: neither cut the connection.
    await waitFor(() => client.frames.some((f) => f.streamId === 1 && f.type === FrameType.HEADERS && (f.flags & Flag.END_STREAM) !== 0), 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS * 2 - 50);
    expect(goawayOf(client.frames)).toBeUndefined();
    const data = client.frames.find((f) => f.streamId === 1 && f.type === FrameType.DATA)!;
    expect(responseCodec.decode(data.payload.subarray(5)).msg).toBe('slow');
    const answered = Date.now();
    await client.closed;
    expect(Date.now() - answered).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 100);
    expect(goawayOf(client.frames)).toMatchObject({ code: H2Error.NO_ERROR, lastStreamId: 1 });
  });

  it('a heddle client whose idle connection was closed calls again on a new one', async () => {
    const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc' });
    try {
      expect(await client.call('Unary', { msg: 'first' })).toMatchObject({ msg: 'first' });
      await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_MS * 2));
      expect(await client.call('Unary', { msg: 'after idle' })).toMatchObject({ msg: 'after idle' });
    } finally {
      await client.close();
    }
  });

  it('bad timeout options are ERR_INVALID_ARGUMENT', () => {
    for (const grpcOptions of [{ settingsTimeoutMs: 0 }, { idleTimeoutMs: -1 }, { idleTimeoutMs: 1.5 }]) {
      expect(() => createServer({ idl: grpcEchoRoot, service: SERVICE, handlers: heddleEchoHandlers, grpc: { http2: engine, ...grpcOptions } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });
});
