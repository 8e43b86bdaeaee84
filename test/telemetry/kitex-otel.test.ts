import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { context as otelContext, SpanKind, trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { rpc } from '../../src-ts/index.js';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { echoDoc, echoHandlers } from '../rpc/echo-fixture.js';
import { onlySpan, TestSdk } from './otel-sdk.js';

// Real CloudWeGo Kitex v0.15.2 traced by github.com/kitex-contrib/obs-opentelemetry v0.3.0
// (test/interop/kitex-otel), its spans exported to memory and printed as JSON, against heddle
// traced by the OpenTelemetry JS SDK into memory: one trace id across the hop, the right parents.

interface GoPoint {
  name: string;
  unit: string;
  attributes: Record<string, string>;
  count: number;
}

interface GoSpan {
  name: string;
  kind: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  status: string;
  attributes: Record<string, string>;
}

const SPAN = 'echo.EchoService/echo';
let goBinary = '';
const sdk = new TestSdk('heddle-otel-interop');

beforeAll(() => {
  if (hasPeers(['go'])) goBinary = buildGoProgram('kitex-otel', { kitexIdl: 'echo.thrift' });
  sdk.register();
}, 600_000);
afterAll(() => TestSdk.unregister());
afterEach(() => sdk.spans.reset());

/** Runs the Kitex client against `address` and returns what it printed. */
async function kitexClient(address: string, propagator: 'tracecontext' | 'b3'): Promise<{ spans: GoSpan[]; metrics: GoPoint[]; msg?: string; error?: string }> {
  const hostPort = address.replace('tcp://', '');
  const { stdout } = await promisify(execFile)(goBinary, ['client', '-addr', hostPort, '-propagator', propagator], { timeout: 20_000 });
  return JSON.parse(stdout) as { spans: GoSpan[]; metrics: GoPoint[]; msg?: string; error?: string };
}

describeWithPeers(['go'], 'OpenTelemetry across heddle and Kitex (obs-opentelemetry)', () => {
  it('Kitex client -> heddle server: one trace, the heddle server span a child of the Kitex client span', async () => {
    const server = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers });
    await server.listen('tcp://127.0.0.1:0');
    try {
      const out = await kitexClient(server.address, 'tracecontext');
      expect(out.msg).toBe('traced');
      const root = out.spans.find((s) => s.name === 'kitex-root')!;
      const kitexClientSpan = out.spans.find((s) => s.kind === 'client')!;
      expect(kitexClientSpan).toMatchObject({ name: SPAN, traceId: root.traceId, parentSpanId: root.spanId });
      // Kitex sends Thrift over TTHeader framed, which its Protocol.String() spells with a bar.
      expect(kitexClientSpan.attributes).toMatchObject({ 'rpc.system': 'kitex', 'rpc.method': 'echo', 'request.protocol': 'TTHeader|Framed' });
      const serverSpan = onlySpan(await sdk.finished(), SPAN, SpanKind.SERVER);
      expect(serverSpan.spanContext().traceId).toBe(root.traceId);
      expect(serverSpan.parentSpanContext?.spanId).toBe(kitexClientSpan.spanId);
      // obs-opentelemetry's client sends its service.name in metainfo; heddle names its peer with it.
      expect(serverSpan.attributes).toMatchObject({ 'rpc.system': 'kitex', 'rpc.method': 'echo', 'request.protocol': 'TTHeader|Framed', 'peer.service': 'kitex-otel-client' });
      // Kitex's client histogram and heddle's server histogram: same metric family, same attribute keys.
      expect(out.metrics.map((p) => [p.name, p.count])).toEqual([['rpc.client.duration', 1]]);
      const heddlePoint = (await sdk.histogram('rpc.server.duration'))!.points.find((p) => p.attributes['peer.service'] === 'kitex-otel-client')!;
      expect(heddlePoint.attributes).toMatchObject({ 'rpc.system': 'kitex', 'rpc.method': 'echo', 'request.protocol': 'TTHeader|Framed', 'service.name': 'heddle-otel-interop', 'status.code': 'Unset' });
      expect(Object.keys(heddlePoint.attributes).sort()).toEqual([...Object.keys(out.metrics[0]!.attributes), 'peer.service'].sort());
    } finally {
      await server.close();
    }
  });

  it('Kitex client propagating B3 only -> heddle server: heddle takes the B3 parent', async () => {
    const server = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: echoHandlers });
    await server.listen('tcp://127.0.0.1:0');
    try {
      const out = await kitexClient(server.address, 'b3');
      expect(out.msg).toBe('traced');
      const kitexClientSpan = out.spans.find((s) => s.kind === 'client')!;
      const serverSpan = onlySpan(await sdk.finished(), SPAN, SpanKind.SERVER);
      expect([serverSpan.spanContext().traceId, serverSpan.parentSpanContext?.spanId]).toEqual([kitexClientSpan.traceId, kitexClientSpan.spanId]);
    } finally {
      await server.close();
    }
  });

  it('heddle client -> Kitex server: the Kitex server span is a child of the heddle client span, same name and trace', async () => {
    const child = spawn(goBinary, ['server'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    for (let i = 0; i < 400 && !/LISTENING (\S+)/.test(output); i++) await new Promise((r) => setTimeout(r, 25));
    const address = /LISTENING (\S+)/.exec(output)?.[1];
    if (address === undefined) {
      child.kill();
      throw new Error('kitex-otel server did not start listening within 10 s');
    }
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: `tcp://${address}` });
    const root = trace.getTracer('test').startSpan('heddle-root');
    try {
      const reply = await otelContext.with(trace.setSpan(otelContext.active(), root), () => client.call('echo', { req: { action: 'echo', msg: 'to kitex' } }));
      expect(reply).toEqual({ action: 'echo', msg: 'to kitex' });
    } finally {
      root.end();
      await client.close();
      child.stdin.end('\n');
      if (child.exitCode === null) await once(child, 'exit');
    }
    const printed = JSON.parse(output.slice(output.indexOf('{'))) as { spans: GoSpan[]; metrics: GoPoint[] };
    const kitexSpans = printed.spans;
    const clientSpan = onlySpan(await sdk.finished(), SPAN, SpanKind.CLIENT);
    expect(clientSpan.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(kitexSpans).toHaveLength(1);
    expect(kitexSpans[0]).toMatchObject({
      name: SPAN,
      kind: 'server',
      traceId: root.spanContext().traceId,
      parentSpanId: clientSpan.spanContext().spanId,
      status: 'Unset',
    });
    // heddle sent its service.name in metainfo as obs-opentelemetry's client does.
    expect(kitexSpans[0]!.attributes).toMatchObject({ 'rpc.system': 'kitex', 'rpc.method': 'echo', 'peer.service': 'heddle-otel-interop', 'request.protocol': 'TTHeader' });
    // Both sides put the same attribute keys on their spans, bar the payload sizes heddle does not measure.
    const kitexKeys = Object.keys(kitexSpans[0]!.attributes).filter((k) => !k.startsWith('kitex.')).sort();
    expect(Object.keys(clientSpan.attributes).sort()).toEqual(kitexKeys.filter((k) => k !== 'peer.service'));
    // The Kitex server's histogram and heddle's client histogram carry the same attribute keys
    // (the server's adds peer.service), and the same values where both sides see the same thing.
    expect(printed.metrics).toHaveLength(1);
    expect(printed.metrics[0]).toMatchObject({ name: 'rpc.server.duration', count: 1 });
    expect(printed.metrics[0]!.attributes).toMatchObject({ 'rpc.system': 'kitex', 'rpc.method': 'echo', 'request.protocol': 'TTHeader', 'peer.service': 'heddle-otel-interop', 'status.code': 'Unset', 'service.name': 'kitex-otel-server' });
    const heddlePoint = (await sdk.histogram('rpc.client.duration'))!.points.find((p) => p.attributes['request.protocol'] === 'TTHeader')!;
    expect([...Object.keys(heddlePoint.attributes), 'peer.service'].sort()).toEqual(Object.keys(printed.metrics[0]!.attributes).sort());
  }, 30_000);
});
