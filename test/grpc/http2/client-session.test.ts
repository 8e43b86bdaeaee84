import net from 'node:net';
import fc from 'fast-check';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src-ts/errors.js';
import { encodeFrame, Flag, FrameType, H2Error, settingsPayload, Setting } from '../../../src-ts/grpc/http2/frames.js';
import { HpackEncoder } from '../../../src-ts/grpc/http2/hpack.js';
import { frameMessage } from '../../../src-ts/grpc/message-framing.js';
import { createClient, createServer, GrpcStatus, type GrpcClient } from '../../../src-ts/rpc/index.js';
import { grpcEchoRoot, SERVICE, type EchoRequest } from '../grpc-echo-fixture.js';
import { grpcJsEcho } from '../grpc-js-peer.js';

const PREFACE_LENGTH = 24;
const responseCodec = grpcEchoRoot.codec<{ msg: string; index: number }>('grpcecho.v1.EchoResponse');

interface ClientFrame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** Splits what the client sent after its preface into frames. */
function framesOf(bytes: Buffer): ClientFrame[] {
  const frames: ClientFrame[] = [];
  let at = PREFACE_LENGTH;
  while (bytes.length - at >= 9) {
    const length = bytes.readUIntBE(at, 3);
    if (bytes.length - at - 9 < length) break;
    frames.push({ type: bytes[at + 3]!, flags: bytes[at + 4]!, streamId: bytes.readUInt32BE(at + 5) & 0x7fffffff, payload: bytes.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return frames;
}

/**
 * A raw TCP server that answers every connection's first request (stream 1) with `script`'s
 * bytes once the client's HEADERS arrived, and records what the client sent.
 */
async function scriptedServer(script: (encoder: HpackEncoder) => Buffer[]): Promise<{ address: string; received: () => ClientFrame[]; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let answered = false;
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (answered) return;
      if (!framesOf(Buffer.concat(chunks)).some((f) => f.type === FrameType.HEADERS && f.streamId === 1)) return;
      answered = true;
      socket.write(Buffer.concat(script(new HpackEncoder())));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    received: () => framesOf(Buffer.concat(chunks)),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A server that answers the first call with SETTINGS and then `pings` PINGs, and stops reading. */
async function pingFloodServer(pings: number): Promise<{ address: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let seen = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      seen = Buffer.concat([seen, chunk]);
      if (!framesOf(seen).some((f) => f.type === FrameType.HEADERS && f.streamId === 1)) return;
      socket.removeAllListeners('data');
      socket.pause();
      socket.write(settings());
      const ping = encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(8, 7));
      const batch = Buffer.concat(Array.from({ length: 4096 }, () => ping));
      for (let sent = 0; sent < pings; sent += 4096) socket.write(batch);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const settings = (pairs: [number, number][] = []) => encodeFrame(FrameType.SETTINGS, 0, 0, settingsPayload(pairs));
const headersFrame = (encoder: HpackEncoder, fields: string[], flags: number, streamId = 1) => encodeFrame(FrameType.HEADERS, flags | Flag.END_HEADERS, streamId, Buffer.from(encoder.encode(fields)));
const OK_HEADERS = [':status', '200', 'content-type', 'application/grpc'];
const grpcData = (msg: string, flags = 0) => encodeFrame(FrameType.DATA, flags, 1, frameMessage(responseCodec.encode({ msg, index: 7 }), false, 1 << 20));
const u32 = (value: number) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
};

async function callOnce(address: string): Promise<{ value?: unknown; error?: { code: string; grpcStatus: number; message: string } }> {
  const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', http2: 'heddle', timeoutMs: 5000 });
  try {
    return { value: await client.call('Unary', { msg: 'hi' }) };
  } catch (error) {
    return { error: error as { code: string; grpcStatus: number; message: string } };
  } finally {
    await client.close();
  }
}

/** The first frame the client sent that `matches`, once it arrived (undefined after 5 s). */
async function sentFrame(received: () => ClientFrame[], matches: (frame: ClientFrame) => boolean): Promise<ClientFrame | undefined> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const frame = received().find(matches);
    if (frame !== undefined) return frame;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}

/** The GOAWAY code the client sent, once it did. */
async function goawayCode(received: () => ClientFrame[]): Promise<number | undefined> {
  return (await sentFrame(received, (f) => f.type === FrameType.GOAWAY))?.payload.readUInt32BE(4);
}

describe('heddle HTTP/2 client: a server asking for replies it never reads', () => {
  it('is cut off with ENHANCE_YOUR_CALM after 10,000 PINGs while our output to it stays backed up, instead of buffered for', async () => {
    // 400k PINGs are 6.8 MB of ACKs: the kernel's socket buffers fill long before the last.
    const server = await pingFloodServer(400_000);
    try {
      const { error } = await callOnce(server.address);
      expect(error).toMatchObject({ code: ErrorCode.ERR_CONNECTION, grpcStatus: GrpcStatus.UNAVAILABLE });
      expect(error!.message).toMatch(/PING or SETTINGS replies without reading our output/);
    } finally {
      await server.close();
    }
  });
});

describe('heddle HTTP/2 client: well-formed but unusual server framing', () => {
  it('reads HEADERS with PADDED and PRIORITY, CONTINUATION, padded DATA and split trailers', async () => {
    const server = await scriptedServer((encoder) => {
      const block = Buffer.from(encoder.encode(OK_HEADERS));
      // PADDED + PRIORITY HEADERS carrying the first 3 bytes, the rest in a CONTINUATION.
      const headersPayload = Buffer.concat([Buffer.from([4]), Buffer.from([0, 0, 0, 0, 16]), block.subarray(0, 3), Buffer.alloc(4)]);
      const message = frameMessage(responseCodec.encode({ msg: 'padded', index: 7 }), false, 1 << 20);
      const paddedData = Buffer.concat([Buffer.from([10]), message, Buffer.alloc(10)]);
      const trailerBlock = Buffer.from(encoder.encode(['grpc-status', '0', 'x-trailer', 'done']));
      return [
        settings([[Setting.MAX_CONCURRENT_STREAMS, 100]]),
        encodeFrame(FrameType.HEADERS, Flag.PADDED | Flag.PRIORITY, 1, headersPayload),
        encodeFrame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, block.subarray(3)),
        encodeFrame(0xfa, 0, 0, Buffer.from('an unknown frame type is ignored')),
        encodeFrame(FrameType.DATA, Flag.PADDED, 1, paddedData),
        encodeFrame(FrameType.HEADERS, Flag.END_STREAM, 1, trailerBlock.subarray(0, 2)),
        encodeFrame(FrameType.CONTINUATION, 0, 1, trailerBlock.subarray(2, 4)),
        encodeFrame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, trailerBlock.subarray(4)),
      ];
    });
    try {
      expect(await callOnce(server.address)).toEqual({ value: { msg: 'padded', index: 7, blob: new Uint8Array(0), id: 0n } });
      expect(server.received()[0]).toMatchObject({ type: FrameType.SETTINGS, streamId: 0 });
      // The client acknowledged the server's SETTINGS.
      expect(await sentFrame(server.received, (f) => f.type === FrameType.SETTINGS && f.flags === Flag.ACK)).toBeDefined();
    } finally {
      await server.close();
    }
  });

  it('reads a trailers-only response as the status', async () => {
    const server = await scriptedServer((encoder) => [settings(), headersFrame(encoder, [':status', '200', 'content-type', 'application/grpc', 'grpc-status', '5', 'grpc-message', 'no%20such'], Flag.END_STREAM)]);
    try {
      const { error } = await callOnce(server.address);
      expect(error).toMatchObject({ code: ErrorCode.ERR_REMOTE, grpcStatus: GrpcStatus.NOT_FOUND, grpcMessage: 'no such' });
    } finally {
      await server.close();
    }
  });

  it('answers PING with a PING ACK carrying the same bytes', async () => {
    const server = await scriptedServer((encoder) => [
      settings(),
      encodeFrame(FrameType.PING, 0, 0, Buffer.from('pingpong')),
      headersFrame(encoder, OK_HEADERS, 0),
      grpcData('x'),
      headersFrame(encoder, ['grpc-status', '0'], Flag.END_STREAM),
    ]);
    try {
      expect((await callOnce(server.address)).value).toMatchObject({ msg: 'x' });
      const ack = await sentFrame(server.received, (f) => f.type === FrameType.PING);
      expect(ack).toMatchObject({ flags: Flag.ACK });
      expect(ack!.payload.toString()).toBe('pingpong');
    } finally {
      await server.close();
    }
  });

  it('fails streams above a GOAWAY last-stream-id retriably (UNAVAILABLE)', async () => {
    const server = await scriptedServer(() => [settings(), encodeFrame(FrameType.GOAWAY, 0, 0, Buffer.concat([u32(0), u32(H2Error.NO_ERROR)]))]);
    try {
      const { error } = await callOnce(server.address);
      expect(error).toMatchObject({ code: ErrorCode.ERR_CONNECTION, grpcStatus: GrpcStatus.UNAVAILABLE });
      expect(error!.message).toMatch(/GOAWAY \(NO_ERROR\) before processing the stream; it is safe to retry/);
    } finally {
      await server.close();
    }
  });
});

