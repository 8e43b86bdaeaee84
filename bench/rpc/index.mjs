// bench/rpc: kitex-benchmark's echo (Request{action, msg} with a 1 KiB msg), client in this
// process, server in another, at concurrency 1 and 100, over TCP and a Unix socket. heddle (native
// and net I/O) against the `thrift` package (Framed, Binary), @grpc/grpc-js unary, and a Go Kitex
// server driven by the same heddle client. The same echo as a Protobuf service over Kitex Protobuf
// (heddle client and server, on TTHeader as Kitex sends it: TTHeaderFramed) sits beside heddle's
// Thrift row, and a Go Kitex Protobuf server driven by the heddle client for reference. QPS and
// p50/p99 latency per row; the ratio column is heddle's (Thrift) QPS over the row's. Over the Unix
// socket, RPC echo over shmipc shared memory is shown beside it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import heddle from '../../dist/index.js';
import { buildGoProgram, goUnavailableReason } from '../../scripts/go-programs.mjs';
import { echoProto, echoThrift, grpcClient, thriftClient } from './peers.mjs';
import { drive as driveCallers, processCpuMicros, startProcess } from './processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.env.HEDDLE_BENCH_QUICK === '1';
// HEDDLE_BENCH_RPC=protobuf-vs-thrift runs only the Kitex Protobuf against Thrift rounds.
const onlyProtobufAgainstThrift = process.env.HEDDLE_BENCH_RPC === 'protobuf-vs-thrift';
const durationMs = quick ? 1000 : 3000;
const warmupMs = quick ? 300 : 1000;
const msg = 'a'.repeat(1024);
// The busy-poll row at concurrency 1: client and server each keep polling this long after a write.
const busyPollMicros = 200;
const request = { action: 'echo', msg };

function startServer(kind, address, busyPollMicros = 0) {
  return startProcess(process.execPath, [join(here, 'server-process.mjs'), kind, address, String(busyPollMicros)], /READY (\S+)/, `${kind} server`);
}

/** Runs `concurrency` callers of `call` for the duration; returns QPS and latency percentiles. */
function drive(call, concurrency, measureMs = durationMs, warmMs = warmupMs) {
  return driveCallers(call, concurrency, measureMs, warmMs);
}

const echoDoc = heddle.thrift.parse(readFileSync(echoThrift, 'utf8'), { filename: 'echo.thrift' });

function heddleClient(address, options) {
  const client = heddle.rpc.createClient({ idl: echoDoc, service: 'EchoService', address, timeoutMs: 10_000, ...options });
  return { ready: client.call('ping'), call: (req) => client.call('echo', { req }), close: () => client.close() };
}

const echoRoot = heddle.protobuf.parse(readFileSync(echoProto, 'utf8'), { filename: 'echo.proto' });

/** The heddle client of the Protobuf echo, over Kitex Protobuf. */
function heddleProtobufClient(address, options) {
  const client = heddle.rpc.createClient({ idl: echoRoot, service: 'echo.EchoService', address, timeoutMs: 10_000, ...options });
  return { ready: client.call('Echo', request), call: (req) => client.call('Echo', req), close: () => client.close() };
}

