// Separate heddle processes for the fault tests and the benchmark: test/shm/fixtures/peer.cjs run
// with `node`, using the shm module transpiled from src-ts (with TypeScript's transpileModule,
// cached in the OS temp dir by a hash of the sources) and the same addon as this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { native } from '../../../src-ts/native.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = join(root, 'test/shm/fixtures/peer.cjs');

function runtimeSources(): string[] {
  const shmDir = join(root, 'src-ts/shm');
  return ['src-ts/errors.ts', 'src-ts/native.ts', ...readdirSync(shmDir).filter((f) => f.endsWith('.ts')).map((f) => `src-ts/shm/${f}`)];
}

/** Transpiles errors.ts, native.ts and shm/*.ts to CommonJS; returns the output directory (for
 * child processes and worker threads: `require(<dir>/shm/index.js)`). */
export function shmRuntime(): string {
  const sources = runtimeSources();
  const hash = createHash('sha256').update('runtime');
  for (const file of sources) hash.update(file).update(readFileSync(join(root, file)));
  const out = join(tmpdir(), `heddle-shm-runtime-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(out, 'complete'))) return out;
  const partial = `${out}.${process.pid}`;
  for (const file of sources) {
    const { outputText } = ts.transpileModule(readFileSync(join(root, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    const target = join(partial, file.replace(/^src-ts\//, '').replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(partial, 'complete'), '');
  try {
    renameSync(partial, out);
  } catch {
    // Another worker finished the same build first; theirs is identical.
  }
  return out;
}

/** A child heddle process and the lines it printed. */
export interface ChildPeer {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  waitForLine(prefix: string, timeoutMs?: number): Promise<string>;
  /** Sends a command line to the child's stdin. */
  command(line: string): void;
}

/** Starts test/shm/fixtures/peer.cjs with `args` (see that file for the roles). */
export function startChildPeer(args: string[]): ChildPeer {
  const child = spawn(process.execPath, [fixture, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HEDDLE_SHM_RUNTIME: shmRuntime(),
      HEDDLE_ADDON_PATH: native.path ?? '',
      LD_PRELOAD: process.env.LD_PRELOAD ?? '',
    },
  });
  const lines: string[] = [];
  let stderr = '';
  let pending = '';
  const listeners: Array<() => void> = [];
  child.stdout!.on('data', (data: Buffer) => {
    pending += data.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    lines.push(...parts);
    for (const listener of listeners.splice(0)) listener();
  });
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    for (const listener of listeners.splice(0)) listener();
    resolve(code);
  }));
  return {
    child,
    lines,
    exited,
    command: (line) => child.stdin!.write(`${line}\n`),
    async waitForLine(prefix, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = lines.find((l) => l.startsWith(prefix));
        if (line !== undefined) return line;
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
          throw new Error(`child peer never printed '${prefix}' (lines: ${lines.join(' | ')}; stderr: ${stderr.slice(-2000)})`);
        }
        await new Promise<void>((resolve) => {
          listeners.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

/** Kills a child with SIGKILL and waits until it is reaped. */
export async function killHard(peer: ChildPeer): Promise<void> {
  if (peer.child.exitCode === null && peer.child.signalCode === null) peer.child.kill('SIGKILL');
  await peer.exited;
}
