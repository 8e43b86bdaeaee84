// The multi-threaded server (rpc.createWorkerServer) against the single-threaded one, loaded by a
// real Go Kitex client (test/interop/kitex-echo's `load` mode: one Kitex client, C goroutines
// calling echo back to back over TTHeader, 1 KiB messages). Per configuration: QPS, p50/p99 as the
// Kitex client saw them, the server process's CPU time per call (every thread of this process:
// process.cpuUsage), and how the calls spread over the worker threads. Rounds alternate between
// configurations so the shared machine's load lands on all of them alike.
//
//   npm run build && node bench/rpc/workers.mjs
//   HEDDLE_BENCH_ROUNDS=5 HEDDLE_BENCH_SECONDS=3 HEDDLE_BENCH_CALLERS=32 HEDDLE_BENCH_CONFIGS=single,reuse-port:1,reuse-port:2,acceptor:2
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildGoProgram } from '../../scripts/go-programs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const heddle = require('../../dist/index.js');
const workerModule = join(root, 'test', 'rpc', 'fixtures', 'worker-echo-server.cjs');
const run = promisify(execFile);

const rounds = Number(process.env.HEDDLE_BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.HEDDLE_BENCH_SECONDS ?? 3);
const callers = Number(process.env.HEDDLE_BENCH_CALLERS ?? 32);
const configs = (process.env.HEDDLE_BENCH_CONFIGS ?? 'single,reuse-port:1,reuse-port:2').split(',');

const kitex = buildGoProgram('kitex-echo', { kitexIdl: 'echo.thrift' });

/** Starts the server a configuration names: `single` (createServer, this thread) or `sharing:threads`. */
async function startServer(config) {
  if (config === 'single') {
    const options = require(workerModule)({ workerIndex: 0, threadId: 0, workerData: undefined });
    const server = heddle.rpc.createServer(options);
    await server.listen('tcp://127.0.0.1:0');
    return server;
  }
  const [portSharing, threads] = config.split(':');
  const server = heddle.rpc.createWorkerServer({ module: workerModule, threads: Number(threads), portSharing });
  await server.listen('tcp://127.0.0.1:0');
  return server;
}

async function load(address, loadSeconds) {
  const { stdout } = await run(kitex, ['load', '-addr', address.slice('tcp://'.length), '-callers', String(callers), '-seconds', String(loadSeconds), '-bytes', '1024', '-action', 'who'], {
    env: { ...process.env },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop());
}

async function measure(config) {
  const server = await startServer(config);
  try {
    await load(server.address, 0.5); // connections open, code warm
    const cpu0 = process.cpuUsage();
    const report = await load(server.address, seconds);
    const cpu = process.cpuUsage(cpu0);
    if (report.errors > 0) throw new Error(`${config}: ${report.errors} failed calls, first: ${report.first_error}`);
    const shares = Object.values(report.by_action).sort((a, b) => b - a).map((n) => n / report.calls);
    const serverCpu = (cpu.user + cpu.system) / 1e6;
    return {
      qps: report.qps,
      p50: report.p50_us,
      p99: report.p99_us,
      cpuPerCall: (serverCpu * 1e6) / report.calls,
      clientCpuPerCall: (report.cpu_seconds * 1e6) / report.calls,
      // Cores that server and client kept busy together: near 2 on this machine, the QPS is what
      // the CPU per call of both sides allows, whatever the thread count.
      coresUsed: (serverCpu + report.cpu_seconds) / report.seconds,
      threadsUsed: shares.length,
      biggestShare: shares[0],
    };
  } finally {
    await server.close();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = Object.fromEntries(configs.map((c) => [c, []]));
const loads = [loadavg()[0]];
for (let round = 0; round < rounds; round++) {
  for (const config of round % 2 === 0 ? configs : [...configs].reverse()) results[config].push(await measure(config));
  loads.push(loadavg()[0]);
}

console.log(`rpc worker threads: Go Kitex client (${callers} callers, TTHeader, 1 KiB echo) -> heddle server; medians of ${rounds} alternating rounds of ${seconds} s; native addon ${heddle.native.loaded ? 'loaded' : 'not loaded'}; load average ${loads.map((l) => l.toFixed(1)).join(' → ')}`);
console.log(`| server | QPS | vs first | p50 µs | p99 µs | server CPU µs/call | vs first | Kitex client CPU µs/call | cores busy (server + client) | threads that served | largest share |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
const base = results[configs[0]];
for (const config of configs) {
  const rows = results[config];
  const qps = median(rows.map((r) => r.qps));
  const cpu = median(rows.map((r) => r.cpuPerCall));
  console.log(
    `| ${config} | ${Math.round(qps).toLocaleString('en-US')} | ${(qps / median(base.map((r) => r.qps))).toFixed(2)}x | ${median(rows.map((r) => r.p50))} | ${median(rows.map((r) => r.p99))} | ${cpu.toFixed(1)} | ${(cpu / median(base.map((r) => r.cpuPerCall))).toFixed(2)}x | ${median(rows.map((r) => r.clientCpuPerCall)).toFixed(1)} | ${median(rows.map((r) => r.coresUsed)).toFixed(2)} | ${median(rows.map((r) => r.threadsUsed))} | ${(median(rows.map((r) => r.biggestShare)) * 100).toFixed(0)}% |`,
  );
}
console.log(`per round QPS: ${configs.map((c) => `${c} [${results[c].map((r) => Math.round(r.qps)).join(', ')}]`).join('; ')}`);
