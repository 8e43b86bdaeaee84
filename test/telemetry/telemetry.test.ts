import { context as otelContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rpc, type HeddleError } from '../../src-ts/index.js';
import type { Middleware, RpcContext } from '../../src-ts/rpc/index.js';
import { echoDoc } from '../rpc/echo-fixture.js';
import { grpcEchoRoot, SERVICE as GRPC_SERVICE } from '../grpc/grpc-echo-fixture.js';
import { onlySpan, TestSdk } from './otel-sdk.js';

const SPAN = 'echo.EchoService/echo';

/** Records, per call a server sees, the trace headers that arrived in its metainfo or metadata. */
function recordHeaders(into: Array<Record<string, string | undefined>>): Middleware {
  return (next) => (ctx: RpcContext, args) => {
    const metadata = (ctx as RpcContext & { metadata?: Record<string, unknown> }).metadata;
    into.push({
      metainfo: ctx.metainfo.get('RPC_TRANSIT_traceparent') ?? ctx.metainfo.get('RPC_TRANSIT_TRACEPARENT'),
      serviceName: ctx.metainfo.get('RPC_TRANSIT_service.name') ?? ctx.metainfo.get('RPC_TRANSIT_SERVICE.NAME'),
      header: ctx.transport === 'grpc' ? (metadata?.['traceparent'] as string | undefined) : undefined,
    });
    return next(ctx, args);
  };
}

async function echoServer(options: Partial<Parameters<typeof rpc.createServer>[0]> = {}) {
  const server = rpc.createServer({
    idl: echoDoc,
    service: 'EchoService',
    handlers: { echo: async ({ req }: { req: { action: string; msg: string } }) => {
      if (req.action === 'fail') throw new Error(`failed: ${req.msg}`);
      return { action: req.action, msg: req.msg };
    } },
    ...options,
  });
  await server.listen('tcp://127.0.0.1:0');
  return server;
}

