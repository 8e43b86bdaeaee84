// RPC echo across the size sweep (64 B ... 4 MiB) at 1, 4 and 64 callers: a heddle client calls a
// heddle server (bench/ipc/rpc-echo-server.mjs, its own process) at a shm:// address, a unix://
// address and a tcp:// address. The server returns the request's binary; a call carries the
// payload there and back. For each size and caller count the transports run in alternating rounds
// (the order rotates each round) so load from other processes falls on all of them alike; the
// table gives median calls/s, payload MB/s one way, and shm's throughput over each peer's.
//
//   npm run build && node bench/ipc/rpc-echo.mjs
//   HEDDLE_BENCH_QUICK=1 ... (short rounds); HEDDLE_BENCH_SIZES=1048576,4194304 HEDDLE_BENCH_CALLERS=4
//   HEDDLE_BENCH_TRANSPORTS=shm,unix picks rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import heddle from '../../dist/index.js';
import { drive, startProcess } from '../rpc/processes.mjs';
import { blobEchoIdl } from './rpc-echo-idl.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.env.HEDDLE_BENCH_QUICK === '1';
const list = (name, fallback) => (process.env[name] ? process.env[name].split(',') : fallback);
const SIZES = list('HEDDLE_BENCH_SIZES', [64, 1024, 4096, 65536, 1 << 20, 4 << 20]).map(Number);
const CALLERS = list('HEDDLE_BENCH_CALLERS', [1, 4, 64]).map(Number);
const TRANSPORTS = list('HEDDLE_BENCH_TRANSPORTS', ['shm', 'unix', 'tcp']);
const ROUNDS = Number(process.env.HEDDLE_BENCH_ROUNDS ?? (quick ? 3 : 5));
const ROUND_MS = quick ? 250 : 600;
const WARM_MS = quick ? 100 : 300;

export function sizeLabel(bytes) {
  if (bytes >= 1 << 20) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function startServers(dir) {
  const addresses = { shm: `shm://${join(dir, 'shm.sock')}`, unix: `unix://${join(dir, 'rpc.sock')}`, tcp: 'tcp://127.0.0.1:0' };
  const servers = {};
  for (const name of TRANSPORTS) {
    servers[name] = await startProcess(process.execPath, [join(here, 'rpc-echo-server.mjs'), addresses[name]], /READY (\S+)/, `${name} echo server`);
  }
  return servers;
}

/** Median calls/s of each transport over alternating rounds, for one size and caller count. */
async function measure(clients, size, callers) {
  const req = { data: Buffer.alloc(size, 0xab) };
  const rounds = Object.fromEntries(TRANSPORTS.map((t) => [t, []]));
  for (const name of TRANSPORTS) await drive(() => clients[name].call('echo', { req }), callers, WARM_MS);
  for (let round = 0; round < ROUNDS; round++) {
    const order = TRANSPORTS.map((_, i) => TRANSPORTS[(i + round) % TRANSPORTS.length]);
    for (const name of order) rounds[name].push((await drive(() => clients[name].call('echo', { req }), callers, ROUND_MS)).qps);
  }
  return rounds;
}

export async function run(bench) {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-bench-rpc-echo-'));
  const doc = heddle.thrift.parse(blobEchoIdl, { filename: 'blob-echo.thrift' });
  const servers = await startServers(dir);
  const rows = [];
  try {
    for (const callers of CALLERS) {
      const clients = {};
      for (const name of TRANSPORTS) {
        clients[name] = heddle.rpc.createClient({ idl: doc, service: 'BlobEcho', address: servers[name].address, timeoutMs: 60_000 });
        await clients[name].call('echo', { req: { data: Buffer.alloc(1) } });
      }
      for (const size of SIZES) {
        const rounds = await measure(clients, size, callers);
        const qps = Object.fromEntries(TRANSPORTS.map((t) => [t, median(rounds[t])]));
        const row = { size, callers, qps, rounds };
        rows.push(row);
        for (const name of TRANSPORTS) {
          bench?.record({
            title: `rpc echo ${sizeLabel(size)} c=${callers}`,
            name: `heddle ${name}`,
            opsPerSec: qps[name],
            bytes: size,
            mbPerSec: (qps[name] * size) / 1e6,
            baseline: `heddle ${TRANSPORTS[0]}`,
            ratio: qps[TRANSPORTS[0]] / qps[name],
          });
        }
        process.stderr.write(`  ${sizeLabel(size)} c=${callers}: ${TRANSPORTS.map((t) => `${t} ${rounds[t].map(Math.round).join('/')}`).join('  ')}\n`);
      }
      for (const name of TRANSPORTS) await clients[name].close();
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** The markdown table: calls/s and MB/s per transport, and shm over each peer. */
export function table(rows) {
  const peers = TRANSPORTS.filter((t) => t !== 'shm');
  const head = ['size', 'callers', ...TRANSPORTS.map((t) => `${t} calls/s`), ...TRANSPORTS.map((t) => `${t} MB/s`), ...peers.map((p) => `shm/${p}`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`];
  for (const { size, callers, qps } of rows) {
    const cells = [sizeLabel(size), callers, ...TRANSPORTS.map((t) => Math.round(qps[t]).toLocaleString('en')),
      ...TRANSPORTS.map((t) => ((qps[t] * size) / 1e6).toFixed(size < 4096 ? 2 : 0)),
      ...(TRANSPORTS.includes('shm') ? peers.map((p) => `${(qps.shm / qps[p]).toFixed(2)}x`) : [])];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { loadavg } = await import('node:os');
  const started = loadavg().map((l) => l.toFixed(2)).join(' ');
  const rows = await run(undefined);
  process.stdout.write(`${table(rows)}\n\nload average at start ${started}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${ROUNDS} alternating rounds of ${ROUND_MS} ms, medians\n`);
}
