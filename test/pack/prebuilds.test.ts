import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareVersionNames, ELF_MACHINE, readElfDependencies } from './helpers/elf.js';

// The four prebuilds `npm pack` ships must load on every Linux Node 20 supports: glibc back to
// 2.28 (Debian 10, Ubuntu 20.04, RHEL 8) and musl (Alpine), with no system libstdc++.
const root = realpathSync(new URL('../..', import.meta.url).pathname);
const targets = [
  { arch: 'x64', libc: 'glibc' },
  { arch: 'x64', libc: 'musl' },
  { arch: 'arm64', libc: 'glibc' },
  { arch: 'arm64', libc: 'musl' },
] as const;
const OLDEST_GLIBC = 'GLIBC_2.28';

beforeAll(() => {
  // Builds what is missing or stale; a no-op when `npm pack` (the other test) just built them.
  execFileSync(process.execPath, [join(root, 'scripts', 'prebuildify.mjs')], { cwd: root, stdio: 'inherit' });
}, 1_200_000);

describe.each(targets)('prebuilds/linux-$arch/heddle.$libc.node', ({ arch, libc }) => {
  const file = join(root, 'prebuilds', `linux-${arch}`, `heddle.${libc}.node`);

  it('is built for its architecture and links no C++ runtime', () => {
    expect(existsSync(file)).toBe(true);
    const elf = readElfDependencies(file);
    expect(elf.machine).toBe(ELF_MACHINE[arch]);
    for (const library of elf.needed) expect(library).not.toMatch(/libstdc\+\+|libc\+\+|libgcc_s/);
    const versionNames = Object.values(elf.versions).flat();
    expect(versionNames.filter((name) => /^(GLIBCXX|CXXABI|GCC)_/.test(name))).toEqual([]);
  });

  it.runIf(libc === 'glibc')(`needs nothing newer than ${OLDEST_GLIBC}`, () => {
    const elf = readElfDependencies(file);
    const glibc = Object.values(elf.versions).flat().filter((name) => name.startsWith('GLIBC_')).sort(compareVersionNames);
    expect(glibc.length).toBeGreaterThan(0);
    expect(compareVersionNames(glibc.at(-1)!, OLDEST_GLIBC)).toBeLessThanOrEqual(0);
    expect(elf.needed).toContain('libc.so.6');
  });

  it.runIf(libc === 'musl')('links only musl libc, with no glibc symbol versions', () => {
    const elf = readElfDependencies(file);
    expect(elf.needed).toEqual(['libc.so']);
    expect(elf.versions).toEqual({});
  });

  it('is stripped', () => {
    const { sections } = readElfDependencies(file);
    expect(sections).toContain('.dynsym');
    expect(sections.filter((name) => name === '.symtab' || name.startsWith('.debug_'))).toEqual([]);
  });
});
