// bench/rpc/grpc-stream-gc.mjs: what a busy unary period does to a heddle gRPC server's streaming
// afterwards. Each server (heddle's HTTP/2 engine, and node:http2) runs in its own process with
// --trace-gc; a grpc-js client streams 1 KiB messages, calls unary echo at 100 callers, then
// streams again. Per phase: messages (or calls) per second, the server's CPU per message from
// /proc (steady on a loaded machine, unlike rates), and how many scavenges and full mark-compacts
// the server ran. A server whose young generation the unary period grew, and which allocates
// outside the V8 heap per message, shows the mark-compacts in the second streaming phase.
//
//   npm run build && node bench/rpc/grpc-stream-gc.mjs        (HEDDLE_BENCH_CLIENT=heddle for the heddle client)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import heddle from '../../dist/index.js';
import { drive } from './processes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'package.json'));
const proto = join(here, 'grpc-echo.proto');
const msg = 'a'.repeat(1024);
const STREAM_MESSAGES = 20000;
const STREAMS_PER_PHASE = 5;
const UNARY_MS = 3000;
const PHASES = ['stream', 'unary', 'stream', 'stream x8'];

/** A server process whose stdout (READY line and --trace-gc lines) this process reads. */
function startServer(kind) {
  const child = spawn(process.execPath, ['--trace-gc', join(here, 'grpc-server-process.mjs'), kind, 'tcp://127.0.0.1:0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const gc = { scavenges: 0, markCompacts: 0 };
  return new Promise((resolve) => {
    let pending = '';
    let ready = false;
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        if (line.includes(': Scavenge')) gc.scavenges++;
        else if (line.includes(': Mark-Compact')) gc.markCompacts++;
        const m = /READY (\S+)/.exec(line);
        if (m && !ready) {
          ready = true;
          resolve({ address: m[1], pid: child.pid, gc, stop: () => new Promise((r) => { child.once('exit', r); child.stdin.end(); }) });
        }
      }
    });
  });
}

function client(address) {
  if (process.env.HEDDLE_BENCH_CLIENT === 'heddle') {
    const root = heddle.protobuf.parse(readFileSync(proto, 'utf8'), { filename: 'echo.proto' });
    const c = heddle.rpc.createClient({ idl: root, service: 'benchgrpc.Echo', address, transport: 'grpc', timeoutMs: 0 });
    return {
      unary: () => c.call('Echo', { action: 'echo', msg }),
      stream: async (count) => {
        let n = 0;
        for await (const reply of c.call('Stream', { msg, count })) n += reply.msg.length > 0 ? 1 : 0;
        return n;
      },
      close: () => c.close(),
    };
  }
  const grpc = require('@grpc/grpc-js');
  const loader = require('@grpc/proto-loader');
  const { benchgrpc } = grpc.loadPackageDefinition(loader.loadSync(proto));
  const c = new benchgrpc.Echo(address.slice('tcp://'.length), grpc.credentials.createInsecure());
  return {
    unary: () => new Promise((resolve, reject) => c.Echo({ action: 'echo', msg }, (e, v) => (e ? reject(e) : resolve(v)))),
    stream: (count) =>
      new Promise((resolve, reject) => {
        let n = 0;
        const call = c.Stream({ msg, count });
        call.on('data', () => n++);
        call.on('error', reject);
        call.on('end', () => resolve(n));
      }),
    close: () => c.close(),
  };
}

const cpuMsOf = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};

async function phase(server, peer, name) {
  const gc0 = { ...server.gc };
  const cpu0 = cpuMsOf(server.pid);
  const start = process.hrtime.bigint();
  let operations;
  if (name === 'unary') {
    const r = await drive(peer.unary, 100, UNARY_MS);
    operations = Math.round((r.qps * UNARY_MS) / 1000);
  } else {
    const streams = name === 'stream x8' ? 8 : 1;
    for (let i = 0; i < STREAMS_PER_PHASE; i++) {
      const counts = await Promise.all(Array.from({ length: streams }, () => peer.stream(STREAM_MESSAGES)));
      if (counts.some((n) => n !== STREAM_MESSAGES)) throw new Error(`a stream delivered ${counts} of ${STREAM_MESSAGES}`);
    }
    operations = STREAMS_PER_PHASE * streams * STREAM_MESSAGES;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // The last trace lines of the phase may still be in the pipe.
  await new Promise((r) => setTimeout(r, 100));
  return { rate: operations / seconds, serverUs: ((cpuMsOf(server.pid) - cpu0) * 1000) / operations, scavenges: server.gc.scavenges - gc0.scavenges, markCompacts: server.gc.markCompacts - gc0.markCompacts };
}

console.log(`gRPC server GC across phases, ${process.env.HEDDLE_BENCH_CLIENT === 'heddle' ? 'heddle' : 'grpc-js'} client, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`  ${'server'.padEnd(20)} ${'phase'.padEnd(10)} ${'rate/s'.padStart(9)} ${'server us/op'.padStart(12)} ${'scavenges'.padStart(9)} ${'mark-compacts'.padStart(13)}`);
for (const kind of ['heddle', 'heddle-node']) {
  const server = await startServer(kind);
  const peer = client(server.address);
  await peer.stream(1000);
  for (const name of PHASES) {
    const r = await phase(server, peer, name);
    console.log(`  ${(kind === 'heddle' ? 'heddle engine' : 'heddle[node:http2]').padEnd(20)} ${name.padEnd(10)} ${Math.round(r.rate).toLocaleString('en-US').padStart(9)} ${r.serverUs.toFixed(2).padStart(12)} ${String(r.scavenges).padStart(9)} ${String(r.markCompacts).padStart(13)}`);
  }
  await peer.close();
  await server.stop();
}
