// Builds the Go peer programs under test/interop/ (real CloudWeGo Kitex, shmipc-go, from the Go
// module proxy) for tests and benchmarks, caching each binary in the OS temp dir under a hash of
// its sources, so only the first run on a machine pays for the build.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const KITEX_VERSION = 'v0.15.2';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheRoot = join(tmpdir(), 'heddle-go-cache');

/** The go command, or undefined when Go is not installed. */
export function findGo() {
  for (const candidate of [process.env.GO, 'go', '/usr/local/go/bin/go']) {
    if (candidate === undefined || candidate === '') continue;
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Why Go peers cannot run here, or undefined when they can. */
export function goUnavailableReason() {
  return findGo() === undefined ? 'the go toolchain is not on this machine' : undefined;
}

/**
 * The architecture Go peers are built for: the running Node's, so under an emulated arm64 Node
 * (scripts/ci-runtimes) they run emulated beside it. GOARCH overrides.
 */
const goArch = process.env.GOARCH || ({ x64: 'amd64', ia32: '386' }[process.arch] ?? process.arch);

/** For programs the tests run (`target`), or for tools that run here on the build machine. */
function goEnv(target = true) {
  const env = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/local/go/bin`, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' };
  if (target) env.GOARCH = goArch;
  else delete env.GOARCH;
  return env;
}

function hashDir(dir) {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    if (/\.(go|mod|sum|thrift|proto)$/.test(name)) hash.update(name).update(readFileSync(join(dir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The kitex code generator, built once from the module proxy. */
function kitexTool(go) {
  const binary = join(cacheRoot, `kitex-tool-${KITEX_VERSION}`, 'kitex');
  if (existsSync(binary)) return binary;
  mkdirSync(cacheRoot, { recursive: true });
  const work = mkdtempSync(join(cacheRoot, 'kitex-tool-build-'));
  try {
    writeFileSync(join(work, 'go.mod'), `module kitextool\n\ngo 1.24\n\nrequire github.com/cloudwego/kitex ${KITEX_VERSION}\n`);
    writeFileSync(join(work, 'tools.go'), '//go:build tools\npackage tools\n\nimport _ "github.com/cloudwego/kitex/tool/cmd/kitex"\n');
    execFileSync(go, ['mod', 'tidy'], { cwd: work, env: goEnv(false), stdio: 'pipe' });
    execFileSync(go, ['build', '-o', 'kitex', 'github.com/cloudwego/kitex/tool/cmd/kitex'], { cwd: work, env: goEnv(false), stdio: 'pipe' });
    mkdirSync(dirname(binary), { recursive: true });
    renameSync(join(work, 'kitex'), binary);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}

/**
 * Builds the Go program in test/interop/<name> and returns the binary's path. With `kitexIdl`,
 * Kitex code is generated from that IDL first, into the build copy (never into the tree).
 * @param {string} name
 * @param {{ kitexIdl?: string }} [options]
 */
export function buildGoProgram(name, options = {}) {
  const go = findGo();
  if (go === undefined) throw new Error('go is not installed');
  const source = join(root, 'test', 'interop', name);
  const binary = join(cacheRoot, `${name}-${goArch}-${hashDir(source)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(cacheRoot, { recursive: true });
  const work = mkdtempSync(join(cacheRoot, `${name}-build-`));
  try {
    cpSync(source, work, { recursive: true });
    if (options.kitexIdl !== undefined) {
      const module = /^module\s+(\S+)/m.exec(readFileSync(join(work, 'go.mod'), 'utf8'))[1];
      execFileSync(kitexTool(go), ['-module', module, options.kitexIdl], { cwd: work, env: goEnv(), stdio: 'pipe' });
    }
    // dynamicgo (a Kitex dependency) links to an encoding/json internal that Go >= 1.23 guards.
    execFileSync(go, ['build', '-ldflags=-checklinkname=0', '-o', 'program', '.'], { cwd: work, env: goEnv(), stdio: 'pipe' });
    // Rename into place, so a concurrent run never executes a half-written binary.
    renameSync(join(work, 'program'), binary);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}
