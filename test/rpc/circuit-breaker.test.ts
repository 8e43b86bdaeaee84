import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discovery, ErrorCode, HeddleError, rpc } from '../../src-ts/index.js';
import { echoDoc } from './echo-fixture.js';
import { echoRoot } from './protobuf-echo-fixture.js';

// Circuit breakers in front of real heddle servers on loopback: a service whose handler fails,
// and an instance whose port refuses connections.
let failing = true;
let handled = 0;
let server: rpc.RpcServer;
let live: string;
let dead: string;

beforeAll(async () => {
  server = rpc.createServer({
    idl: echoDoc,
    service: 'EchoService',
    handlers: {
      ping: async () => 'pong',
      echo: async () => {
        handled++;
        if (failing) throw new Error('handler failed');
        return { action: 'echo', msg: live };
      },
    },
  });
  await server.listen('tcp://127.0.0.1:0');
  live = server.address.slice('tcp://'.length);
  const gone = rpc.createServer({ idl: echoDoc, service: 'EchoService', handlers: {} });
  await gone.listen('tcp://127.0.0.1:0');
  dead = gone.address.slice('tcp://'.length);
  await gone.close();
});

afterAll(() => server.close({ timeoutMs: 100 }));

const request = { req: { action: 'echo', msg: '' } };
const codeOf = (call: Promise<unknown>) => call.then(() => 'ok', (e: HeddleError) => e.code);

describe('service-level circuit breaker', () => {
  it('opens at the error rate over minSamples and then fails calls fast without sending them', async () => {
    const transitions: string[] = [];
    const client = rpc.createClient({
      idl: echoDoc,
      service: 'EchoService',
      address: server.address,
      fromService: 'caller',
      circuitBreaker: { minSamples: 10, coolingMs: 60_000, onStateChange: (t) => transitions.push(`${t.level} ${t.key} ${t.from}->${t.to}`) },
    });
    try {
      failing = true;
      handled = 0;
      const codes: string[] = [];
      for (let i = 0; i < 15; i++) codes.push(await codeOf(client.call('echo', request)));
      // 10 application exceptions reach the breaker's floor at a 100 % rate; the rest never leave.
      expect(codes).toEqual([...Array(10).fill(ErrorCode.ERR_REMOTE), ...Array(5).fill(ErrorCode.ERR_CIRCUIT_OPEN)]);
      expect(handled).toBe(10);
      expect(transitions).toEqual(['service caller/EchoService/echo closed->open']);
      // Only this method's breaker opened.
      expect(await codeOf(client.call('ping'))).toBe('ok');
    } finally {
      await client.close();
    }
  });

  it('lets a probe through after the cooling time and closes after two successes', async () => {
    const transitions: string[] = [];
    const client = rpc.createClient({
      idl: echoDoc,
      service: 'EchoService',
      resolver: discovery.static([live]),
      destService: 'echo',
      circuitBreaker: { minSamples: 4, coolingMs: 300, detectMs: 0, onStateChange: (t) => transitions.push(`${t.from}->${t.to}`) },
    });
    try {
      failing = true;
      for (let i = 0; i < 4; i++) expect(await codeOf(client.call('echo', request))).toBe(ErrorCode.ERR_REMOTE);
      expect(await codeOf(client.call('echo', request))).toBe(ErrorCode.ERR_CIRCUIT_OPEN);
      failing = false;
      await new Promise((resolve) => setTimeout(resolve, 400));
      for (let i = 0; i < 3; i++) expect(await codeOf(client.call('echo', request))).toBe('ok');
      expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
    } finally {
      await client.close();
    }
  });

  it('per-method `false` leaves a method without a breaker', async () => {
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address, circuitBreaker: { minSamples: 2, methods: { echo: false } } });
    try {
      failing = true;
      const codes = new Set<string>();
      for (let i = 0; i < 6; i++) codes.add(await codeOf(client.call('echo', request)));
      expect([...codes]).toEqual([ErrorCode.ERR_REMOTE]);
    } finally {
      await client.close();
    }
  });
});

/** A client of a dead and a live instance whose instance breakers open after 3 failures. */
function deadAndLive(extra: Partial<rpc.DiscoveryClientOptions> = {}): rpc.DiscoveryClient {
  return rpc.createClient({
    idl: echoDoc,
    service: 'EchoService',
    resolver: discovery.static([dead, live]),
    destService: 'echo',
    circuitBreaker: { service: false, instance: { minSamples: 3, coolingMs: 60_000 } },
    ...extra,
  });
}

describe('instance-level circuit breaker', () => {
  it('skips an instance whose connections keep failing once its breaker opens', async () => {
    failing = false;
    const client = deadAndLive();
    try {
      const codes: string[] = [];
      for (let i = 0; i < 20; i++) codes.push(await codeOf(client.call('echo', request)));
      // Round robin alternates until the dead instance's breaker has 3 connection failures.
      expect(codes.filter((c) => c === ErrorCode.ERR_CONNECTION)).toHaveLength(3);
      expect(codes.slice(6)).toEqual(Array(14).fill('ok'));
    } finally {
      await client.close();
    }
  });

  it('with retry on ERR_CONNECTION no call fails, and once every instance is open calls fail fast', async () => {
    failing = false;
    const client = deadAndLive({ retry: { retryOnCodes: [ErrorCode.ERR_CONNECTION] } });
    const onlyDead = rpc.createClient({ idl: echoDoc, service: 'EchoService', resolver: discovery.static([dead]), destService: 'echo', circuitBreaker: { instance: { minSamples: 2 } } });
    try {
      const peers: string[] = [];
      for (let i = 0; i < 10; i++) {
        const reply = (await client.call('echo', request, { onContext: (c) => peers.push(`${c.peer}#${c.attempts}`) })) as { msg: string };
        expect(reply.msg).toBe(live);
      }
      expect(peers.every((p) => p.startsWith(`${live}#`))).toBe(true);
      const codes: string[] = [];
      for (let i = 0; i < 4; i++) codes.push(await codeOf(onlyDead.call('echo', request)));
      expect(codes).toEqual([ErrorCode.ERR_CONNECTION, ErrorCode.ERR_CONNECTION, ErrorCode.ERR_CIRCUIT_OPEN, ErrorCode.ERR_CIRCUIT_OPEN]);
    } finally {
      await Promise.all([client.close(), onlyDead.close()]);
    }
  });
});

