// bench/rpc/default-client.mjs: the heddle client with default settings (no pool, pipelining or
// connection options) against the `thrift` package's client, kitex-benchmark's 1 KiB echo at 100
// callers over TCP, each pair driving the same server process: a heddle server and a `thrift`
// package server (Framed, Binary). Rounds alternate which client goes first, so load from other
// processes on this shared machine falls on both alike; the table gives the median of each
// column over the rounds and the ratio of medians.
//
//   npm run build && node bench/rpc/default-client.mjs
//   HEDDLE_BENCH_ROUNDS=9 HEDDLE_BENCH_CALLERS=100 node bench/rpc/default-client.mjs
//   HEDDLE_BENCH_VARIANTS='{"pool":{"multiplexed":false},"mux4":{"multiplexed":true,"maxConnections":4}}' ...
//     adds heddle clients with those options beside the default one.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import heddle from '../../dist/index.js';
import { echoThrift, thriftClient } from './peers.mjs';
import { drive, startProcess } from './processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.env.HEDDLE_BENCH_ROUNDS ?? 7);
const callers = Number(process.env.HEDDLE_BENCH_CALLERS ?? 100);
const measureMs = Number(process.env.HEDDLE_BENCH_MEASURE_MS ?? 1500);
const warmMs = 500;
const variants = JSON.parse(process.env.HEDDLE_BENCH_VARIANTS ?? '{}');
const request = { action: 'echo', msg: 'a'.repeat(1024) };
const echoDoc = heddle.thrift.parse(readFileSync(echoThrift, 'utf8'), { filename: 'echo.thrift' });

function heddleClient(address, options) {
  const client = heddle.rpc.createClient({ idl: echoDoc, service: 'EchoService', address, ...options });
  return { ready: client.call('ping'), call: (req) => client.call('echo', { req }), close: () => client.close() };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function compare(serverKind) {
  const server = await startProcess(process.execPath, [join(here, 'server-process.mjs'), serverKind, 'tcp://127.0.0.1:0'], /READY (\S+)/, serverKind);
  // The thrift package's server speaks Framed, not TTHeader: the heddle client is told so, and
  // nothing else.
  const transport = serverKind === 'thrift-framed' ? { transport: 'framed' } : {};
  const clients = [
    ['heddle default', heddleClient(server.address, transport)],
    ...Object.entries(variants).map(([name, options]) => [`heddle ${name}`, heddleClient(server.address, { ...transport, ...options })]),
    ['thrift npm (framed)', thriftClient(server.address)],
  ];
  const results = clients.map(() => []);
  const loads = [];
  try {
    await Promise.all(clients.map(([, c]) => c.ready));
    for (let round = 0; round < rounds; round++) {
      const order = clients.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) results[i].push(await drive(() => clients[i][1].call(request), callers, measureMs, warmMs));
      loads.push(loadavg()[0]);
    }
  } finally {
    for (const [, c] of clients) await c.close();
    await server.stop();
  }
  const thriftQps = median(results[results.length - 1].map((r) => r.qps));
  const thriftP99 = median(results[results.length - 1].map((r) => r.p99));
  console.log(`\n${serverKind} server, ${callers} callers, 1 KiB echo over TCP, ${rounds} alternating rounds of ${measureMs} ms; load average (1 min) ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`);
  // Same-round ratios compare runs seconds apart; the ratio of medians can pair a quiet round
  // with a busy one.
  const thriftRuns = results[results.length - 1];
  console.log('| client | QPS (median) | p50 µs | p99 µs | QPS / thrift (of medians) | QPS / thrift (median of same-round ratios) | p99 / thrift (of medians) | p99 / thrift (median of same-round ratios) | client GC share (median) | QPS per round |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  clients.forEach(([name], i) => {
    const qps = median(results[i].map((r) => r.qps));
    const p99 = median(results[i].map((r) => r.p99));
    const sameRoundQps = median(results[i].map((r, round) => r.qps / thriftRuns[round].qps));
    const sameRoundP99 = median(results[i].map((r, round) => r.p99 / thriftRuns[round].p99));
    const perRound = results[i].map((r) => Math.round(r.qps)).join(' ');
    console.log(`| ${name} | ${Math.round(qps).toLocaleString('en')} | ${(median(results[i].map((r) => r.p50)) / 1e3).toFixed(0)} | ${(p99 / 1e3).toFixed(0)} | ${(qps / thriftQps).toFixed(2)}x | ${sameRoundQps.toFixed(2)}x | ${(p99 / thriftP99).toFixed(2)}x | ${sameRoundP99.toFixed(2)}x | ${(median(results[i].map((r) => r.gcShare)) * 100).toFixed(1)}% | ${perRound} |`);
  });
}

const kinds = (process.env.HEDDLE_BENCH_SERVERS ?? `${heddle.native.loaded ? 'heddle-native' : 'heddle-net'},thrift-framed`).split(',');
console.log(`node ${process.version}, native addon ${heddle.native.loaded ? 'loaded' : 'not loaded'}, ${new Date().toISOString()}`);
for (const kind of kinds) await compare(kind);
