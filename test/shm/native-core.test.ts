// Builds test/shm/native/core_test.cc with the pure C++ core (no Node-API) under AddressSanitizer
// and UndefinedBehaviorSanitizer, and runs it: buffer manager, queue, control messages, and two
// processes sharing one pool. The binary is cached in the OS temp dir by a hash of its sources.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPeers, sanitizingCompiler } from '../helpers/peers.js';
import { nativeDisabled } from './helpers/runtime.js';

const root = new URL('../..', import.meta.url).pathname;
const sources = [
  'test/shm/native/core_test.cc',
  'src-native/shm/buffer_manager.cc',
  'src-native/shm/queue.cc',
  'src-native/shm/control_message.cc',
  'src-native/shm/shared_memory.cc',
  'src-native/shm/fault_guard.cc',
];
const headers = ['layout.h', 'status.h', 'shared_word.h', 'buffer_manager.h', 'queue.h', 'control_message.h', 'shared_memory.h', 'fault_guard.h'].map((h) => `src-native/shm/${h}`);

function buildCoreTest(cxx: string): string {
  const hash = createHash('sha256');
  for (const file of [...sources, ...headers]) hash.update(file).update(readFileSync(join(root, file)));
  hash.update(cxx);
  const binary = join(tmpdir(), `heddle-shm-core-test-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  const partial = `${binary}.${process.pid}.tmp`;
  execFileSync(cxx, [
    '-std=c++20', '-O1', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-Wall', '-Wextra', '-Werror',
    `-I${join(root, 'src-native')}`, ...sources.map((s) => join(root, s)), '-o', partial,
  ], { stdio: 'pipe' });
  renameSync(partial, binary);
  return binary;
}

describeWithPeers.skipIf(nativeDisabled || process.platform !== 'linux')(['c++'], 'shm native core (C++, sanitized)', () => {
  it('passes its unit tests under ASan and UBSan', () => {
    const binary = buildCoreTest(sanitizingCompiler()!);
    // The sanitizer runtime of the addon build (LD_PRELOAD in test:asan) must not leak into this one.
    const env = { ...process.env, LD_PRELOAD: '', ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0' };
    const run = spawnSync(binary, [], { env, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('core tests passed');
    expect(run.status).toBe(0);
  }, 120_000);
});