describe('tracing off: no SDK registered', () => {
  it('sends no trace context and makes no span', async () => {
    const seen: Array<Record<string, string | undefined>> = [];
    const server = await echoServer({ middleware: [recordHeaders(seen)] });
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address });
    try {
      expect(await client.call('echo', { req: { action: 'a', msg: 'b' } })).toEqual({ action: 'a', msg: 'b' });
      expect(seen).toEqual([{ metainfo: undefined, serviceName: undefined, header: undefined }]);
      expect(trace.getActiveSpan()).toBeUndefined();
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('tracing with an SDK registered', () => {
  const sdk = new TestSdk('heddle-telemetry-test');
  beforeAll(() => sdk.register());
  afterAll(() => TestSdk.unregister());
  afterEach(() => sdk.spans.reset());

  it('names and links client and server spans as obs-opentelemetry does, and a handler\'s own calls are children', async () => {
    const seen: Array<Record<string, string | undefined>> = [];
    const downstream = await echoServer({ middleware: [recordHeaders(seen)] });
    const downstreamClient = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: downstream.address });
    const upstream = await echoServer({
      middleware: [recordHeaders(seen)],
      handlers: { echo: async (args: { req: { action: string; msg: string } }) => downstreamClient.call('echo', args) },
    });
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: upstream.address });
    try {
      expect(await client.call('echo', { req: { action: 'x', msg: 'nested' } })).toEqual({ action: 'x', msg: 'nested' });
      const spans = (await sdk.finished());
      expect(spans).toHaveLength(4);
      const clients = spans.filter((s) => s.kind === SpanKind.CLIENT);
      const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
      expect(clients.map((s) => s.name)).toEqual([SPAN, SPAN]);
      expect(servers.map((s) => s.name)).toEqual([SPAN, SPAN]);
      const outer = clients.find((s) => s.parentSpanContext === undefined)!;
      const upstreamSpan = servers.find((s) => s.parentSpanContext?.spanId === outer.spanContext().spanId)!;
      const inner = clients.find((s) => s.parentSpanContext?.spanId === upstreamSpan.spanContext().spanId)!;
      const downstreamSpan = servers.find((s) => s.parentSpanContext?.spanId === inner.spanContext().spanId)!;
      for (const span of [upstreamSpan, inner, downstreamSpan]) expect(span.spanContext().traceId).toBe(outer.spanContext().traceId);
      expect(upstreamSpan.parentSpanContext!.isRemote).toBe(true);
      // The wire carries W3C trace context as transient metainfo, beside the caller's service.name.
      expect(seen[0]).toEqual({ metainfo: `00-${outer.spanContext().traceId}-${outer.spanContext().spanId}-01`, serviceName: 'heddle-telemetry-test', header: undefined });
      expect(seen[1]!.metainfo).toBe(`00-${inner.spanContext().traceId}-${inner.spanContext().spanId}-01`);
      expect(outer.attributes).toEqual({ 'rpc.system': 'kitex', 'rpc.method': 'echo', 'rpc.service': 'EchoService', 'request.protocol': 'TTHeader' });
      expect(upstreamSpan.attributes).toEqual({
        'rpc.system': 'kitex',
        'rpc.method': 'echo',
        'rpc.service': 'EchoService',
        'request.protocol': 'TTHeader',
        'peer.service': 'heddle-telemetry-test',
      });
      expect(outer.status.code).toBe(SpanStatusCode.UNSET);
      expect(outer.instrumentationScope.name).toBe('heddle');
    } finally {
      await client.close();
      await upstream.close();
      await downstreamClient.close();
      await downstream.close();
    }
  });

  it('marks failed calls as errors with the exception recorded, on both sides', async () => {
    const server = await echoServer();
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address });
    try {
      const error = (await client.call('echo', { req: { action: 'fail', msg: 'boom' } }).catch((e: unknown) => e)) as HeddleError;
      expect(error.code).toBe('ERR_REMOTE');
      const spans = (await sdk.finished());
      const serverSpan = onlySpan(spans, SPAN, SpanKind.SERVER);
      const clientSpan = onlySpan(spans, SPAN, SpanKind.CLIENT);
      expect(serverSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: 'failed: boom' });
      expect(serverSpan.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([['exception', 'failed: boom']]);
      expect(clientSpan.status.code).toBe(SpanStatusCode.ERROR);
      expect(clientSpan.status.message).toContain('failed: boom');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('records rpc.client.duration and rpc.server.duration in ms with obs-opentelemetry\'s attributes', async () => {
    const server = await echoServer();
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address });
    const before = { client: await sdk.histogram('rpc.client.duration'), server: await sdk.histogram('rpc.server.duration') };
    const countOf = (h: typeof before.client, status: string) => h?.points.filter((p) => p.attributes['status.code'] === status).reduce((n, p) => n + p.count, 0) ?? 0;
    try {
      for (let i = 0; i < 5; i++) await client.call('echo', { req: { action: 'x', msg: String(i) } });
      await client.call('echo', { req: { action: 'fail', msg: 'm' } }).catch(() => undefined);
      const clientHistogram = (await sdk.histogram('rpc.client.duration'))!;
      const serverHistogram = (await sdk.histogram('rpc.server.duration'))!;
      expect(clientHistogram.unit).toBe('ms');
      expect(countOf(clientHistogram, 'Unset') - countOf(before.client, 'Unset')).toBe(5);
      expect(countOf(clientHistogram, 'Error') - countOf(before.client, 'Error')).toBe(1);
      expect(countOf(serverHistogram, 'Unset') - countOf(before.server, 'Unset')).toBe(5);
      const serverPoint = serverHistogram.points.find((p) => p.attributes['status.code'] === 'Error')!;
      expect(serverPoint.attributes).toEqual({
        'rpc.service': 'EchoService',
        'rpc.system': 'kitex',
        'rpc.method': 'echo',
        'peer.service': 'heddle-telemetry-test',
        'request.protocol': 'TTHeader',
        'service.name': 'heddle-telemetry-test',
        'status.code': 'Error',
      });
      // Milliseconds, not seconds or nanoseconds: a loopback call takes well under a second.
      const point = clientHistogram.points.find((p) => p.attributes['status.code'] === 'Unset')!;
      expect(point.sum / point.count).toBeGreaterThan(0.001);
      expect(point.sum / point.count).toBeLessThan(1000);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('accepts B3 trace context (multi and single header) on the server', async () => {
    const server = await echoServer();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const b3Multi: Middleware = (next) => (ctx, args) => {
      ctx.metainfo.setTransient('X_B3_TRACEID', traceId).setTransient('X_B3_SPANID', 'b7ad6b7169203331').setTransient('X_B3_SAMPLED', '1');
      return next(ctx, args);
    };
    const b3Single: Middleware = (next) => (ctx, args) => {
      ctx.metainfo.setTransient('b3', '463ac35c9f6413ad-0020000000000001-1');
      return next(ctx, args);
    };
    try {
      for (const middleware of [b3Multi, b3Single]) {
        const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address, telemetry: false, middleware: [middleware] });
        await client.call('echo', { req: { action: 'x', msg: 'b3' } });
        await client.close();
      }
      const [multi, single] = (await sdk.finished());
      expect((await sdk.finished())).toHaveLength(2);
      expect([multi!.kind, multi!.spanContext().traceId, multi!.parentSpanContext?.spanId]).toEqual([SpanKind.SERVER, traceId, 'b7ad6b7169203331']);
      // A 64-bit B3 trace id is left-padded to OpenTelemetry's 128 bits.
      expect([single!.spanContext().traceId, single!.parentSpanContext?.spanId]).toEqual(['0000000000000000463ac35c9f6413ad', '0020000000000001']);
    } finally {
      await server.close();
    }
  });

  it('carries trace context over gRPC as the standard traceparent header', async () => {
    const seen: Array<Record<string, string | undefined>> = [];
    const server = rpc.createServer({
      idl: grpcEchoRoot,
      service: GRPC_SERVICE,
      middleware: [recordHeaders(seen)],
      handlers: { Unary: async (req: { msg: string }) => {
        expect(trace.getActiveSpan()?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
        return { msg: req.msg };
      } },
    });
    await server.listen('tcp://127.0.0.1:0');
    const client = rpc.createClient({ idl: grpcEchoRoot, service: GRPC_SERVICE, address: server.address, transport: 'grpc' });
    try {
      expect(await client.call('Unary', { msg: 'hi' })).toMatchObject({ msg: 'hi' });
      const spans = (await sdk.finished());
      const clientSpan = onlySpan(spans, 'grpcecho.v1.Echo/Unary', SpanKind.CLIENT);
      const serverSpan = onlySpan(spans, 'grpcecho.v1.Echo/Unary', SpanKind.SERVER);
      expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
      expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
      expect(seen[0]!.header).toBe(`00-${clientSpan.spanContext().traceId}-${clientSpan.spanContext().spanId}-01`);
      expect(serverSpan.attributes['request.protocol']).toBe('GRPC');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('a server-streaming gRPC call\'s client span ends when the stream does, not when it opens', async () => {
    const server = rpc.createServer({
      idl: grpcEchoRoot,
      service: GRPC_SERVICE,
      handlers: { ServerStream: async function* (req: { msg: string }) {
        for (let i = 0; i < 3; i++) yield { msg: `${req.msg}${i}`, index: i };
      } },
    });
    await server.listen('tcp://127.0.0.1:0');
    const client = rpc.createClient({ idl: grpcEchoRoot, service: GRPC_SERVICE, address: server.address, transport: 'grpc' });
    try {
      const stream = client.stream<{ msg: string }>('ServerStream', { msg: 'm' });
      expect((await sdk.finished()).filter((s) => s.kind === SpanKind.CLIENT)).toEqual([]);
      const messages: string[] = [];
      for await (const message of stream) messages.push(message.msg);
      await stream.trailers;
      expect(messages).toEqual(['m0', 'm1', 'm2']);
      const clientSpan = onlySpan(await sdk.finished(), 'grpcecho.v1.Echo/ServerStream', SpanKind.CLIENT);
      expect(clientSpan.ended).toBe(true);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('a client call made inside an active span is its child; telemetry: false makes no span', async () => {
    const server = await echoServer({ telemetry: false });
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address });
    try {
      const root = trace.getTracer('test').startSpan('root');
      await otelContext.with(trace.setSpan(otelContext.active(), root), () => client.call('echo', { req: { action: 'x', msg: 'y' } }));
      root.end();
      const spans = (await sdk.finished());
      expect(spans.map((s) => s.name).sort()).toEqual([SPAN, 'root']);
      const clientSpan = onlySpan(spans, SPAN, SpanKind.CLIENT);
      expect(clientSpan.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
