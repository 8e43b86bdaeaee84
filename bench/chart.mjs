// Renders bench/results.json as SVG charts, one per benchmark family (suite): for every case and
// peer, how many times slower the peer is than heddle (the ratio column of the tables; above 1 heddle is
// faster), on a log scale with a rule at 1. Writes bench/charts/<family>.svg.
//
// Vega-Lite compiles a short declarative spec to Vega, whose View renders SVG headless in Node
// (toSVG needs no canvas or browser), so charts are reproducible from the JSON alone.
//
// node bench/chart.mjs [results.json] [out-dir]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const here = dirname(fileURLToPath(import.meta.url));

/** The Vega-Lite spec of one family's chart: a bar per (case, peer), ratios on a log axis. */
export function familySpec(family, rows, meta) {
  const peers = [...new Set(rows.map((r) => r.name))];
  const ratios = rows.map((r) => r.ratio);
  const low = Math.min(0.5, ...ratios) * 0.8;
  const high = Math.max(2, ...ratios) * 1.25;
  // One row per (case, peer), in the order the suite ran them, named by both when a family has
  // several peers (a case does not have every peer, so bands split per peer would leave gaps).
  const rowName = (r) => (peers.length > 1 ? `${r.title} · ${r.name}` : r.title);
  const byCase = { y: { field: 'row', type: 'nominal', sort: rows.map(rowName), title: null, axis: { labelLimit: 640 } } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${family}: peer time ÷ heddle time (above 1: heddle is faster)`,
      subtitle: `${meta.date.slice(0, 10)}, node ${meta.node}, native ${meta.native.loaded ? meta.native.features.join('/') || 'scalar' : 'off'}; medians, bench/results.json`,
      anchor: 'start',
    },
    // Labels sit right of the bar's end or of the 1 line, whichever is further right.
    data: { values: rows.map((r) => ({ row: rowName(r), case: r.title, peer: r.name, ratio: r.ratio, at: Math.max(1, r.ratio), label: `${r.ratio.toFixed(2)}×` })) },
    width: 560,
    height: { step: 16 },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.9 } },
        encoding: {
          ...byCase,
          x: { field: 'ratio', type: 'quantitative', scale: { type: 'log', domain: [low, high], nice: false }, title: 'ratio (log scale)' },
          x2: { datum: 1 },
          color: { field: 'peer', type: 'nominal', sort: peers, legend: { orient: 'bottom', title: 'peer', labelLimit: 400, columns: 2 } },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 },
        encoding: { ...byCase, x: { field: 'at', type: 'quantitative' }, text: { field: 'label' } },
      },
      { mark: { type: 'rule', color: '#444' }, encoding: { x: { datum: 1 } } },
    ],
    config: { font: 'sans-serif', axis: { labelFontSize: 10 }, view: { stroke: null } },
  };
}

/** SVG text of a Vega-Lite spec, rendered without a browser. */
export async function renderSvg(spec) {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Writes one chart per family of `results` (rows of peers only; heddle's own rows are the 1 line). */
export async function writeCharts(results, outDir) {
  mkdirSync(outDir, { recursive: true });
  const families = new Map();
  for (const row of results.rows) {
    if (row.name === row.baseline || typeof row.ratio !== 'number' || !Number.isFinite(row.ratio)) continue;
    if (!families.has(row.suite)) families.set(row.suite, []);
    families.get(row.suite).push(row);
  }
  const written = [];
  for (const [family, rows] of families) {
    const file = join(outDir, `${family}.svg`);
    writeFileSync(file, await renderSvg(familySpec(family, rows, results)));
    written.push(file);
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const input = process.argv[2] ?? join(here, 'results.json');
  const outDir = process.argv[3] ?? join(here, 'charts');
  const written = await writeCharts(JSON.parse(readFileSync(input, 'utf8')), outDir);
  for (const file of written) process.stderr.write(`chart: ${file}\n`);
}
