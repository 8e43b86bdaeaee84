// bench/realistic/decode-cpu-time.mjs: Protobuf and Thrift Binary decode of the realistic order
// stream against protobufjs (on Buffers, its fast path), in one process, in CPU time per decode
// (process.cpuUsage): time this process spends descheduled while other work holds the shared
// cores is not counted, which keeps the ratios steadier under load than wall-clock medians (the
// timed rows of bench/run.mjs and thrift-decode.mjs). Garbage collection is counted, on whichever
// thread it runs. Cases alternate round by round after three warm-up passes each; each figure is
// the median of its rounds, and the sustained ratio sums every round.
//
//   npm run build && node bench/realistic/decode-cpu-time.mjs
//   HEDDLE_BENCH_BEFORE=/path/to/other/checkout/dist node bench/realistic/decode-cpu-time.mjs
//     adds heddle's two decoders from another build (e.g. an earlier commit's) as rows.
import { createRequire } from 'node:module';
import { protobufjsType } from '../protobuf/peers.mjs';
import { COUNT, printCpuTimes, setting } from './cpu-time.mjs';

const require = createRequire(import.meta.url);
const { list, protoSource, thriftSource, builds } = setting();
/** @type {Record<string, () => void>} one pass over the stream each */
const cases = {};
let protoWires;
let thriftWires;
/** Items decoded in a pass: every case must decode the same orders. */
let expectedItems;
const checked = (name, decode) => () => {
  let items = 0;
  for (let i = 0; i < COUNT; i++) items += decode(i).items.length;
  if (items !== (expectedItems ??= items)) throw new Error(`${name} decoded ${items} items, not ${expectedItems}`);
};
for (const [label, dist] of builds) {
  const heddle = require(`${dist}/index.js`);
  const proto = heddle.protobuf.parse(protoSource, { filename: 'ecommerce.proto' }).codec('ecommerce.Order');
  const thrift = heddle.thrift.parse(thriftSource, { filename: 'ecommerce.thrift' }).codec('Order', { protocol: 'binary', map: 'object' });
  // Every build decodes the same bytes, as Buffers (protobufjs's input): the first build's encoding.
  protoWires ??= list.map((o) => Buffer.from(proto.encode(o)));
  thriftWires ??= list.map((o) => Buffer.from(thrift.encode(o)));
  cases[`heddle Protobuf${label}`] = checked(`heddle Protobuf${label}`, (i) => proto.decode(protoWires[i]));
  cases[`heddle Thrift Binary${label}`] = checked(`heddle Thrift Binary${label}`, (i) => thrift.decode(thriftWires[i]));
}
const type = protobufjsType(protoSource, 'ecommerce.Order');
cases.protobufjs = checked('protobufjs', (i) => type.decode(protoWires[i]));
printCpuTimes(cases, 'protobufjs', 'decode', 3);
