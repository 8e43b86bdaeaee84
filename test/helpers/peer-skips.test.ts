import { describe, expect, it } from 'vitest';
import { peerSkipSummary, type MissingPeer, type PeerSkip } from './peer-skips.js';

const protoc: MissingPeer = { name: 'protoc', reason: 'not on PATH', install: 'apt install protobuf-compiler' };
const go: MissingPeer = { name: 'go', reason: 'no go in $GO, on PATH or in /usr/local/go/bin', install: 'install Go 1.24+ from https://go.dev/dl, or set GO' };

const skip = (file: string, kind: PeerSkip['kind'], title: string, ...missing: MissingPeer[]): PeerSkip => ({ file, kind, title, missing });

describe('peerSkipSummary', () => {
  it('says nothing when nothing was skipped', () => {
    expect(peerSkipSummary([])).toBeUndefined();
  });

  it('counts suites, tests and files, and names each missing peer once, by name, with its reason and install hint', () => {
    const line = peerSkipSummary([
      skip('test/a.test.ts', 'suite', 'a', protoc),
      skip('test/a.test.ts', 'test', 'a2', protoc),
      skip('test/b.test.ts', 'test', 'b', protoc, go),
      skip('test/c.test.ts', 'suite', 'c', go),
    ]);
    expect(line).toBe(
      'peers: skipped 2 suites and 2 tests in 3 files needing '
        + 'go (no go in $GO, on PATH or in /usr/local/go/bin; install Go 1.24+ from https://go.dev/dl, or set GO), '
        + 'protoc (not on PATH; apt install protobuf-compiler)',
    );
  });

  it('uses the singular, and leaves out a kind with none skipped', () => {
    expect(peerSkipSummary([skip('test/a.test.ts', 'test', 'a', protoc)]))
      .toBe('peers: skipped 1 test in 1 file needing protoc (not on PATH; apt install protobuf-compiler)');
  });

  it('counts a suite recorded twice (its file collected again, as in watch mode) once', () => {
    const twice = skip('test/a.test.ts', 'suite', 'a', protoc);
    expect(peerSkipSummary([twice, { ...twice }])).toBe('peers: skipped 1 suite in 1 file needing protoc (not on PATH; apt install protobuf-compiler)');
  });
});
