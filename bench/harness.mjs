// The shared benchmark harness. Every suite compares heddle with its peers on the same values in
// one process and reports medians and ratios; absolute numbers on shared machines are noise, the
// side-by-side ratios are the figures that count.
//
// A suite is a module exporting `async function run(bench)`, calling `bench.compare(...)`.
import { do_not_optimize, measure } from 'mitata';

const quick = process.env.HEDDLE_BENCH_QUICK === '1';

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
   * @param {string} title
   * @param {Record<string, () => unknown>} cases first key is the subject, the rest its peers
   * @param {{ bytes?: number }} [options]
   */
  async compare(title, cases, options = {}) {
    const entries = Object.entries(cases);
    const medians = [];
    for (const [name, fn] of entries) {
      fn(); // fail fast, before sampling, if a case throws
      const stats = await measure(() => do_not_optimize(fn()), { min_cpu_time: (quick ? 50 : 400) * 1e6 });
      medians.push({ name, median: stats.p50, p99: stats.p99 });
    }
    const subject = medians[0];
    for (const { name, median, p99 } of medians) {
      /** @type {Row} */
      const row = {
        suite: this.suite,
        title,
        name,
        medianNs: median,
        p99Ns: p99,
        opsPerSec: 1e9 / median,
        baseline: subject.name,
        ratio: median / subject.median,
      };
      if (options.bytes !== undefined) {
        row.bytes = options.bytes;
        row.mbPerSec = options.bytes / median * 1e3;
      }
      this.rows.push(row);
    }
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
