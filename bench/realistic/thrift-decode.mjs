// bench/realistic/thrift-decode.mjs: the decode rows of issue 22's and issue 17's Thrift targets on
// the realistic order stream only, side by side in one process: heddle (Binary, Compact, and with
// the gen-nodejs values of heddle/thrift-compat), the `thrift` package on Buffers, and protobufjs
// on the same orders in Protobuf; with HEDDLE_BENCH_BEFORE=<dist of another build>, that build's
// heddle as well, so a change is measured against its base in the same rounds. Per-operation
// medians and sustained throughput (GC included), ratio = peer time / heddle time.
//
//   npm run build && node --expose-gc bench/realistic/thrift-decode.mjs      (HEDDLE_BENCH_QUICK=1 for a quick pass)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Bench, formatTable } from '../harness.mjs';
import { protobufjsType } from '../protobuf/peers.mjs';
import { loadThriftPackage } from '../thrift/peers.mjs';
import { orders } from './records.mjs';
import { realisticProto, realisticThrift } from './rows.mjs';

const require = createRequire(import.meta.url);
const COUNT = Number(process.env.HEDDLE_BENCH_ORDERS ?? 2000);
const heddle = require('../../dist/index.js');
const compat = require('../../dist/adapters/thrift-compat/index.js');
const before = process.env.HEDDLE_BENCH_BEFORE;
const heddleBefore = before === undefined ? undefined : require(resolve(before, 'index.js'));
const compatBefore = before === undefined ? undefined : require(resolve(before, 'adapters/thrift-compat/index.js'));

/** Calls `fn(item)` on the next item of `list` each time, round the list. */
function rotating(list, fn) {
  let next = 0;
  const count = list.length;
  return () => fn(list[next++ % count]);
}

const source = readFileSync(realisticThrift, 'utf8');
const list = orders(COUNT);
const pkg = loadThriftPackage(realisticThrift, 'ecommerce_types.js');
const bench = new Bench('thrift-decode');
try {
  const protoSource = readFileSync(realisticProto, 'utf8');
  const pbjsType = protobufjsType(protoSource, 'ecommerce.Order');
  const protoCodec = heddle.protobuf.parse(protoSource, { filename: 'ecommerce.proto' }).codec('ecommerce.Order');
  const protoBuffers = list.map((o) => Buffer.from(protoCodec.encode(o)));
  for (const protocol of ['binary', 'compact']) {
    const codecOf = (lib, options) => lib.thrift.parse(source, { filename: 'ecommerce.thrift' }).codec('Order', { protocol, ...options });
    const codec = codecOf(heddle, { map: 'object' });
    const wires = list.map((o) => codec.encode(o).slice());
    const buffers = wires.map((w) => Buffer.from(w.buffer, w.byteOffset, w.length));
    const meanBytes = wires.reduce((n, w) => n + w.length, 0) / wires.length;
    const peer = `thrift (${protocol})`;
    const title = `Realistic orders (${COUNT} distinct) decode ${protocol}`;
    const decoders = { heddle: rotating(wires, (w) => codec.decode(w)) };
    if (heddleBefore !== undefined) {
      const old = codecOf(heddleBefore, { map: 'object' });
      decoders['heddle before'] = rotating(wires, (w) => old.decode(w));
    }
    decoders[peer] = rotating(buffers, (b) => pkg.decode('Order', b, protocol));
    if (protocol === 'binary') decoders.protobufjs = rotating(protoBuffers, (b) => pbjsType.decode(b));
    await bench.compare(title, decoders, { bytes: meanBytes });
    await bench.sustained(title, decoders, { bytes: meanBytes });

    const compatCodec = codecOf(heddle, compat.GEN_NODEJS_VALUES);
    const compatDecoders = { 'heddle (gen-nodejs values)': rotating(wires, (w) => compatCodec.decode(w)) };
    if (compatBefore !== undefined) {
      const old = codecOf(heddleBefore, compatBefore.GEN_NODEJS_VALUES);
      compatDecoders['heddle before (gen-nodejs values)'] = rotating(wires, (w) => old.decode(w));
    }
    compatDecoders[peer] = rotating(buffers, (b) => pkg.decode('Order', b, protocol));
    await bench.compare(`compat ${title}`, compatDecoders, { bytes: meanBytes });
    await bench.sustained(`compat ${title}`, compatDecoders, { bytes: meanBytes });
  }
} finally {
  pkg.dispose();
}
console.log(formatTable(bench.rows));
