// Merged deployment: what a call costs in-process (service inline: the handler called directly, no
// connection, no encoding), against the same 1 KiB Thrift echo over shared memory and over a Unix
// socket to a server in another process (server-process.mjs), at 1 and 64 callers. Rows run in
// alternating rounds and report medians: QPS, p50/p99, and CPU per call of the client process and
// of client and server together (inline, the client process does the server's work too). On a
// shared machine the CPU columns are the ones to read: two processes get more CPU time from a
// busy scheduler than one, which flatters the socket rows' QPS.
//   npm run build && node bench/rpc/merged.mjs      (HEDDLE_BENCH_QUICK=1 for short rounds)
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drive, processCpuMicros, startProcess } from './processes.mjs';
import { echoThrift } from './peers.mjs';

const { default: heddle } = await import('../../dist/index.js');
const { discovery, rpc, thrift, shm } = heddle;
const quick = process.env.HEDDLE_BENCH_QUICK === '1';
const rounds = quick ? 2 : 5;
const measureMs = quick ? 500 : 1500;
const warmMs = quick ? 200 : 500;

const doc = thrift.parse(readFileSync(echoThrift, 'utf8'), { filename: 'echo.thrift' });
const handlers = { echo: async ({ req }) => ({ action: req.action, msg: req.msg }), ping: async () => 'pong' };
const request = { req: { action: 'echo', msg: 'x'.repeat(1024) } };

// In-process: a merged server registered in an in-memory registry, found by a discovery client.
const registry = discovery.memory();
const inlineServer = rpc.createServer({ idl: doc, service: 'EchoService', handlers, registry, serviceName: 'bench-echo', mergedDeployment: { hostIdentity: 'bench' }, exitWaitMs: 0 });
await inlineServer.listen('tcp://127.0.0.1:0');
const base = join(tmpdir(), `heddle-bench-merged-${process.pid}`);
const servers = [await startProcess(process.execPath, [new URL('./server-process.mjs', import.meta.url).pathname, 'heddle-native', `unix://${base}.sock`])];
if (shm.available) servers.push(await startProcess(process.execPath, [new URL('./server-process.mjs', import.meta.url).pathname, 'heddle-shm', `shm://${base}-shm.sock`]));

const kinds = [
  { label: 'inline (structuredClone)', client: (c) => rpc.createClient({ idl: doc, service: 'EchoService', resolver: registry, destService: 'bench-echo', localFirst: { hostIdentity: 'bench' }, multiplexed: c > 1 }) },
  { label: 'inline (clone: false)', client: (c) => rpc.createClient({ idl: doc, service: 'EchoService', resolver: registry, destService: 'bench-echo', localFirst: { hostIdentity: 'bench', clone: false }, multiplexed: c > 1 }) },
  ...(shm.available ? [{ label: 'shared memory', server: servers[1], client: (c) => rpc.createClient({ idl: doc, service: 'EchoService', address: servers[1].address, multiplexed: c > 1, maxConnections: c > 1 ? 2 : 1 }) }] : []),
  { label: 'Unix socket', server: servers[0], client: (c) => rpc.createClient({ idl: doc, service: 'EchoService', address: servers[0].address, multiplexed: c > 1, maxConnections: c > 1 ? 2 : 1 }) },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = new Map();
for (const concurrency of [1, 64]) {
  const clients = kinds.map((k) => k.client(concurrency));
  for (const client of clients) await client.call('echo', request);
  for (let round = 0; round < rounds; round++) {
    for (const [i, kind] of kinds.entries()) {
      if (round === 0) await drive(() => clients[i].call('echo', request), concurrency, warmMs);
      const cpu0 = process.cpuUsage();
      const server0 = kind.server === undefined ? 0 : processCpuMicros(kind.server.pid);
      const r = await drive(() => clients[i].call('echo', request), concurrency, measureMs);
      const cpu = process.cpuUsage(cpu0);
      const serverCpu = kind.server === undefined ? 0 : processCpuMicros(kind.server.pid) - server0;
      const key = `${kind.label}|${concurrency}`;
      const list = results.get(key) ?? [];
      const calls = r.qps * (measureMs / 1000);
      list.push({ ...r, cpuPerCall: (cpu.user + cpu.system) / calls, totalCpuPerCall: (cpu.user + cpu.system + serverCpu) / calls });
      results.set(key, list);
    }
  }
  await Promise.all(clients.map((c) => c.close()));
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`merged deployment, 1 KiB Thrift echo, ${rounds} alternating rounds of ${measureMs} ms, medians (node ${process.version}, native ${heddle.native.loaded}, shm ${shm.available})`);
console.log('| path | callers | QPS | p50 µs | p99 µs | client CPU µs/call | client+server CPU µs/call | inline QPS / this | this CPU / inline |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const concurrency of [1, 64]) {
  const inline = results.get(`inline (structuredClone)|${concurrency}`);
  const inlineQps = median(inline.map((r) => r.qps));
  const inlineCpu = median(inline.map((r) => r.totalCpuPerCall));
  for (const kind of kinds) {
    const list = results.get(`${kind.label}|${concurrency}`);
    const qps = median(list.map((r) => r.qps));
    const total = median(list.map((r) => r.totalCpuPerCall));
    console.log(
      `| ${kind.label} | ${concurrency} | ${fmt(qps)} | ${(median(list.map((r) => r.p50)) / 1e3).toFixed(1)} | ${(median(list.map((r) => r.p99)) / 1e3).toFixed(1)} | ${median(list.map((r) => r.cpuPerCall)).toFixed(1)} | ${total.toFixed(1)} | ${(inlineQps / qps).toFixed(2)}x | ${(total / inlineCpu).toFixed(2)}x |`,
    );
  }
}
await inlineServer.close({ timeoutMs: 200 });
await Promise.all(servers.map((s) => s.stop()));
// The server processes exit without closing their listeners: their socket files stay behind.
for (const path of [`${base}.sock`, `${base}-shm.sock`]) rmSync(path, { force: true });
