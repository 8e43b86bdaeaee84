// Builds build/Release/heddle.node with node-gyp, unless a prebuild for this platform is shipped.
//
//   node scripts/build-native.mjs           npm's install step: prebuild or build; a failed build
//                                            only warns, because heddle works without its addon
//   node scripts/build-native.mjs --force   always build; a failure is an error
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
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

const result = spawnSync(process.execPath, [gyp, 'rebuild', '--release', `--nodedir=${env.npm_config_nodedir}`], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (result.status !== 0) fail(`native build failed (node-gyp exit ${result.status ?? result.signal})`);
