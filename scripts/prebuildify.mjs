// `npm pack` hook: cross-compiles the addon with zig for every Linux target heddle ships,
//
//   prebuilds/linux-x64/heddle.glibc.node     prebuilds/linux-x64/heddle.musl.node
//   prebuilds/linux-arm64/heddle.glibc.node   prebuilds/linux-arm64/heddle.musl.node
//
// through prebuildify and node-gyp, against the running Node's own headers (never downloaded).
// The glibc builds target glibc 2.28 (Debian 10, Ubuntu 20.04, RHEL 8: what Node 20 supports)
// and, like the musl ones, link libc++ statically, so they need no system libstdc++.
//
// Each target builds in its own directory under .prebuild/, so build/Release (the gcc build
// `npm test` uses) is left alone, and is skipped when a stamp says its inputs have not changed.
//
//   node scripts/prebuildify.mjs                  every target
//   node scripts/prebuildify.mjs x64-musl ...     only these
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDirLock } from './dir-lock.mjs';
import { nodeGypEnv } from './node-gyp-env.mjs';
import { ZIG_VERSION, zigBinary } from './zig.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What heddle ships: Node's arch name, libc, and zig's target triple. */
export const PREBUILD_TARGETS = [
  { arch: 'x64', libc: 'glibc', triple: 'x86_64-linux-gnu.2.28' },
  { arch: 'x64', libc: 'musl', triple: 'x86_64-linux-musl' },
  { arch: 'arm64', libc: 'glibc', triple: 'aarch64-linux-gnu.2.28' },
  { arch: 'arm64', libc: 'musl', triple: 'aarch64-linux-musl' },
];

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** A hash of everything a prebuild depends on: sources, binding.gyp, zig, Node's N-API headers. */
function inputsHash(target, nodedir) {
  const hash = createHash('sha256').update(JSON.stringify({ target, ZIG_VERSION }));
  const inputs = [join(root, 'binding.gyp'), join(root, 'scripts', 'list-native-sources.mjs'), ...filesUnder(join(root, 'src-native')),
    join(nodedir, 'include', 'node', 'node_api.h'), join(nodedir, 'include', 'node', 'js_native_api.h')];
  for (const file of inputs) hash.update(relative(root, file)).update(readFileSync(file));
  return hash.digest('hex');
}

function prebuild(target, zig, env, nodedir) {
  const name = `linux-${target.arch}/heddle.${target.libc}.node`;
  const output = join(root, 'prebuilds', name);
  const work = join(root, '.prebuild', `${target.arch}-${target.libc}`);
  const stamp = join(work, 'inputs.sha256');
  const hash = inputsHash(target, nodedir);
  if (existsSync(output) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
    console.log(`heddle: prebuilds/${name} is up to date`);
    return;
  }
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // The build directory sees the package through links: binding.gyp runs scripts/ and resolves
  // node-addon-api from node_modules/, relative to itself.
  for (const entry of ['src-native', 'scripts', 'node_modules']) symlinkSync(join(root, entry), join(work, entry));
  for (const file of ['binding.gyp', 'package.json']) copyFileSync(join(root, file), join(work, file));

  const compiler = (driver) => `${zig} ${driver} -target ${target.triple} -mcpu=baseline`;
  const buildEnv = {
    ...env,
    CC: compiler('cc'),
    CXX: compiler('c++'),
    // zig has no cross strip (its objcopy cannot strip ELF yet): strip while linking instead.
    LDFLAGS: '-s',
    JOBS: 'max',
    // binding.gyp reads it; the sanitizer build must not leak into a shipped binary.
    HEDDLE_SANITIZE: '',
  };
  const prebuildify = createRequire(join(root, 'package.json')).resolve('prebuildify/bin.js');
  const args = [prebuildify, '--napi', '--tag-libc', `--libc=${target.libc}`, `--arch=${target.arch}`, '--platform=linux',
    `--target=node@${process.versions.node}`, `--out=${root}`, `--cwd=${work}`];
  console.log(`heddle: building prebuilds/${name} with zig ${ZIG_VERSION} (${target.triple})`);
  const result = spawnSync(process.execPath, args, { cwd: work, env: buildEnv, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`prebuild of ${name} failed (exit ${result.status ?? result.signal})`);
  if (!existsSync(output)) throw new Error(`prebuildify did not write prebuilds/${name}`);
  writeFileSync(stamp, hash);
}

function main() {
  const { env, reason, nodedir } = nodeGypEnv();
  if (env === undefined) throw new Error(`cannot prebuild: ${reason}`);
  const wanted = process.argv.slice(2);
  const names = PREBUILD_TARGETS.map((t) => `${t.arch}-${t.libc}`);
  const unknown = wanted.filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new Error(`unknown target ${unknown.join(', ')}: choose from ${names.join(', ')}`);
  const targets = wanted.length === 0 ? PREBUILD_TARGETS : PREBUILD_TARGETS.filter((t) => wanted.includes(`${t.arch}-${t.libc}`));
  const zig = zigBinary();
  // Builds of one target share .prebuild/<target>: the pack test and the prebuild test may run at once.
  mkdirSync(join(root, '.prebuild'), { recursive: true });
  withDirLock(join(root, '.prebuild', 'lock'), 30 * 60_000, () => {
    // Files from earlier layouts (heddle.node, heddle.napi.node) would be shipped beside the new ones.
    const shipped = new Set(PREBUILD_TARGETS.map((t) => join(root, 'prebuilds', `linux-${t.arch}`, `heddle.${t.libc}.node`)));
    if (existsSync(join(root, 'prebuilds'))) {
      for (const file of filesUnder(join(root, 'prebuilds'))) if (!shipped.has(file)) rmSync(file);
    }
    for (const target of targets) prebuild(target, zig, env, nodedir);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`heddle: ${error.message}`);
    process.exit(1);
  }
}
