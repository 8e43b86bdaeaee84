import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createServer, type GrpcClient, type GrpcResponseStream, type GrpcServerOptions, type RpcServer } from '../../../src-ts/rpc/index.js';
import { grpcEchoRoot, heddleEchoHandlers, SERVICE, type EchoRequest, type EchoResponse } from '../grpc-echo-fixture.js';
import { grpcJsEcho } from '../grpc-js-peer.js';

const MESSAGES = 3000;

/** The i-th streamed message: about 1 KiB of mixed Chinese and ASCII text that names i, so a
 * message sent from reused memory too early would show. */
function textOf(i: number): string {
  return `${i}:${'订单 order 状态 status '.repeat(40)}:${i}`;
}

/**
 * Counts what allocates memory outside the V8 heap from JavaScript while `run` runs: `new
 * ArrayBuffer` (heddle's slabs), `new Uint8Array(length)` past V8's 64-byte on-heap limit (heddle's
 * staging blocks), `Buffer.allocUnsafeSlow`, and `Buffer.allocUnsafe` past half of Node's pool
 * (the HTTP/2 engine's 64 KiB output blocks; smaller ones come from the shared pool). Dead ones are only reclaimed by a
 * collection; a server streaming small messages that allocated per message made V8 run a full
 * mark-compact every few tens of milliseconds once its young generation had grown.
 */
async function countAllocations<T>(run: () => Promise<T>, madeBy?: RegExp): Promise<{ result: T; allocations: number }> {
  /** Counts one allocation, or with `madeBy` only one whose call stack matches it (a client in this
   * process allocates too: a frame split across socket reads is joined into a buffer of its own). */
  const count = () => {
    if (madeBy === undefined || madeBy.test(new Error().stack ?? '')) allocations++;
  };
  const RealArrayBuffer = globalThis.ArrayBuffer;
  const RealUint8Array = globalThis.Uint8Array;
  const realAllocUnsafeSlow = Buffer.allocUnsafeSlow;
  const realAllocUnsafe = Buffer.allocUnsafe;
  let allocations = 0;
  Buffer.allocUnsafe = (size: number) => {
    if (size >= Buffer.poolSize >>> 1) count();
    return realAllocUnsafe(size);
  };
  globalThis.ArrayBuffer = new Proxy(RealArrayBuffer, {
    construct(target, args) {
      count();
      return new target(...(args as [number]));
    },
  });
  globalThis.Uint8Array = new Proxy(RealUint8Array, {
    construct(target, args, newTarget) {
      if (typeof args[0] === 'number' && args[0] > 64) count();
      return Reflect.construct(target, args, newTarget === globalThis.Uint8Array ? target : newTarget);
    },
  });
  Buffer.allocUnsafeSlow = (size: number) => {
    count();
    return realAllocUnsafeSlow(size);
  };
  try {
    return { result: await run(), allocations };
  } finally {
    globalThis.ArrayBuffer = RealArrayBuffer;
    globalThis.Uint8Array = RealUint8Array;
    Buffer.allocUnsafeSlow = realAllocUnsafeSlow;
    Buffer.allocUnsafe = realAllocUnsafe;
  }
}

type JsClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

/** Starts a heddle server whose ServerStream is `serverStream`, and a grpc-js client to it, for the
 * describe block this is called in; `peer()` gives them once started. */
function streamingPeer(grpcOptions: GrpcServerOptions, serverStream: (req: EchoRequest) => AsyncGenerator<Partial<EchoResponse>>): () => { server: RpcServer; client: JsClient } {
  let started: { server: RpcServer; client: JsClient } | undefined;
  beforeAll(async () => {
    const server = createServer({ idl: grpcEchoRoot, service: SERVICE, log: () => {}, grpc: grpcOptions, handlers: { ...heddleEchoHandlers, ServerStream: serverStream } });
    await server.listen('tcp://127.0.0.1:0');
    started = { server, client: new grpcJsEcho(server.address.slice('tcp://'.length), grpc.credentials.createInsecure()) as unknown as JsClient };
  });
  afterAll(async () => {
    started?.client.close();
    await started?.server.close();
  });
  return () => started!;
}

for (const engine of ['heddle', 'node'] as const) {
  describe(`a heddle server (http2: '${engine}') streaming ${MESSAGES} 1 KiB messages to a grpc-js client`, () => {
    const peer = streamingPeer({ http2: engine }, async function* (req) {
      for (let i = 0; i < req.count; i++) yield { msg: textOf(i), index: i, id: BigInt(i) * 1_000_000_007n };
    });

    const stream = () =>
      new Promise<Array<{ msg: string; index: number; id: string }>>((resolve, reject) => {
        const replies: Array<{ msg: string; index: number; id: string }> = [];
        const call = peer().client.ServerStream({ count: MESSAGES }) as grpc.ClientReadableStream<{ msg: string; index: number; id: string }>;
        call.on('data', (reply) => replies.push(reply));
        call.on('error', reject);
        call.on('end', () => resolve(replies));
      });

    it('delivers every message intact, in order', async () => {
      const replies = await stream();
      expect(replies.length).toBe(MESSAGES);
      replies.forEach((reply, i) => {
        expect(reply.index).toBe(i);
        expect(reply.msg).toBe(textOf(i));
        expect(reply.id).toBe(String(BigInt(i) * 1_000_000_007n));
      });
    });

    if (engine === 'heddle') {
      it('copies the messages into memory it reuses: no allocation per message', async () => {
        await stream();
        const { result, allocations } = await countAllocations(stream);
        expect(result.length).toBe(MESSAGES);
        // About 3 MiB went out. Slabs or a buffer per message would be a hundred allocations or
        // more (64 KiB slabs, two 1 KiB copies a message); the stream's few staging blocks, a
        // handful.
        expect(allocations).toBeLessThan(16);
      });
    }
  });
}

