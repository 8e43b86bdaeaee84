// The compat decode rows of compat-cpu-time.mjs (Simple, Nesting, Order; heddle with the gen-nodejs
// value options against the `thrift` package's generated `read` on the same bytes) in CPU
// instructions counted by valgrind (cachegrind), which the load of other processes on shared
// cores does not move. Each case runs in its own process twice, for two numbers of decodes after
// a warm-up; the difference of the counts over the difference of decodes takes start-up and
// compilation out. Instructions are not time (a cache miss or a GC pause costs more than its
// instructions): read them beside compat-cpu-time.mjs, not instead of it.
//
//   npm run build && node bench/thrift/compat-instructions.mjs [binary|compact] [Simple,Nesting,Order]
//   HEDDLE_BENCH_BEFORE=/path/to/other/checkout/dist node bench/thrift/compat-instructions.mjs
//     adds heddle from another build (e.g. an earlier commit's) as a row.   (needs valgrind)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { countInstructions } from '../realistic/instructions.mjs';
import * as messages from './messages.mjs';
import { loadThriftPackage, thriftIdl, toThriftPackage } from './peers.mjs';

const self = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
/** Decodes before the counted ones (warm-up), and the two counts of counted decodes. */
const WARM = 3000;
const LOW = { Simple: 20_000, Nesting: 2_000, Order: 5_000 };

/** The decode function of one case: 'peer' (the thrift package), 'heddle' (this checkout) or another build's dist. */
function decoderOf(who, protocol, name) {
  const value = messages[name.toLowerCase()]();
  const pkg = loadThriftPackage();
  process.on('exit', () => pkg.dispose());
  const packageBytes = pkg.encode(toThriftPackage(pkg, name, value, protocol), protocol);
  if (who === 'peer') return () => pkg.decode(name, packageBytes, protocol);
  const dist = who === 'heddle' ? '../../dist' : who;
  const heddle = require(`${dist}/index.js`);
  const compat = require(`${dist}/adapters/thrift-compat/index.js`);
  const codec = heddle.thrift.parse(readFileSync(thriftIdl, 'utf8'), { filename: 'baseline.thrift' }).codec(name, { ...compat.GEN_NODEJS_VALUES, protocol });
  const bytes = codec.encode(pkg.decode(name, packageBytes, protocol)).slice();
  return () => codec.decode(bytes);
}

if (process.argv[2] === '--case') {
  const [, , , who, protocol, name, count] = process.argv;
  const decode = decoderOf(who, protocol, name);
  const sink = new Array(64);
  for (let i = 0; i < WARM + Number(count); i++) sink[i & 63] = decode();
} else {
  const protocol = process.argv[2] ?? 'binary';
  const names = process.argv[3]?.split(',') ?? ['Simple', 'Nesting', 'Order'];
  const builds = ['heddle', ...(process.env.HEDDLE_BENCH_BEFORE ? [process.env.HEDDLE_BENCH_BEFORE] : [])];
  const perDecode = async (who, name) => {
    const low = LOW[name];
    const [a, b] = await Promise.all([countInstructions(self, ['--case', who, protocol, name, String(low)]), countInstructions(self, ['--case', who, protocol, name, String(3 * low)])]);
    return (b - a) / (2 * low);
  };
  for (const name of names) {
    const reference = await perDecode('peer', name);
    console.log(`\n${name} ${protocol} decode, gen-nodejs values: case, instructions per decode, thrift package/case`);
    for (const build of builds) {
      const count = await perDecode(build, name);
      console.log(`${(build === 'heddle' ? 'heddle' : `heddle (${build})`).padEnd(40)} ${String(Math.round(count)).padStart(10)}   ${(reference / count).toFixed(2)}x`);
    }
    console.log(`${'thrift package'.padEnd(40)} ${String(Math.round(reference)).padStart(10)}   1.00x`);
  }
}
