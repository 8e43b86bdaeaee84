// The valgrind runner of decode-instructions.mjs and encode-instructions.mjs: counts the CPU
// instructions of one child run of a script (cachegrind, no cache simulation), a figure the load
// of other processes on shared cores does not move.
import { spawn } from 'node:child_process';

/** Instructions valgrind counts for `node --single-threaded script ...args`. */
export function countInstructions(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', script, ...args]);
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', () => {
      const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
      if (refs === null) reject(new Error(`valgrind gave no count for ${args.join(' ')}:\n${stderr.slice(-2000)}`));
      else resolve(Number(refs[1].replace(/,/g, '')));
    });
  });
}
