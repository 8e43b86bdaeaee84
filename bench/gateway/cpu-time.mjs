// bench/gateway/cpu-time.mjs: issue 20's two Compact Nesting targets in process CPU time per call
// (process.cpuUsage, GC included), the cases of instructions.mjs timed alternately in one process
// so that the machine's load falls on both sides alike:
//   fromJSON vs JSON.parse + fix-up + encode (3x); peekMany of five fields vs decode + read (5x).
//   npm run build && node --expose-gc bench/gateway/cpu-time.mjs [--rounds 7] [--protocol compact|binary]
//   HEDDLE_BENCH_BEFORE=/path/to/other/checkout/dist adds that build's heddle side (same peers).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { nesting } from '../thrift/messages.mjs';
import { thriftIdl } from '../thrift/peers.mjs';
import { FIVE, fixup, production, readFive } from './nesting-bodies.mjs';

const require = createRequire(import.meta.url);
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const rounds = Number(arg('--rounds', 7));
const protocol = arg('--protocol', 'compact');
const builds = [['this build', fileURLToPath(new URL('../../dist', import.meta.url))]];
if (process.env.HEDDLE_BENCH_BEFORE) builds.unshift(['before', process.env.HEDDLE_BENCH_BEFORE]);

/** The four calls of one build. */
function cases(dist) {
  const heddle = require(`${dist}/index.js`);
  if (!heddle.native.loaded) throw new Error(`native addon not loaded from ${dist}: ${heddle.native.reason}`);
  const doc = heddle.thrift.parse(readFileSync(thriftIdl, 'utf8'));
  const codec = doc.codec('Nesting', { protocol });
  const numbers = doc.codec('Nesting', { protocol, i64: 'number', map: 'object' });
  const body = codec.toJSON(codec.encode(nesting()));
  const bodyText = body.toString('utf8');
  const wire = codec.encode(production()).slice();
  const five = FIVE.map((p) => codec.path(p));
  return {
    fromJSON: () => codec.fromJSON(body).length,
    'parse+encode': () => numbers.encode(fixup.Nesting(JSON.parse(bodyText))).length,
    peekMany: () => codec.peekMany(wire, five).length,
    'decode+read': () => readFive(codec.decode(wire)).length,
  };
}

/** CPU microseconds per call of `run` over about 0.3 s of calls. */
function cpuPerCall(run) {
  for (let i = 0; i < 200; i++) run();
  globalThis.gc?.();
  const start = process.cpuUsage();
  const wall = performance.now();
  let calls = 0;
  while (performance.now() - wall < 300) for (let i = 0; i < 50; i++, calls++) run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

const sides = builds.map(([label, dist]) => [label, cases(dist)]);
const peers = sides[sides.length - 1][1];
const samples = new Map();
const note = (key, value) => samples.set(key, [...(samples.get(key) ?? []), value]);
for (let round = 0; round < rounds; round++) {
  note('parse+encode', cpuPerCall(peers['parse+encode']));
  note('decode+read', cpuPerCall(peers['decode+read']));
  for (const [label, c] of sides) {
    note(`${label} fromJSON`, cpuPerCall(c.fromJSON));
    note(`${label} peekMany`, cpuPerCall(c.peekMany));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`${protocol} Nesting, CPU µs per call (median of ${rounds} rounds of 0.3 s); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('| target | build | heddle µs | peer µs | peer / heddle (median) | range over rounds |');
console.log('|---|---|---:|---:|---:|---:|');
for (const [heddleCase, peerCase, target] of [['fromJSON', 'parse+encode', '3x'], ['peekMany', 'decode+read', '5x']]) {
  const peer = samples.get(peerCase);
  for (const [label] of sides) {
    const ours = samples.get(`${label} ${heddleCase}`);
    const ratios = ours.map((t, i) => peer[i] / t);
    console.log(`| ${heddleCase} vs ${peerCase} (${target}) | ${label} | ${median(ours).toFixed(2)} | ${median(peer).toFixed(2)} | ${(median(peer) / median(ours)).toFixed(2)}x | ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x |`);
  }
}
