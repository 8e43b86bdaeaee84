import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Worker } from 'node:worker_threads';
import { native } from '../native.js';
import { MAX_BUSY_POLL_MICROS } from '../rpc/busy-poll.js';
import * as protobuf from '../protobuf/index.js';
import { isBizStatusError } from '../rpc/biz-status.js';
import { createClient, type RpcClient } from '../rpc/client.js';
import * as shm from '../shm/index.js';
import * as thrift from '../thrift/index.js';
import { demoIdl, demoProto } from './demo-idl.js';
import type { DemoListen, DemoServerData } from './demo-server.js';
import { inlineRows, mergedRow, mergedSetup, type MergedRowContext } from './demo-merged.js';

type Print = (line: string) => void;

/** Calls per second of `fn`, measured for about `ms` milliseconds. */
function rate(fn: () => unknown, ms = 250): number {
  let calls = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  do {
    for (let i = 0; i < 256; i++) fn();
    calls += 256;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  return (calls * 1e9) / Number(elapsed);
}

function perSecond(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M/s` : `${Math.round(n / 1e3)}k/s`;
}

function micros(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${Math.round(ns / 1e3)} µs`;
}

function sampleOrder() {
  return {
    order_id: 7_300_000_000_123n,
    platform: 'node-edge',
    buyer_id: 'buyer-4242',
    items: [1, 2, 3].map((n) => ({
      sku_id: 880_000n + BigInt(n),
      title: `Heddle loom part #${n} — ✓ unicode`,
      quantity: n,
      price_cents: 1999n * BigInt(n),
      tags: ['weaving', `batch-${n}`],
    })),
    extra: new Map([
      ['channel', 'app'],
      ['coupon', 'WINTER26'],
    ]),
    total: 119.94,
    created_at: 1_795_000_000_000n,
    paid: true,
  };
}

/** Runs `concurrency` callers of `call` for `ms`; returns calls/s and latency percentiles (ns). */
async function drive(call: () => Promise<unknown>, concurrency: number, ms: number) {
  const latencies: number[] = [];
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const t0 = process.hrtime.bigint();
      await call();
      latencies.push(Number(process.hrtime.bigint() - t0));
    }
  };
  const start = process.hrtime.bigint();
  const workers = Array.from({ length: concurrency }, worker);
  await new Promise((resolve) => setTimeout(resolve, ms));
  stop = true;
  await Promise.all(workers);
  const elapsed = Number(process.hrtime.bigint() - start);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { rate: (latencies.length * 1e9) / elapsed, p50: at(0.5), p99: at(0.99) };
}

function codecRoundTrips(doc: thrift.ThriftDocument, print: Print): boolean {
  const order = sampleOrder();
  let ok = true;
  for (const protocol of ['binary', 'compact'] as const) {
    const codec = doc.codec('Order', { protocol });
    const bytes = codec.encode(order);
    const equal = isDeepStrictEqual(codec.decode(bytes), order);
    ok &&= equal;
    const encodes = rate(() => codec.encode(order));
    const decodes = rate(() => codec.decode(bytes));
    print(
      `  Order as Thrift ${protocol.padEnd(7)} ${String(bytes.length).padStart(4)} bytes   encode ${perSecond(encodes).padStart(9)}   decode ${perSecond(decodes).padStart(9)}   round trip ${equal ? 'equal' : 'DIFFERENT'}`,
    );
  }
  return ok;
}

/** Where the demo's servers listen: TCP, a Unix socket and shared memory (with its socket fallback). */
function demoListen(name: string): DemoListen & { fallback: string } {
  const base = join(tmpdir(), `heddle-demo-${process.pid}-${name}`);
  const fallback = `unix://${base}-shm-fallback.sock`;
  return { addresses: ['tcp://127.0.0.1:0', `unix://${base}.sock`, `shm://${base}-shm.sock`], shmFallback: fallback, fallback };
}

/** What the demo needs of a client: Kitex transports and gRPC alike. */
type EchoClient = Pick<RpcClient, 'close'> & { call(method: string, request: Record<string, unknown>): Promise<unknown> };

/** One way of calling the demo echo: which IDL, and how a call and a failing call look. */
interface EchoFlavour {
  label: string;
  /** gRPC runs over TCP and Unix sockets, not shared memory. */
  socketsOnly?: boolean;
  client: (address: string, fallback: string, concurrency: number) => EchoClient;
  echo: (client: EchoClient, msg: string) => Promise<string>;
  /** Calls with action "fail": true when the error is the one the server raises. */
  failsAsDeclared: (client: EchoClient) => Promise<boolean>;
}

