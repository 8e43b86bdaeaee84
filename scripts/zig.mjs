// The zig toolchain the prebuilds are cross-compiled with: zig's clang with its own glibc stubs
// (any version back to 2.28), musl, and a static libc++, so one x64 machine builds addons for
// glibc 2.28+ and musl on x64 and arm64 that need no system libstdc++.
//
// Pinned to one release from PyPI's `ziglang` wheel, checked by hash, unpacked into a cache
// directory: $HEDDLE_ZIG names a zig binary to use instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const ZIG_VERSION = '0.15.2';

// sha256 of the ziglang wheels pip may pick on Linux hosts.
const WHEEL_HASHES = [
  '806316453d1ede7174ed3fefb8e5348154629089c3bb5fe812dfd0e172fac130', // manylinux_2_12_x86_64
  'edc0aa60ec964a4cf462d40f68d7de242ddf37fd9a80f2afaee6397059463230', // manylinux_2_17_aarch64
];

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'heddle', `ziglang-${ZIG_VERSION}`);
}

/** Path of the pinned zig binary, installing it from PyPI on first use; throws with the reason. */
export function zigBinary() {
  if (process.env.HEDDLE_ZIG) return process.env.HEDDLE_ZIG;
  const dir = cacheDir();
  const zig = join(dir, 'ziglang', 'zig');
  if (existsSync(zig)) return zig;
  const requirements = join(tmpdir(), `heddle-zig-requirements-${process.pid}.txt`);
  writeFileSync(requirements, `ziglang==${ZIG_VERSION} ${WHEEL_HASHES.map((h) => `--hash=sha256:${h}`).join(' ')}\n`);
  try {
    mkdirSync(dir, { recursive: true });
    const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--require-hashes',
      '--only-binary=:all:', '--target', dir, '-r', requirements], { stdio: 'inherit' });
    if (pip.status !== 0) throw new Error(`pip could not install ziglang==${ZIG_VERSION} (exit ${pip.status ?? pip.signal})`);
  } finally {
    rmSync(requirements, { force: true });
  }
  if (!existsSync(zig)) throw new Error(`ziglang ${ZIG_VERSION} installed, but ${zig} is missing`);
  return zig;
}
