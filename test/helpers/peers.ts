/**
 * The system programs and files some suites compare heddle against: protoc and the well-known
 * .proto files, the Thrift compiler, Google's and Apache's Python libraries, Go (for the Kitex and
 * shmipc-go peers), the etcd server, a DNS server (dnsmasq), prlimit and a C++ compiler with sanitizers. Each is probed once per worker process, when
 * a suite first asks for it.
 *
 * A suite registered with {@link describeWithPeers} or {@link itWithPeers} runs when its peers are
 * here; otherwise it is skipped, recorded, and counted in the one `peers: skipped ...` line printed
 * at the end of the run (peer-skips.ts). Environment:
 * - `HEDDLE_REQUIRE_PEERS=1` (CI): a missing peer is a failing test named
 *   "requires <peer>: <reason> (<how to install it>)" instead of a skip.
 * - `HEDDLE_PEERS_HIDE=protoc,go` (for checking the skip paths on a machine that has the peers):
 *   the named peers are reported missing, whatever the probes would find.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, inject, it, TestRunner, type TestFunction } from 'vitest';
import { findGo } from '../../scripts/go-programs.mjs';
import { appendPeerSkip, PEER_SKIP_DIR, type MissingPeer } from './peer-skips.js';

/** Debian's Python, which python3-protobuf and python3-thrift install into. */
export const PYTHON = '/usr/bin/python3';

/** Debian's etcd-server, which the discovery suites start on free loopback ports (helpers/etcd.ts). */
export const ETCD = '/usr/bin/etcd';

/** Debian's dnsmasq-base: a real DNS server for discovery.dns, on a free loopback port (helpers/dnsmasq.ts). */
export const DNSMASQ = '/usr/sbin/dnsmasq';

/** Where libprotobuf-dev puts google/protobuf/*.proto. */
export const PROTOBUF_INCLUDE = '/usr/include';

interface PeerSpec {
  /** Why the peer is not usable here, or undefined when it is. */
  probe(): string | undefined;
  /** What to install, as the failure message and the summary line say it. */
  install: string;
}

const PEERS = {
  protoc: {
    probe: () => (runs('protoc', ['--version']) ? undefined : 'not on PATH'),
    install: 'apt install protobuf-compiler',
  },
  'protobuf-includes': {
    probe: () => {
      const descriptor = `${PROTOBUF_INCLUDE}/google/protobuf/descriptor.proto`;
      return existsSync(descriptor) ? undefined : `no ${descriptor}`;
    },
    install: 'apt install libprotobuf-dev',
  },
  python3: {
    probe: () => (existsSync(PYTHON) ? undefined : `no ${PYTHON}`),
    install: 'apt install python3',
  },
  'python3-protobuf': {
    probe: () => pythonImports('google.protobuf'),
    install: 'apt install python3-protobuf',
  },
  thrift: {
    probe: () => (runs('thrift', ['--version']) ? undefined : 'the Thrift compiler is not on PATH'),
    install: 'apt install thrift-compiler',
  },
  'python3-thrift': {
    probe: () => pythonImports('thrift.protocol.TCompactProtocol'),
    install: 'apt install python3-thrift',
  },
  go: {
    probe: () => (findGo() === undefined ? 'no go in $GO, on PATH or in /usr/local/go/bin' : undefined),
    install: 'install Go 1.24+ from https://go.dev/dl, or set GO',
  },
  etcd: {
    probe: () => (existsSync(ETCD) ? undefined : `no ${ETCD}`),
    install: 'apt install etcd-server',
  },
  dnsmasq: {
    probe: () => (existsSync(DNSMASQ) ? undefined : `no ${DNSMASQ}`),
    install: 'apt install dnsmasq-base',
  },
  openssl: {
    probe: () => (runs('openssl', ['version']) ? undefined : 'the openssl command is not on PATH'),
    install: 'apt install openssl',
  },
  prlimit: {
    probe: () => (runs('prlimit', ['--version']) ? undefined : 'prlimit is not on PATH'),
    install: 'apt install util-linux',
  },
  'c++': {
    probe: () => (sanitizingCompiler() === undefined ? 'neither clang++ nor g++ links with -fsanitize=address,undefined' : undefined),
    install: 'apt install g++',
  },
} satisfies Record<string, PeerSpec>;

/** A system peer some suite needs. */
export type PeerName = keyof typeof PEERS;

const PEER_NAMES = Object.keys(PEERS) as PeerName[];