describe('heddle HTTP/2 client: hostile frames', () => {
  const connectionErrors: [string, (encoder: HpackEncoder) => Buffer[], number, RegExp][] = [
    ['a frame over the advertised MAX_FRAME_SIZE', () => [settings(), Buffer.from([0x10, 0, 0, FrameType.DATA, 0, 0, 0, 0, 1])], H2Error.FRAME_SIZE_ERROR, /frame of 1048576 bytes exceeds/],
    ['a first frame that is not SETTINGS', () => [encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(8))], H2Error.PROTOCOL_ERROR, /first frame is type 6, not SETTINGS/],
    ['an HPACK block with index 0', () => [settings(), encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 1, Buffer.from([0x80]))], H2Error.COMPRESSION_ERROR, /HPACK: index 0/],
    ['a Huffman string with EOS in it', () => [settings(), encodeFrame(FrameType.HEADERS, Flag.END_HEADERS, 1, Buffer.from([0x08, 0x84, 0xff, 0xff, 0xff, 0xff]))], H2Error.COMPRESSION_ERROR, /EOS/],
    ['another frame inside a header block', (e) => [settings(), encodeFrame(FrameType.HEADERS, 0, 1, Buffer.from(e.encode(OK_HEADERS))), grpcData('x')], H2Error.PROTOCOL_ERROR, /inside the header block of stream 1/],
    ['CONTINUATION without HEADERS', (e) => [settings(), encodeFrame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, Buffer.from(e.encode(OK_HEADERS)))], H2Error.PROTOCOL_ERROR, /CONTINUATION on stream 1 without a HEADERS/],
    ['DATA on stream 0', () => [settings(), encodeFrame(FrameType.DATA, 0, 0, Buffer.from('x'))], H2Error.PROTOCOL_ERROR, /DATA on stream 0/],
    ['DATA on a stream never opened', () => [settings(), encodeFrame(FrameType.DATA, 0, 9, Buffer.from('x'))], H2Error.PROTOCOL_ERROR, /idle stream 9/],
    ['padding longer than the frame', (e) => [settings(), encodeFrame(FrameType.HEADERS, Flag.PADDED | Flag.END_HEADERS, 1, Buffer.concat([Buffer.from([200]), Buffer.from(e.encode(OK_HEADERS))]))], H2Error.PROTOCOL_ERROR, /padding of 200 bytes/],
    ['PUSH_PROMISE though push is off', () => [settings(), encodeFrame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, 1, Buffer.from([0, 0, 0, 2, 0x82]))], H2Error.PROTOCOL_ERROR, /PUSH_PROMISE/],
    ['a PING of 7 bytes', () => [settings(), encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(7))], H2Error.FRAME_SIZE_ERROR, /PING of 7 bytes/],
    ['SETTINGS of 5 bytes', () => [encodeFrame(FrameType.SETTINGS, 0, 0, Buffer.alloc(5))], H2Error.FRAME_SIZE_ERROR, /not a multiple of 6/],
    ['SETTINGS_MAX_FRAME_SIZE below 2^14', () => [settings([[Setting.MAX_FRAME_SIZE, 100]])], H2Error.PROTOCOL_ERROR, /SETTINGS_MAX_FRAME_SIZE of 100/],
    ['SETTINGS_INITIAL_WINDOW_SIZE over 2^31-1', () => [settings([[Setting.INITIAL_WINDOW_SIZE, 0x80000000]])], H2Error.FLOW_CONTROL_ERROR, /exceeds 2\^31-1/],
    ['a connection WINDOW_UPDATE past 2^31-1', () => [settings(), encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, u32(0x7fffffff))], H2Error.FLOW_CONTROL_ERROR, /overflows the connection window/],
    ['a connection WINDOW_UPDATE of 0', () => [settings(), encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, u32(0))], H2Error.PROTOCOL_ERROR, /WINDOW_UPDATE of 0 on the connection/],
    ['an endless CONTINUATION chain', (e) => [settings(), encodeFrame(FrameType.HEADERS, 0, 1, Buffer.from(e.encode(OK_HEADERS))), ...Array.from({ length: 20 }, () => encodeFrame(FrameType.CONTINUATION, 0, 1, Buffer.alloc(16_384, 0x82)))], H2Error.ENHANCE_YOUR_CALM, /header block of over 131072 bytes/],
    ['an endless chain of empty CONTINUATION frames', (e) => [settings(), encodeFrame(FrameType.HEADERS, 0, 1, Buffer.from(e.encode(OK_HEADERS))), ...Array.from({ length: 100 }, () => encodeFrame(FrameType.CONTINUATION, 0, 1, Buffer.alloc(0)))], H2Error.ENHANCE_YOUR_CALM, /header block of over 64 frames/],
    ['RST_STREAM of 3 bytes', () => [settings(), encodeFrame(FrameType.RST_STREAM, 0, 1, Buffer.alloc(3))], H2Error.FRAME_SIZE_ERROR, /RST_STREAM of 3 bytes/],
  ];

  for (const [what, script, code, message] of connectionErrors) {
    it(`answers ${what} with GOAWAY ${code} and fails the call UNAVAILABLE`, async () => {
      const server = await scriptedServer(script);
      try {
        const { error } = await callOnce(server.address);
        expect(error).toMatchObject({ code: ErrorCode.ERR_CONNECTION, grpcStatus: GrpcStatus.UNAVAILABLE });
        expect(error!.message).toMatch(message);
        expect(await goawayCode(server.received)).toBe(code);
      } finally {
        await server.close();
      }
    });
  }

  const streamErrors: [string, (encoder: HpackEncoder) => Buffer[], number, number, RegExp][] = [
    ['DATA before the response headers', () => [settings(), grpcData('x')], H2Error.PROTOCOL_ERROR, GrpcStatus.INTERNAL, /DATA before the response HEADERS/],
    ['response headers without :status', (e) => [settings(), headersFrame(e, ['content-type', 'application/grpc'], 0)], H2Error.PROTOCOL_ERROR, GrpcStatus.INTERNAL, /':status' is missing/],
    ['an uppercase header name', (e) => [settings(), headersFrame(e, [':status', '200', 'Content-Type', 'application/grpc'], 0)], H2Error.PROTOCOL_ERROR, GrpcStatus.INTERNAL, /uppercase/],
    ['a pseudo-header in trailers', (e) => [settings(), headersFrame(e, OK_HEADERS, 0), headersFrame(e, [':status', '200', 'grpc-status', '0'], Flag.END_STREAM)], H2Error.PROTOCOL_ERROR, GrpcStatus.INTERNAL, /pseudo-header ':status' not allowed/],
    ['trailers without END_STREAM', (e) => [settings(), headersFrame(e, OK_HEADERS, 0), headersFrame(e, ['grpc-status', '0'], 0)], H2Error.PROTOCOL_ERROR, GrpcStatus.INTERNAL, /trailers without END_STREAM/],
    ['a stream WINDOW_UPDATE of 0', () => [settings(), encodeFrame(FrameType.WINDOW_UPDATE, 0, 1, u32(0))], H2Error.PROTOCOL_ERROR, GrpcStatus.INTERNAL, /WINDOW_UPDATE of 0/],
    ['a header list over SETTINGS_MAX_HEADER_LIST_SIZE', (e) => {
      const block = Buffer.from(e.encode([...OK_HEADERS, 'x-big', 'v'.repeat(100_000)]));
      return [settings(), encodeFrame(FrameType.HEADERS, 0, 1, block.subarray(0, 16_000)), encodeFrame(FrameType.CONTINUATION, 0, 1, block.subarray(16_000, 64_000)), encodeFrame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, block.subarray(64_000))];
    }, H2Error.CANCEL, GrpcStatus.RESOURCE_EXHAUSTED, /exceeds the 65536 bytes of SETTINGS_MAX_HEADER_LIST_SIZE/],
  ];

  for (const [what, script, code, status, message] of streamErrors) {
    it(`answers ${what} with RST_STREAM ${code} and fails the call with status ${status}`, async () => {
      const server = await scriptedServer(script);
      try {
        const { error } = await callOnce(server.address);
        expect(error).toMatchObject({ grpcStatus: status });
        expect(error!.message).toMatch(message);
        const reset = await sentFrame(server.received, (f) => f.type === FrameType.RST_STREAM && f.streamId === 1);
        expect(reset?.payload.readUInt32BE(0)).toBe(code);
      } finally {
        await server.close();
      }
    });
  }

  it('resets a stream whose server sends past the window while the reader is paused', async () => {
    const message = frameMessage(responseCodec.encode({ msg: 'x'.repeat(65_000), index: 1 }), false, 1 << 20);
    const server = await scriptedServer((e) => [settings(), headersFrame(e, OK_HEADERS, 0), ...Array.from({ length: 48 }, () => encodeFrame(FrameType.DATA, 0, 1, message))]);
    const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', http2: 'heddle', timeoutMs: 5000 });
    try {
      const stream = client.stream('ServerStream', { count: 1 });
      const reset = await sentFrame(server.received, (f) => f.type === FrameType.RST_STREAM && f.streamId === 1);
      expect(reset?.payload.readUInt32BE(0)).toBe(H2Error.FLOW_CONTROL_ERROR);
      let read = 0;
      const failure = await (async () => {
        try {
          for await (const _ of stream) read++;
        } catch (error) {
          return error as { grpcStatus: number; message: string };
        }
        return undefined;
      })();
      // What arrived within the window is delivered, then the status.
      expect(read).toBeGreaterThanOrEqual(32);
      expect(read).toBeLessThan(48);
      expect(failure).toMatchObject({ grpcStatus: GrpcStatus.INTERNAL });
      expect(failure!.message).toMatch(/FLOW_CONTROL_ERROR on stream 1: DATA of \d+ bytes exceeds the stream window/);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('maps a server RST_STREAM to the status the node:http2 path gives', async () => {
    const refused = await scriptedServer(() => [settings(), encodeFrame(FrameType.RST_STREAM, 0, 1, u32(H2Error.REFUSED_STREAM))]);
    const cancelled = await scriptedServer(() => [settings(), encodeFrame(FrameType.RST_STREAM, 0, 1, u32(H2Error.CANCEL))]);
    try {
      expect((await callOnce(refused.address)).error).toMatchObject({ grpcStatus: GrpcStatus.UNAVAILABLE });
      expect((await callOnce(cancelled.address)).error).toMatchObject({ grpcStatus: GrpcStatus.CANCELLED, code: ErrorCode.ERR_CANCELLED });
    } finally {
      await refused.close();
      await cancelled.close();
    }
  });
});

describe('heddle HTTP/2 client: random frames', () => {
  it('settles every call with a value or a status error, whatever frames follow a valid SETTINGS', async () => {
    const frame = fc.record({
      type: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 255 })),
      flags: fc.integer({ min: 0, max: 255 }),
      streamId: fc.constantFrom(0, 1, 1, 1, 2, 3),
      payload: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constant(new Uint8Array([0x88, 0x5f, 0x10, 0x61, 0x70, 0x70, 0x6c, 0x69, 0x63, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x2f, 0x67, 0x72, 0x70, 0x63]))),
    });
    const runs = fc.sample(fc.array(frame, { minLength: 1, maxLength: 12 }), { numRuns: 40, seed: 16 });
    for (const frames of runs) {
      const server = await scriptedServer(() => [settings(), ...frames.map((f) => encodeFrame(f.type, f.flags, f.streamId, f.payload))]);
      try {
        // The server never ends the call properly, so most calls end at the deadline: 1 s.
        const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', http2: 'heddle', timeoutMs: 1000 });
        const outcome = await client.call('Unary', { msg: 'hi' }).then(
          (value) => ({ value }),
          (error: { code?: string; grpcStatus?: number }) => ({ code: error.code, grpcStatus: error.grpcStatus }),
        );
        await client.close();
        if (!('value' in outcome)) {
          expect(typeof outcome.code, JSON.stringify(frames.map((f) => [f.type, f.flags, f.streamId]))).toBe('string');
          expect(outcome.grpcStatus).toBeGreaterThan(0);
        }
      } finally {
        await server.close();
      }
    }
  }, 120_000);
});

