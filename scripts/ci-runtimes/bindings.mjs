// Adds to node_modules the platform packages (rolldown's and lightningcss's native bindings) that
// another Node runtime needs, as package-lock.json pins them: `npm ci` on the host installs only
// the host's. Each tarball comes from the registry through `npm pack`, is checked against the
// lockfile's integrity, is cached in <cache>/npm, and is unpacked into node_modules/<name>.
// package.json and package-lock.json are left alone; `npm ci` removes what this adds.
//
//   node bindings.mjs <arch> <glibc|musl> <repo> <cache>
// Prints "<name> <version> <directory>" for each package it installed or found installed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const [arch, libc, repo, cache] = process.argv.slice(2);
if (!['x64', 'arm64'].includes(arch) || !['glibc', 'musl'].includes(libc) || !repo || !cache) {
  console.error('usage: node bindings.mjs <x64|arm64> <glibc|musl> <repo> <cache>');
  process.exit(2);
}

const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')).packages;

/** The lockfile entries of platform packages some installed package optionally depends on. */
function wanted() {
  const result = new Map();
  for (const [path, entry] of Object.entries(lock)) {
    if (path === '' || !existsSync(join(repo, path)) || entry.optionalDependencies === undefined) continue;
    for (const name of Object.keys(entry.optionalDependencies)) {
      // npm resolves from the dependent's own node_modules first, then the hoisted copy.
      const candidates = [`${path}/node_modules/${name}`, `node_modules/${name}`];
      const key = candidates.find((k) => lock[k] !== undefined);
      if (key === undefined) continue;
      const dep = lock[key];
      const fits = (list, value) => list === undefined || list.includes(value);
      if (dep.os === undefined || !dep.os.includes('linux') || !dep.cpu?.includes(arch) || !fits(dep.libc, libc)) continue;
      result.set(key, { name, key, version: dep.version, integrity: dep.integrity });
    }
  }
  return [...result.values()];
}

function integrityOf(file, algorithm) {
  return `${algorithm}-${createHash(algorithm).update(readFileSync(file)).digest('base64')}`;
}

/** The package's tarball in the cache, fetched when missing, and always checked against the lock. */
function tarball({ name, version, integrity }) {
  if (integrity === undefined) throw new Error(`package-lock.json has no integrity for ${name}@${version}`);
  const algorithm = integrity.split('-')[0];
  const dir = join(cache, 'npm');
  const file = join(dir, `${name.replace('/', '+')}-${version}.tgz`);
  if (!existsSync(file) || integrityOf(file, algorithm) !== integrity) {
    mkdirSync(dir, { recursive: true });
    const work = mkdtempSync(join(dir, 'pack-'));
    try {
      const packed = execFileSync('npm', ['pack', `${name}@${version}`, '--silent'], { cwd: work, encoding: 'utf8' }).trim().split('\n').pop();
      renameSync(join(work, packed), file);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const got = integrityOf(file, algorithm);
    if (got !== integrity) {
      rmSync(file);
      throw new Error(`${name}@${version}: integrity ${got}, package-lock.json has ${integrity}`);
    }
  }
  return file;
}

for (const dep of wanted()) {
  const target = join(repo, dep.key);
  const present = existsSync(join(target, 'package.json')) ? JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')).version : undefined;
  if (present !== dep.version) {
    const file = tarball(dep);
    const work = mkdtempSync(join(repo, 'node_modules', '.ci-runtimes-'));
    try {
      execFileSync('tar', ['-xzf', file, '-C', work]);
      rmSync(target, { recursive: true, force: true });
      mkdirSync(join(target, '..'), { recursive: true });
      renameSync(join(work, 'package'), target);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  console.log(`${dep.name} ${dep.version} ${target}`);
}
