// A lock between processes that build into the same directory (two terminals, test files run in
// parallel): mkdir is atomic, and a lock older than the timeout belongs to a build that died.
import { mkdirSync, rmSync, statSync } from 'node:fs';

/** Runs `fn` holding the lock directory `lock`; throws when another holder keeps it past `timeoutMs`. */
export function withDirLock(lock, timeoutMs, fn) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > timeoutMs) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}, held by another build`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
