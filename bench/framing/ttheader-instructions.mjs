// bench/framing/ttheader-instructions.mjs: `parse TTHeader` (the framing suite's row) in CPU
// instructions counted by valgrind (cachegrind), which other processes' load on shared cores does
// not move. Each case runs in its own process twice, for two numbers of parses; the difference of
// the counts over the difference of parses takes start-up out.
//
//   npm run build && node bench/framing/ttheader-instructions.mjs        (needs valgrind; ~6 minutes)
//   HEDDLE_BENCH_BEFORE=/path/to/other/checkout/dist node bench/framing/ttheader-instructions.mjs
//     adds the FrameReader of another build (e.g. an earlier commit's) as a row.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseTTHeaderBuffer } from './peers.mjs';
import { kitexRequestHeader, thriftMessage } from './messages.mjs';

const self = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
const LOW = 20_000;
const HIGH = 120_000;

if (process.argv[2] === '--case') {
  // One case, `count` parses of one frame, then exit.
  const [, , , dist, size, count] = process.argv;
  const lib = require(dist === 'hand' ? '../../dist/transport/index.js' : `${dist}/transport/index.js`);
  const frame = Buffer.from(lib.encodeFrame({ kind: 'ttheader', header: kitexRequestHeader }, thriftMessage(Number(size))));
  const reader = new lib.FrameReader({ kind: 'ttheader' });
  const parse = dist === 'hand'
    ? () => parseTTHeaderBuffer(frame).payload[0]
    : () => {
        const [parsed] = reader.push(frame);
        const first = parsed.payload.next(parsed.payload.length)[0];
        parsed.payload.close();
        return first;
      };
  let sink = 0;
  for (let i = 0; i < Number(count); i++) sink += parse();
  if (sink < 0) console.log(sink);
} else {
  const instructions = (dist, size, count) => {
    const run = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', self, '--case', dist, String(size), String(count)], { encoding: 'utf8' });
    const refs = /I\s+refs:\s+([\d,]+)/.exec(run.stderr);
    if (run.status !== 0 || refs === null) throw new Error(`valgrind run failed (exit ${run.status}; is valgrind installed?):\n${run.stderr.slice(-2000)}`);
    return Number(refs[1].replaceAll(',', ''));
  };
  const cases = [['heddle FrameReader.push', fileURLToPath(new URL('../../dist', import.meta.url))], ['Buffer parser', 'hand']];
  if (process.env.HEDDLE_BENCH_BEFORE) cases.splice(1, 0, [`heddle FrameReader.push (${process.env.HEDDLE_BENCH_BEFORE})`, process.env.HEDDLE_BENCH_BEFORE]);
  console.log(`parse TTHeader, instructions per parse (valgrind, ${HIGH} - ${LOW} parses)`);
  console.log('| message | case | instructions | Buffer parser / this |');
  console.log('|---|---|---:|---:|');
  for (const size of [64, 1024]) {
    const perParse = cases.map(([, dist]) => (instructions(dist, size, HIGH) - instructions(dist, size, LOW)) / (HIGH - LOW));
    const hand = perParse[perParse.length - 1];
    cases.forEach(([name], i) => console.log(`| ${size} B | ${name} | ${Math.round(perParse[i]).toLocaleString('en')} | ${(hand / perParse[i]).toFixed(2)}x |`));
  }
}
