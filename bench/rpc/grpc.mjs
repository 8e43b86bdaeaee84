// bench/rpc/grpc.mjs: heddle's gRPC against @grpc/grpc-js, each client calling its own kind of
// server in another process (heddle -> heddle, grpc-js -> grpc-js), over TCP; the heddle client
// runs on its own HTTP/2 engine (the default) and, as its own row, on node:http2 (http2: 'node'),
// and so does the heddle server (grpc.http2: 'node', the rows naming 'heddle[node:http2]' as server):
//   - unary 1 KiB echo at 1 and 100 concurrent callers: QPS, p50, p99;
//   - server streaming of 1 KiB messages (one stream, and 8 at once): messages/s, and the CPU
//     microseconds per message of the server process and of the client over all rounds (steadier
//     than messages/s on a shared machine);
//   - for reference, a grpc-go server driven by the heddle client (when Go is installed).
// The shared 2-core machines drift in speed, so heddle and grpc-js are measured in alternating
// rounds and each figure is the median over rounds; the ratio is heddle's over grpc-js's.
//
//   npm run build && node bench/rpc/grpc.mjs            (HEDDLE_BENCH_QUICK=1 for short rounds; --core for heddle -> heddle and grpc-js -> grpc-js only)
//   node bench/rpc/grpc.mjs --cross                      also heddle -> grpc-js
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import heddle from '../../dist/index.js';
import { drive as driveCallers, startProcess } from './processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'package.json'));
const proto = join(here, 'grpc-echo.proto');
const quick = process.env.HEDDLE_BENCH_QUICK === '1';
const roundMs = quick ? 700 : 2000;
const rounds = quick ? 3 : 5;
const warmupMs = quick ? 300 : 1000;
const streamMessages = quick ? 5000 : 20000;
const msg = 'a'.repeat(1024);
const LABEL = 30;
const request = { action: 'echo', msg };

function startServer(kind) {
  return startProcess(process.execPath, [join(here, 'grpc-server-process.mjs'), kind, 'tcp://127.0.0.1:0'], /READY (\S+)/, `${kind} server`);
}

/** The grpc-go peer's echo (test/interop/grpc-go-echo): the same 1 KiB msg, its Unary method. */
const goEcho = { proto: join(here, '..', '..', 'test', 'interop', 'grpc-go-echo', 'echo.proto'), service: 'grpcecho.v1.Echo', method: 'Unary', request: { msg } };

function heddleClient(address, engine = 'heddle', target = { proto, service: 'benchgrpc.Echo', method: 'Echo', request }) {
  const root = heddle.protobuf.parse(readFileSync(target.proto, 'utf8'), { filename: 'echo.proto' });
  const client = heddle.rpc.createClient({ idl: root, service: target.service, address, transport: 'grpc', timeoutMs: 0, http2: engine });
  return {
    unary: () => client.call(target.method, target.request),
    stream: async (count) => {
      let n = 0;
      for await (const reply of client.call('Stream', { msg, count })) n += reply.msg.length > 0 ? 1 : 0;
      return n;
    },
    close: () => client.close(),
  };
}

function grpcJsClient(address) {
  const grpc = require('@grpc/grpc-js');
  const loader = require('@grpc/proto-loader');
  const { benchgrpc } = grpc.loadPackageDefinition(loader.loadSync(proto));
  const client = new benchgrpc.Echo(address.slice('tcp://'.length), grpc.credentials.createInsecure());
  return {
    unary: () => new Promise((resolve, reject) => client.Echo(request, (e, v) => (e ? reject(e) : resolve(v)))),
    stream: (count) =>
      new Promise((resolve, reject) => {
        let n = 0;
        const call = client.Stream({ msg, count });
        call.on('data', (reply) => (n += reply.msg.length > 0 ? 1 : 0));
        call.on('error', reject);
        call.on('end', () => resolve(n));
      }),
    close: () => client.close(),
  };
}