function runs(command: string, args: string[], input?: string): boolean {
  return spawnSync(command, args, { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'], timeout: 30_000 }).status === 0;
}

function pythonImports(module: string): string | undefined {
  if (!existsSync(PYTHON)) return `no ${PYTHON}`;
  return runs(PYTHON, ['-c', `import ${module}`]) ? undefined : `${PYTHON} cannot import ${module}`;
}

let compiler: string | null | undefined;

/** clang++ or g++, whichever first links an empty program with ASan and UBSan; undefined when neither does. */
export function sanitizingCompiler(): string | undefined {
  compiler ??= ['clang++', 'g++'].find((cxx) => runs(cxx, ['-x', 'c++', '-fsanitize=address,undefined', '-', '-o', '/dev/null'], 'int main() {}\n')) ?? null;
  return compiler ?? undefined;
}

let hidden: Set<PeerName> | undefined;

function hiddenPeers(): Set<PeerName> {
  if (hidden !== undefined) return hidden;
  const names = (process.env.HEDDLE_PEERS_HIDE ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  const unknown = names.filter((n) => !(PEER_NAMES as string[]).includes(n));
  if (unknown.length > 0) throw new Error(`HEDDLE_PEERS_HIDE names unknown peers ${unknown.join(', ')}; known: ${PEER_NAMES.join(', ')}`);
  hidden = new Set(names as PeerName[]);
  return hidden;
}

const reasons = new Map<PeerName, string | undefined>();

/** The peers among `names` that are not usable here, each with why and what to install. */
export function missingPeers(names: readonly PeerName[]): MissingPeer[] {
  return names.flatMap((name) => {
    if (!reasons.has(name)) reasons.set(name, hiddenPeers().has(name) ? 'hidden by HEDDLE_PEERS_HIDE' : PEERS[name].probe());
    const reason = reasons.get(name);
    return reason === undefined ? [] : [{ name, reason, install: PEERS[name].install }];
  });
}

/** Whether every peer in `names` is usable here (for setup shared by suites registered with them). */
export function hasPeers(names: readonly PeerName[]): boolean {
  return missingPeers(names).length === 0;
}

const requirePeers = process.env.HEDDLE_REQUIRE_PEERS === '1';

/**
 * A missing peer's stand-in for a suite or test: under HEDDLE_REQUIRE_PEERS=1 a suite of failing
 * tests, one a missing peer; otherwise a skip, recorded for the end-of-run summary.
 */
function registerMissing(kind: 'suite' | 'test', title: string, missing: MissingPeer[]): void {
  if (requirePeers) {
    describe(title, () => {
      for (const peer of missing) {
        const message = `requires ${peer.name}: ${peer.reason} (${peer.install})`;
        it(message, () => {
          throw new Error(`${message}; HEDDLE_REQUIRE_PEERS=1 makes a missing peer a failure`);
        });
      }
    });
    return;
  }
  const dir = inject(PEER_SKIP_DIR);
  // Without the global setup (a config that does not load it), the skip still shows in vitest's counts.
  if (dir !== undefined) {
    const collector = TestRunner.getCurrentSuite();
    const parent = collector.suite?.fullName;
    appendPeerSkip(dir, { file: collector.file?.name ?? '', kind, title: parent === undefined ? title : `${parent} > ${title}`, missing });
  }
  if (kind === 'test') it.skip(title, () => {});
  else describe.skip(title, () => it(`needs ${missing.map((p) => p.name).join(', ')}`, () => {}));
}

/**
 * `describe(title, body)` when every peer in `peers` is here. Otherwise `body` is not called (so it
 * may use the peers while collecting) and the suite is skipped, or fails under HEDDLE_REQUIRE_PEERS=1.
 */
export function describeWithPeers(peers: readonly PeerName[], title: string, body: () => void): void {
  const missing = missingPeers(peers);
  if (missing.length === 0) describe(title, body);
  else registerMissing('suite', title, missing);
}

/** {@link describeWithPeers}, skipped outright (as `describe.skipIf` does) when `condition` holds. */
describeWithPeers.skipIf = (condition: boolean) => (peers: readonly PeerName[], title: string, body: () => void): void => {
  if (condition) describe.skip(title, body);
  else describeWithPeers(peers, title, body);
};

/** `it(title, fn, timeout)` when every peer in `peers` is here; see {@link describeWithPeers}. */
export function itWithPeers(peers: readonly PeerName[], title: string, fn: TestFunction, timeout?: number): void {
  const missing = missingPeers(peers);
  if (missing.length === 0) it(title, fn, timeout);
  else registerMissing('test', title, missing);
}
