// heddle/thrift-compat's decode (the gen-nodejs value options) against the `thrift` package in CPU
// time (process.cpuUsage, garbage-collector threads included), heddle and the package in
// alternating blocks in one process; with a second build, that build too, on the same bytes, so a
// change is measured against its parent side by side rather than across two loaded runs.
//   node bench/thrift/compat-cpu-time.mjs [binary|compact] [other build's dist/ directory]
// The package runs the other protocol first, as in compat-codec.mjs, so its transport and protocol
// code is in the state a run of the whole bench leaves it in.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import heddle from '../../dist/index.js';
import compat from '../../dist/adapters/thrift-compat/index.js';
import { orders } from '../realistic/records.mjs';
import { realisticThrift } from '../realistic/rows.mjs';
import * as messages from './messages.mjs';
import { loadThriftPackage, thriftIdl, toThriftPackage } from './peers.mjs';

const protocol = process.argv[2] ?? 'binary';
const other = protocol === 'binary' ? 'compact' : 'binary';
const builds = { heddle };
if (process.argv[3] !== undefined) builds['other build'] = (await import(pathToFileURL(resolve(process.argv[3], 'index.js')).href)).default;
const options = { ...compat.GEN_NODEJS_VALUES, protocol };
const sink = new Array(64);

/** CPU nanoseconds per call of `fn` over `n` calls. */
function cpuTime(fn, n) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) sink[i & 63] = fn();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** Prints each case's median CPU time and the package's time over it (the median of per-round ratios). */
function compare(title, cases) {
  const runs = Object.entries(cases).map(([name, fn]) => {
    let n = 1;
    while (cpuTime(fn, n) * n < 20e6) n *= 2;
    return { name, fn, n, times: [] };
  });
  for (let round = 0; round < 15; round++) for (let k = 0; k < runs.length; k++) {
    const run = runs[(round + k) % runs.length];
    run.times.push(cpuTime(run.fn, run.n));
  }
  const peer = runs.find((run) => run.name === 'thrift package').times;
  console.log(`${title.padEnd(22)} ${runs.map((run) => `${run.name} ${median(run.times).toFixed(0)} ns (${median(peer.map((t, i) => t / run.times[i])).toFixed(2)}x)`).join('  ')}`);
}

const pkg = loadThriftPackage();
const realistic = loadThriftPackage(realisticThrift, 'ecommerce_types.js');
try {
  const baseline = readFileSync(thriftIdl, 'utf8');
  const docs = Object.fromEntries(Object.entries(builds).map(([name, build]) => [name, build.thrift.parse(baseline, { filename: 'baseline.thrift' })]));
  for (const title of ['Simple', 'Nesting', 'Order']) {
    const value = messages[title.toLowerCase()]();
    for (let i = 0; i < 5000; i++) pkg.decode(title, pkg.encode(toThriftPackage(pkg, title, value, other), other), other);
    const packageBytes = pkg.encode(toThriftPackage(pkg, title, value, protocol), protocol);
    const bytes = docs.heddle.codec(title, options).encode(pkg.decode(title, packageBytes, protocol)).slice();
    const cases = { 'thrift package': () => pkg.decode(title, packageBytes, protocol) };
    for (const [name, doc] of Object.entries(docs)) {
      const codec = doc.codec(title, options);
      cases[name] = () => codec.decode(bytes);
    }
    compare(`${title} ${protocol}`, cases);
  }
  const source = readFileSync(realisticThrift, 'utf8');
  const list = orders(Number(process.env.HEDDLE_BENCH_ORDERS ?? 2000));
  const plain = heddle.thrift.parse(source, { filename: 'ecommerce.thrift' });
  const wires = list.map((o) => plain.codec('Order', { protocol, map: 'object' }).encode(o).slice());
  const buffers = wires.map((w) => Buffer.from(w.buffer, w.byteOffset, w.length));
  for (const o of list.slice(0, 200)) realistic.decode('Order', Buffer.from(plain.codec('Order', { protocol: other, map: 'object' }).encode(o)), other);
  let next = 0;
  const cases = { 'thrift package': () => realistic.decode('Order', buffers[next++ % buffers.length], protocol) };
  for (const [name, build] of Object.entries(builds)) {
    const codec = build.thrift.parse(source, { filename: 'ecommerce.thrift' }).codec('Order', options);
    let at = 0;
    cases[name] = () => codec.decode(wires[at++ % wires.length]);
  }
  compare(`Realistic ${protocol}`, cases);
} finally {
  pkg.dispose();
  realistic.dispose();
}
