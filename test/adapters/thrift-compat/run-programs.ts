/**
 * Runs the compat test programs (programs/*.js) as child processes: with the `thrift` package and
 * code the Thrift compiler generated, or with the requires switched to heddle/thrift-compat.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const here = __dirname;
const root = resolve(here, '..', '..', '..');

/**
 * Code the Thrift compiler generates for the test IDLs, in fresh temp dirs: `es6` (`js:node,es6`:
 * classes, promise-only clients) and `classic` (`js:node`: callbacks, or promises through
 * `thrift.Q`, which the 0.2x package no longer has, so the callback forms only).
 */
export function generateNodeCode(): { es6: string; classic: string } {
  const generate = (generator: string): string => {
    const out = mkdtempSync(join(tmpdir(), 'heddle-thrift-compat-gen-'));
    // calculator.thrift lives with the Go Kitex client that calls it too.
    for (const idl of [join(root, 'test', 'interop', 'kitex-thrift-compat', 'calculator.thrift'), join(here, 'idl', 'ThriftTest.thrift')]) {
      execFileSync('thrift', ['-r', '--gen', generator, '-out', out, idl], { stdio: 'ignore' });
    }
    return out;
  };
  return { es6: generate('js:node,es6'), classic: generate('js:node') };
}

/** The environment of one program: which library, the generated code, transport, protocol, variant. */
export interface ProgramEnv {
  THRIFT_LIB: 'thrift' | 'heddle';
  GEN_DIR: string;
  TRANSPORT: string;
  PROTOCOL: string;
  VARIANT: string;
  PORT?: string;
}

function start(program: string, env: ProgramEnv): { child: ChildProcess; output: () => string } {
  // NODE_PATH: the generated code in the temp dir requires 'thrift' from this checkout.
  const child = spawn(process.execPath, [join(here, 'programs', program)], {
    env: { ...process.env, ...env, NODE_PATH: join(root, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

/** Runs a client program to its end and returns what it printed; rejects after `timeoutMs`. */
export async function runProgram(program: string, env: ProgramEnv, timeoutMs = 20_000): Promise<string> {
  const { child, output } = start(program, env);
  const timer = setTimeout(() => child.kill(), timeoutMs);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${program} (${env.THRIFT_LIB}) exited with ${code}:\n${output()}`);
  return output();
}

/** A server program that printed `listening <port>`. */
export interface RunningServer {
  readonly port: number;
  /** Waits until its output holds `marker` `count` times (oneway calls land after the client exits), then stops it. */
  stop(marker: string, count: number): Promise<string>;
}

/** Starts a server program and waits for its `listening <port>` line. */
export async function startServerProgram(program: string, env: ProgramEnv): Promise<RunningServer> {
  const { child, output } = start(program, { ...env, PORT: '0' });
  for (let i = 0; i < 400 && !/listening (\d+)/.test(output()); i++) await new Promise((r) => setTimeout(r, 25));
  const listening = /listening (\d+)/.exec(output());
  if (listening === null) {
    child.kill();
    throw new Error(`${program} (${env.THRIFT_LIB}) did not listen within 10 s:\n${output()}`);
  }
  return {
    port: Number(listening[1]),
    stop: async (marker, count) => {
      for (let i = 0; i < 200 && output().split(marker).length - 1 < count; i++) await new Promise((r) => setTimeout(r, 25));
      child.kill();
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      return output();
    },
  };
}
