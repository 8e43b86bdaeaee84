// The shared benchmark harness. Every suite compares heddle with its peers on the same values in
// one process and reports medians and ratios; absolute numbers on shared machines are noise, the
// side-by-side ratios are the figures that count.
//
// A suite is a module exporting `async function run(bench)`, calling `bench.compare(...)`.
import { do_not_optimize, measure } from 'mitata';

const quick = process.env.HEDDLE_BENCH_QUICK === '1';
/** Interleaved measuring rounds per case, and the CPU time each round takes at least. */
const ROUNDS = quick ? 3 : 7;
const ROUND_CPU_NS = (quick ? 20 : 80) * 1e6;
/** Wall time of each sustained-throughput round. */
const SUSTAINED_ROUND_MS = quick ? 150 : 600;

function medianOf(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * @typedef {{ suite: string, title: string, name: string, medianNs: number, p99Ns: number,
 *   bytes?: number, opsPerSec: number, mbPerSec?: number, ratio?: number, baseline: string }} Row
 */

export class Bench {
  /** @param {string} suite */
  constructor(suite) {
    this.suite = suite;
    /** @type {Row[]} */
    this.rows = [];
  }

  /**
   * Measures each case and records it with its ratio against the first case (heddle).
   * `ratio` is peerTime / heddleTime for a peer row: 3.0 means heddle is 3x faster than that peer.
   * For heddle's own row it is 1. `bytes` (per call) adds a throughput column.
   *
   * The cases are measured in ROUNDS interleaved rounds, each starting at a different case, rather
   * than one long run each: these shared machines drift in speed over seconds, and a peer measured
   * in a slow second would otherwise look faster or slower than it is. A row's time is the median
   * of its round medians; its ratio is the median of the per-round ratios, so each ratio compares
   * times taken moments apart.
   *
   * @param {string} title
   * @param {Record<string, () => unknown>} cases first key is the subject, the rest its peers
   * @param {{ bytes?: number }} [options]
   */
  async compare(title, cases, options = {}) {
    const entries = Object.entries(cases);
    for (const [, fn] of entries) fn(); // fail fast, before sampling, if a case throws
    /** @type {{ p50: number, p99: number }[][]} per case, its rounds */
    const rounds = entries.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < entries.length; k++) {
        const index = (round + k) % entries.length;
        const fn = entries[index][1];
        const stats = await measure(() => do_not_optimize(fn()), { min_cpu_time: ROUND_CPU_NS });
        rounds[index].push({ p50: stats.p50, p99: stats.p99 });
      }
    }
    const subject = rounds[0];
    entries.forEach(([name], index) => {
      const own = rounds[index];
      const median = medianOf(own.map((r) => r.p50));
      /** @type {Row} */
      const row = {
        suite: this.suite,
        title,
        name,
        medianNs: median,
        p99Ns: medianOf(own.map((r) => r.p99)),
        opsPerSec: 1e9 / median,
        baseline: entries[0][0],
        ratio: index === 0 ? 1 : medianOf(own.map((r, i) => r.p50 / subject[i].p50)),
      };
      if (options.bytes !== undefined) {
        row.bytes = options.bytes;
        row.mbPerSec = options.bytes / median * 1e3;
      }
      this.rows.push(row);
    });
  }

  /**
   * Sustained throughput: each case runs flat out for a round of wall time (SUSTAINED_ROUND_MS),
   * in interleaved rounds as in `compare`, and its figure is operations over wall time, garbage
   * collection and everything else included. Medians of short samples can hide the cost of the
   * garbage a decoder leaves; this cannot. The row's `medianNs` is wall time per operation, its
   * ratio the median of the per-round ratios (peer time over heddle time, as in `compare`).
   *
   * @param {string} title
   * @param {Record<string, () => unknown>} cases first key is the subject, the rest its peers
   * @param {{ bytes?: number }} [options]
   */
  async sustained(title, cases, options = {}) {
    const entries = Object.entries(cases);
    for (const [, fn] of entries) fn();
    /** @type {number[][]} per case, ns per operation in each round */
    const rounds = entries.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < entries.length; k++) {
        const index = (round + k) % entries.length;
        const fn = entries[index][1];
        // Start each round with the previous case's garbage collected, when gc is exposed, so no
        // case pays for another's.
        globalThis.gc?.();
        let ops = 0;
        const start = process.hrtime.bigint();
        const end = start + BigInt(SUSTAINED_ROUND_MS * 1e6);
        let now = start;
        while (now < end) {
          for (let i = 0; i < 16; i++) do_not_optimize(fn());
          ops += 16;
          now = process.hrtime.bigint();
        }
        rounds[index].push(Number(now - start) / ops);
      }
    }
    const subject = rounds[0];
    entries.forEach(([name], index) => {
      const own = rounds[index];
      const perOp = medianOf(own);
      /** @type {Row} */
      const row = {
        suite: this.suite,
        title: `${title} (sustained)`,
        name,
        medianNs: perOp,
        opsPerSec: 1e9 / perOp,
        baseline: entries[0][0],
        ratio: index === 0 ? 1 : medianOf(own.map((ns, i) => ns / subject[i])),
        sustained: true,
      };
      if (options.bytes !== undefined) {
        row.bytes = options.bytes;
        row.mbPerSec = (options.bytes / perOp) * 1e3;
      }
      this.rows.push(row);
    });
  }

  /** Records externally measured figures (e.g. RPC QPS from another process). */
  record(row) {
    this.rows.push({ suite: this.suite, ...row });
  }
}

function fmtTime(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

/** @param {Row[]} rows */
export function formatTable(rows) {
  const header = ['suite', 'benchmark', 'impl', 'median', 'ops/s', 'MB/s', 'peer/heddle'];
  const lines = rows.map((r) => [
    r.suite,
    r.title,
    r.name,
    r.medianNs === undefined ? '' : fmtTime(r.medianNs),
    r.opsPerSec === undefined ? '' : Math.round(r.opsPerSec).toLocaleString('en-US'),
    r.mbPerSec === undefined ? '' : r.mbPerSec.toFixed(0),
    r.name === r.baseline || r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}
