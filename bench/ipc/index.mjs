// IPC between two processes, in one run: (1) ping-pong of raw bytes, heddle shm (shmipc v3,
// memfds) against Node `net` over a Unix socket and over TCP, at 64 B, 1 KiB, 4 KiB, 64 KiB, 1 MiB
// and 4 MiB, with 1, 4 and 64 callers (each caller its own stream or connection); the echo process
// (echo-peer.mjs) sends every byte back; one round trip = the payload there and back, each side
// producing it once (shm: one copy into slices; net: the kernel's copies). (2) RPC echo over the
// same sweep (rpc-echo.mjs): heddle client and server at shm://, unix:// and tcp:// addresses.
// Measurements interleave the transports so drift on a shared machine hits all alike.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import heddle from '../../dist/index.js';
import { writeWhenAccepted } from './echo-peer-write.mjs';
import { CALLERS, loadLine, run as runRpcEcho, table as rpcEchoTable } from './rpc-echo.mjs';

const quick = process.env.HEDDLE_BENCH_QUICK === '1';
const SIZES = [
  [64, '64 B'], [1024, '1 KiB'], [4096, '4 KiB'], [64 * 1024, '64 KiB'], [1 << 20, '1 MiB'], [4 << 20, '4 MiB'],
];
const REPEATS = 3;
const BUDGET_MS = quick ? 60 : 400;  // per transport, size and repeat
const WARMUP_ROUNDS = quick ? 20 : 200;
const peerScript = fileURLToPath(new URL('./echo-peer.mjs', import.meta.url));

function startPeer(args) {
  const child = spawn(process.execPath, [peerScript, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`echo peer ${args[0]} exited with ${code}`)));
    child.stdout.on('data', (data) => {
      out += data;
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line !== undefined) {
        child.removeAllListeners('exit');
        resolve({ child, address: line.slice('READY '.length), stop: () => child.stdin.end() });
      }
    });
  });
}

/** A round trip: send `payload`, resolve when as many bytes came back. */
function roundTripper(send, onBytes) {
  let pending = 0;
  let done;
  onBytes((n) => {
    pending -= n;
    if (pending === 0) done();
  });
  return (payload) => new Promise((resolve) => {
    done = resolve;
    pending = payload.length;
    send(payload);
  });
}

const MAX_CALLERS = Math.max(...CALLERS);

async function shmTransport(dir) {
  const path = join(dir, 'shm.sock');
  const peer = await startPeer(['shm', path]);
  const client = await heddle.shm.connect(path);
  const channels = [];
  for (let i = 0; i < MAX_CALLERS; i++) {
    const stream = await client.acquireStream();
    channels.push(roundTripper((p) => writeWhenAccepted(stream, p), (cb) => stream.setDataHandler((chunk) => {
      const n = chunk.byteLength;
      chunk.release();
      cb(n);
    })));
  }
  return { name: 'heddle shm', channels, close: async () => { await client.close(); peer.stop(); } };
}

async function netTransport(kind, dir) {
  const peer = await startPeer(kind === 'unix' ? ['unix', join(dir, 'net.sock')] : ['tcp']);
  const sockets = [];
  const channels = [];
  for (let i = 0; i < MAX_CALLERS; i++) {
    const socket = kind === 'unix' ? connect(peer.address) : connect(Number(peer.address), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.setNoDelay(true);
    sockets.push(socket);
    channels.push(roundTripper((p) => socket.write(p), (cb) => socket.on('data', (d) => cb(d.length))));
  }
  return { name: `net ${kind}`, channels, close: async () => { for (const s of sockets) s.destroy(); peer.stop(); } };
}

/** `callers` channels doing round trips at once for the budget (and at least one each): each
 * round trip's time goes into `samples`; returns round trips per second over the wall time. */
async function sample(transport, payload, callers, samples) {
  const start = performance.now();
  const deadline = start + BUDGET_MS;
  let count = 0;
  await Promise.all(transport.channels.slice(0, callers).map(async (roundTrip) => {
    do {
      const t0 = process.hrtime.bigint();
      await roundTrip(payload);
      samples.push(Number(process.hrtime.bigint() - t0));
      count++;
    } while (performance.now() < deadline);
  }));
  return (count * 1e3) / (performance.now() - start);
}

export async function run(bench) {
  if (!heddle.shm.available) {
    process.stderr.write(`ipc: skipped, shared memory unavailable (${heddle.shm.unavailableReason})\n`);
    return;
  }
  const started = loadLine();
  const summary = await pingPong(bench);
  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  const at = (size) => summary.get(size);
  process.stderr.write(
    `ipc ping-pong vs Unix socket, 1 caller: 1 MiB throughput ${at(1 << 20).toFixed(2)}x (>= 4x: ${verdict(at(1 << 20) >= 4)}); ` +
      `faster from 4 KiB up: ${verdict([4096, 65536, 1 << 20, 4 << 20].every((s) => at(s) > 1))}; ` +
      `64 B latency ${(1 / at(64)).toFixed(2)}x of the Unix socket's (<= 1.2x: ${verdict(1 / at(64) <= 1.2)})\n`,
  );
  const rows = await runRpcEcho(bench);
  process.stdout.write(`\nRPC echo (bench/ipc/rpc-echo.mjs), load average at start ${started}, at end ${loadLine()}:\n\n${rpcEchoTable(rows)}\n\n`);
}

/** Ping-pong over the sweep at each caller count; returns, for 1 caller, Unix time / shm time per size. */
async function pingPong(bench) {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-bench-ipc-'));
  const transports = [await shmTransport(dir), await netTransport('unix', dir), await netTransport('tcp', dir)];
  const summary = new Map();
  try {
    for (const callers of CALLERS) {
      for (const [size, label] of SIZES) {
        const payload = Buffer.alloc(size, 0xab);
        const samples = transports.map(() => []);
        const rates = transports.map(() => []);
        for (const transport of transports) {
          await Promise.all(transport.channels.slice(0, callers).map(async (roundTrip) => {
            for (let i = 0; i < Math.ceil(WARMUP_ROUNDS / callers); i++) await roundTrip(payload);
          }));
        }
        for (let r = 0; r < REPEATS; r++) {
          for (let k = 0; k < transports.length; k++) {
            const i = (r + k) % transports.length;
            rates[i].push(await sample(transports[i], payload, callers, samples[i]));
          }
        }
        const stats = samples.map((s, i) => {
          s.sort((a, b) => a - b);
          const sorted = [...rates[i]].sort((a, b) => a - b);
          return { median: s[Math.floor(s.length / 2)], p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))], rate: sorted[sorted.length >> 1] };
        });
        for (const [i, transport] of transports.entries()) {
          bench.record({
            title: `ping-pong ${label} c=${callers}`,
            name: transport.name,
            medianNs: stats[i].median,
            p99Ns: stats[i].p99,
            opsPerSec: stats[i].rate,
            bytes: size,
            mbPerSec: (size * stats[i].rate) / 1e6,
            baseline: transports[0].name,
            ratio: stats[0].rate / stats[i].rate,
          });
        }
        if (callers === 1) summary.set(size, stats[1].median / stats[0].median);  // Unix socket time / shm time
      }
    }
  } finally {
    for (const transport of transports) await transport.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return summary;
}
