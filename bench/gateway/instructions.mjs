// bench/gateway/instructions.mjs: issue 20's two Compact Nesting targets in CPU instructions
// counted by valgrind (cachegrind), which other processes' load on the shared cores does not move:
//   fromJSON  native codec.fromJSON of the 6,248-byte Nesting ASCII body (json.mjs's)
//             vs JSON.parse + base64 fix-up + heddle encode            (target: 3x)
//   peekMany  five fields of paths.mjs's production-like Nesting message (8,964 B Compact)
//             vs decode + read the five fields                          (target: 5x)
// Each case runs in its own process twice, for two numbers of calls; the difference of the counts
// over the difference of calls takes start-up, compilation and the first warm-up out (process-wide:
// the JS call, copies, allocation and GC are in). The lower count is 4,000 calls, not 1,000: with
// `--single-threaded` V8's optimizing compiler runs on the main thread, and a callgrind profile of
// calls 1,000-3,000 still found it there, moving ratios by 10-15% from run to run. Each case is
// counted HEDDLE_BENCH_RUNS times (default 3) and the median printed, with the spread beside it.
//
//   npm run build && node bench/gateway/instructions.mjs [--protocol compact|binary]   (needs valgrind; ~15 minutes)
//   HEDDLE_BENCH_BEFORE=/path/to/other/checkout/dist node bench/gateway/instructions.mjs
//     adds the heddle rows of another build (e.g. an earlier commit's) beside this one's.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { nesting } from '../thrift/messages.mjs';
import { thriftIdl } from '../thrift/peers.mjs';
import { FIVE, fixup, production, readFive } from './nesting-bodies.mjs';

const self = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
const LOW = 4_000;
const HIGH = 14_000;
const RUNS = Number(process.env.HEDDLE_BENCH_RUNS ?? 3);

if (process.argv[2] === '--case') {
  const [, , , dist, protocol, name, count] = process.argv;
  const heddle = require(`${dist}/index.js`);
  if (!heddle.native.loaded) throw new Error(`native addon not loaded from ${dist}: ${heddle.native.reason}`);
  const doc = heddle.thrift.parse(readFileSync(thriftIdl, 'utf8'));
  const codec = doc.codec('Nesting', { protocol });
  let run;
  if (name === 'fromJSON' || name === 'parse+encode') {
    const body = codec.toJSON(codec.encode(nesting()));
    const bodyText = body.toString('utf8');
    const numbers = doc.codec('Nesting', { protocol, i64: 'number', map: 'object' });
    run = name === 'fromJSON' ? () => codec.fromJSON(body).length : () => numbers.encode(fixup.Nesting(JSON.parse(bodyText))).length;
  } else {
    const wire = codec.encode(production()).slice();
    const five = FIVE.map((p) => codec.path(p));
    run = name === 'peekMany' ? () => codec.peekMany(wire, five).length : () => readFive(codec.decode(wire)).length;
  }
  let sink = 0;
  for (let i = 0; i < Number(count); i++) sink += run();
  if (sink < 0) console.log(sink);
} else {
  const protocol = process.argv.includes('--protocol') ? process.argv[process.argv.indexOf('--protocol') + 1] : 'compact';
  const instructions = (dist, name, count) => {
    const run = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', self, '--case', dist, protocol, name, String(count)], { encoding: 'utf8' });
    const refs = /I\s+refs:\s+([\d,]+)/.exec(run.stderr);
    if (run.status !== 0 || refs === null) throw new Error(`valgrind run failed (exit ${run.status}; is valgrind installed?):\n${run.stderr.slice(-2000)}`);
    return Number(refs[1].replaceAll(',', ''));
  };
  const once = (dist, name) => (instructions(dist, name, HIGH) - instructions(dist, name, LOW)) / (HIGH - LOW);
  /** Median of RUNS counts, and the lowest and highest. */
  const perCall = (dist, name) => {
    const counts = Array.from({ length: RUNS }, () => once(dist, name)).sort((a, b) => a - b);
    return { median: counts[Math.floor(RUNS / 2)], low: counts[0], high: counts[RUNS - 1] };
  };
  const spread = (c) => (RUNS > 1 ? ` (${Math.round(c.low).toLocaleString('en')}-${Math.round(c.high).toLocaleString('en')})` : '');
  const here = fileURLToPath(new URL('../../dist', import.meta.url));
  const builds = [['this build', here]];
  if (process.env.HEDDLE_BENCH_BEFORE) builds.unshift([`before (${process.env.HEDDLE_BENCH_BEFORE})`, process.env.HEDDLE_BENCH_BEFORE]);
  console.log(`${protocol} Nesting, instructions per call (valgrind, ${HIGH} - ${LOW} calls, median of ${RUNS}); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('| target | build | heddle | peer | peer / heddle (of medians) |');
  console.log('|---|---|---:|---:|---:|');
  for (const [heddleCase, peerCase, target] of [['fromJSON', 'parse+encode', '3x'], ['peekMany', 'decode+read', '5x']]) {
    const peer = perCall(here, peerCase);
    for (const [label, dist] of builds) {
      const ours = perCall(dist, heddleCase);
      console.log(`| ${heddleCase} vs ${peerCase} (${target}) | ${label} | ${Math.round(ours.median).toLocaleString('en')}${spread(ours)} | ${Math.round(peer.median).toLocaleString('en')}${spread(peer)} | ${(peer.median / ours.median).toFixed(2)}x |`);
    }
  }
}
