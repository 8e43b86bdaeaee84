// bench/chart.mjs turns results.json rows into one SVG per family: a bar per (case, peer) at the
// peer/heddle ratio, heddle's own rows left out, labels with the ratios.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without declarations
import { writeCharts } from '../../bench/chart.mjs';

const row = (suite: string, title: string, name: string, ratio: number) => ({ suite, title, name, baseline: 'heddle', ratio, medianNs: 100 * ratio });

describe('bench/chart.mjs', () => {
  it('writes one SVG per family with a labelled bar per peer and case', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heddle-charts-'));
    try {
      const results = {
        date: '2026-12-06T00:00:00.000Z',
        node: 'v20.20.2',
        native: { loaded: true, features: ['avx2'] },
        rows: [
          row('thrift', 'Simple encode', 'heddle', 1),
          row('thrift', 'Simple encode', 'thrift (npm)', 3.25),
          row('thrift', 'Simple encode', 'Go Kitex', 0.5),
          row('thrift', 'Order decode', 'thrift (npm)', 7.5),
          row('thrift', 'Order decode', 'Go Kitex', 1.75),
          row('protobuf', 'Simple decode', 'protobufjs', 2),
        ],
      };
      const written: string[] = await writeCharts(results, dir);
      expect(readdirSync(dir).sort()).toEqual(['protobuf.svg', 'thrift.svg']);
      expect(written.map((f) => f.slice(dir.length + 1)).sort()).toEqual(['protobuf.svg', 'thrift.svg']);
      const svg = readFileSync(join(dir, 'thrift.svg'), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      const labels = [...svg.matchAll(/>([\d.]+×)</g)].map((m) => m[1]).sort();
      expect(labels).toEqual(['0.50×', '1.75×', '3.25×', '7.50×']);
      for (const text of ['Simple encode', 'Order decode', 'thrift (npm)', 'Go Kitex', 'native avx2']) expect(svg).toContain(text);
      // The heddle rows are the rule at 1, not bars.
      expect(svg).not.toContain('1.00×');
      // One row per case and peer, in the order the rows came, each bar at its ratio.
      const bars = [...svg.matchAll(/<path aria-label="ratio \(log scale\): ([\d.]+); row: ([^;]+); peer: ([^"]+)" role="graphics-symbol" aria-roledescription="bar" d="M[\d.]+,([\d.]+)/g)];
      expect(bars.map((m) => `${m[2]} = ${m[1]}`)).toEqual(['Simple encode · thrift (npm) = 3.25', 'Simple encode · Go Kitex = 0.5', 'Order decode · thrift (npm) = 7.5', 'Order decode · Go Kitex = 1.75']);
      const tops = bars.map((m) => Number(m[4]));
      expect([...tops].sort((a, b) => a - b)).toEqual(tops);
      // A family with one peer names rows by case alone.
      expect(readFileSync(join(dir, 'protobuf.svg'), 'utf8')).toContain('row: Simple decode; peer: protobufjs');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
