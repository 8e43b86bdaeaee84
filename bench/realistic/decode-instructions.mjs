// bench/realistic/decode-instructions.mjs: decode of the realistic order stream in CPU
// instructions counted by valgrind (cachegrind), which the load other processes put on shared
// cores does not move: heddle's Protobuf decoder against protobufjs (on Buffers, its fast path),
// and heddle's Thrift decoders (Binary and Compact, plain values and the gen-nodejs values of
// heddle/thrift-compat) against the `thrift` package's generated code on the same bytes. Each case
// runs in its own process twice, for two numbers of passes over the orders after one warm-up pass;
// the difference of the counts over the difference of decodes takes start-up and compilation out.
// One such pair still moves by tens of percent from run to run (when V8's optimizing compiler and
// the collector happen to run differ), so every case is counted RUNS times (HEDDLE_BENCH_RUNS,
// default 5) and its median printed with the spread (lowest-highest) beside it; ratios are of
// medians.
// Instructions are not time (a cache miss or a GC pause costs more than its instructions), so
// read this beside the timed rows (bench/realistic/thrift-decode.mjs, `node bench/run.mjs
// protobuf`), not instead of them.
//
//   npm run build && node bench/realistic/decode-instructions.mjs [protobuf|thrift [binary/plain,compact/gen-nodejs,...]]
//     (needs valgrind; ~10 minutes a case on a quiet machine, times HEDDLE_BENCH_RUNS;
//     HEDDLE_BENCH_ORDERS=500 shortens it)
//   HEDDLE_BENCH_BEFORE=/path/to/other/checkout/dist node bench/realistic/decode-instructions.mjs
//     adds heddle from another build (e.g. an earlier commit's) as a row.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { protobufjsType } from '../protobuf/peers.mjs';
import { loadThriftPackage } from '../thrift/peers.mjs';
import { orders } from './records.mjs';
import { realisticProto, realisticThrift } from './rows.mjs';
import { countInstructions } from './instructions.mjs';

const self = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
const COUNT = Number(process.env.HEDDLE_BENCH_ORDERS ?? 2000);
const LOW = 2;
const HIGH = 6;
const RUNS = Number(process.env.HEDDLE_BENCH_RUNS ?? 5);

/** The decode function of one case; `build` is 'heddle' (this checkout's dist) or another dist. */
function decoderOf(family, peer, build, variant) {
  const heddle = require(build === 'heddle' ? '../../dist/index.js' : `${build}/index.js`);
  const list = orders(COUNT);
  if (family === 'protobuf') {
    const source = readFileSync(realisticProto, 'utf8');
    const codec = heddle.protobuf.parse(source, { filename: 'ecommerce.proto' }).codec('ecommerce.Order');
    const wires = list.map((o) => Buffer.from(codec.encode(o)));
    const type = protobufjsType(source, 'ecommerce.Order');
    return { wires, decode: peer ? (w) => type.decode(w) : (w) => codec.decode(w) };
  }
  const [protocol, values] = variant.split('/');
  const doc = heddle.thrift.parse(readFileSync(realisticThrift, 'utf8'), { filename: 'ecommerce.thrift' });
  const wires = list.map((o) => Buffer.from(doc.codec('Order', { protocol, map: 'object' }).encode(o)));
  if (peer) {
    const pkg = loadThriftPackage(realisticThrift, 'ecommerce_types.js');
    process.on('exit', () => pkg.dispose());
    return { wires, decode: (w) => pkg.decode('Order', w, protocol) };
  }
  const compat = require(build === 'heddle' ? '../../dist/adapters/thrift-compat/index.js' : `${build}/adapters/thrift-compat/index.js`);
  const codec = doc.codec('Order', { protocol, ...(values === 'gen-nodejs' ? compat.GEN_NODEJS_VALUES : { map: 'object' }) });
  return { wires, decode: (w) => codec.decode(w) };
}

if (process.argv[2] === '--case') {
  // One case: a warm-up pass, then `passes` passes over the stream, then exit.
  const [, , , family, who, variant, passes] = process.argv;
  const peer = who === 'peer';
  const { wires, decode } = decoderOf(family, peer, peer ? 'heddle' : who, variant);
  let sink = 0;
  for (let pass = 0; pass <= Number(passes); pass++) for (let i = 0; i < COUNT; i++) sink += decode(wires[i]) === undefined ? 1 : 0;
  if (sink !== 0) console.log(sink);
} else {
  const instructions = (args, passes) => countInstructions(self, ['--case', ...args, String(passes)]);
  /** Instructions per decode of one case: median of RUNS counts, and the lowest and highest. */
  const perDecode = async (args) => {
    const counts = [];
    for (let run = 0; run < RUNS; run++) {
      const [low, high] = await Promise.all([instructions(args, LOW), instructions(args, HIGH)]);
      counts.push((high - low) / ((HIGH - LOW) * COUNT));
    }
    counts.sort((a, b) => a - b);
    return { median: counts[counts.length >> 1], low: counts[0], high: counts[counts.length - 1] };
  };
  const k = (count) => `${Math.round(count / 1000)}k`;
  const builds = ['heddle', ...(process.env.HEDDLE_BENCH_BEFORE ? [process.env.HEDDLE_BENCH_BEFORE] : [])];
  const label = (build) => (build === 'heddle' ? 'heddle' : `heddle (${build})`);
  const families = process.argv[2] === undefined ? ['protobuf', 'thrift'] : [process.argv[2]];
  for (const family of families) {
    const thriftVariants = process.argv[3]?.split(',') ?? ['binary/plain', 'binary/gen-nodejs', 'compact/plain', 'compact/gen-nodejs'];
    const variants = family === 'protobuf' ? ['-'] : thriftVariants;
    const peerName = family === 'protobuf' ? 'protobufjs' : 'thrift package';
    // The peer reads the same bytes whatever heddle's values: counted once per protocol.
    const peers = new Map();
    for (const variant of variants) {
      const protocol = variant.split('/')[0];
      if (!peers.has(protocol)) peers.set(protocol, await perDecode([family, 'peer', variant]));
      const reference = peers.get(protocol);
      const rows = [];
      for (const build of builds) rows.push([label(build), await perDecode([family, build, variant])]);
      rows.push([peerName, reference]);
      console.log(`\n${family}${variant === '-' ? '' : ` ${variant}`}: case, instructions per decode (median of ${RUNS}, lowest-highest), ${peerName}/case (of medians)`);
      for (const [name, count] of rows) {
        console.log(`${name.padEnd(40)} ${String(Math.round(count.median)).padStart(10)} ${`${k(count.low)}-${k(count.high)}`.padStart(14)}   ${(reference.median / count.median).toFixed(2)}x`);
      }
    }
  }
}
