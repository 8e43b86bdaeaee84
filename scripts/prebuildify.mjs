// `npm pack` hook: builds prebuilds/<platform>-<arch>/heddle.napi.node with prebuildify, against
// the running Node's headers (never downloaded).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeGypEnv } from './node-gyp-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { env, reason } = nodeGypEnv();
if (env === undefined) {
  console.error(`heddle: cannot prebuild: ${reason}`);
  process.exit(1);
}
const prebuildify = createRequire(join(root, 'package.json')).resolve('prebuildify/bin.js');
const args = [prebuildify, '--napi', '--strip', `--target=node@${process.versions.node}`];
const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
