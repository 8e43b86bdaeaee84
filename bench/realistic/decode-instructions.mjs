// bench/realistic/decode-instructions.mjs: Protobuf decode of the realistic order stream in CPU
// instructions counted by valgrind (cachegrind), which the load other processes put on shared
// cores does not move, for heddle and protobufjs (on Buffers, its fast path). Each case runs in
// its own process twice, for two numbers of passes over the 2,000 orders after one warm-up pass;
// the difference of the counts over the difference of decodes takes start-up and compilation out.
// Instructions are not time (a cache miss or a GC pause costs more than its instructions), so
// read this beside the timed rows of `node bench/run.mjs protobuf`, not instead of them.
//
//   npm run build && node bench/realistic/decode-instructions.mjs        (needs valgrind; ~10 minutes)
//   HEDDLE_BENCH_BEFORE=/path/to/other/checkout/dist node bench/realistic/decode-instructions.mjs
//     adds heddle from another build (e.g. an earlier commit's) as a row.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { protobufjsType } from '../protobuf/peers.mjs';
import { orders } from './records.mjs';
import { realisticProto } from './rows.mjs';

const self = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
const COUNT = 2000;
const LOW = 2;
const HIGH = 6;

if (process.argv[2] === '--case') {
  // One case: a warm-up pass, then `passes` passes over the stream, then exit.
  const [, , , which, passes] = process.argv;
  const source = readFileSync(realisticProto, 'utf8');
  const heddle = require(which === 'protobufjs' || which === 'heddle' ? '../../dist/index.js' : `${which}/index.js`);
  const codec = heddle.protobuf.parse(source, { filename: 'ecommerce.proto' }).codec('ecommerce.Order');
  const wires = orders(COUNT).map((o) => Buffer.from(codec.encode(o)));
  const type = protobufjsType(source, 'ecommerce.Order');
  const decode = which === 'protobufjs' ? (w) => type.decode(w) : (w) => codec.decode(w);
  let sink = 0;
  for (let pass = 0; pass <= Number(passes); pass++) for (let i = 0; i < COUNT; i++) sink += decode(wires[i]) === undefined ? 1 : 0;
  if (sink !== 0) console.log(sink);
} else {
  const instructions = (which, passes) => new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', self, '--case', which, String(passes)]);
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', () => {
      const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
      if (refs === null) reject(new Error(`valgrind gave no count for ${which}:\n${stderr.slice(-2000)}`));
      else resolve(Number(refs[1].replace(/,/g, '')));
    });
  });
  const cases = ['heddle', 'protobufjs'];
  if (process.env.HEDDLE_BENCH_BEFORE) cases.push(process.env.HEDDLE_BENCH_BEFORE);
  const perDecode = {};
  for (const which of cases) {
    const [low, high] = await Promise.all([instructions(which, LOW), instructions(which, HIGH)]);
    perDecode[which] = (high - low) / ((HIGH - LOW) * COUNT);
  }
  console.log('case                                   instructions per decode   protobufjs/case');
  for (const which of cases) {
    const label = which === 'heddle' || which === 'protobufjs' ? which : `heddle (${which})`;
    console.log(`${label.padEnd(38)} ${String(Math.round(perDecode[which])).padStart(24)}   ${(perDecode.protobufjs / perDecode[which]).toFixed(2)}x`);
  }
}
