// Crossover bookkeeping for the kernel benchmarks: each kernel is measured as the exported
// (dispatching) function, the native kernel and the TypeScript twin at a sweep of sizes; the
// crossover is the smallest size from which native is faster at every larger size measured.

/** Element counts every kernel is measured at. */
export const SIZES = [1, 4, 16, 64, 256, 1024, 10240];

export class Crossover {
  constructor(bench) {
    this.bench = bench;
    /** @type {Map<string, { size: number, native: number, ts: number, bytes: number }[]>} */
    this.kernels = new Map();
  }

  /**
   * Measures one kernel at one size. `cases` has `heddle` (the exported function), `native`
   * and `ts`; `bytes` is the wire size per call, for the MB/s column.
   */
  async measure(kernel, size, cases, bytes) {
    const before = this.bench.rows.length;
    await this.bench.compare(`${kernel} n=${size}`, cases, { bytes });
    const rows = this.bench.rows.slice(before);
    const median = (name) => rows.find((r) => r.name === name)?.medianNs ?? Number.NaN;
    if (!this.kernels.has(kernel)) this.kernels.set(kernel, []);
    this.kernels.get(kernel).push({ size, native: median('native'), ts: median('ts'), bytes });
  }

  /** The crossover table: ts/native time ratio per size (>1: native wins) and the derived threshold. */
  format() {
    const header = ['kernel', ...SIZES.map((s) => `n=${s}`), 'native from'];
    const lines = [...this.kernels].map(([kernel, points]) => {
      const ratios = SIZES.map((s) => {
        const p = points.find((q) => q.size === s);
        return p === undefined ? '' : (p.ts / p.native).toFixed(2);
      });
      return [kernel, ...ratios, String(crossoverOf(points))];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return ['crossover (ts time / native time; > 1 means native is faster)', fmt(header), ...lines.map(fmt)].join('\n');
  }
}

/** Smallest measured size from which native beats ts at every larger size; Infinity if never. */
export function crossoverOf(points) {
  const sorted = [...points].sort((a, b) => a.size - b.size);
  let threshold = Infinity;
  for (let i = sorted.length - 1; i >= 0 && sorted[i].native < sorted[i].ts; i--) threshold = sorted[i].size;
  return threshold;
}
