// docs/observability.md's examples must stay runnable: run each as a user would, against the
// built package, and check what it prints.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const guide = readFileSync(join(root, 'docs', 'observability.md'), 'utf8');

/** Runs the first js block after `heading` with heddle, @opentelemetry and pino installed. */
function runExample(heading: string): { stdout: string; stderr: string } {
  const section = guide.slice(guide.indexOf(heading));
  const code = /```js\n([^]*?)```/.exec(section)![1]!;
  const dir = mkdtempSync(join(tmpdir(), 'heddle-observability-guide-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'heddle'));
  for (const name of ['@opentelemetry', 'pino']) symlinkSync(join(root, 'node_modules', name), join(dir, 'node_modules', name));
  writeFileSync(join(dir, 'example.mjs'), code);
  const run = spawnSync(process.execPath, [join(dir, 'example.mjs')], { encoding: 'utf8', timeout: 30_000 });
  return { stdout: run.stdout, stderr: run.stderr };
}

it('the tracing example prints the spans its text shows', () => {
  const { stdout, stderr } = runExample('## Tracing and metrics');
  expect(stderr).toBe('');
  const shown = /prints\n\n```\n([^]*?)```/.exec(guide)![1]!;
  expect(stdout).toBe(shown);
});

it('the logging example prints one warning and one summary of the other 49', () => {
  const { stdout, stderr } = runExample('## Logging');
  expect(stderr).toBe('');
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatchObject({ level: 40, code: 'ERR_BAD_FRAME', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  expect(lines[1]).toEqual({ level: 40, code: 'ERR_BAD_FRAME', suppressed: 49, intervalMs: 500, msg: 'ERR_BAD_FRAME x49 in the last 0.5 s' });
});
