// bench/rpc/tail.mjs: where a client's latency tail comes from. Drives one client (heddle's
// default one, or the `thrift` package's) at N callers against a heddle server in its own process
// and prints QPS and latency percentiles beside the collector's pauses in the client process over
// the same window: how many of each kind and how long, how many of the calls past p99 overlapped
// one, and a latency histogram. Run it under `node --trace-gc-nvp` to read `new_space_survived`
// and `pause` per scavenge (the 2026-12-08 finding: 3.3 MB survived each scavenge while calls were
// kept in a Map; bench/rpc/README.md), and with HEDDLE_BENCH_SURVIVORS=1 to print the allocation
// sites of objects that survived a scavenge (the inspector's sampling heap profiler, objects a
// scavenge collected left out; a heap snapshot cannot show these, as it collects first).
//
//   npm run build && node bench/rpc/tail.mjs [heddle|thrift] ['{"multiplexed":false}']
//   HEDDLE_BENCH_CALLERS=300 HEDDLE_BENCH_MEASURE_MS=3000 node --trace-gc-nvp bench/rpc/tail.mjs
//   HEDDLE_BENCH_DIST=/path/to/other/checkout/dist node bench/rpc/tail.mjs   (another build's client)
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { echoThrift, thriftClient } from './peers.mjs';
import { startProcess } from './processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.HEDDLE_BENCH_DIST ?? join(here, '..', '..', 'dist');
const { default: heddle } = await import(join(dist, 'index.js'));
const which = process.argv[2] ?? 'heddle';
const options = JSON.parse(process.argv[3] ?? '{}');
const callers = Number(process.env.HEDDLE_BENCH_CALLERS ?? 100);
const measureMs = Number(process.env.HEDDLE_BENCH_MEASURE_MS ?? 3000);
const survivors = process.env.HEDDLE_BENCH_SURVIVORS === '1';
const GC_KINDS = { 1: 'scavenge', 2: 'minor mark-sweep', 4: 'mark-compact', 8: 'incremental marking', 16: 'weak callbacks' };

const server = await startProcess(process.execPath, [join(here, 'server-process.mjs'), 'heddle-native', 'tcp://127.0.0.1:0'], /READY (\S+)/, 'heddle-native');
let call;
let close;
if (which === 'heddle') {
  const doc = heddle.thrift.parse(readFileSync(echoThrift, 'utf8'), { filename: 'echo.thrift' });
  const client = heddle.rpc.createClient({ idl: doc, service: 'EchoService', address: server.address, ...options });
  await client.call('ping');
  call = (req) => client.call('echo', { req });
  close = () => client.close();
} else {
  const client = thriftClient(server.address);
  await client.ready;
  call = client.call;
  close = client.close;
}
const request = { action: 'echo', msg: 'a'.repeat(1024) };

const pauses = [];
const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
observer.observe({ entryTypes: ['gc'] });
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
// Latencies and end times in preallocated arrays: pushing into a growing array of objects would
// add survivors of its own.
const durations = new Float64Array(4_000_000);
const ends = new Float64Array(4_000_000);
let count = 0;
let stop = false;
let measuring = false;
const worker = async () => {
  while (!stop) {
    const t0 = performance.now();
    await call(request);
    const t1 = performance.now();
    if (measuring && count < durations.length) {
      durations[count] = t1 - t0;
      ends[count++] = t1;
    }
  }
};
const workers = Array.from({ length: callers }, worker);
await new Promise((resolve) => setTimeout(resolve, 1000));
let session;
if (survivors) {
  session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
}
measuring = true;
loopDelay.enable();
const start = performance.now();
await new Promise((resolve) => setTimeout(resolve, measureMs));
measuring = false;
loopDelay.disable();
const end = performance.now();
let profile;
if (session !== undefined) profile = (await session.post('HeapProfiler.stopSampling')).profile;
stop = true;
await Promise.all(workers);
observer.disconnect();
await close();
await server.stop();

const sorted = Array.from(durations.subarray(0, count)).sort((a, b) => a - b);
const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
console.log(`${which} ${JSON.stringify(options)}, ${callers} callers, ${measureMs} ms: ${Math.round(count / ((end - start) / 1000)).toLocaleString('en')} calls/s; ` +
  `latency ms p50 ${at(0.5).toFixed(2)} p90 ${at(0.9).toFixed(2)} p99 ${at(0.99).toFixed(2)} max ${sorted.at(-1).toFixed(2)}`);
const inWindow = pauses.filter((p) => p.startTime >= start && p.startTime < end);
for (const [kind, name] of Object.entries(GC_KINDS)) {
  const ofKind = inWindow.filter((p) => p.detail?.kind === Number(kind));
  if (ofKind.length === 0) continue;
  const total = ofKind.reduce((sum, p) => sum + p.duration, 0);
  console.log(`  ${name}: ${ofKind.length}, ${total.toFixed(0)} ms (${((total / (end - start)) * 100).toFixed(1)}% of the window), longest ${Math.max(...ofKind.map((p) => p.duration)).toFixed(1)} ms`);
}
console.log(`  event loop delay ms: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(2)}, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(2)}, max ${(loopDelay.max / 1e6).toFixed(2)}`);
const p99 = at(0.99);
let slow = 0;
let overlapping = 0;
for (let i = 0; i < count; i++) {
  if (durations[i] < p99) continue;
  slow++;
  const from = ends[i] - durations[i];
  if (inWindow.some((p) => p.startTime < ends[i] && p.startTime + p.duration > from)) overlapping++;
}
console.log(`  calls at or past p99: ${slow}, overlapping a collector pause: ${overlapping}`);
const bounds = [0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 16, Infinity];
const histogram = bounds.map(() => 0);
for (const d of sorted) histogram[bounds.findIndex((b) => d <= b)]++;
console.log(`  histogram (ms): ${bounds.map((b, i) => `<=${b}: ${histogram[i]}`).join(', ')}`);
if (profile !== undefined) {
  // Bytes sampled per allocation site (the innermost four frames), largest first.
  const bySite = new Map();
  const walk = (node, stack) => {
    const frame = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber}`;
    const frames = [...stack, frame];
    if (node.selfSize > 0) {
      const site = frames.slice(-4).reverse().join(' < ');
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, frames);
  };
  walk(profile.head, []);
  const total = [...bySite.values()].reduce((a, b) => a + b, 0);
  console.log('  allocation sites of objects that survived a scavenge (sampled):');
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${((bytes / total) * 100).toFixed(1)}%  ${site}`);
}
