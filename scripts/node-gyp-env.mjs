// node-gyp must never download headers: point it at the running Node's own headers.
// Node installs them under <prefix>/include/node, where <prefix> is two levels above the node
// binary (/usr/bin/node -> /usr). The machine's npm config may already set nodedir; we set it
// regardless, so builds behave the same under npm, npx, prebuildify and plain node.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function nodeHeadersDir() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** The environment for a node-gyp child process, or a reason why none can be built. */
export function nodeGypEnv(base = process.env) {
  const nodedir = nodeHeadersDir();
  if (nodedir === undefined) {
    return { reason: `Node headers not found under ${dirname(dirname(process.execPath))}/include/node` };
  }
  return { env: { ...base, npm_config_nodedir: nodedir }, nodedir };
}
