// Builds and runs test/interop/shmipc-go/main.go, a program linked against cloudwego/shmipc-go from
// the Go module proxy, as a shmipc server or client.
import { spawn, type ChildProcess } from 'node:child_process';
import { buildGoProgram } from '../../../scripts/go-programs.mjs';

/** Builds the peer once per version of its sources (cached in the OS temp dir by their hash). */
export function buildPeer(): string {
  return buildGoProgram('shmipc-go');
}

/** A running peer; its stdout "PEER ..." lines are collected in `lines`. */
export interface RunningPeer {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves when a line starting with `prefix` appears. */
  waitForLine(prefix: string, timeoutMs?: number): Promise<string>;
}

export function runPeer(binary: string, args: string[]): RunningPeer {
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SHMIPC_LOG_LEVEL: '4' } });
  const lines: string[] = [];
  const waiters: Array<{ prefix: string; resolve(line: string): void }> = [];
  let pending = '';
  child.stdout!.on('data', (data: Buffer) => {
    pending += data.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!line.startsWith('PEER ')) continue;
      lines.push(line);
      for (const waiter of waiters.filter((w) => line.startsWith(w.prefix))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitForLine(prefix, timeoutMs = 20_000) {
      const seen = lines.find((line) => line.startsWith(prefix));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no '${prefix}' from shmipc-peer; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
        waiters.push({ prefix, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`shmipc-peer exited (${code}) before '${prefix}'; lines: ${lines.join(' | ')}; stderr: ${stderr.slice(-2000)}`));
        });
      });
    },
  };
}
