// bench/realistic/encode-instructions.mjs: the encode twin of decode-instructions.mjs. Encodes the
// realistic order stream with heddle's Protobuf codec, heddle's Thrift Binary codec and protobufjs
// (its messages made by fromObject beforehand, as the timed rows do), counting CPU instructions
// with valgrind (cachegrind): a figure the load of other processes on shared cores does not move.
// Each case runs in its own process twice, for two numbers of passes over the 2,000 orders after
// one warm-up pass; the difference of the counts over the difference of encodes takes start-up,
// record generation and compilation out. Instructions are not time (a cache miss or a GC pause
// costs more than its instructions): read this beside the timed rows of
// `HEDDLE_BENCH_PROTOBUF=realistic node bench/run.mjs protobuf`, not instead of them.
//
//   npm run build && node bench/realistic/encode-instructions.mjs        (needs valgrind; ~10 minutes)
//   HEDDLE_BENCH_BEFORE=/path/to/other/checkout/dist node bench/realistic/encode-instructions.mjs
//     adds heddle's two encoders from another build (e.g. an earlier commit's) as rows.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { protobufjsType } from '../protobuf/peers.mjs';
import { countInstructions } from './instructions.mjs';
import { orders } from './records.mjs';
import { forProtobufjs, realisticProto, realisticThrift } from './rows.mjs';

const self = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
const COUNT = 2000;
const LOW = 2;
const HIGH = 6;

/** The encode function of a case: `<build>:protobuf`, `<build>:thrift` or `protobufjs`. */
function encoderFor(which, list) {
  const protoSource = readFileSync(realisticProto, 'utf8');
  if (which === 'protobufjs') {
    const type = protobufjsType(protoSource, 'ecommerce.Order');
    const messages = list.map((o) => type.fromObject(forProtobufjs(o)));
    return (i) => type.encode(messages[i]).finish().length;
  }
  const [build, format] = which.split(':');
  const heddle = require(build === 'heddle' ? '../../dist/index.js' : `${build}/index.js`);
  if (format === 'protobuf') {
    const codec = heddle.protobuf.parse(protoSource, { filename: 'ecommerce.proto' }).codec('ecommerce.Order');
    return (i) => codec.encode(list[i]).length;
  }
  const doc = heddle.thrift.parse(readFileSync(realisticThrift, 'utf8'), { filename: 'ecommerce.thrift' });
  const codec = doc.codec('Order', { protocol: 'binary', map: 'object' });
  return (i) => codec.encode(list[i]).length;
}

if (process.argv[2] === '--case') {
  // One case: a warm-up pass, then `passes` passes over the stream, then exit.
  const [, , , which, passes] = process.argv;
  const encode = encoderFor(which, orders(COUNT));
  let bytes = 0;
  for (let pass = 0; pass <= Number(passes); pass++) for (let i = 0; i < COUNT; i++) bytes += encode(i);
  if (bytes === 0) console.log('nothing encoded');
} else {
  const instructions = (which, passes) => countInstructions(self, ['--case', which, String(passes)]);
  const cases = ['heddle:protobuf', 'heddle:thrift', 'protobufjs'];
  const before = process.env.HEDDLE_BENCH_BEFORE;
  if (before) cases.push(`${before}:protobuf`, `${before}:thrift`);
  const perEncode = {};
  for (const which of cases) {
    const [low, high] = await Promise.all([instructions(which, LOW), instructions(which, HIGH)]);
    perEncode[which] = (high - low) / ((HIGH - LOW) * COUNT);
  }
  console.log('case                                   instructions per encode   protobufjs/case');
  for (const which of cases) {
    const [build, format] = which.split(':');
    const label = which === 'protobufjs' ? which : `heddle ${format === 'protobuf' ? 'Protobuf' : 'Thrift Binary'}${build === 'heddle' ? '' : ` (${build})`}`;
    console.log(`${label.padEnd(38)} ${String(Math.round(perEncode[which])).padStart(24)}   ${(perEncode.protobufjs / perEncode[which]).toFixed(2)}x`);
  }
}
