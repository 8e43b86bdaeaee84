import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/interop/kitex-capture: the Go program that runs a real Kitex client and server. */
export const captureSource = fileURLToPath(new URL('../../interop/kitex-capture/', import.meta.url));

/** The `go` command: `$GO`, else `go` on PATH, else the standard install location. */
export function findGo(): string | undefined {
  const candidates = [process.env.GO, ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'go')), '/usr/local/go/bin/go'];
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
}

/**
 * Builds the capture program once per version of its sources: the binary is cached in the OS temp
 * directory under a hash of go.mod, go.sum and every .go file, so reruns skip the Go build.
 */
export function buildCaptureProgram(go: string): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(captureSource).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum').sort()) {
    hash.update(file).update(readFileSync(join(captureSource, file)));
  }
  const dir = join(tmpdir(), 'heddle-kitex-capture', hash.digest('hex').slice(0, 16));
  const binary = join(dir, 'kitex-capture');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  // Build to a private name and rename, so a concurrent run never executes a half-written file.
  const partial = `${binary}.${process.pid}`;
  execFileSync(go, ['build', '-o', partial, '.'], { cwd: captureSource, stdio: ['ignore', 'ignore', 'pipe'], timeout: 150_000 });
  renameSync(partial, binary);
  return binary;
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
