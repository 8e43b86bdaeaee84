// What heddle's OpenTelemetry support costs on the 1 KiB TTHeader echo, client and server in
// separate processes, three ways, in alternating rounds (medians reported):
//   disabled  telemetry: false on both sides (the middleware is not in the chain)
//   no-sdk    the default, @opentelemetry/api installed but no SDK registered: the "tracing off"
//             case every user without an SDK gets, which must cost about nothing
//   sdk       an SDK registered on both sides (BatchSpanProcessor to an exporter that drops spans,
//             a MeterProvider without readers): tracing and metrics on
// `npm run build && node bench/rpc/telemetry.mjs` (HEDDLE_BENCH_QUICK=1 for short rounds).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { echoThrift } from './peers.mjs';
import { drive, startProcess } from './processes.mjs';

// HEDDLE_BENCH_MODES=disabled,no-sdk,disabled-again checks the spread between identical pairs.
const MODES = (process.env.HEDDLE_BENCH_MODES ?? 'disabled,no-sdk,sdk').split(',');

async function heddleFor(mode) {
  if (mode === 'sdk') {
    const api = await import('@opentelemetry/api');
    const { TracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace');
    const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    const dropping = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    api.trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: dropping })] }));
    api.metrics.setGlobalMeterProvider(new MeterProvider());
  }
  const { default: heddle } = await import('../../dist/index.js');
  const doc = heddle.thrift.parse(readFileSync(echoThrift, 'utf8'), { filename: 'echo.thrift' });
  return { heddle, doc, telemetry: mode.startsWith('disabled') ? false : undefined };
}

if (process.argv[2] === 'server') {
  const { heddle, doc, telemetry } = await heddleFor(process.argv[3]);
  const server = heddle.rpc.createServer({ idl: doc, service: 'EchoService', telemetry, handlers: { echo: async ({ req }) => req } });
  await server.listen('tcp://127.0.0.1:0');
  process.stdout.write(`READY ${server.address}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
} else if (process.argv[2] === 'client') {
  // One client process per mode, driven by the parent over stdin: "<concurrency> <ms>" -> QPS line.
  const mode = process.argv[3];
  const { heddle, doc, telemetry } = await heddleFor(mode);
  const client = heddle.rpc.createClient({ idl: doc, service: 'EchoService', address: process.argv[4], telemetry });
  const req = { action: 'echo', msg: 'x'.repeat(1024) };
  let buffered = '';
  process.stdin.on('data', async (chunk) => {
    buffered += chunk;
    const newline = buffered.indexOf('\n');
    if (newline < 0) return;
    const [concurrency, ms] = buffered.slice(0, newline).split(' ').map(Number);
    buffered = buffered.slice(newline + 1);
    const result = await drive(() => client.call('echo', { req }), concurrency, ms, 300);
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdout.write('READY client\n');
} else {
  const self = fileURLToPath(import.meta.url);
  const quick = process.env.HEDDLE_BENCH_QUICK === '1';
  const rounds = quick ? 3 : 7;
  const ms = quick ? 1000 : 2000;
  const pairs = {};
  for (const mode of MODES) {
    const server = await startProcess(process.execPath, [self, 'server', mode]);
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [self, 'client', mode, server.address], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const waiters = [];
    child.stdout.on('data', (d) => {
      out += d;
      let m;
      while ((m = /(READY client|RESULT (\{.*\}))\n/.exec(out))) {
        out = out.slice(m.index + m[0].length);
        waiters.shift()?.(m[2] === undefined ? undefined : JSON.parse(m[2]));
      }
    });
    await new Promise((r) => waiters.push(r));
    const run = (concurrency) => new Promise((r) => { waiters.push(r); child.stdin.write(`${concurrency} ${ms}\n`); });
    pairs[mode] = { server, child, run };
  }
  const results = Object.fromEntries(MODES.map((m) => [m, { 1: [], 100: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const concurrency of [1, 100]) {
      for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) results[mode][concurrency].push(await pairs[mode].run(concurrency));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${rounds} alternating rounds of ${ms} ms, medians; node ${process.version}`);
  console.log('| mode | c=1 QPS | c=1 p50 us | c=100 QPS | c=100 p99 ms | c=100 vs disabled |');
  console.log('|---|---|---|---|---|---|');
  const base = median(results.disabled[100].map((r) => r.qps));
  for (const mode of MODES) {
    const one = results[mode][1];
    const hundred = results[mode][100];
    const qps100 = median(hundred.map((r) => r.qps));
    console.log(`| ${mode} | ${median(one.map((r) => r.qps)).toFixed(0)} | ${(median(one.map((r) => r.p50)) / 1000).toFixed(1)} | ${qps100.toFixed(0)} | ${(median(hundred.map((r) => r.p99)) / 1e6).toFixed(2)} | ${((qps100 / base - 1) * 100).toFixed(1)}% |`);
  }
  for (const { server, child } of Object.values(pairs)) {
    child.stdin.end();
    await server.stop();
  }
}
