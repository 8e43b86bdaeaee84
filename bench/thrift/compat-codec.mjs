// heddle/thrift-compat's codecs: heddle's generated codecs with the gen-nodejs value options
// (i64 as node-int64, unset fields null, binary as Buffer, maps as objects, lists/sets as arrays)
// against the `thrift` package's generated js:node code, on the same gen-nodejs objects.
// ratio = peer time / heddle time: above 1, heddle is faster.
//   node --expose-gc bench/thrift/compat-codec.mjs          (HEDDLE_BENCH_QUICK=1 for a quick pass)
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import heddle from '../../dist/index.js';
import compat from '../../dist/adapters/thrift-compat/index.js';
import { Bench, formatTable } from '../harness.mjs';
import * as messages from './messages.mjs';
import { loadThriftPackage, thriftIdl, toThriftPackage } from './peers.mjs';

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
        await bench.compare(`compat ${title} decode ${protocol}`, {
          'heddle (gen-nodejs values)': () => codec.decode(bytes),
          [`thrift (${protocol})`]: () => pkg.decode(title, packageBytes, protocol),
        }, { bytes: bytes.length });
      }
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
