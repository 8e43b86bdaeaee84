// bench/rpc/discovery-instructions.mjs: what discovery and governance cost a call, in CPU
// instructions counted by valgrind (cachegrind), which other processes' load on shared cores does
// not move the way it moves QPS and CPU time.
//
// The same 1 KiB Thrift echo as discovery.mjs, at 1 caller (each call alone: the count barely
// moves from run to run) and at 100 (replies batch by timing, so counts scatter a few per cent), from a client with a fixed address
// and from one with a resolver, the default load balancer and the circuit breakers on. Each client
// runs in its own process under valgrind twice, for two numbers of calls; the difference of the
// two counts over the difference of calls is the cost of a call, with start-up (module loading,
// connecting, JIT warm-up) taken out. V8 runs single-threaded so background compilation and GC
// threads do not add their own noise.
//
//   npm run build && node bench/rpc/discovery-instructions.mjs     (needs valgrind; ~10 minutes)
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { echoThrift } from './peers.mjs';
import { startProcess } from './processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const self = fileURLToPath(import.meta.url);
const clientKinds = { 'fixed address': 'fixed', 'resolver + round robin + circuit breakers': 'governed' };
const callCounts = [Number(process.env.HEDDLE_BENCH_CALLS_LOW) || 10_000, Number(process.env.HEDDLE_BENCH_CALLS_HIGH) || 50_000];

if (process.argv[2] === '--client') {
  // One client, `calls` calls at `callers` callers, then exit. Timeouts are long: valgrind runs
  // the client some 50 times slower than native.
  const [, , , kind, address, calls, callers] = process.argv;
  const { default: heddle } = await import('../../dist/index.js');
  const { rpc, discovery, thrift } = heddle;
  const doc = thrift.parse(readFileSync(echoThrift, 'utf8'), { filename: 'echo.thrift' });
  const base = { idl: doc, service: 'EchoService', timeoutMs: 600_000, connectTimeoutMs: 600_000 };
  const client =
    kind === 'fixed'
      ? rpc.createClient({ ...base, address })
      : rpc.createClient({ ...base, resolver: discovery.static([address.slice('tcp://'.length)]), destService: 'echo', loadBalancer: 'weighted-round-robin', circuitBreaker: true });
  const request = { req: { action: 'echo', msg: 'a'.repeat(1024) } };
  let left = Number(calls);
  await Promise.all(Array.from({ length: Number(callers) }, async () => {
    while (left-- > 0) await client.call('echo', request);
  }));
  await client.close();
  process.exit(0);
}

try {
  execFileSync('valgrind', ['--version']);
} catch {
  console.error('discovery-instructions.mjs needs valgrind (apt install valgrind)');
  process.exit(1);
}

function instructions(kind, address, calls, callers) {
  const run = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', self, '--client', kind, address, String(calls), String(callers)], { encoding: 'utf8' });
  const refs = /I\s+refs:\s+([\d,]+)/.exec(run.stderr);
  if (run.status !== 0 || refs === null) throw new Error(`the ${kind} client under valgrind failed (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
  return Number(refs[1].replaceAll(',', ''));
}

const server = await startProcess(process.execPath, [join(here, 'server-process.mjs'), 'heddle-native', 'tcp://127.0.0.1:0'], /READY (\S+)/, 'heddle server');
const rows = [];
try {
  for (const callers of [1, 100]) {
    const perCall = {};
    for (const [label, kind] of Object.entries(clientKinds)) {
      const [low, high] = callCounts.map((calls) => instructions(kind, server.address, calls, callers));
      perCall[label] = (high - low) / (callCounts[1] - callCounts[0]);
    }
    rows.push([callers, perCall]);
  }
} finally {
  await server.stop();
}
console.log(`\n1 KiB Thrift echo, TTHeader, native I/O: client instructions per call (valgrind, ${callCounts[1]} - ${callCounts[0]} calls)`);
console.log('| callers | client | instructions/call | vs fixed address |');
console.log('|---:|---|---:|---:|');
for (const [callers, perCall] of rows) {
  const base = perCall['fixed address'];
  for (const [label, count] of Object.entries(perCall)) console.log(`| ${callers} | ${label} | ${Math.round(count).toLocaleString('en-US')} | ${((count / base - 1) * 100).toFixed(1)}% |`);
}