function flavours(doc: thrift.ThriftDocument, root: protobuf.Root, settings: DemoSettings): EchoFlavour[] {
  const options = (address: string, fallback: string, concurrency: number) => ({
    address,
    multiplexed: concurrency > 1,
    maxConnections: concurrency > 1 ? 2 : 1,
    shm: { fallback },
    busyPollMicros: settings.busyPollMicros,
  });
  return [
    {
      label: 'Thrift',
      client: (address, fallback, concurrency) => createClient({ idl: doc, service: 'EchoService', ...options(address, fallback, concurrency) }),
      echo: async (client, msg) => ((await client.call('echo', { req: { action: 'echo', msg } })) as { msg: string }).msg,
      failsAsDeclared: async (client) => {
        const error = await client.call('echo', { req: { action: 'fail', msg: 'declared exception' } }).catch((e: unknown) => e);
        return error instanceof thrift.Exception && error.type === 'EchoError';
      },
    },
    {
      label: 'Kitex PB',
      client: (address, fallback, concurrency) => createClient({ idl: root, service: 'heddle.demo.Echo', ...options(address, fallback, concurrency) }),
      echo: async (client, msg) => ((await client.call('Echo', { action: 'echo', msg })) as { msg: string }).msg,
      failsAsDeclared: async (client) => {
        const error = await client.call('Echo', { action: 'fail', msg: 'biz status' }).catch((e: unknown) => e);
        return isBizStatusError(error) && error.bizStatus.code === 7;
      },
    },
    {
      // The same Protobuf server: gRPC connections are told apart by the HTTP/2 preface.
      label: 'gRPC PB',
      socketsOnly: true,
      client: (address, _fallback, concurrency) =>
        createClient({ idl: root, service: 'heddle.demo.Echo', address, transport: 'grpc', maxConnections: concurrency > 1 ? 2 : 1 }),
      echo: async (client, msg) => ((await client.call('Echo', { action: 'echo', msg })) as { msg: string }).msg,
      failsAsDeclared: async (client) => {
        const error = await client.call('Echo', { action: 'fail', msg: 'biz status' }).catch((e: unknown) => e);
        return isBizStatusError(error) && error.bizStatus.code === 7;
      },
    },
  ];
}

function row(print: Print) {
  return (label: string, protocol: string, concurrency: number, result: { rate: number; p50: number; p99: number }) =>
    print(
      `  ${label.padEnd(12)} ${protocol.padEnd(9)} ${String(concurrency).padStart(7)} ${Math.round(result.rate).toLocaleString('en-US').padStart(9)} ${micros(result.p50).padStart(9)} ${micros(result.p99).padStart(9)}`,
    );
}

