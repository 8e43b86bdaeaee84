/**
 * The record of suites skipped for a missing system peer (peers.ts), and the vitest global setup
 * that turns it into one line at the end of the run:
 *
 *   peers: skipped 2 suites and 9 tests in 3 files needing protoc (not on PATH; apt install protobuf-compiler), go (...)
 *
 * Test files run in forked workers, so each worker appends its skips to `<dir>/<pid>.jsonl` in a
 * directory this setup creates per run (concurrent runs do not share one) and hands to the workers
 * with `provide`.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/** The `provide`/`inject` key of the run's skip directory. */
export const PEER_SKIP_DIR = 'heddlePeerSkipDir';

declare module 'vitest' {
  export interface ProvidedContext {
    [PEER_SKIP_DIR]: string | undefined;
  }
}

/** A peer a suite needs that is not usable here. */
export interface MissingPeer {
  name: string;
  reason: string;
  install: string;
}

/** One suite or test skipped for missing peers. */
export interface PeerSkip {
  file: string;
  kind: 'suite' | 'test';
  title: string;
  missing: MissingPeer[];
}

/** Records a skip in the run's directory (from a worker). */
export function appendPeerSkip(dir: string, skip: PeerSkip): void {
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify(skip)}\n`);
}

function readPeerSkips(dir: string): PeerSkip[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter((line) => line !== ''))
    .map((line) => JSON.parse(line) as PeerSkip);
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The summary line for `skips`, or undefined when there are none. */
export function peerSkipSummary(skips: PeerSkip[]): string | undefined {
  // A file collected twice (watch mode) records its skips twice; count each suite once.
  const unique = new Map(skips.map((s) => [`${s.file}\0${s.kind}\0${s.title}`, s]));
  if (unique.size === 0) return undefined;
  const blocks = [...unique.values()];
  const suites = blocks.filter((s) => s.kind === 'suite').length;
  const tests = blocks.length - suites;
  const what = [suites > 0 ? count(suites, 'suite') : '', tests > 0 ? count(tests, 'test') : ''].filter((w) => w !== '').join(' and ');
  const files = new Set(blocks.map((s) => s.file)).size;
  const peers = new Map<string, MissingPeer>();
  for (const peer of blocks.flatMap((s) => s.missing)) if (!peers.has(peer.name)) peers.set(peer.name, peer);
  const needing = [...peers.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => `${p.name} (${p.reason}; ${p.install})`)
    .join(', ');
  return `peers: skipped ${what} in ${count(files, 'file')} needing ${needing}`;
}

/** Vitest global setup: creates the run's skip directory; its teardown prints the summary. */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-peer-skips-'));
  project.provide(PEER_SKIP_DIR, dir);
  return () => {
    try {
      const line = peerSkipSummary(readPeerSkips(dir));
      if (line !== undefined) process.stdout.write(`${line}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
