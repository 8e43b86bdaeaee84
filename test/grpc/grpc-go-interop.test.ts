import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { native } from '../../src-ts/native.js';
import { createClient, createServer, GrpcStatus, type GrpcClient, type GrpcResponseStream, type RpcServer } from '../../src-ts/rpc/index.js';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import { describeWithPeers, hasPeers } from '../helpers/peers.js';
import { cancelledCalls, collect, DETAIL_TYPE, expectEchoPeer, grpcEchoRoot, heddleEchoHandlers, rejection, SERVICE, statusCodec, statusDetails, waitFor, type EchoResponse } from './grpc-echo-fixture.js';

// A real grpc-go (google.golang.org/grpc v1.75.0 from the module proxy) server and client,
// test/interop/grpc-go-echo: the echo service with a hand-written service descriptor and
// protowire messages, so no protoc plugins are needed.
let binary = '';

beforeAll(() => {
  if (hasPeers(['go'])) binary = buildGoProgram('grpc-go-echo');
}, 600_000);


describeWithPeers(['go'], 'heddle client -> grpc-go server', () => {
  let child: ChildProcess;
  let address = '';
  let output = '';
  let client: GrpcClient;

  beforeAll(async () => {
    child = spawn(binary, ['server'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => /LISTENING (\S+)/.test(output), 10_000);
    address = `tcp://${/LISTENING (\S+)/.exec(output)![1]}`;
    client = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', timeoutMs: 5000 });
  }, 30_000);

  afterAll(async () => {
    await client?.close();
    if (child.exitCode === null) {
      child.stdin!.end();
      await once(child, 'exit');
    }
  });

  it('unary with metadata both ways, int64 intact; server, client and bidi streaming', () => expectEchoPeer(client));

  it('every status code, with its google.rpc.Status details and trailers', async () => {
    for (let code = 1; code <= 16; code++) {
      const error = await rejection(client.call('Unary', { msg: `status ${code} ✗`, status: code }));
      expect(error).toMatchObject({ grpcStatus: code, grpcMessage: `status ${code} ✗` });
      expect(statusCodec.decode(error.details as Uint8Array)).toEqual({ code, message: `status ${code} ✗`, details: [{ typeUrl: DETAIL_TYPE, value: new Uint8Array([1, 2, 3]) }] });
      expect((error.metadata as Record<string, unknown>)['x-error']).toBe('yes');
    }
  });

  it('deadlines and cancellation reach the Go handler', async () => {
    const slow = await rejection(client.call('Unary', { msg: 'slow', sleepMs: 5000 }, { timeoutMs: 200 }));
    expect(slow, slow.message).toMatchObject({ code: 'ERR_TIMEOUT', grpcStatus: 4 });
    await waitFor(() => output.includes('CANCELLED Unary'));
    for await (const reply of client.call('ServerStream', { msg: 'endless', count: 100000, sleepMs: 5 }) as unknown as GrpcResponseStream<EchoResponse>) {
      if (reply.index === 2) break;
    }
    await waitFor(() => output.includes('CANCELLED ServerStream'));
    const controller = new AbortController();
    const pending = collect(client.call('Bidi', (async function* () {
      yield { msg: 'one' };
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    })(), { signal: controller.signal, timeoutMs: 0 }) as unknown as GrpcResponseStream);
    setTimeout(() => controller.abort(), 100);
    expect(await rejection(pending)).toMatchObject({ code: 'ERR_CANCELLED', grpcStatus: 1 });
    await waitFor(() => output.includes('CANCELLED Bidi'));
  });

  it('gzip both ways, and RESOURCE_EXHAUSTED over the Go server receive limit (1 MiB)', async () => {
    const gz = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', compression: 'gzip' });
    try {
      const blob = new Uint8Array(200_000).fill(5);
      expect(await gz.call('Unary', { msg: 'zip', blob })).toMatchObject({ msg: 'zip', blob });
    } finally {
      await gz.close();
    }
    expect(await rejection(client.call('Unary', { blob: new Uint8Array(2 << 20) }))).toMatchObject({ grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED });
  });

  it('a Go server killed mid-stream fails the iterable with ERR_CONNECTION', async () => {
    const doomed = spawn(binary, ['server'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let text = '';
    doomed.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    await waitFor(() => /LISTENING (\S+)/.test(text), 10_000);
    const c = createClient({ idl: grpcEchoRoot, service: SERVICE, address: `tcp://${/LISTENING (\S+)/.exec(text)![1]}`, transport: 'grpc', timeoutMs: 0 });
    try {
      let seen = 0;
      const error = await rejection((async () => {
        for await (const reply of c.call('ServerStream', { msg: 'x', count: 100000, sleepMs: 5 }) as unknown as GrpcResponseStream<EchoResponse>) {
          void reply;
          if (++seen === 3) doomed.kill('SIGKILL');
        }
      })());
      expect(error).toMatchObject({ code: 'ERR_CONNECTION', grpcStatus: GrpcStatus.UNAVAILABLE });
    } finally {
      await c.close();
    }
  });
});

describeWithPeers(['go'], 'grpc-go client -> heddle server', () => {
  let server: RpcServer;

  beforeAll(async () => {
    server = createServer({
      idl: grpcEchoRoot,
      service: SERVICE,
      handlers: heddleEchoHandlers,
      io: native.loaded ? 'native' : 'net',
      grpc: { maxReceiveMessageLength: 100_000 },
      log: () => {},
    });
    await server.listen('tcp://127.0.0.1:0');
  });

  afterAll(() => server.close());

  it('unary, streaming, statuses, deadlines, cancellation, gzip and size limits from a real grpc-go client', async () => {
    cancelledCalls.length = 0;
    const child = spawn(binary, ['client', server.address.slice('tcp://'.length)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    await once(child, 'exit');
    expect(text).toContain('DONE');
    const checks = Object.fromEntries(
      text.split('\n').filter((line) => line.startsWith('{')).map((line) => {
        const parsed = JSON.parse(line) as { check: string };
        return [parsed.check, parsed];
      }),
    ) as unknown as Record<string, { value: unknown; code?: number; message?: string }>;
    const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');
    expect(checks.unary).toEqual({ check: 'unary', value: { msg: 'héllo', id: '-9007199254740993', blob: b64([9, 8]), 'x-echo': ['from grpc-go'], 'x-echo-bin': b64([0, 1, 2, 255]), 'x-trailer': ['done'] } });
    expect(checks['server-stream']!.value).toEqual([...Array(20).keys()]);
    expect(checks['client-stream']!.value).toEqual({ msg: 'a,b,c', index: 3 });
    expect(checks.bidi!.value).toEqual(['x0', 'y1', 'z2']);
    const statuses = checks.statuses!.value as Array<{ code: number; message: string; detail: string; 'x-error': string[] }>;
    expect(statuses.map((s) => s.code)).toEqual([...Array(16).keys()].map((i) => i + 1));
    for (const [i, s] of statuses.entries()) {
      expect(s).toEqual({ code: i + 1, message: `status ${i + 1} ✗`, detail: b64([1, 2, 3]), 'x-error': ['yes'] });
      expect(statusDetails(i + 1, s.message).length).toBeGreaterThan(0);
    }
    expect(checks.deadline).toMatchObject({ code: GrpcStatus.DEADLINE_EXCEEDED });
    expect(checks.deadline!.value as number).toBeLessThan(4000);
    expect(checks.cancel).toMatchObject({ value: 3, code: GrpcStatus.CANCELLED });
    expect(checks.gzip).toMatchObject({ value: { msg: 'zip', blobLength: 50000 } });
    expect(checks['too-large']).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
    await waitFor(() => cancelledCalls.some((c) => c.method === 'ServerStream'));
    expect(cancelledCalls.some((c) => c.method === 'Unary')).toBe(true);
  });
});
