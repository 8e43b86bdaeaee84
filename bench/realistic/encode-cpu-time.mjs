// bench/realistic/encode-cpu-time.mjs: Protobuf and Thrift Binary encode of the realistic order
// stream against protobufjs, in one process, in CPU time per encode (process.cpuUsage): time this
// process spends descheduled while other work holds the shared cores is not counted, which keeps
// the ratios steadier under load than wall-clock medians (the timed rows of bench/run.mjs).
// Cases alternate round by round; each figure is the median of its rounds.
//
//   npm run build && node bench/realistic/encode-cpu-time.mjs
//   HEDDLE_BENCH_BEFORE=/path/to/other/checkout/dist node bench/realistic/encode-cpu-time.mjs
//     adds heddle's two encoders from another build (e.g. an earlier commit's) as rows.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { protobufjsType } from '../protobuf/peers.mjs';
import { orders } from './records.mjs';
import { forProtobufjs, realisticProto, realisticThrift } from './rows.mjs';

const require = createRequire(import.meta.url);
const COUNT = 2000;
const ROUNDS = Number(process.env.HEDDLE_BENCH_ROUNDS ?? 31);

const list = orders(COUNT);
const protoSource = readFileSync(realisticProto, 'utf8');
const thriftSource = readFileSync(realisticThrift, 'utf8');
/** @type {Record<string, () => void>} one pass over the stream each */
const cases = {};
const builds = [['', '../../dist']];
if (process.env.HEDDLE_BENCH_BEFORE) builds.push([` (${process.env.HEDDLE_BENCH_BEFORE})`, process.env.HEDDLE_BENCH_BEFORE]);
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

const names = Object.keys(cases);
const perEncode = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length];
    const start = process.cpuUsage();
    cases[name]();
    const used = process.cpuUsage(start);
    perEncode[name].push(((used.user + used.system) * 1000) / COUNT);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
console.log('case                                   CPU ns per encode   protobufjs/case');
for (const name of names) {
  console.log(`${name.padEnd(38)} ${median(perEncode[name]).toFixed(0).padStart(17)}   ${(median(perEncode.protobufjs) / median(perEncode[name])).toFixed(2)}x`);
}
