// The CPU-time runner of decode-cpu-time.mjs and encode-cpu-time.mjs: cases alternate round by
// round, each timed in CPU time (process.cpuUsage, every thread of the process: garbage collection
// on V8's helper threads included), which time spent descheduled under load does not move.
import { readFileSync } from 'node:fs';
import { orders } from './records.mjs';
import { realisticProto, realisticThrift } from './rows.mjs';

/** Orders in each pass. */
export const COUNT = 2000;
const ROUNDS = Number(process.env.HEDDLE_BENCH_ROUNDS ?? 31);

/** The stream, the schemas, and the dists to measure: this checkout's and HEDDLE_BENCH_BEFORE's. */
export function setting() {
  const builds = [['', '../../dist']];
  if (process.env.HEDDLE_BENCH_BEFORE) builds.push([` (${process.env.HEDDLE_BENCH_BEFORE})`, process.env.HEDDLE_BENCH_BEFORE]);
  return { list: orders(COUNT), protoSource: readFileSync(realisticProto, 'utf8'), thriftSource: readFileSync(realisticThrift, 'utf8'), builds };
}

/**
 * Runs `cases` (each one pass over the stream) for ROUNDS rounds after `warmUp` uncounted passes
 * each and prints, per case, the median CPU ns per operation and the reference's time over the
 * case's, by medians and summed over all rounds (sustained).
 * @param {Record<string, () => void>} cases
 */
export function printCpuTimes(cases, reference, operation, warmUp = 0) {
  const names = Object.keys(cases);
  for (let pass = 0; pass < warmUp; pass++) for (const name of names) cases[name]();
  const perOperation = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const start = process.cpuUsage();
      cases[name]();
      const used = process.cpuUsage(start);
      perOperation[name].push(((used.user + used.system) * 1000) / COUNT);
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  console.log(`case                                   CPU ns per ${operation}   ${reference}/case   sustained ${reference}/case`);
  for (const name of names) {
    const ratio = median(perOperation[reference]) / median(perOperation[name]);
    const sustained = sum(perOperation[reference]) / sum(perOperation[name]);
    console.log(`${name.padEnd(38)} ${median(perOperation[name]).toFixed(0).padStart(17)}   ${ratio.toFixed(2).padStart(13)}x   ${sustained.toFixed(2).padStart(23)}x`);
  }
}