describe('options', () => {
  it('a fixed-address client has an instance breaker too', async () => {
    const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', address: `tcp://${dead}`, circuitBreaker: { service: false, instance: { minSamples: 2 } } });
    try {
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) codes.push(await codeOf(client.call('echo', request)));
      expect(codes).toEqual([ErrorCode.ERR_CONNECTION, ErrorCode.ERR_CONNECTION, ErrorCode.ERR_CIRCUIT_OPEN]);
    } finally {
      await client.close();
    }
  });

  it('counts calls that middleware answers without sending, over both a fixed address and a resolver; a throwing onStateChange breaks no call', async () => {
    for (const where of [{ address: server.address }, { resolver: discovery.static([live]), destService: 'EchoService' }]) {
      let answered = 0;
      const heard: string[] = [];
      const client = rpc.createClient({
        idl: echoDoc,
        service: 'EchoService',
        ...where,
        fromService: 'middleware-caller',
        // Answers echo itself, with a failure, so nothing is sent: the breaker must still count it.
        middleware: [(next) => async (ctx, args) => (ctx.method === 'echo' ? (answered++, Promise.reject(new HeddleError(ErrorCode.ERR_REMOTE, 'refused by middleware'))) : next(ctx, args))],
        circuitBreaker: {
          instance: false,
          minSamples: 3,
          coolingMs: 60_000,
          onStateChange: (t) => {
            heard.push(`${t.from}->${t.to}`);
            throw new Error('a listener that throws');
          },
        },
      } as never);
      try {
        const codes: string[] = [];
        for (let i = 0; i < 5; i++) codes.push(await codeOf(client.call('echo', request)));
        expect(codes).toEqual([ErrorCode.ERR_REMOTE, ErrorCode.ERR_REMOTE, ErrorCode.ERR_REMOTE, ErrorCode.ERR_CIRCUIT_OPEN, ErrorCode.ERR_CIRCUIT_OPEN]);
        expect(answered).toBe(3);
        expect(heard).toEqual(['closed->open']);
        // The method middleware lets through still works.
        expect(await codeOf(client.call('ping'))).toBe('ok');
      } finally {
        await client.close();
      }
    }
  });

  it('a call whose metainfo is refused rejects (never throws) and leaves the breaker and the instance counts as they were', async () => {
    for (const where of [{ address: server.address }, { resolver: discovery.static([live]), destService: 'EchoService' }]) {
      const client = rpc.createClient({ idl: echoDoc, service: 'EchoService', ...where, circuitBreaker: { minSamples: 1, instance: false } } as never);
      try {
        failing = false;
        let call: Promise<unknown> | undefined;
        expect(() => (call = client.call('echo', request, { metainfo: { transient: { key: 7 as never } } }))).not.toThrow();
        expect(await codeOf(call!)).toBe(ErrorCode.ERR_INVALID_ARGUMENT);
        // The refusal is not the callee's failure: a breaker opening at one sample stays closed.
        expect(await codeOf(client.call('echo', request))).toBe('ok');
      } finally {
        await client.close();
      }
    }
  });

  it('rejects bad thresholds at createClient, on Kitex and gRPC clients alike', () => {
    expect(() => rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address, circuitBreaker: { errorRate: 2 } })).toThrow(/circuitBreaker errorRate must be in \(0, 1\]/);
    expect(() => rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address, circuitBreaker: { methods: { echo: { minSamples: 0 } } } })).toThrow(/minSamples must be a positive integer/);
    expect(() => rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address, retry: { maxRetries: 9 } })).toThrow(/maxRetries must be an integer from 0 to 5/);
    expect(() => rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address, circuitBreaker: { minSample: 5 } as never })).toThrow(/unknown circuitBreaker option "minSample"/);
    expect(() => rpc.createClient({ idl: echoDoc, service: 'EchoService', address: server.address, circuitBreaker: { instance: { cooling: 1 } } as never })).toThrow(/unknown circuit breaker option "cooling"/);
    expect(() => rpc.createClient({ idl: echoRoot, service: 'echo.v1.Echo', address: server.address, transport: 'grpc', retry: { maxRetries: 9 } })).toThrow(
      expect.objectContaining({ code: ErrorCode.ERR_INVALID_ARGUMENT, message: expect.stringMatching(/maxRetries must be an integer from 0 to 5/) }),
    );
    expect(() => rpc.createClient({ idl: echoRoot, service: 'echo.v1.Echo', address: server.address, transport: 'grpc', circuitBreaker: { errorRate: 2 } })).toThrow(/circuitBreaker errorRate must be in \(0, 1\]/);
  });
});
