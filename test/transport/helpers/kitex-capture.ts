import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { buildGoProgram } from '../../../scripts/go-programs.mjs';

// test/interop/kitex-capture: the Go program that runs a real Kitex client and server.

/** The capture program, built once per version of its sources (cached in the OS temp dir). */
export function buildCaptureProgram(): string {
  return buildGoProgram('kitex-capture');
}

/** Runs the program to record a fresh set of captures into `outDir`. */
export function recordCaptures(binary: string, outDir: string): void {
  execFileSync(binary, ['-out', outDir], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}

/** Addresses of the live Kitex servers started by `-serve`. */
export interface LiveServers {
  thrift: string;
  protobuf: string;
  stop(): void;
}

/** Starts the program's Kitex servers for live tests; `stop()` ends them. */
export function startLiveServers(binary: string): Promise<LiveServers> {
  const child: ChildProcess = spawn(binary, ['-serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`kitex-capture -serve exited with ${code} before listening`)));
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
      const line = output.split('\n')[0];
      if (output.includes('\n') && line !== undefined) {
        const addresses = JSON.parse(line) as { thrift: string; protobuf: string };
        child.removeAllListeners('exit');
        resolve({ ...addresses, stop: () => child.stdin?.end() });
      }
    });
  });
}