export async function run(bench) {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-bench-rpc-'));
  const servers = [];
  try {
    const goAvailable = goUnavailableReason() === undefined;
    const kitexBinary = goAvailable ? buildGoProgram('kitex-echo', { kitexIdl: 'echo.thrift' }) : undefined;
    const kitexProtobufBinary = goAvailable ? buildGoProgram('kitex-protobuf-echo', { kitexIdl: 'echo.proto' }) : undefined;
    for (const network of ['tcp', 'unix']) {
      const addressFor = (name) => (network === 'tcp' ? 'tcp://127.0.0.1:0' : `unix://${join(dir, `${name}.sock`)}`);
      const started = {};
      const kinds = [...(heddle.native.loaded ? ['heddle-native', 'heddle-net'] : ['heddle-net']), 'heddle-kitex-protobuf', 'thrift-framed', 'grpc'];
      for (const kind of kinds) {
        started[kind] = await startServer(kind, addressFor(kind));
        servers.push(started[kind]);
      }
      const heddleKind = heddle.native.loaded ? 'heddle-native' : 'heddle-net';
      started['heddle-busy-poll'] = await startServer(heddleKind, addressFor('heddle-busy-poll'), busyPollMicros);
      servers.push(started['heddle-busy-poll']);
      if (network === 'unix' && heddle.shm.available) {
        started['heddle-shm'] = await startServer('heddle-shm', `shm://${join(dir, 'shm-control.sock')}`);
        servers.push(started['heddle-shm']);
      }
      let kitex;
      let kitexProtobuf;
      if (network === 'tcp' && kitexBinary !== undefined) {
        kitex = await startKitexServer(kitexBinary);
        kitexProtobuf = await startKitexServer(kitexProtobufBinary);
        servers.push(kitex, kitexProtobuf);
      }
      for (const concurrency of onlyProtobufAgainstThrift ? [] : [1, 100]) {
        const title = `echo 1KiB ${network} c=${concurrency}`;
        const cases = [];
        const io = heddle.native.loaded ? 'native' : 'net';
        const heddleOptions = concurrency === 1 ? {} : { multiplexed: true, maxConnections: 4 };
        cases.push(['heddle', () => heddleClient(started[heddleKind].address, { io, ...heddleOptions })]);
        cases.push(['heddle Kitex Protobuf', () => heddleProtobufClient(started['heddle-kitex-protobuf'].address, { io, ...heddleOptions })]);
        if (concurrency === 1) {
          cases.push([`heddle, busy-poll ${busyPollMicros} µs`, () => heddleClient(started['heddle-busy-poll'].address, { io, busyPollMicros })]);
        }
        if (heddle.native.loaded) cases.push(['heddle (net I/O)', () => heddleClient(started['heddle-net'].address, { io: 'net', ...heddleOptions })]);
        cases.push(['thrift npm (framed)', () => thriftClient(started['thrift-framed'].address)]);
        cases.push(['grpc-js', () => grpcClient(started.grpc.address)]);
        if (kitex !== undefined) cases.push(['Kitex server, heddle client', () => heddleClient(kitex.address, { io, ...heddleOptions })]);
        if (kitexProtobuf !== undefined) {
          cases.push(['Kitex Protobuf server, heddle client', () => heddleProtobufClient(kitexProtobuf.address, { io, ...heddleOptions })]);
        }
        if (started['heddle-shm'] !== undefined) cases.push(['heddle over shm (shmipc)', () => heddleClient(started['heddle-shm'].address, heddleOptions)]);
        let subjectQps;
        for (const [name, make] of cases) {
          const client = make();
          await client.ready;
          const result = await drive(() => client.call(request), concurrency);
          await client.close();
          subjectQps ??= result.qps;
          bench.record({
            title,
            name,
            baseline: 'heddle',
            medianNs: result.p50,
            p99Ns: result.p99,
            opsPerSec: result.qps,
            ratio: subjectQps / result.qps,
          });
          process.stderr.write(`  ${title} ${name}: ${Math.round(result.qps)} qps, p50 ${(result.p50 / 1e3).toFixed(0)} µs, p99 ${(result.p99 / 1e3).toFixed(0)} µs\n`);
        }
      }
      for (const concurrency of [1, 100]) await protobufAgainstThrift(bench, network, concurrency, started[heddleKind], started['heddle-kitex-protobuf']);
      for (const s of servers.splice(0)) await s.stop();
    }
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * heddle's Kitex Protobuf echo against its Thrift echo on the same network, in alternating rounds
 * (each round runs both, in turn first), so load from other processes falls on both alike. Records
 * the median QPS of each and, in the ratio column, Thrift QPS over Protobuf QPS. Also prints the
 * CPU time per call of client and server together (this process's, plus the server process's from
 * /proc), which other processes' load moves far less than QPS.
 */
async function protobufAgainstThrift(bench, network, concurrency, thriftServer, protobufServer) {
  const rounds = quick ? 5 : 9;
  const options = { io: heddle.native.loaded ? 'native' : 'net', ...(concurrency === 1 ? {} : { multiplexed: true, maxConnections: 4 }) };
  const clients = [heddleClient(thriftServer.address, options), heddleProtobufClient(protobufServer.address, options)];
  const serverPids = [thriftServer.pid, protobufServer.pid];
  await Promise.all(clients.map((c) => c.ready));
  const runs = [[], []];
  const cpuPerCall = [[], []];
  for (let round = 0; round < rounds; round++) {
    for (const which of round % 2 === 0 ? [0, 1] : [1, 0]) {
      let calls = 0;
      const client0 = process.cpuUsage();
      const server0 = processCpuMicros(serverPids[which]);
      runs[which].push(await drive(() => { calls++; return clients[which].call(request); }, concurrency, durationMs / 3, warmupMs / 3));
      const client = process.cpuUsage(client0);
      cpuPerCall[which].push((client.user + client.system + processCpuMicros(serverPids[which]) - server0) / calls);
    }
  }
  await Promise.all(clients.map((c) => c.close()));
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const medianOf = (results, key) => median(results.map((r) => r[key]));
  const title = `echo 1KiB ${network} c=${concurrency}, Kitex Protobuf vs Thrift, ${rounds} alternating rounds`;
  const thriftQps = medianOf(runs[0], 'qps');
  for (const [which, name] of [[0, 'heddle Thrift (TTHeader)'], [1, 'heddle Kitex Protobuf (TTHeaderFramed)']]) {
    const qps = medianOf(runs[which], 'qps');
    bench.record({ title, name, baseline: 'heddle Thrift (TTHeader)', medianNs: medianOf(runs[which], 'p50'), p99Ns: medianOf(runs[which], 'p99'), opsPerSec: qps, ratio: thriftQps / qps });
    process.stderr.write(`  ${title} ${name}: median ${Math.round(qps)} qps (rounds: ${runs[which].map((r) => Math.round(r.qps)).join(' ')}), client+server CPU ${median(cpuPerCall[which]).toFixed(1)} µs/call (rounds: ${cpuPerCall[which].map((c) => c.toFixed(1)).join(' ')})\n`);
  }
}

function startKitexServer(binary) {
  const child = spawn(binary, ['server'], { stdio: ['pipe', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`kitex server exited with ${code}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /LISTENING (\S+)/.exec(out);
      if (m) {
        child.removeAllListeners('exit');
        resolve({ address: `tcp://${m[1]}`, stop: () => new Promise((r) => { child.once('exit', r); child.stdin.end('\n'); }) });
      }
    });
  });
}
