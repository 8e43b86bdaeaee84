// docs/gateway.md's field-path examples (Thrift and Protobuf) must stay runnable: run it as a user would, against the
// built package, and check that it prints what the guide says it prints.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const guide = readFileSync(join(root, 'docs', 'gateway.md'), 'utf8');
/** Runs the first js block after `heading` as a user would, and checks it prints what the guide shows. */
function expectExampleRuns(heading: string): void {
  const section = guide.slice(guide.indexOf(heading));
  const code = /```js\n([^]*?)```/.exec(section)![1]!;
  const shown = /It prints\n\n```\n([^]*?)```/.exec(section)![1]!;
  const dir = mkdtempSync(join(tmpdir(), 'heddle-paths-guide-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'heddle'));
    writeFileSync(join(dir, 'paths.mjs'), code);
    const run = spawnSync(process.execPath, [join(dir, 'paths.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(shown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('the field-path example prints the lines the guide shows', () => {
  expectExampleRuns('## Field paths on raw bytes');
}, 90_000);

it('the Protobuf field-path example prints the lines the guide shows', () => {
  expectExampleRuns('## Field paths on Protobuf bytes');
}, 90_000);
