import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import * as protobuf from '../../src-ts/protobuf/index.js';
import { grpcStatusError, type GrpcClient, type GrpcClientContext, type GrpcContext, type GrpcResponseStream } from '../../src-ts/rpc/index.js';

/** The echo service every gRPC peer implements (heddle, grpc-js, grpc-go): see its comments. */
export const grpcEchoProtoPath = new URL('../interop/grpc-go-echo/echo.proto', import.meta.url).pathname;
export const grpcEchoRoot = protobuf.parse(readFileSync(grpcEchoProtoPath, 'utf8'), { filename: 'echo.proto' });
export const SERVICE = 'grpcecho.v1.Echo';

/** google.rpc.Status and Any, wire-compatible: what every peer sends as grpc-status-details-bin
 * (grpc-go parses that header as a Status, so the details must be one). */
const statusRoot = protobuf.parse(`
  syntax = "proto3";
  package heddle.test;
  message Any { string type_url = 1; bytes value = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
`);
export const statusCodec = statusRoot.codec<{ code: number; message: string; details: Array<{ typeUrl: string; value: Uint8Array }> }>('heddle.test.Status');
export const DETAIL_TYPE = 'type.googleapis.com/heddle.test.Detail';
/** The details a failing echo call carries for `code` and `message`. */
export function statusDetails(code: number, message: string): Uint8Array {
  return statusCodec.encode({ code, message, details: [{ typeUrl: DETAIL_TYPE, value: new Uint8Array([1, 2, 3]) }] });
}

export interface EchoRequest {
  msg: string;
  count: number;
  sleepMs: number;
  status: number;
  blob: Uint8Array;
  id: bigint;
}

export interface EchoResponse {
  msg: string;
  index: number;
  blob: Uint8Array;
  id: bigint;
}

/** Calls the heddle server saw cancelled (method name, and the signal's reason code). */
export const cancelledCalls: Array<{ method: string; reason: string }> = [];

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

function watchCancel(ctx: GrpcContext): void {
  ctx.signal.addEventListener('abort', () => {
    cancelledCalls.push({ method: ctx.method, reason: (ctx.signal.reason as { code?: string }).code ?? String(ctx.signal.reason) });
  }, { once: true });
}

/** Echoes `x-echo` / `x-echo-bin` request metadata back as headers, and sets `x-trailer`. */
function echoMetadata(ctx: GrpcContext): void {
  const md = ctx.metadata;
  const headers: Record<string, string | Uint8Array> = {};
  if (md['x-echo'] !== undefined) headers['x-echo'] = md['x-echo'] as string;
  if (md['x-echo-bin'] !== undefined) headers['x-echo-bin'] = md['x-echo-bin'] as Uint8Array;
  ctx.setHeader(headers);
  ctx.setTrailer({ 'x-trailer': 'done' });
}

function failIf(req: EchoRequest): void {
  if (req.status !== 0) {
    throw grpcStatusError(req.status, req.msg, { details: statusDetails(req.status, req.msg), metadata: { 'x-error': 'yes' } });
  }
}

/** heddle's implementation of the echo service. */
export const heddleEchoHandlers = {
  Unary: async (req: EchoRequest, ctx: GrpcContext): Promise<EchoResponse> => {
    watchCancel(ctx);
    echoMetadata(ctx);
    if (req.sleepMs > 0) await sleep(req.sleepMs, ctx.signal);
    failIf(req);
    return { msg: req.msg, index: 0, blob: req.blob, id: req.id };
  },
  ServerStream: async function* (req: EchoRequest, ctx: GrpcContext): AsyncGenerator<EchoResponse> {
    watchCancel(ctx);
    echoMetadata(ctx);
    for (let i = 0; i < req.count; i++) {
      if (req.sleepMs > 0) await sleep(req.sleepMs, ctx.signal);
      if (ctx.signal.aborted) return;
      yield { msg: req.msg, index: i, blob: req.blob, id: req.id };
    }
    failIf(req);
  },
  ClientStream: async (requests: AsyncIterable<EchoRequest>, ctx: GrpcContext): Promise<EchoResponse> => {
    watchCancel(ctx);
    echoMetadata(ctx);
    const msgs: string[] = [];
    let last: EchoRequest | undefined;
    for await (const req of requests) {
      failIf(req);
      msgs.push(req.msg);
      last = req;
    }
    return { msg: msgs.join(','), index: msgs.length, blob: last?.blob ?? new Uint8Array(0), id: last?.id ?? 0n };
  },
  Bidi: async function* (requests: AsyncIterable<EchoRequest>, ctx: GrpcContext): AsyncGenerator<EchoResponse> {
    watchCancel(ctx);
    echoMetadata(ctx);
    let i = 0;
    for await (const req of requests) {
      failIf(req);
      if (req.sleepMs > 0) await sleep(req.sleepMs, ctx.signal);
      yield { msg: req.msg, index: i++, blob: req.blob, id: req.id };
    }
  },
};

/** Collects an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown> & Error;
  }
  throw new Error('expected a rejection');
}

/** Polls `condition` until it holds; fails after `ms`. */
export async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What every echo peer must do for a heddle client: unary with metadata both ways and an exact
 * int64, then a server, a client and a bidi stream. */
export async function expectEchoPeer(client: GrpcClient): Promise<void> {
  let ctx!: GrpcClientContext;
  const reply = await client.call('Unary', { msg: 'héllo', id: -9007199254740993n, blob: new Uint8Array([9, 8]) }, {
    metadata: { 'x-echo': 'from heddle', 'x-echo-bin': new Uint8Array([0, 1, 2, 255]) },
    onContext: (c) => (ctx = c),
  });
  expect(reply).toEqual({ msg: 'héllo', index: 0, blob: new Uint8Array([9, 8]), id: -9007199254740993n });
  expect(ctx.responseHeaders['x-echo']).toBe('from heddle');
  expect(ctx.responseHeaders['x-echo-bin']).toEqual(new Uint8Array([0, 1, 2, 255]));
  expect(ctx.responseTrailers['x-trailer']).toBe('done');

  const replies = await collect(client.call('ServerStream', { msg: 's', count: 20 }) as unknown as GrpcResponseStream<EchoResponse>);
  expect(replies.map((r) => r.index)).toEqual([...Array(20).keys()]);
  async function* requests() {
    for (const msg of ['a', 'b', 'c']) yield { msg };
  }
  expect(await client.call('ClientStream', requests())).toMatchObject({ msg: 'a,b,c', index: 3 });
  const echoed = await collect(client.call('Bidi', [{ msg: 'x' }, { msg: 'y' }]) as unknown as GrpcResponseStream<EchoResponse>);
  expect(echoed.map((r) => [r.msg, r.index])).toEqual([['x', 0], ['y', 1]]);
}
