// docs/gateway.md's gateway.fromIDL examples (Thrift, then Protobuf with its shop.proto) must stay
// runnable: run each as a user would, against the built package, and check that it prints what
// the guide says it prints.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const guide = readFileSync(join(root, 'docs', 'gateway.md'), 'utf8');
const start = guide.indexOf('## HTTP mapping from the IDL');
const section = guide.slice(start, guide.indexOf('\n## ', start + 1));
const blocks = (fence: string) => [...section.matchAll(new RegExp('```' + fence + '\\n([^]*?)```', 'g'))].map((m) => m[1]!);

it.each([0, 1])('gateway example %i prints the lines the guide shows', (index) => {
  const code = blocks('js')[index]!;
  const shown = [...section.matchAll(/It prints\n\n```\n([^]*?)```/g)][index]![1]!;
  const dir = mkdtempSync(join(tmpdir(), 'heddle-http-guide-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'heddle'));
    symlinkSync(join(root, 'node_modules', 'protobufjs'), join(dir, 'node_modules', 'protobufjs'));
    writeFileSync(join(dir, 'shop.proto'), blocks('proto')[0]!);
    writeFileSync(join(dir, 'example.mjs'), code);
    const run = spawnSync(process.execPath, [join(dir, 'example.mjs')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(shown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
