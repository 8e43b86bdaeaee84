// docs/merged-deployment.md's example must stay runnable: run it as a user would, against the
// built package and a real etcd, and check that it prints what the guide says it prints.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { hasPeers, itWithPeers } from '../helpers/peers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const guide = readFileSync(join(root, 'docs', 'merged-deployment.md'), 'utf8');

let etcd: EtcdServer | undefined;
beforeAll(async () => {
  if (hasPeers(['etcd'])) etcd = await startEtcd();
}, 60_000);
afterAll(() => etcd?.stop(), 30_000);

itWithPeers(['etcd'], 'the merged-deployment example prints the lines the guide shows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-merged-guide-'));
  try {
    const code = /```js\n([^]*?)```/
      .exec(guide)![1]!
      .replace("'127.0.0.1:2379'", `'${etcd!.endpoint}'`)
      .replaceAll('/tmp/echo-b', join(dir, 'echo-b'));
    const shown = /It prints\n\n```\n([^]*?)```/.exec(guide)![1]!;
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'heddle'));
    writeFileSync(join(dir, 'merged.mjs'), code);
    // Asynchronously: etcd is a child of this process and must keep being served.
    const run = await new Promise<{ out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [join(dir, 'merged.mjs')], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', () => resolve({ out, err }));
    });
    expect(run.err).toBe('');
    expect(run.out).toBe(shown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
