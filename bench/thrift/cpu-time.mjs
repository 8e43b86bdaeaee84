// The thrift suite's rows measured in CPU time (process.cpuUsage) instead of wall-clock time, with
// heddle and each peer run in alternating blocks: on a shared machine, time spent descheduled
// then counts for nobody. Run: node bench/thrift/cpu-time.mjs [Simple,Nesting,...]
import { readFileSync } from 'node:fs';
import heddle from '../../dist/index.js';
import * as messages from './messages.mjs';
import { loadProtobufjs, loadThriftPackage, thriftIdl, toProtobufjs, toThriftPackage } from './peers.mjs';

const { thrift } = heddle;
const MESSAGES = {
  Simple: [messages.simple(), {}],
  Nesting: [messages.nesting(), {}],
  Order: [messages.order(), {}],
  Doubles: [messages.doubles(), { typedArrays: true }],
  Longs: [messages.longs(), { typedArrays: true }],
};

/** CPU nanoseconds per call of `fn` over `n` calls. */
function cpuTime(fn, n) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/** Median CPU time of each case, blocks of ~20 ms alternating between the cases. */
function compare(cases) {
  globalThis.gc?.();
  const entries = Object.entries(cases);
  const runs = entries.map(([, fn]) => {
    let n = 1;
    while (cpuTime(fn, n) * n < 20e6) n *= 2;
    return { fn, n, times: [] };
  });
  for (let round = 0; round < 7; round++) for (const run of runs) run.times.push(cpuTime(run.fn, run.n));
  return entries.map(([name], i) => ({ name, ns: median(runs[i].times) }));
}

const doc = thrift.parse(readFileSync(thriftIdl, 'utf8'), { filename: 'baseline.thrift' });
const pkg = loadThriftPackage();
const root = loadProtobufjs();
const wanted = (process.argv[2] ?? Object.keys(MESSAGES).join(',')).split(',');
console.log('message   op      protocol  heddle CPU ns   thrift pkg   protobufjs');
try {
  for (const name of wanted) {
    const [value, options] = MESSAGES[name];
    const protoType = root.lookupType(`baseline.${name}`);
    const protoMessage = toProtobufjs(protoType, value);
    const protoBytes = protoType.encode(protoMessage).finish();
    for (const protocol of ['binary', 'compact']) {
      const codec = doc.codec(name, { protocol, ...options });
      const bytes = codec.encode(value);
      const object = toThriftPackage(pkg, name, value, protocol);
      const packageBytes = pkg.encode(object, protocol);
      const ops = {
        encode: { heddle: () => codec.encode(value), thrift: () => pkg.encode(object, protocol), protobufjs: () => protoType.encode(protoMessage).finish() },
        decode: { heddle: () => codec.decode(bytes), thrift: () => pkg.decode(name, packageBytes, protocol), protobufjs: () => protoType.decode(protoBytes) },
      };
      for (const [op, cases] of Object.entries(ops)) {
        if (protocol === 'compact') delete cases.protobufjs;
        const [h, t, p] = compare(cases);
        const ratio = (peer) => (peer === undefined ? '' : `${(peer.ns / h.ns).toFixed(2)}x`);
        console.log(`${name.padEnd(9)} ${op.padEnd(7)} ${protocol.padEnd(9)} ${h.ns.toFixed(0).padStart(13)}   ${ratio(t).padStart(10)}   ${ratio(p).padStart(10)}`);
      }
    }
  }
} finally {
  pkg.dispose();
}