describe("a heddle server (http2: 'heddle') streaming messages of every size", () => {
  const sizes = [0, 1, 100, 4000, 4091, 4092, 5000, 20_000, 70_000, 300, 16_384];
  const peer = streamingPeer({ maxSendMessageLength: 50_000 }, async function* (req) {
    const list = req.count === 0 ? sizes : sizes.filter((n) => n < 50_000);
    for (let i = 0; i < list.length; i++) yield { index: i, blob: new Uint8Array(list[i]!).fill(i + 1) };
  });

  const read = (count: number) => {
    const replies: Array<{ index: number; blob: Buffer }> = [];
    const done = new Promise<grpc.ServiceError | undefined>((resolve) => {
      const call = peer().client.ServerStream({ count }) as grpc.ClientReadableStream<{ index: number; blob: Buffer }>;
      call.on('data', (reply) => replies.push(reply));
      call.on('error', (error: grpc.ServiceError) => resolve(error));
      call.on('end', () => resolve(undefined));
    });
    return { replies, done };
  };

  it('delivers staged (up to 4 KiB) and unstaged ones alike, byte for byte', async () => {
    const { replies, done } = read(1);
    expect(await done).toBeUndefined();
    const fitting = sizes.filter((n) => n < 50_000);
    expect(replies.map((r) => r.blob.length)).toEqual(fitting);
    replies.forEach((r, i) => expect(r.blob.every((b) => b === i + 1)).toBe(true));
  });

  it('ends the stream with RESOURCE_EXHAUSTED at a message over maxSendMessageLength, after the ones before it', async () => {
    const { replies, done } = read(0);
    const error = await done;
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error?.details).toMatch(/exceeds the 50000-byte send limit/);
    expect(replies.map((r) => r.blob.length)).toEqual(sizes.slice(0, sizes.indexOf(70_000)));
  });
});

describe("a heddle server (http2: 'heddle') streaming to a heddle client on 8 streams at once", () => {
  const STREAMS = 8;
  const PER_STREAM = 1500;
  let server: RpcServer;
  let client: GrpcClient;
  beforeAll(async () => {
    server = createServer({
      idl: grpcEchoRoot,
      service: SERVICE,
      log: () => {},
      handlers: {
        ...heddleEchoHandlers,
        ServerStream: async function* (req: EchoRequest) {
          for (let i = 0; i < req.count; i++) yield { msg: textOf(i), index: i };
        },
      },
    });
    await server.listen('tcp://127.0.0.1:0');
    client = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', timeoutMs: 0 });
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  /** Each stream's replies, checked as they arrive: how many were in order and intact. */
  const streamAll = () =>
    Promise.all(
      Array.from({ length: STREAMS }, async () => {
        let intact = 0;
        for await (const reply of client.call('ServerStream', { count: PER_STREAM }) as unknown as GrpcResponseStream<EchoResponse>) {
          if (reply.index === intact && reply.msg === textOf(intact)) intact++;
        }
        return intact;
      }),
    );

  it('delivers every message of every stream intact, in order', async () => {
    expect(await streamAll()).toEqual(Array(STREAMS).fill(PER_STREAM));
  });

  it('reuses its output blocks: no 64 KiB block per turn while the streams fill the connection', async () => {
    await streamAll();
    // A flush's new block has no session in its stack (it runs from setImmediate); the client's
    // writer flushes too, but its few small frames rarely need a block.
    const { result, allocations } = await countAllocations(streamAll, /H2ServerSession|H2ServerStream|ServerCall|FrameWriter\.flush/);
    expect(result).toEqual(Array(STREAMS).fill(PER_STREAM));
    // About 12 MiB went out. Each stream makes its few 16 KiB staging blocks (5 here, at most 8
    // kept), and the connection a few output blocks. With each of the 8 streams flushing its
    // 64 KiB queue in the same turn, a turn filled 8-16 output blocks of which 4 were kept, and
    // this run made 380 allocations; the connection now holds DATA back past 128 KiB in flight,
    // so its spare blocks cover a turn (40 allocations, all staging).
    expect(allocations).toBeLessThan(STREAMS * 8 + 8);
  });
});

describe("a heddle server (http2: 'heddle') answering unary calls from a heddle client", () => {
  const CALLS = 400;
  let server: RpcServer;
  let client: GrpcClient;
  beforeAll(async () => {
    server = createServer({ idl: grpcEchoRoot, service: SERVICE, log: () => {}, handlers: heddleEchoHandlers });
    await server.listen('tcp://127.0.0.1:0');
    client = createClient({ idl: grpcEchoRoot, service: SERVICE, address: server.address, transport: 'grpc', timeoutMs: 0 });
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  /** CALLS calls, 8 at a time, each echoing a distinct 1 KiB text; how many came back intact. */
  const callAll = async () => {
    let intact = 0;
    for (let i = 0; i < CALLS; i += 8) {
      const replies = await Promise.all(Array.from({ length: 8 }, (_, k) => client.call('Unary', { msg: textOf(i + k) }) as Promise<EchoResponse>));
      replies.forEach((reply, k) => (intact += reply.msg === textOf(i + k) ? 1 : 0));
    }
    return intact;
  };

  it('writes each reply straight into its output block: no buffer per call', async () => {
    await callAll();
    const { result, allocations } = await countAllocations(callAll, /ServerCall|H2ServerSession|H2ServerStream/);
    expect(result).toBe(CALLS);
    // About 400 KiB of replies. Encoding each into a buffer of its own and framing it into
    // another took a 64 KiB slab every 30 calls (14 here); a reply now goes from the codec's
    // scratch into the output block.
    expect(allocations).toBeLessThan(4);
  });
});
