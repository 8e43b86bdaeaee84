// `heddle demo`'s merged-deployment rows: the in-process (inline) row always, and the merged run
// through a real etcd when one answers, skipped with its reason when none does.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../../src-ts/cli/demo.js';
import { freePort, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { hasPeers, itWithPeers } from '../helpers/peers.js';

const bin = fileURLToPath(new URL('../../bin/heddle.js', import.meta.url));

/** Runs the demo without blocking the event loop (etcd runs in this process's children). */
function demo(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

function mergedRows(out: string, label: string) {
  return [...out.matchAll(new RegExp(`^ {2}${label} +Thrift +(\\d+) +([\\d,]+) +`, 'gm'))].map((m) => ({ callers: Number(m[1]), rate: Number(m[2]!.replaceAll(',', '')) }));
}

let etcd: EtcdServer | undefined;
beforeAll(async () => {
  if (hasPeers(['etcd'])) etcd = await startEtcd();
}, 60_000);
afterAll(() => etcd?.stop(), 30_000);

describe('heddle demo, merged deployment', () => {
  it('prints in-process rows, and skips the merged run in one line when no etcd answers', async () => {
    const { code, out, err } = await demo('--row-ms', '100', '--etcd', `127.0.0.1:${await freePort()}`);
    expect(err).toBe('');
    expect(code).toBe(0);
    const inline = mergedRows(out, 'in-process');
    expect(inline.map((r) => r.callers)).toEqual([1, 64]);
    for (const row of inline) expect(row.rate).toBeGreaterThan(0);
    expect(out).toMatch(/^ {2}merged run skipped: no etcd answers at 127\.0\.0\.1:\d+ \(start one, or pass --etcd host:port\)$/m);
    expect(mergedRows(out, 'merged')).toEqual([]);
    expect(out).toContain('every round trip matched');
  }, 120_000);

  itWithPeers(['etcd'], 'finds the demo server through etcd and picks the same-host path by itself', async () => {
    const { code, out, err } = await demo('--row-ms', '100', '--etcd', etcd!.endpoint);
    expect(err).toBe('');
    expect(code).toBe(0);
    const path = out.includes('shared memory unavailable') ? 'the Unix socket' : 'shared memory';
    expect(out).toMatch(new RegExp(`merged run: heddle-demo-merged-\\d+ found in etcd at ${etcd!.endpoint.replaceAll('.', '\\.')} \\(1 instance, host \\S+, local share 1\\); the client picked ${path} \\(/`));
    expect(mergedRows(out, 'merged').map((r) => r.callers)).toEqual([1, 64]);
    expect(out).toContain('every round trip matched');
  }, 120_000);

  it('parses --etcd', () => {
    expect(parseDemoArgs(['--etcd', '10.0.0.5:2379', '--row-ms', '100'])).toEqual({ busyPollMicros: 0, rowMs: 100, etcd: '10.0.0.5:2379' });
    expect(parseDemoArgs(['--etcd'])).toBe('--etcd needs host:port, got nothing');
    expect(parseDemoArgs(['--etcd', 'http://x:1'])).toBe('--etcd needs host:port, got http://x:1');
  });
});