async function rpcRoundTrips(doc: thrift.ThriftDocument, root: protobuf.Root, settings: DemoSettings, print: Print): Promise<boolean> {
  const listens = { thrift: demoListen('thrift'), protobuf: demoListen('protobuf') };
  const merged = await mergedSetup(settings.etcd);
  const workerData: DemoServerData = {
    idl: demoIdl,
    proto: demoProto,
    thrift: listens.thrift,
    protobuf: listens.protobuf,
    busyPollMicros: settings.busyPollMicros,
    ...('endpoint' in merged ? { merged } : {}),
  };
  const worker = new Worker(join(__dirname, 'demo-server.js'), { workerData });
  const started = await new Promise<{ thrift: string[]; protobuf: string[]; io: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const polling = settings.busyPollMicros > 0 ? `, busy-polling ${settings.busyPollMicros} µs after each write` : '';
  print(
    `EchoService (Thrift) and heddle.demo.Echo (Protobuf, over Kitex Protobuf and gRPC on the same port) served from a worker thread (${started.io} I/O${polling}), called over TTHeader and HTTP/2, 1 KiB messages, ${settings.rowMs / 1000} s per row:`,
  );
  if (!shm.available) print(`  (shared memory unavailable: ${shm.unavailableReason}; shm:// calls use the server's Unix-socket fallback)`);
  print(`  ${'transport'.padEnd(12)} ${'protocol'.padEnd(9)} ${'callers'.padStart(7)} ${'calls/s'.padStart(9)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}`);
  let ok = true;
  const msg = 'x'.repeat(1024);
  try {
    const labels = ['TCP', 'Unix socket', shm.available ? 'shared mem' : 'shm→socket'];
    for (const [at, label] of labels.entries()) {
      for (const flavour of flavours(doc, root, settings)) {
        if (flavour.socketsOnly && label !== 'TCP' && label !== 'Unix socket') continue;
        const served = flavour.label === 'Thrift' ? { addresses: started.thrift, fallback: listens.thrift.fallback } : { addresses: started.protobuf, fallback: listens.protobuf.fallback };
        for (const concurrency of [1, 64]) {
          const client = flavour.client(served.addresses[at]!, served.fallback, concurrency);
          ok &&= (await flavour.echo(client, msg)) === msg;
          ok &&= await flavour.failsAsDeclared(client);
          const result = await drive(() => flavour.echo(client, msg), concurrency, settings.rowMs);
          await client.close();
          row(print)(label, flavour.label, concurrency, result);
        }
      }
    }
    const thriftFlavour = flavours(doc, root, settings)[0]!;
    const context: MergedRowContext = { doc, rowMs: settings.rowMs, drive, row: row(print), failsAsDeclared: (client) => thriftFlavour.failsAsDeclared(client as EchoClient) };
    ok = (await inlineRows(context)) && ok;
    if ('endpoint' in merged) ok = (await mergedRow(context, merged, print)) && ok;
    else print(`  merged run skipped: ${merged.skipped}`);
  } finally {
    worker.postMessage('close');
    await new Promise((resolve) => worker.once('message', resolve));
    await worker.terminate();
  }
  return ok;
}

interface DemoSettings {
  /** Client and server `busyPollMicros`; 0 lets the event loops sleep between calls. */
  busyPollMicros: number;
  /** How long each RPC row is driven. */
  rowMs: number;
  /** The etcd of the merged run (`--etcd`); default HEDDLE_DEMO_ETCD, else 127.0.0.1:2379. */
  etcd?: string;
}

export const demoUsage = `usage: heddle demo [--busy-poll <microseconds>] [--row-ms <milliseconds>] [--etcd <host:port>]

  --busy-poll N   client and server keep their event loops polling N µs after each write
                  (busyPollMicros), trading a busy core for lower latency; default 0
  --row-ms N      how long each RPC row runs; default 2000
  --etcd H:P      the etcd of the merged run (the client finds the server there and picks the
                  same-host path); default HEDDLE_DEMO_ETCD, else 127.0.0.1:2379, skipped if none answers`;

/** The demo's flags, or the reason they cannot be used. */
export function parseDemoArgs(args: readonly string[]): DemoSettings | string {
  const settings: DemoSettings = { busyPollMicros: 0, rowMs: 2000 };
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    if (flag === '--etcd') {
      const endpoint = args[i + 1];
      if (endpoint === undefined || !/^[^\s/:]+:\d{1,5}$/.test(endpoint)) return `--etcd needs host:port, got ${endpoint ?? 'nothing'}`;
      settings.etcd = endpoint;
      continue;
    }
    if (flag !== '--busy-poll' && flag !== '--row-ms') return `unknown option ${flag}`;
    const text = args[i + 1];
    if (text === undefined || !/^\d{1,9}$/.test(text)) return `${flag} needs a whole number, got ${text ?? 'nothing'}`;
    const value = Number(text);
    if (flag === '--busy-poll') {
      if (value > MAX_BUSY_POLL_MICROS) return `--busy-poll is at most ${MAX_BUSY_POLL_MICROS} µs, got ${value}`;
      settings.busyPollMicros = value;
    } else if (value === 0) {
      return '--row-ms must be above 0';
    } else {
      settings.rowMs = value;
    }
  }
  return settings;
}

/** `heddle demo`: heddle's main job on built-in defaults, printing what it did. */
export async function runDemo(args: readonly string[], print: Print): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    print(demoUsage);
    return 0;
  }
  const settings = parseDemoArgs(args);
  if (typeof settings === 'string') {
    process.stderr.write(`heddle demo: ${settings}\n${demoUsage}\n`);
    return 2;
  }
  print(`heddle demo (node ${process.version}; native addon: ${native.loaded ? `loaded, ${native.features.join(' ') || 'no SIMD'}` : `not loaded: ${native.reason}`})`);
  const doc = thrift.parse(demoIdl, { filename: 'demo.thrift' });
  const echo = doc.service('EchoService');
  print(`loaded demo.thrift at run time, no code generation step: service EchoService { ${[...echo.methods.keys()].join(', ')} }`);
  const root = protobuf.parse(demoProto, { filename: 'demo.proto' });
  print(`loaded demo.proto the same way: service heddle.demo.Echo { ${[...root.lookupService('heddle.demo.Echo').methods.map((m) => m.name)].join(', ')} }`);
  let ok = codecRoundTrips(doc, print);
  ok = (await rpcRoundTrips(doc, root, settings, print)) && ok;
  print(ok ? 'every round trip matched' : 'SOME ROUND TRIPS DID NOT MATCH');
  return ok ? 0 : 1;
}
