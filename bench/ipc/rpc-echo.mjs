// RPC echo across the size sweep (64 B ... 4 MiB) at 1, 4 and 64 callers: a heddle client calls a
// heddle server (bench/ipc/rpc-echo-server.mjs, its own process) at a shm:// address, a unix://
// address and a tcp:// address, all with default options. The server returns the request's
// binary; a call carries the payload there and back. For each size and caller count the transports
// run in alternating rounds (the order rotates each round) so load from other processes falls on
// all of them alike. Reported per transport: median calls/s, payload MB/s one way, and CPU time per
// call of both processes together (client and server; much less sensitive to other load than
// wall-clock throughput); per peer: shm's throughput over the peer's, as the median of the
// per-round ratios (each ratio compares rounds run moments apart), and the peer's CPU per call
// over shm's.
//
//   npm run build && node bench/ipc/rpc-echo.mjs          (markdown table on stdout)
//   HEDDLE_BENCH_QUICK=1 ... short rounds; HEDDLE_BENCH_SIZES=1048576,4194304 HEDDLE_BENCH_CALLERS=4
//   HEDDLE_BENCH_TRANSPORTS=shm,unix HEDDLE_BENCH_ROUNDS=9 pick rows and rounds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import heddle from '../../dist/index.js';
import { spawn } from 'node:child_process';
import { blobEchoIdl } from './rpc-echo-idl.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.env.HEDDLE_BENCH_QUICK === '1';
const list = (name, fallback) => (process.env[name] ? process.env[name].split(',') : fallback);
export const SIZES = list('HEDDLE_BENCH_SIZES', [64, 1024, 4096, 65536, 1 << 20, 4 << 20]).map(Number);
export const CALLERS = list('HEDDLE_BENCH_CALLERS', [1, 4, 64]).map(Number);
const TRANSPORTS = list('HEDDLE_BENCH_TRANSPORTS', ['shm', 'unix', 'tcp']);
const ROUNDS = Number(process.env.HEDDLE_BENCH_ROUNDS ?? (quick ? 3 : 5));
const ROUND_MS = quick ? 300 : 700;
const WARM_MS = quick ? 150 : 400;

export function sizeLabel(bytes) {
  if (bytes >= 1 << 20) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;  // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return Number.NaN;
  }
}

/**
 * `callers` concurrent callers of `call` for at least `ms`, and until every caller completed two
 * calls (4 MiB at 64 callers takes longer than a round). Returns calls/s and the CPU seconds per
 * call of this process plus the server's.
 */
async function drive(call, callers, ms, serverPid) {
  let calls = 0;
  let failures = 0;
  let stop = false;
  const cpu0 = process.cpuUsage();
  const server0 = processCpuSeconds(serverPid);
  const start = performance.now();
  const minimum = 2 * callers;
  await Promise.all(Array.from({ length: callers }, async () => {
    while (!stop) {
      try {
        await call();
        calls++;
      } catch {
        // Counted and shown: at 64 callers of 4 MiB a loaded machine can stall a socket long enough
        // for the server's read timeout to cut it.
        failures++;
        if (failures > 4 * callers) stop = true;
      }
      if (performance.now() - start >= ms && calls >= minimum) stop = true;
    }
  }));
  const seconds = (performance.now() - start) / 1e3;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6 + (processCpuSeconds(serverPid) - server0);
  return { qps: calls / seconds, cpuPerCall: cpuSeconds / Math.max(1, calls), failures };
}

/** Starts an echo server process; resolves to { address, pid, stop } once it listens. */
function startServer(address) {
  const child = spawn(process.execPath, [join(here, 'rpc-echo-server.mjs'), address], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`echo server for ${address} exited with ${code}`)));
    child.stdout.on('data', (data) => {
      out += data;
      const m = /READY (\S+) (\d+)/.exec(out);
      if (m === null) return;
      child.removeAllListeners('exit');
      resolve({ address: m[1], pid: Number(m[2]), stop: () => new Promise((r) => { child.once('exit', r); child.stdin.end(); }) });
    });
  });
}

async function startServers(dir) {
  const addresses = { shm: `shm://${join(dir, 'shm.sock')}`, unix: `unix://${join(dir, 'rpc.sock')}`, tcp: 'tcp://127.0.0.1:0' };
  const servers = {};
  for (const name of TRANSPORTS) servers[name] = await startServer(addresses[name]);
  return servers;
}

