// Crossover benchmark of the whole-buffer kernels (src-ts/kernels): for each kernel, the exported
// function (heddle), the native kernel and the TypeScript twin at 1 .. 10k elements. Prints the
// crossover table that src-ts/kernels/thresholds.ts cites.
//
//   node bench/run.mjs kernels                                  every family
//   HEDDLE_BENCH_KERNELS=varint,utf8 node bench/run.mjs kernels  only those families
//   HEDDLE_BENCH_KERNELS=text node bench/run.mjs kernels          Chinese text: the decoders' reader against Buffer#utf8Slice
import { Crossover } from './crossover.mjs';
import * as fixedWidth from './fixed-width.mjs';
import * as text from './text.mjs';
import * as utf8 from './utf8.mjs';
import * as varint from './varint.mjs';

const FAMILIES = { fixed: fixedWidth, varint, utf8, text };

export async function run(bench) {
  const { native } = await import('../../dist/index.js').then((m) => m.default ?? m);
  if (!native.loaded) {
    process.stderr.write(`bench kernels: the native addon is not loaded (${native.reason}); nothing to compare\n`);
    return;
  }
  const wanted = (process.env.HEDDLE_BENCH_KERNELS ?? Object.keys(FAMILIES).join(',')).split(',');
  const crossover = new Crossover(bench);
  for (const name of wanted) await FAMILIES[name].run(crossover);
  process.stderr.write(`${crossover.format()}\n`);
}