/** Runs `concurrency` callers of `call` for `ms`; QPS and latency percentiles in ms. */
async function drive(call, concurrency, ms) {
  const r = await driveCallers(call, concurrency, ms);
  return { qps: r.qps, p50: r.p50 / 1e6, p99: r.p99 / 1e6 };
}

/** CPU milliseconds (user + system) process `pid` has used, from /proc; undefined off Linux. On a
 * shared machine throughput swings with the neighbours' load, CPU per message much less. */
function cpuMsOf(pid) {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Messages/s of `streams` concurrent streams, and the CPU milliseconds the server process
 * (`serverPid`) and this client process spent on them. */
async function streamRate(client, streams, serverPid) {
  const serverCpu = cpuMsOf(serverPid);
  const clientCpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const counts = await Promise.all(Array.from({ length: streams }, () => client.stream(streamMessages)));
  const elapsed = Number(process.hrtime.bigint() - start);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== streams * streamMessages) throw new Error(`stream delivered ${total} of ${streams * streamMessages} messages`);
  const clientUsed = process.cpuUsage(clientCpu);
  return { rate: (total * 1e9) / elapsed, messages: total, serverMs: serverCpu === undefined ? NaN : cpuMsOf(serverPid) - serverCpu, clientMs: (clientUsed.user + clientUsed.system) / 1000 };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Measures every pair in alternating rounds; returns per pair the median figures. */
async function measurePairs(pairs, measureOne) {
  const results = pairs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < pairs.length; k++) {
      const index = (round + k) % pairs.length;
      results[index].push(await measureOne(pairs[index].client, pairs[index].serverPid));
    }
  }
  return results;
}

function pad(text, width, right = false) {
  return right ? String(text).padEnd(width) : String(text).padStart(width);
}

