import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningLibc } from '../../src-ts/native.js';

// Packs heddle as npm would publish it, installs the tarball into a fresh project with npm's
// install scripts disabled and no compiler reachable, and checks that on every runtime heddle
// ships for (this Node, and the musl and arm64 Nodes scripts/ci-runtimes prepares) the install
// script is satisfied and the native part loads from the prebuild for that runtime.
const root = realpathSync(new URL('../..', import.meta.url).pathname);
const npmCli = join(dirname(dirname(realpathSync(process.execPath))), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
let work: string;
let tarball: string;
let project: string;
let bareEnv: NodeJS.ProcessEnv;

const hostLibc = runningLibc() ?? 'glibc';
const runtimesCache = process.env.HEDDLE_RUNTIMES_CACHE || join(homedir(), '.cache', 'heddle-runtimes');

interface RuntimeTarget {
  name: string;
  arch: 'x64' | 'arm64';
  libc: 'glibc' | 'musl';
  /** The runtime's node binary, or undefined for this process's. */
  node?: string;
}

function runtimeTargets(): RuntimeTarget[] {
  const others: RuntimeTarget[] = (['x64-musl', 'arm64-glibc', 'arm64-musl'] as const).map((name) => {
    const [arch, libc] = name.split('-') as ['x64' | 'arm64', 'glibc' | 'musl'];
    return { name, arch, libc, node: join(runtimesCache, name, 'bin', 'node') };
  });
  const host: RuntimeTarget = { name: `this Node (${process.arch}-${hostLibc})`, arch: process.arch as 'x64', libc: hostLibc };
  return [host, ...others.filter((r) => r.arch !== host.arch || r.libc !== host.libc)];
}

/** A directory holding only `node` (the runtime's) and `sh`: PATH for the runtime's commands. */
function runtimeBin(target: RuntimeTarget): string {
  if (target.node === undefined) return join(work, 'bin');
  const bin = join(work, `bin-${target.name}`);
  if (!existsSync(bin)) {
    mkdirSync(bin);
    symlinkSync(target.node, join(bin, 'node'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
  }
  return bin;
}

/**
 * A test on one runtime. A runtime scripts/ci-runtimes has not prepared is skipped, saying how to
 * prepare it, except under HEDDLE_REQUIRE_PEERS=1 (CI), where that is a failure.
 */
function itWithRuntime(target: RuntimeTarget, title: string, fn: () => void): void {
  const missing = target.node !== undefined && !existsSync(target.node);
  if (!missing) return void it(title, fn);
  const message = `requires the ${target.name} Node at ${target.node} (scripts/ci-runtimes/setup.sh prepares it)`;
  if (process.env.HEDDLE_REQUIRE_PEERS === '1') it(`${title}: ${message}`, () => expect.fail(message));
  else it.skip(`${title}: ${message}`, fn);
}

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, [npmCli, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'heddle-pack-'));
  // prepack builds the four prebuilds (scripts/prebuildify.mjs; a no-op when they are up to date).
  const output = npm(['pack', '--json', '--pack-destination', work], root);
  const packed = JSON.parse(output.slice(output.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, packed[0]!.filename);
  packedFiles = packed[0]!.files.map((f) => f.path);

  // A PATH holding only node and sh: no cc, c++, make, python or node-gyp.
  const bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(realpathSync(process.execPath), join(bin, 'node'));
  symlinkSync('/bin/sh', join(bin, 'sh'));
  bareEnv = { HOME: process.env.HOME, PATH: bin, npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? work, '.npm') };

  project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', tarball], project, bareEnv);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

let packedFiles: string[] = [];

describe('packed tarball', () => {
  it('carries the four Linux prebuilds and the compiled TypeScript, not the build tree', () => {
    expect(packedFiles.filter((f) => f.startsWith('prebuilds/')).sort()).toEqual([
      'prebuilds/linux-arm64/heddle.glibc.node',
      'prebuilds/linux-arm64/heddle.musl.node',
      'prebuilds/linux-x64/heddle.glibc.node',
      'prebuilds/linux-x64/heddle.musl.node',
    ]);
    expect(packedFiles).toContain('dist/index.js');
    expect(packedFiles).toContain('dist/index.mjs');
    expect(packedFiles).toContain('dist/index.d.ts');
    expect(packedFiles).toContain('scripts/dir-lock.mjs');
    expect(packedFiles.some((f) => f.startsWith('build/') || f.startsWith('.prebuild'))).toBe(false);
    expect(packedFiles.some((f) => f.startsWith('test/'))).toBe(false);
  });

  it('installs where no compiler is on PATH', () => {
    for (const tool of ['cc', 'gcc', 'c++', 'g++', 'clang', 'make', 'python3']) {
      expect(() => execFileSync('sh', ['-c', `command -v ${tool}`], { env: bareEnv })).toThrow();
    }
    expect(existsSync(join(project, 'node_modules', 'heddle', 'build'))).toBe(false);
  });

  // The host's Node, then the real runtimes of the other targets (scripts/ci-runtimes prepares them).
  describe.each(runtimeTargets())('on $name', (target) => {
    const { arch, libc } = target;
    const installed = (): string => join(project, 'node_modules', 'heddle');
    const expectedPrebuild = (): string => realpathSync(join(installed(), 'prebuilds', `linux-${arch}`, `heddle.${libc}.node`));
    const runtimeEnv = (): NodeJS.ProcessEnv => ({ ...bareEnv, PATH: runtimeBin(target) });
    const runtimeNode = (): string => join(runtimeBin(target), 'node');

    itWithRuntime(target, 'the install script finds its prebuild and builds nothing', () => {
      const output = execFileSync(runtimeNode(), [join(installed(), 'scripts', 'build-native.mjs')], { cwd: installed(), env: runtimeEnv(), encoding: 'utf8', stdio: 'pipe' });
      expect(output).toBe('');
      expect(existsSync(join(installed(), 'build'))).toBe(false);
    });

    itWithRuntime(target, `loads prebuilds/linux-${arch}/heddle.${libc}.node, through require and import`, () => {
      const viaRequire = execFileSync(
        runtimeNode(),
        ['-e', "const h=require('heddle'); console.log(JSON.stringify({loaded:h.native.loaded, reason:h.native.reason, path:h.native.path, features:h.native.features, arch:process.arch}))"],
        { cwd: project, env: runtimeEnv(), encoding: 'utf8' },
      );
      const status = JSON.parse(viaRequire) as { loaded: boolean; reason?: string; path: string; features: string[]; arch: string };
      expect(status.arch).toBe(arch);
      expect(status.loaded, status.reason).toBe(true);
      expect(status.path).toBe(expectedPrebuild());
      if (arch === 'arm64') expect(status.features).toEqual(['neon']);
      else expect(status.features).toContain('sse4.2');
      const viaImport = execFileSync(
        runtimeNode(),
        ['--input-type=module', '-e', "import { native, thrift } from 'heddle'; const c = thrift.parse('struct S { 1: list<i64> v }').codec('S'); console.log(JSON.stringify({loaded:native.loaded, features:native.features, v: c.decode(c.encode({ v: [1n, -2n] })).v.map(String)}))"],
        { cwd: project, env: runtimeEnv(), encoding: 'utf8' },
      );
      expect(JSON.parse(viaImport)).toEqual({ loaded: true, features: status.features, v: ['1', '-2'] });
    });
  });

  it('falls back to TypeScript, saying why, when no prebuild fits the C library', () => {
    // A copy of the installed package whose linux-x64 directory holds only the other libc's file.
    const copy = join(work, 'mismatched');
    cpSync(project, copy, { recursive: true });
    const other = hostLibc === 'glibc' ? 'musl' : 'glibc';
    const prebuildDir = join(copy, 'node_modules', 'heddle', 'prebuilds', `linux-${process.arch}`);
    rmSync(join(prebuildDir, `heddle.${hostLibc}.node`));
    expect(readdirSync(prebuildDir)).toEqual([`heddle.${other}.node`]);
    const out = execFileSync(process.execPath, ['-e', "const h=require('heddle'); console.log(JSON.stringify([h.native.loaded, h.native.reason]))"], { cwd: copy, env: bareEnv, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([false, `no prebuild for linux-${process.arch} (${hostLibc}) and no local build: run \`npm run build:native\` (needs a C++20 compiler)`]);
    // The install script tries to build instead, and without a compiler only warns.
    const install = spawnSync(process.execPath, [join(copy, 'node_modules', 'heddle', 'scripts', 'build-native.mjs')], { cwd: join(copy, 'node_modules', 'heddle'), env: bareEnv, encoding: 'utf8' });
    expect(install.status).toBe(0);
    expect(install.stderr).toMatch(/no usable prebuild \(no prebuild .*heddle\.(glibc|musl)\.node\); building from source/);
    expect(install.stderr).toMatch(/the pure-TypeScript paths will be used/);
  });

  it('ships type declarations that type-check from both ESM and CommonJS consumers', () => {
    writeFileSync(join(project, 'esm.mts'), "import { native, HeddleError } from 'heddle';\nconst loaded: boolean = native.loaded;\nconst code: string = new HeddleError('ERR_TIMEOUT', 'x').code;\nexport { loaded, code };\n");
    writeFileSync(join(project, 'cjs.cts'), "import heddle = require('heddle');\nconst features: readonly string[] = heddle.native.features;\nexport = features;\n");
    writeFileSync(join(project, 'wrong.mts'), "import { native } from 'heddle';\nconst n: number = native.loaded;\nexport { n };\n");
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types')];
    execFileSync(process.execPath, [tsc, ...flags, 'esm.mts', 'cjs.cts'], { cwd: project, encoding: 'utf8' });
    // And the declarations are real: a wrong type is caught.
    let diagnostics = '';
    try {
      execFileSync(process.execPath, [tsc, ...flags, 'wrong.mts'], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      diagnostics = String((error as { stdout?: string }).stdout);
    }
    expect(diagnostics).toMatch(/wrong\.mts.*TS2322: Type 'boolean' is not assignable to type 'number'/);
  });
});
