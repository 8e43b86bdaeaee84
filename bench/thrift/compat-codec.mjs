// heddle/thrift-compat's codecs: heddle's generated codecs with the gen-nodejs value options
// (i64 as node-int64, unset fields null, binary as Buffer, maps as objects, lists/sets as arrays)
// against the `thrift` package's generated js:node code, on the same gen-nodejs objects, then on
// a stream of distinct production-like orders (bench/realistic), where no string cache hits twice.
// Decode rows are measured per operation (medians) and sustained (operations over wall time,
// garbage collection included).
// ratio = peer time / heddle time: above 1, heddle is faster.
//   node --expose-gc bench/thrift/compat-codec.mjs          (HEDDLE_BENCH_QUICK=1 for a quick pass)
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import heddle from '../../dist/index.js';
import compat from '../../dist/adapters/thrift-compat/index.js';
import { Bench, formatTable } from '../harness.mjs';
import { describe, orders } from '../realistic/records.mjs';
import { realisticThrift } from '../realistic/rows.mjs';
import * as messages from './messages.mjs';
import { loadThriftPackage, thriftIdl, toThriftPackage } from './peers.mjs';

/** Orders in the realistic stream (as in bench/realistic). */
const COUNT = Number(process.env.HEDDLE_BENCH_ORDERS ?? 2000);

/** Adds the compat codec rows to `bench`. */
export async function run(bench) {
  const doc = heddle.thrift.parse(readFileSync(thriftIdl, 'utf8'), { filename: 'baseline.thrift' });
  const pkg = loadThriftPackage();
  try {
    for (const [title, value] of [['Simple', messages.simple()], ['Nesting', messages.nesting()], ['Order', messages.order()]]) {
      for (const protocol of ['binary', 'compact']) {
        // The package's own objects (class instances, node-int64, plain-object maps). heddle encodes
        // what the package decodes from its bytes: the package writes i64 map keys given as strings
        // as hex under Binary but reads them back as decimal, and heddle takes the decimal form.
        const object = toThriftPackage(pkg, title, value, protocol);
        const packageBytes = pkg.encode(object, protocol);
        const decoded = pkg.decode(title, packageBytes, protocol);
        const codec = doc.codec(title, { ...compat.GEN_NODEJS_VALUES, protocol });
        const bytes = codec.encode(decoded).slice();
        if (!Buffer.from(packageBytes).equals(Buffer.from(bytes))) throw new Error(`${title} ${protocol}: compat and thrift bytes differ`);
        await bench.compare(`compat ${title} encode ${protocol}`, {
          'heddle (gen-nodejs values)': () => codec.encode(decoded),
          [`thrift (${protocol})`]: () => pkg.encode(object, protocol),
        }, { bytes: bytes.length });
        const decoders = {
          'heddle (gen-nodejs values)': () => codec.decode(bytes),
          [`thrift (${protocol})`]: () => pkg.decode(title, packageBytes, protocol),
        };
        await bench.compare(`compat ${title} decode ${protocol}`, decoders, { bytes: bytes.length });
        await bench.sustained(`compat ${title} decode ${protocol}`, decoders, { bytes: bytes.length });
      }
    }
  } finally {
    pkg.dispose();
  }
  await realisticRows(bench);
}

/** Calls `fn(item)` on the next item of `list` each time, round the list. */
function rotating(list, fn) {
  let next = 0;
  const count = list.length;
  return () => fn(list[next++ % count]);
}

/**
 * The realistic stream (Chinese and mixed text, snowflake ids, 100 int64 prices an order, 256-byte
 * thumbnails), each order once per pass. Both sides start from the same bytes: the package decodes
 * them into its own objects, which heddle then encodes back to the same bytes.
 */
async function realisticRows(bench) {
  const doc = heddle.thrift.parse(readFileSync(realisticThrift, 'utf8'), { filename: 'ecommerce.thrift' });
  const pkg = loadThriftPackage(realisticThrift, 'ecommerce_types.js');
  try {
    const list = orders(COUNT);
    for (const protocol of ['binary', 'compact']) {
      const codec = doc.codec('Order', { ...compat.GEN_NODEJS_VALUES, protocol });
      const wires = list.map((o) => doc.codec('Order', { protocol, map: 'object' }).encode(o).slice());
      if (protocol === 'binary') console.log(`realistic Thrift stream (Binary): ${describe(list, wires.map((w) => w.length))}`);
      const meanBytes = wires.reduce((n, w) => n + w.length, 0) / wires.length;
      // The package reads Buffers (what its sockets give it).
      const buffers = wires.map((w) => Buffer.from(w.buffer, w.byteOffset, w.length));
      const objects = buffers.map((b) => pkg.decode('Order', b, protocol));
      for (const i of [0, 1, COUNT - 1]) {
        if (!Buffer.from(codec.encode(objects[i])).equals(buffers[i])) throw new Error(`compat encodes realistic order ${i} differently (${protocol})`);
      }
      const peer = `thrift (${protocol})`;
      const decoders = { 'heddle (gen-nodejs values)': rotating(wires, (w) => codec.decode(w)), [peer]: rotating(buffers, (b) => pkg.decode('Order', b, protocol)) };
      const encoders = { 'heddle (gen-nodejs values)': rotating(objects, (o) => codec.encode(o)), [peer]: rotating(objects, (o) => pkg.encode(o, protocol)) };
      const title = `compat Realistic orders (${COUNT} distinct)`;
      await bench.compare(`${title} decode ${protocol}`, decoders, { bytes: meanBytes });
      await bench.sustained(`${title} decode ${protocol}`, decoders, { bytes: meanBytes });
      await bench.compare(`${title} encode ${protocol}`, encoders, { bytes: meanBytes });
    }
  } finally {
    pkg.dispose();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bench = new Bench('thrift-compat');
  await run(bench);
  console.log(formatTable(bench.rows));
}
