// bench/realistic/encode-cpu-time.mjs: Protobuf and Thrift Binary encode of the realistic order
// stream against protobufjs, in one process, in CPU time per encode (process.cpuUsage): time this
// process spends descheduled while other work holds the shared cores is not counted, which keeps
// the ratios steadier under load than wall-clock medians (the timed rows of bench/run.mjs).
// Cases alternate round by round; each figure is the median of its rounds.
//
//   npm run build && node bench/realistic/encode-cpu-time.mjs
//   HEDDLE_BENCH_BEFORE=/path/to/other/checkout/dist node bench/realistic/encode-cpu-time.mjs
//     adds heddle's two encoders from another build (e.g. an earlier commit's) as rows.
import { createRequire } from 'node:module';
import { protobufjsType } from '../protobuf/peers.mjs';
import { COUNT, printCpuTimes, setting } from './cpu-time.mjs';
import { forProtobufjs } from './rows.mjs';

const require = createRequire(import.meta.url);
const { list, protoSource, thriftSource, builds } = setting();
/** @type {Record<string, () => void>} one pass over the stream each */
const cases = {};
for (const [label, dist] of builds) {
  const heddle = require(`${dist}/index.js`);
  const proto = heddle.protobuf.parse(protoSource, { filename: 'ecommerce.proto' }).codec('ecommerce.Order');
  const thrift = heddle.thrift.parse(thriftSource, { filename: 'ecommerce.thrift' }).codec('Order', { protocol: 'binary', map: 'object' });
  cases[`heddle Protobuf${label}`] = () => { for (let i = 0; i < COUNT; i++) proto.encode(list[i]); };
  cases[`heddle Thrift Binary${label}`] = () => { for (let i = 0; i < COUNT; i++) thrift.encode(list[i]); };
}
const type = protobufjsType(protoSource, 'ecommerce.Order');
const messages = list.map((o) => type.fromObject(forProtobufjs(o)));
cases.protobufjs = () => { for (let i = 0; i < COUNT; i++) type.encode(messages[i]).finish(); };
printCpuTimes(cases, 'protobufjs', 'encode');