/** Rounds of each transport for one size and caller count, alternating. */
async function measure(clients, servers, size, callers) {
  const req = { data: Buffer.alloc(size, 0xab) };
  const call = (name) => () => clients[name].call('echo', { req });
  const rounds = Object.fromEntries(TRANSPORTS.map((t) => [t, []]));
  for (const name of TRANSPORTS) await drive(call(name), callers, WARM_MS, servers[name].pid);
  for (let round = 0; round < ROUNDS; round++) {
    const order = TRANSPORTS.map((_, i) => TRANSPORTS[(i + round) % TRANSPORTS.length]);
    for (const name of order) rounds[name].push(await drive(call(name), callers, ROUND_MS, servers[name].pid));
  }
  return rounds;
}

/** Runs the sweep; records rows on `bench` (bench/run.mjs) when given; returns the rows. */
export async function run(bench) {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-bench-rpc-echo-'));
  const doc = heddle.thrift.parse(blobEchoIdl, { filename: 'blob-echo.thrift' });
  const servers = await startServers(dir);
  const rows = [];
  try {
    for (const callers of CALLERS) {
      const clients = {};
      for (const name of TRANSPORTS) {
        clients[name] = heddle.rpc.createClient({ idl: doc, service: 'BlobEcho', address: servers[name].address, timeoutMs: 120_000 });
        await clients[name].call('echo', { req: { data: Buffer.alloc(1) } });
      }
      for (const size of SIZES) {
        const rounds = await measure(clients, servers, size, callers);
        const qps = Object.fromEntries(TRANSPORTS.map((t) => [t, median(rounds[t].map((r) => r.qps))]));
        const cpu = Object.fromEntries(TRANSPORTS.map((t) => [t, median(rounds[t].map((r) => r.cpuPerCall))]));
        const ratio = Object.fromEntries(TRANSPORTS.map((t) => [t, median(rounds.shm?.map((r, i) => r.qps / rounds[t][i].qps) ?? [Number.NaN])]));
        const failures = Object.fromEntries(TRANSPORTS.map((t) => [t, rounds[t].reduce((n, r) => n + r.failures, 0)]));
        rows.push({ size, callers, qps, cpu, ratio, failures });
        for (const name of TRANSPORTS) {
          bench?.record({
            title: `rpc echo ${sizeLabel(size)} c=${callers}`,
            name: `heddle ${name}`,
            medianNs: 1e9 / qps[name],
            p99Ns: 1e9 / qps[name],
            opsPerSec: qps[name],
            bytes: size,
            mbPerSec: (qps[name] * size) / 1e6,
            baseline: 'heddle shm',
            ratio: ratio[name],
          });
        }
        process.stderr.write(`  rpc echo ${sizeLabel(size)} c=${callers}: ${TRANSPORTS.map((t) => `${t} ${rounds[t].map((r) => Math.round(r.qps)).join('/')}`).join('  ')}\n`);
      }
      for (const name of TRANSPORTS) await clients[name].close();
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** The markdown table: calls/s, MB/s and CPU per call per transport, and shm against each peer. */
export function table(rows) {
  const peers = TRANSPORTS.filter((t) => t !== 'shm');
  const head = ['size', 'callers', ...TRANSPORTS.map((t) => `${t} calls/s`), ...TRANSPORTS.map((t) => `${t} MB/s`),
    ...TRANSPORTS.map((t) => `${t} CPU µs/call`), ...peers.map((p) => `shm/${p} throughput`), ...peers.map((p) => `${p}/shm CPU`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`];
  const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
  const failed = [];
  for (const { size, callers, qps, cpu, ratio, failures } of rows) {
    for (const t of TRANSPORTS) if (failures[t] > 0) failed.push(`${t} ${sizeLabel(size)} c=${callers}: ${failures[t]} failed calls`);
    lines.push(`| ${[
      sizeLabel(size), callers,
      ...TRANSPORTS.map((t) => Math.round(qps[t]).toLocaleString('en')),
      ...TRANSPORTS.map((t) => fixed((qps[t] * size) / 1e6, size < 4096 ? 2 : 0)),
      ...TRANSPORTS.map((t) => fixed(cpu[t] * 1e6, 0)),
      ...peers.map((p) => `${fixed(ratio[p], 2)}x`),
      ...peers.map((p) => `${fixed(cpu[p] / cpu.shm, 2)}x`),
    ].join(' | ')} |`);
  }
  if (failed.length > 0) lines.push('', `Failed calls (not counted in calls/s): ${failed.join('; ')}`);
  return lines.join('\n');
}

export function loadLine() {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}

/** Runs the sweep on its own and prints the table with the load it ran under. */
export async function main() {
  const started = loadLine();
  const rows = await run(undefined);
  process.stdout.write(`${table(rows)}\n\nload average (1/5/15 min) at start ${started}, at end ${loadLine()}; ${ROUNDS} alternating rounds of at least ${ROUND_MS} ms per cell, medians\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
