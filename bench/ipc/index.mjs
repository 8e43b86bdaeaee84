// IPC ping-pong between two processes: heddle shm (shmipc v3, memfds) against Node `net` over a
// Unix socket and over TCP, at 64 B, 1 KiB, 4 KiB, 64 KiB, 1 MiB and 4 MiB. The echo process
// (echo-peer.mjs) sends every byte back; one round trip = the payload there and back, each side
// producing it once (shm: one copy into slices; net: the kernel's copies). Measurements are taken
// here, per round trip, interleaving the transports so drift on a shared machine hits all alike.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import heddle from '../../dist/index.js';

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

async function shmTransport(dir) {
  const path = join(dir, 'shm.sock');
  const peer = await startPeer(['shm', path]);
  const client = await heddle.shm.connect(path);
  const stream = await client.acquireStream();
  const roundTrip = roundTripper((p) => stream.write(p), (cb) => stream.setDataHandler((chunk) => {
    const n = chunk.byteLength;
    chunk.release();
    cb(n);
  }));
  return { name: 'heddle shm', roundTrip, close: async () => { await client.close(); peer.stop(); } };
}

async function netTransport(kind, dir) {
  const peer = await startPeer(kind === 'unix' ? ['unix', join(dir, 'net.sock')] : ['tcp']);
  const socket = kind === 'unix' ? connect(peer.address) : connect(Number(peer.address), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.setNoDelay(true);
  const roundTrip = roundTripper((p) => socket.write(p), (cb) => socket.on('data', (d) => cb(d.length)));
  return { name: `net ${kind}`, roundTrip, close: async () => { socket.destroy(); peer.stop(); } };
}

async function sample(transport, payload, samples) {
  const deadline = performance.now() + BUDGET_MS;
  do {
    const start = process.hrtime.bigint();
    await transport.roundTrip(payload);
    samples.push(Number(process.hrtime.bigint() - start));
  } while (performance.now() < deadline);
}

export async function run(bench) {
  if (!heddle.shm.available) {
    process.stderr.write(`ipc: skipped, shared memory unavailable (${heddle.shm.unavailableReason})\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'heddle-bench-ipc-'));
  const transports = [await shmTransport(dir), await netTransport('unix', dir), await netTransport('tcp', dir)];
  const summary = new Map();
  try {
    for (const [size, label] of SIZES) {
      const payload = Buffer.alloc(size, 0xab);
      const samples = transports.map(() => []);
      for (const transport of transports) for (let i = 0; i < WARMUP_ROUNDS; i++) await transport.roundTrip(payload);
      for (let r = 0; r < REPEATS; r++) {
        for (const [i, transport] of transports.entries()) await sample(transport, payload, samples[i]);
      }
      const stats = samples.map((s) => {
        s.sort((a, b) => a - b);
        return { median: s[Math.floor(s.length / 2)], p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] };
      });
      for (const [i, transport] of transports.entries()) {
        bench.record({
          title: `ping-pong ${label}`,
          name: transport.name,
          medianNs: stats[i].median,
          p99Ns: stats[i].p99,
          opsPerSec: 1e9 / stats[i].median,
          bytes: size,
          mbPerSec: (size / stats[i].median) * 1e3,
          baseline: transports[0].name,
          ratio: stats[i].median / stats[0].median,
        });
      }
      summary.set(size, stats[1].median / stats[0].median);  // Unix socket time / shm time
    }
  } finally {
    for (const transport of transports) await transport.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  const at = (size) => summary.get(size);
  process.stderr.write(
    `ipc targets vs Unix socket: 1 MiB throughput ${at(1 << 20).toFixed(2)}x (>= 4x: ${verdict(at(1 << 20) >= 4)}); ` +
      `faster from 4 KiB up: ${verdict([4096, 65536, 1 << 20, 4 << 20].every((s) => at(s) > 1))}; ` +
      `64 B latency ${(1 / at(64)).toFixed(2)}x of the Unix socket's (<= 1.2x: ${verdict(1 / at(64) <= 1.2)})\n`,
  );
}
