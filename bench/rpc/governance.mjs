// What retries, circuit breakers and the server call scope cost on the 1 KiB echo: QPS at 100
// callers and the server's CPU time per call, in alternating rounds against two server processes,
// one plain and one with the call scope on (AsyncLocalStorage around every handler, as in a
// process that has a client with `retry`).
//
//   npm run build && node bench/rpc/governance.mjs        (HEDDLE_BENCH_QUICK=1 for short rounds)
//
// Rows: plain client -> plain server (the baseline); plain client -> scoped server (the scope's
// cost on the server); client with retry + circuitBreaker -> plain server (the client side's);
// a resolver + load balancer + circuitBreaker client of the same server.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drive, startProcess } from './processes.mjs';
import { echoThrift } from './peers.mjs';

const { default: heddle } = await import('../../dist/index.js');
const doc = heddle.thrift.parse(readFileSync(echoThrift, 'utf8'), { filename: 'echo.thrift' });

if (process.argv[2] === 'server') {
  if (process.argv[3] === 'scoped') heddle.rpc.enableCallScope();
  const server = heddle.rpc.createServer({
    idl: doc,
    service: 'EchoService',
    // ping answers the server's CPU time so far, so the driver can charge it per call.
    handlers: { echo: async ({ req }) => ({ action: req.action, msg: req.msg }), ping: async () => JSON.stringify(process.cpuUsage()) },
  });
  await server.listen('tcp://127.0.0.1:0');
  process.stdout.write(`READY ${server.address}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
} else {
  const quick = process.env.HEDDLE_BENCH_QUICK === '1';
  const rounds = quick ? 3 : 7;
  const measureMs = quick ? 1000 : 2500;
  const self = fileURLToPath(import.meta.url);
  const plain = await startProcess(process.execPath, [self, 'server', 'plain'], /READY (\S+)/, 'plain server');
  const scoped = await startProcess(process.execPath, [self, 'server', 'scoped'], /READY (\S+)/, 'scoped server');
  const base = { idl: doc, service: 'EchoService', timeoutMs: 10_000 };
  const rows = [
    ['plain client -> plain server', heddle.rpc.createClient({ ...base, address: plain.address })],
    ['plain client -> scoped server', heddle.rpc.createClient({ ...base, address: scoped.address })],
    ['retry + circuitBreaker client -> plain server', heddle.rpc.createClient({ ...base, address: plain.address, retry: {}, circuitBreaker: true })],
    // The comparison: resolver + load balancer + breakers against the fixed address.
    [
      'static resolver + round robin + circuitBreaker -> plain server',
      heddle.rpc.createClient({ ...base, resolver: heddle.discovery.static([plain.address.slice('tcp://'.length)]), destService: 'echo', circuitBreaker: true }),
    ],
  ];
  const request = { req: { action: 'echo', msg: 'x'.repeat(1024) } };
  const results = rows.map(() => ({ qps: [], cpuNsPerCall: [], clientNsPerCall: [] }));
  const cpu = async (client) => {
    const { user, system } = JSON.parse(await client.call('ping'));
    return (user + system) * 1000;
  };
  await Promise.all(rows.map(([, client]) => drive(() => client.call('echo', request), 100, 500)));
  for (let round = 0; round < rounds; round++) {
    // Rotate the order, so no row always runs first after a pause.
    for (let k = 0; k < rows.length; k++) {
      const i = (round + k) % rows.length;
      const client = rows[i][1];
      const before = await cpu(client);
      const mine = process.cpuUsage();
      const calls = { n: 0 };
      const result = await drive(() => client.call('echo', request).then(() => calls.n++), 100, measureMs, 200);
      const spent = process.cpuUsage(mine);
      const after = await cpu(client);
      results[i].clientNsPerCall.push(((spent.user + spent.system) * 1000) / calls.n);
      results[i].qps.push(result.qps);
      results[i].cpuNsPerCall.push((after - before) / calls.n);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const baseQps = median(results[0].qps);
  const baseCpu = median(results[0].cpuNsPerCall);
  const baseClient = median(results[0].clientNsPerCall);
  console.log(`| row | QPS c=100 (median of ${rounds}) | vs baseline | server CPU µs/call | vs baseline | client CPU µs/call | vs baseline |`);
  console.log('|---|---|---|---|---|---|---|');
  rows.forEach(([name], i) => {
    const qps = median(results[i].qps);
    const cpuUs = median(results[i].cpuNsPerCall) / 1000;
    const clientUs = median(results[i].clientNsPerCall) / 1000;
    const pct = (x, base) => `${((x / base - 1) * 100).toFixed(1)} %`;
    console.log(`| ${name} | ${Math.round(qps).toLocaleString('en')} | ${pct(qps, baseQps)} | ${cpuUs.toFixed(1)} | ${pct(cpuUs * 1000, baseCpu)} | ${clientUs.toFixed(1)} | ${pct(clientUs * 1000, baseClient)} |`);
  });
  await Promise.all(rows.map(([, client]) => client.close()));
  await Promise.all([plain.stop(), scoped.stop()]);
}
