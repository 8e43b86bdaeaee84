// bench/rpc/discovery.mjs: what discovery and governance cost a client.
//   1. QPS of a 1 KiB Thrift echo at 100 callers from a heddle client with a fixed address,
//      against the same client built with a resolver (discovery.static over the same server), the
//      default load balancer (smooth weighted round robin) and the circuit breakers on (Kitex's
//      defaults, service and instance level). The server runs in its own process; the two clients
//      are measured in alternating rounds and each figure is the median over rounds. The
//      resolver's backend does not matter here: once the list is read, etcd, DNS and a static list
//      cost a call the same.
//   2. Picks per second of each load balancer over 100 instances of mixed weights; consistent hash
//      with a new key every pick (never-repeating user ids) and with one key.
//
//   npm run build && node bench/rpc/discovery.mjs        (HEDDLE_BENCH_QUICK=1 for short rounds)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import heddle from '../../dist/index.js';
import { echoThrift } from './peers.mjs';
import { drive, startProcess } from './processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.env.HEDDLE_BENCH_QUICK === '1';
const roundMs = quick ? 700 : 2000;
const rounds = Number(process.env.HEDDLE_BENCH_ROUNDS) || (quick ? 3 : 7);
const concurrency = 100;
const { rpc, discovery, governance, thrift } = heddle;

const doc = thrift.parse(readFileSync(echoThrift, 'utf8'), { filename: 'echo.thrift' });
const request = { req: { action: 'echo', msg: 'a'.repeat(1024) } };
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function qpsRows() {
  const server = await startProcess(process.execPath, [join(here, 'server-process.mjs'), 'heddle-native', 'tcp://127.0.0.1:0'], /READY (\S+)/, 'heddle server');
  const hostPort = server.address.slice('tcp://'.length);
  const governed = 'resolver + round robin + circuit breakers';
  const clients = {
    'fixed address': rpc.createClient({ idl: doc, service: 'EchoService', address: server.address }),
    [governed]: rpc.createClient({
      idl: doc,
      service: 'EchoService',
      resolver: discovery.static([hostPort]),
      destService: 'echo',
      loadBalancer: 'weighted-round-robin',
      circuitBreaker: true,
    }),
  };
  const results = Object.fromEntries(Object.keys(clients).map((name) => [name, { qps: [], p50: [], p99: [], cpu: [] }]));
  try {
    // A shared warm-up, then alternating rounds.
    for (const client of Object.values(clients)) await drive(() => client.call('echo', request), concurrency, quick ? 300 : 1000);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? Object.keys(clients) : Object.keys(clients).reverse();
      for (const name of order) {
        // This process's CPU time per call: the client's own cost, which other processes' load on
        // these shared cores disturbs far less than QPS.
        let calls = 0;
        const cpu = process.cpuUsage();
        const r = await drive(() => (calls++, clients[name].call('echo', request)), concurrency, roundMs);
        const used = process.cpuUsage(cpu);
        results[name].cpu.push((used.user + used.system) / calls);
        results[name].qps.push(r.qps);
        results[name].p50.push(r.p50 / 1e6);
        results[name].p99.push(r.p99 / 1e6);
      }
    }
  } finally {
    await Promise.all(Object.values(clients).map((c) => c.close()));
    await server.stop();
  }
  const base = median(results['fixed address'].qps);
  console.log(`\n1 KiB Thrift echo, TTHeader, c=${concurrency}, ${rounds} alternating rounds of ${roundMs} ms (medians)`);
  const baseCpu = median(results['fixed address'].cpu);
  console.log('| client | QPS | p50 ms | p99 ms | QPS vs fixed address | client CPU µs/call | CPU vs fixed address |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [name, r] of Object.entries(results)) {
    const qps = median(r.qps);
    const cpu = median(r.cpu);
    console.log(`| ${name} | ${Math.round(qps).toLocaleString('en-US')} | ${median(r.p50).toFixed(2)} | ${median(r.p99).toFixed(2)} | ${((qps / base - 1) * 100).toFixed(1)}% | ${cpu.toFixed(1)} | ${((cpu / baseCpu - 1) * 100).toFixed(1)}% |`);
  }
  const perRound = results[governed].qps.map((q, i) => ((q / results['fixed address'].qps[i] - 1) * 100).toFixed(1));
  console.log(`per-round difference (%), same round: ${perRound.join(', ')}; median ${median(perRound.map(Number)).toFixed(1)}%`);
}

function pickRows() {
  // 100 instances, weights 1..30 (fixed by index so every run sees the same list).
  const instances = Array.from({ length: 100 }, (_, i) => ({ network: 'tcp', address: `10.0.${i >> 8}.${i & 255}:8888`, weight: 1 + ((i * 7) % 30), tags: null }));
  const keys = Array.from({ length: 1 << 16 }, (_, i) => `user-${(i * 2654435761) >>> 0}`);
  const cases = [
    ['weighted-round-robin', (p) => p.pick()],
    ['weighted-random', (p) => p.pick()],
    ['consistent-hash, a new key each pick', (p, i) => p.pick(keys[i & 0xffff] + i)],
    ['consistent-hash, one key', (p) => p.pick('user-42')],
  ];
  console.log('\nLoad balancer picks over 100 instances (median of 5 runs of 300 ms)');
  console.log('| balancer | picks/s | ns/pick |');
  console.log('|---|---:|---:|');
  for (const [label, pick] of cases) {
    const picker = governance.createPicker(label.split(',')[0], instances);
    const rates = [];
    for (let run = 0; run < 5; run++) {
      let n = 0;
      let sink = 0;
      const start = process.hrtime.bigint();
      const end = start + 300_000_000n;
      let now = start;
      while (now < end) {
        for (let i = 0; i < 1000; i++) sink += pick(picker, n + i).weight;
        n += 1000;
        now = process.hrtime.bigint();
      }
      if (sink === 0) throw new Error('no pick');
      rates.push((n * 1e9) / Number(now - start));
    }
    const rate = median(rates);
    console.log(`| ${label} | ${Math.round(rate).toLocaleString('en-US')} | ${(1e9 / rate).toFixed(0)} |`);
  }
}

pickRows();
await qpsRows();
