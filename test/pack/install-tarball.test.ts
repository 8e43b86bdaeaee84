import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Packs heddle as npm would publish it, installs the tarball into a fresh project with npm's
// install scripts disabled and no compiler reachable, and checks the native part loads from the
// prebuild shipped inside the tarball.
const root = realpathSync(new URL('../..', import.meta.url).pathname);
const npmCli = join(dirname(dirname(realpathSync(process.execPath))), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
let work: string;
let tarball: string;
let project: string;
let bareEnv: NodeJS.ProcessEnv;

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, [npmCli, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'heddle-pack-'));
  // prebuildify leaves prebuilds/ in the tree; remove it again unless it was there before, so
  // later runs in this checkout load build/Release, not a stale prebuild.
  const hadPrebuilds = existsSync(join(root, 'prebuilds'));
  const output = npm(['pack', '--json', '--pack-destination', work], root);
  if (!hadPrebuilds) rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
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
let prebuildName: string | undefined;

describe('packed tarball', () => {
  it('carries the linux-x64 prebuild and the compiled TypeScript, not the build tree', () => {
    const prebuildDir = `prebuilds/${process.platform}-${process.arch}/`;
    expect(packedFiles.filter((f) => f.startsWith(prebuildDir) && f.endsWith('.node'))).toHaveLength(1);
    expect(packedFiles).toContain('dist/index.js');
    expect(packedFiles).toContain('dist/index.mjs');
    expect(packedFiles).toContain('dist/index.d.ts');
    expect(packedFiles.some((f) => f.startsWith('build/'))).toBe(false);
    expect(packedFiles.some((f) => f.startsWith('test/'))).toBe(false);
  });

  it('installs where no compiler is on PATH', () => {
    for (const tool of ['cc', 'gcc', 'c++', 'g++', 'clang', 'make', 'python3']) {
      expect(() => execFileSync('sh', ['-c', `command -v ${tool}`], { env: bareEnv })).toThrow();
    }
    const installed = join(project, 'node_modules', 'heddle');
    expect(existsSync(join(installed, 'build'))).toBe(false);
    prebuildName = readdirSync(join(installed, 'prebuilds', `${process.platform}-${process.arch}`)).find((f) => f.endsWith('.node'));
    expect(prebuildName).toMatch(/^heddle.*\.node$/);
  });

  it('loads its native part from the prebuild, through require and import', () => {
    const viaRequire = execFileSync(
      process.execPath,
      ['-e', "const h=require('heddle'); console.log(JSON.stringify({loaded:h.native.loaded, path:h.native.path, features:h.native.features}))"],
      { cwd: project, env: bareEnv, encoding: 'utf8' },
    );
    const status = JSON.parse(viaRequire) as { loaded: boolean; path: string; features: string[] };
    expect(status.loaded).toBe(true);
    expect(status.path).toBe(realpathSync(join(project, 'node_modules', 'heddle', 'prebuilds', `${process.platform}-${process.arch}`, prebuildName!)));
    const viaImport = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "import { native } from 'heddle'; console.log(JSON.stringify({loaded:native.loaded, features:native.features}))"],
      { cwd: project, env: bareEnv, encoding: 'utf8' },
    );
    expect(JSON.parse(viaImport)).toEqual({ loaded: true, features: status.features });
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
