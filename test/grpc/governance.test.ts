/**
 * Retries and circuit breakers on gRPC clients, against a real @grpc/grpc-js server: UNAVAILABLE
 * retried when asked (the retries carry Kitex's RetryReq metainfo as rpc-persist-retryreq),
 * DEADLINE_EXCEEDED retried by default, streaming calls never retried, and a service breaker that
 * opens on failures and fails calls fast with ERR_CIRCUIT_OPEN.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type GrpcClient } from '../../src-ts/rpc/index.js';
import { grpcEchoRoot, SERVICE } from './grpc-echo-fixture.js';
import { grpcJsEcho } from './grpc-js-peer.js';

interface Seen {
  msg: string;
  retry: string | undefined;
}

describe('gRPC client retry and circuit breaking against @grpc/grpc-js', () => {
  let server: grpc.Server;
  let address: string;
  const seen: Seen[] = [];
  /** Calls still to fail, by message: the server answers them with this status (or sleeps). */
  const failures = new Map<string, { left: number; status?: number; sleepMs?: number }>();
  beforeAll(async () => {
    server = new grpc.Server();
    const unary = async (call: grpc.ServerUnaryCall<{ msg: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const msg = call.request.msg;
      seen.push({ msg, retry: call.metadata.get('rpc-persist-retryreq')[0] as string | undefined });
      const failure = failures.get(msg);
      if (failure !== undefined && failure.left > 0) {
        failure.left--;
        if (failure.sleepMs !== undefined) await new Promise((resolve) => setTimeout(resolve, failure.sleepMs));
        else return callback({ code: failure.status!, details: `${msg} fails` } as grpc.ServiceError);
      }
      callback(null, { msg, index: 0 });
    };
    server.addService(grpcJsEcho.service, {
      Unary: unary,
      ServerStream: (call: grpc.ServerWritableStream<{ msg: string }, unknown>) => {
        seen.push({ msg: call.request.msg, retry: undefined });
        call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'stream fails' });
      },
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
    address = `tcp://127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());

  const callsOf = (msg: string) => seen.filter((s) => s.msg === msg);

  it('retries UNAVAILABLE when retryOnCodes names ERR_CONNECTION, marking each retry', async () => {
    const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', retry: { retryOnCodes: ['ERR_CONNECTION'], budget: false } }) as GrpcClient;
    failures.set('flaky', { left: 2, status: grpc.status.UNAVAILABLE });
    expect(await client.call('Unary', { msg: 'flaky' })).toMatchObject({ msg: 'flaky' });
    expect(callsOf('flaky').map((s) => s.retry)).toEqual([undefined, '1', '2']);
    // Out of retries: the last status comes back.
    failures.set('down', { left: 5, status: grpc.status.UNAVAILABLE });
    await expect(client.call('Unary', { msg: 'down' })).rejects.toMatchObject({ code: 'ERR_CONNECTION', grpcStatus: 14 });
    expect(callsOf('down')).toHaveLength(3);
    // Not a retryable status: one attempt.
    failures.set('denied', { left: 5, status: grpc.status.PERMISSION_DENIED });
    await expect(client.call('Unary', { msg: 'denied' })).rejects.toMatchObject({ grpcStatus: 7 });
    expect(callsOf('denied')).toHaveLength(1);
    await client.close();
  });

  it('retries a DEADLINE_EXCEEDED attempt by default, within the call', async () => {
    const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', timeoutMs: 1000, retry: { budget: false } }) as GrpcClient;
    failures.set('slow-once', { left: 1, sleepMs: 4000 });
    expect(await client.call('Unary', { msg: 'slow-once' })).toMatchObject({ msg: 'slow-once' });
    expect(callsOf('slow-once').map((s) => s.retry)).toEqual([undefined, '1']);
    await client.close();
  });

  it('never retries a streaming call', async () => {
    const client = createClient({ idl: grpcEchoRoot, service: SERVICE, address, transport: 'grpc', retry: { retryOnCodes: ['ERR_CONNECTION'], budget: false } }) as GrpcClient;
    const stream = client.stream('ServerStream', { msg: 'stream-once', count: 1 });
    await expect((async () => { for await (const message of stream) void message; })()).rejects.toMatchObject({ grpcStatus: 14 });
    expect(callsOf('stream-once')).toHaveLength(1);
    await client.close();
  });

  it('opens the service breaker on failures and fails calls fast with ERR_CIRCUIT_OPEN, without sending them', async () => {
    const transitions: string[] = [];
    const client = createClient({
      idl: grpcEchoRoot,
      service: SERVICE,
      address,
      transport: 'grpc',
      fromService: 'gateway',
      circuitBreaker: { minSamples: 4, errorRate: 0.5, coolingMs: 60_000, instance: false, onStateChange: (t) => transitions.push(`${t.level} ${t.key} ${t.to}`) },
    }) as GrpcClient;
    failures.set('broken', { left: 100, status: grpc.status.INTERNAL });
    for (let i = 0; i < 4; i++) await expect(client.call('Unary', { msg: 'broken' })).rejects.toMatchObject({ grpcStatus: 13 });
    expect(transitions).toEqual(['service gateway/Echo/Unary open']);
    const sent = callsOf('broken').length;
    await expect(client.call('Unary', { msg: 'broken' })).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN' });
    expect(callsOf('broken')).toHaveLength(sent);
    await client.close();
  });
});
