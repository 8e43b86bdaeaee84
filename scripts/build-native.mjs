// Builds build/Release/heddle.node with node-gyp, unless a prebuild for this platform is shipped.
//
//   node scripts/build-native.mjs           npm's install step: prebuild or build; a failed build
//                                            only warns, because heddle works without its addon
//   node scripts/build-native.mjs --force   always build; a failure is an error
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeGypEnv } from './node-gyp-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');

function hasPrebuild() {
  const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.node'));
}

function nodeGypScript() {
  try {
    return createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    // npm hands its bundled node-gyp to lifecycle scripts.
    return process.env.npm_config_node_gyp;
  }
}

function fail(message) {
  if (force) {
    console.error(`heddle: ${message}`);
    process.exit(1);
  }
  console.warn(`heddle: ${message}; the pure-TypeScript paths will be used (see native.reason)`);
  process.exit(0);
}

if (!force && hasPrebuild()) process.exit(0);
if (!force && process.env.HEDDLE_NO_NATIVE === '1') process.exit(0);

const gyp = nodeGypScript();
if (gyp === undefined || !existsSync(gyp)) fail('node-gyp not found, cannot build the native addon');
const { env, reason } = nodeGypEnv();
if (env === undefined) fail(reason);

// node-gyp rebuild wipes build/ first, so two builds at once (two terminals, parallel test
// setups) would corrupt each other: take a lock directory for the duration.
const lock = join(root, '.build-lock');
const deadline = Date.now() + 10 * 60_000;
for (;;) {
  try {
    mkdirSync(lock);
    break;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    // A lock older than the deadline belongs to a build that died.
    if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
    if (Date.now() > deadline) fail('timed out waiting for another native build (.build-lock)');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
}
let result;
try {
  // configure + build rather than rebuild: rebuild deletes build/ first, so a process loading the
  // addon meanwhile would find none; make recompiles only what changed.
  for (const step of ['configure', 'build']) {
    result = spawnSync(process.execPath, [gyp, step, '--release', `--nodedir=${env.npm_config_nodedir}`], { cwd: root, env, stdio: 'inherit' });
    if (result.status !== 0) break;
  }
} finally {
  rmSync(lock, { recursive: true, force: true });
}
if (result.status !== 0) fail(`native build failed (node-gyp exit ${result.status ?? result.signal})`);
