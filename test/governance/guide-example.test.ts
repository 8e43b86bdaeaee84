// docs/governance.md's example must stay runnable: run it as a user would, against the built
// package, and check that it prints what the guide says it prints.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const guide = readFileSync(join(root, 'docs', 'governance.md'), 'utf8');

it('the retry and circuit breaker example prints the lines the guide shows', () => {
  const code = /```js\n([^]*?)```/.exec(guide)![1]!;
  const shown = /It prints\n\n```\n([^]*?)```/.exec(guide)![1]!;
  const dir = mkdtempSync(join(tmpdir(), 'heddle-governance-guide-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'heddle'));
    writeFileSync(join(dir, 'governance.mjs'), code);
    const run = spawnSync(process.execPath, [join(dir, 'governance.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(shown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
