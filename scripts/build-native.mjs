// Builds build/Release/heddle.node with node-gyp, unless a shipped prebuild loads here.
//
//   node scripts/build-native.mjs           npm's install step: prebuild or build; a failed build
//                                            only warns, because heddle works without its addon
//   node scripts/build-native.mjs --force   always build; a failure is an error
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDirLock } from './dir-lock.mjs';
import { nodeGypEnv } from './node-gyp-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');

/**
 * The shipped prebuild that fits this Node (platform, architecture, C library) and loads here, or
 * undefined with the reason. It is loaded in a child process, through the same loader heddle uses
 * at run time (dist/native.js), so the decision cannot differ from what `require('heddle')` does.
 */
function usablePrebuild() {
  const loader = join(root, 'dist', 'native.js');
  // A git checkout before its first `npm run build`: there are no prebuilds in git either.
  if (!existsSync(loader)) return { reason: 'no dist/native.js to choose a prebuild with' };
  const probe = `
    const { addonCandidates } = require(${JSON.stringify(loader)});
    const file = addonCandidates().at(-1);
    let answer;
    if (!require('node:fs').existsSync(file)) answer = { reason: 'no prebuild ' + file };
    else try { require(file).cpuFeatures(); answer = { file }; } catch (e) { answer = { reason: String(e.message).split('\\n')[0] }; }
    process.stdout.write(JSON.stringify(answer));`;
  const child = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env: { ...process.env, HEDDLE_NO_NATIVE: '1', HEDDLE_ADDON_PATH: '' } });
  if (child.status !== 0) return { reason: `the prebuild probe failed: ${(child.stderr || '').trim().split('\n')[0]}` };
  return JSON.parse(child.stdout);
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

if (!force && process.env.HEDDLE_NO_NATIVE === '1') process.exit(0);
if (!force) {
  const prebuild = usablePrebuild();
  if (prebuild.file !== undefined) process.exit(0);
  if (existsSync(join(root, 'prebuilds'))) console.warn(`heddle: no usable prebuild (${prebuild.reason}); building from source`);
}

const gyp = nodeGypScript();
if (gyp === undefined || !existsSync(gyp)) fail('node-gyp not found, cannot build the native addon');
const { env, reason } = nodeGypEnv();
if (env === undefined) fail(reason);

// node-gyp rebuild wipes build/ first, so two builds at once (two terminals, parallel test
// setups) would corrupt each other.
let result;
try {
  result = withDirLock(join(root, '.build-lock'), 10 * 60_000, () => {
    // configure + build rather than rebuild: rebuild deletes build/ first, so a process loading
    // the addon meanwhile would find none; make recompiles only what changed.
    let step;
    for (const name of ['configure', 'build']) {
      step = spawnSync(process.execPath, [gyp, name, '--release', `--nodedir=${env.npm_config_nodedir}`], { cwd: root, env, stdio: 'inherit' });
      if (step.status !== 0) break;
    }
    return step;
  });
} catch (error) {
  fail(error.message);
}
if (result.status !== 0) fail(`native build failed (node-gyp exit ${result.status ?? result.signal})`);