async function main() {
  const cross = process.argv.includes('--cross');
  const servers = { heddle: await startServer('heddle'), 'grpc-js': await startServer('grpc-js'), 'heddle-node': await startServer('heddle-node') };
  const pairs = [
    { label: 'heddle -> heddle', client: heddleClient(servers.heddle.address), serverPid: servers.heddle.pid },
    { label: 'grpc-js -> grpc-js', client: grpcJsClient(servers['grpc-js'].address), serverPid: servers['grpc-js'].pid },
    { label: 'heddle[node:http2] -> heddle', client: heddleClient(servers.heddle.address, 'node'), serverPid: servers.heddle.pid },
    { label: 'heddle -> heddle[node:http2]', client: heddleClient(servers['heddle-node'].address), serverPid: servers['heddle-node'].pid },
    { label: 'grpc-js -> heddle', client: grpcJsClient(servers.heddle.address), serverPid: servers.heddle.pid },
    { label: 'grpc-js -> heddle[node:http2]', client: grpcJsClient(servers['heddle-node'].address), serverPid: servers['heddle-node'].pid },
  ];
  // --core: only the pairs issue 16's targets compare (heddle -> heddle against grpc-js -> grpc-js),
  // a third of the run on a loaded machine.
  const core = process.argv.includes('--core');
  if (core) pairs.splice(2);
  if (cross) {
    pairs.push({ label: 'heddle -> grpc-js', client: heddleClient(servers['grpc-js'].address), serverPid: servers['grpc-js'].pid });
  }
  let goServer;
  try {
    const { buildGoProgram, goUnavailableReason } = await import('../../scripts/go-programs.mjs');
    if (!core && goUnavailableReason() === undefined) {
      goServer = await startGoServer(buildGoProgram('grpc-go-echo'));
    }
  } catch (error) {
    process.stderr.write(`grpc-go reference row skipped: ${error.message}\n`);
  }
  // Both peers get the same warm-up: the JIT settles before the first measured round.
  for (const pair of pairs) {
    await pair.client.unary();
    await drive(pair.client.unary, 100, warmupMs);
    await drive(pair.client.unary, 1, warmupMs / 2);
    await pair.client.stream(streamMessages);
  }
  console.log(`gRPC 1 KiB echo, client and server in separate processes, TCP, ${rounds} alternating rounds of ${roundMs} ms (median; node ${process.version}, native ${heddle.native.loaded}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  console.log(`  ${pad('pair', LABEL, true)} ${pad('callers', 7)} ${pad('QPS', 9)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} ${pad('QPS ratio', 10)}`);
  const summary = {};
  for (const concurrency of [1, 100]) {
    const results = await measurePairs(pairs, (client) => drive(client.unary, concurrency, roundMs));
    const base = median(results[1].map((r) => r.qps));
    results.forEach((rs, i) => {
      const qps = median(rs.map((r) => r.qps));
      const row = { qps, p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)) };
      summary[`${pairs[i].label} c=${concurrency}`] = row;
      console.log(`  ${pad(pairs[i].label, LABEL, true)} ${pad(concurrency, 7)} ${pad(Math.round(qps).toLocaleString('en-US'), 9)} ${pad(row.p50.toFixed(2), 8)} ${pad(row.p99.toFixed(2), 8)} ${pad(`${(qps / base).toFixed(2)}x`, 10)}`);
    });
  }
  if (goServer !== undefined) {
    for (const engine of ['heddle', 'node']) {
      const client = heddleClient(goServer.address, engine, goEcho);
      await drive(client.unary, 100, warmupMs);
      const label = engine === 'heddle' ? 'heddle -> grpc-go' : 'heddle[node:http2] -> grpc-go';
      for (const concurrency of [1, 100]) {
        const r = await drive(client.unary, concurrency, roundMs);
        console.log(`  ${pad(label, LABEL, true)} ${pad(concurrency, 7)} ${pad(Math.round(r.qps).toLocaleString('en-US'), 9)} ${pad(r.p50.toFixed(2), 8)} ${pad(r.p99.toFixed(2), 8)} ${pad('(reference)', 10)}`);
      }
      await client.close();
    }
  }
  console.log(`server streaming, ${streamMessages} messages of 1 KiB per stream:`);
  console.log(`  ${pad('pair', LABEL, true)} ${pad('streams', 7)} ${pad('msgs/s', 9)} ${pad('ratio', 10)} ${pad('server us/msg', 13)} ${pad('client us/msg', 13)}`);
  for (const streams of [1, 8]) {
    const results = await measurePairs(pairs, (client, serverPid) => streamRate(client, streams, serverPid));
    const base = median(results[1].map((r) => r.rate));
    results.forEach((rs, i) => {
      const rate = median(rs.map((r) => r.rate));
      // CPU over all rounds: /proc counts in 10 ms ticks, too coarse for one round.
      const messages = rs.reduce((sum, r) => sum + r.messages, 0);
      const serverUs = (rs.reduce((sum, r) => sum + r.serverMs, 0) * 1000) / messages;
      const clientUs = (rs.reduce((sum, r) => sum + r.clientMs, 0) * 1000) / messages;
      summary[`${pairs[i].label} stream x${streams}`] = { msgsPerSec: rate, serverUs, clientUs };
      console.log(`  ${pad(pairs[i].label, LABEL, true)} ${pad(streams, 7)} ${pad(Math.round(rate).toLocaleString('en-US'), 9)} ${pad(`${(rate / base).toFixed(2)}x`, 10)} ${pad(serverUs.toFixed(2), 13)} ${pad(clientUs.toFixed(2), 13)}`);
    });
  }
  for (const pair of pairs) await pair.client.close();
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  await goServer?.stop();
  return summary;
}

function startGoServer(binary) {
  return startProcess(binary, ['server'], /LISTENING (\S+)/, 'grpc-go server').then((s) => ({ ...s, address: `tcp://${s.address}` }));
}

await main();