describe('heddle HTTP/2 client: flow control against grpc-js', () => {
  const MESSAGE = 64 * 1024;
  const COUNT = 256; // 16 MiB in all
  let server: grpc.Server;
  let address: string;
  let written = 0;
  let received = 0;
  let client: GrpcClient;

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(grpcJsEcho.service, {
      Unary: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, {}),
      ServerStream: async (call: grpc.ServerWritableStream<{ count: number }, unknown>) => {
        written = 0;
        for (let i = 0; i < call.request.count; i++) {
          written++;
          if (!call.write({ msg: 'm', index: i, blob: Buffer.alloc(MESSAGE, i & 0xff) })) await new Promise((resolve) => call.once('drain', resolve));
          if (call.cancelled) return;
        }
        call.end();
      },
      ClientStream: (call: grpc.ServerReadableStream<{ blob: Buffer; msg: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        received = 0;
        let bytes = 0;
        call.on('data', (req: { blob: Buffer; msg: string }) => {
          received++;
          bytes += req.blob.length;
          // A request saying 'stall' makes the handler stop reading for a while.
          if (req.msg === 'stall') {
            call.pause();
            setTimeout(() => call.resume(), 1500);
          }
        });
        call.on('end', () => callback(null, { msg: String(bytes), index: received }));
      },
      Bidi: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.end(),
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))));
    address = `tcp://127.0.0.1:${port}`;
    client = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', http2: 'heddle', timeoutMs: 0, maxReceiveMessageLength: 1 << 20 });
  });

  afterAll(async () => {
    await client.close();
    server.forceShutdown();
  });

  it('holds a fast server back while the reader is slow, then delivers every message', async () => {
    const stream = client.stream<{ index: number; blob: Uint8Array }>('ServerStream', { count: COUNT } as Partial<EchoRequest>);
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value.index).toBe(0);
    // The reader stops: the server may fill the stream window and the client's queue, no more.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const heldBack = written;
    expect(heldBack * MESSAGE).toBeLessThan(4 * 1024 * 1024);
    expect(heldBack).toBeLessThan(COUNT / 2);
    let count = 1;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      expect(next.value.index).toBe(count);
      expect(next.value.blob[MESSAGE - 1]).toBe(count & 0xff);
      count++;
    }
    expect(count).toBe(COUNT);
    expect(written).toBe(COUNT);
  });

  it('sends a client stream far larger than grpc-js\'s windows, all of it, in order', async () => {
    async function* requests() {
      for (let i = 0; i < COUNT; i++) yield { blob: new Uint8Array(MESSAGE).fill(i & 0xff) };
    }
    const response = (await client.call('ClientStream', requests())) as { msg: string; index: number };
    expect(response).toMatchObject({ msg: String(COUNT * MESSAGE), index: COUNT });
    expect(received).toBe(COUNT);
  });

  it("stops the request producer while grpc-js's handler does not read, then sends the rest", async () => {
    let produced = 0;
    async function* requests() {
      for (let i = 0; i < COUNT; i++) {
        produced++;
        yield { msg: i === 0 ? 'stall' : '', blob: new Uint8Array(MESSAGE).fill(i & 0xff) };
      }
    }
    const pending = client.call('ClientStream', requests()) as Promise<{ msg: string; index: number }>;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Held back by grpc-js's windows and heddle's per-stream queue: a few MiB at most of the 16.
    expect(produced * MESSAGE).toBeLessThan(4 * 1024 * 1024);
    expect(await pending).toMatchObject({ msg: String(COUNT * MESSAGE), index: COUNT });
    expect(produced).toBe(COUNT);
  });
});

describe("heddle HTTP/2 client: the server's MAX_CONCURRENT_STREAMS", () => {
  it('queues calls past the limit and runs them all as streams free up', async () => {
    let running = 0;
    let most = 0;
    const server = createServer({
      idl: grpcEchoRoot,
      service: SERVICE,
      grpc: { maxConcurrentStreams: 2 },
      handlers: {
        Unary: async (req: { msg: string }) => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 30));
          running--;
          return { msg: req.msg };
        },
      },
    });
    await server.listen('tcp://127.0.0.1:0');
    const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', http2: 'heddle', timeoutMs: 20_000 });
    try {
      // The first call lets the server's SETTINGS arrive before the burst.
      await client.call('Unary', { msg: 'first' });
      const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => client.call('Unary', { msg: `m${i}` }) as Promise<{ msg: string }>));
      expect(replies.map((r) => r.msg)).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
      expect(most).toBe(2);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
