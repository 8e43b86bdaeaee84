// npm run bench [-- suite...]: runs every suite under bench/ (each bench/<family>/index.mjs), prints
// one table of medians and peer/heddle ratios, and writes bench/results.json.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench, formatTable } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const suites = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'index.mjs')))
  .map((d) => d.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

const rows = [];
for (const name of suites) {
  const bench = new Bench(name);
  const mod = await import(pathToFileURL(join(here, name, 'index.mjs')).href);
  process.stderr.write(`bench: ${name}...\n`);
  await mod.run(bench);
  rows.push(...bench.rows);
}
console.log(formatTable(rows));
const { native } = await import('../dist/index.js').then((m) => m.default ?? m);
const results = { date: new Date().toISOString(), node: process.version, native: { loaded: native.loaded, features: native.features }, rows };
writeFileSync(join(here, 'results.json'), JSON.stringify(results, null, 2) + '\n');
