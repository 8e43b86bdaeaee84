// Unary echo QPS through grpc-js: client here, server in a process of its own, each pairing with
// one loader on both sides, at concurrency 1 and 100. Requests rotate through distinct Orders
// (Chinese titles, int64 ids) in the legacy option set's form. grpc-js's HTTP/2 transport is most
// of each call; the codec is the part the loader changes.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as heddlePackage from '../../dist/index.js';
import { baselinePath, LEGACY } from './codec.mjs';
import { loadEcho } from './echo-definition.mjs';
import { distinctOrders } from './messages.mjs';

const heddle = heddlePackage.default ?? heddlePackage;
const here = dirname(fileURLToPath(import.meta.url));
const quick = process.env.HEDDLE_BENCH_QUICK === '1';
const DURATION_MS = quick ? 1000 : 3000;
const WARMUP_MS = quick ? 300 : 1000;
/** Runs per pairing and concurrency, interleaved between the loaders. */
const RUNS = quick ? 1 : 2;
const LOADERS = ['heddle', 'proto-loader'];
const NAMES = { heddle: 'heddle/grpc-loader', 'proto-loader': '@grpc/proto-loader' };

function startServer(loader) {
  const child = spawn(process.execPath, [join(here, 'echo-server.mjs'), loader], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${loader} echo server exited with ${code}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) {
        child.removeAllListeners('exit');
        resolve({ port: Number(m[1]), stop: () => new Promise((r) => { child.once('exit', r); child.stdin.end(); }) });
      }
    });
  });
}

/** `concurrency` callers for the duration; QPS and median latency. */
async function drive(call, requests, concurrency) {
  let stop = false;
  let measuring = false;
  let next = 0;
  const latencies = [];
  const worker = async () => {
    while (!stop) {
      const t0 = process.hrtime.bigint();
      await call(requests[next++ % requests.length]);
      if (measuring) latencies.push(Number(process.hrtime.bigint() - t0));
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  measuring = true;
  const start = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, DURATION_MS));
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const count = latencies.length;
  stop = true;
  await Promise.all(workers);
  latencies.sort((a, b) => a - b);
  return { qps: count / elapsed, p50: latencies[count >> 1] ?? 0 };
}

/** @param {import('../harness.mjs').Bench} bench */
export async function runQps(bench) {
  // Requests in the legacy form: what proto-loader deserializes from heddle's encoding.
  const codec = heddle.protobuf.load(baselinePath).codec('baseline.Order');
  const decode = protoLoader.loadSync(baselinePath, LEGACY)['baseline.Order'].deserialize;
  const requests = [];
  for (const order of distinctOrders(200)) {
    const bytes = codec.encode(order);
    requests.push(decode(Buffer.from(bytes)));
  }
  for (const concurrency of [1, 100]) {
    const results = { heddle: [], 'proto-loader': [] };
    for (let run = 0; run < RUNS; run++) {
      for (const loader of run % 2 === 0 ? LOADERS : [...LOADERS].reverse()) {
        const server = await startServer(loader);
        const { benchgrpc } = await loadEcho(loader);
        const client = new benchgrpc.Echo(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
        await new Promise((resolve, reject) => client.waitForReady(Date.now() + 5000, (e) => (e ? reject(e) : resolve())));
        const call = (req) => new Promise((resolve, reject) => client.echo(req, (e, res) => (e ? reject(e) : resolve(res))));
        const echoed = await call(requests[0]);
        if (echoed.order_id !== requests[0].order_id || echoed.items.length !== requests[0].items.length) throw new Error(`${loader}: echo differs`);
        results[loader].push(await drive(call, requests, concurrency));
        client.close();
        await server.stop();
      }
    }
    const best = (loader) => results[loader].reduce((a, b) => (b.qps > a.qps ? b : a));
    const subject = best('heddle');
    for (const loader of LOADERS) {
      const r = best(loader);
      bench.record({
        title: `unary echo Order, grpc-js client and server (2 processes), c=${concurrency}`,
        name: NAMES[loader],
        medianNs: r.p50,
        opsPerSec: r.qps,
        baseline: NAMES.heddle,
        ratio: loader === 'heddle' ? 1 : subject.qps / r.qps,
        runs: results[loader].map((x) => Math.round(x.qps)),
      });
    }
  }
}
