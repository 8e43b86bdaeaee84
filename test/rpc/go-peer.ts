import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll } from 'vitest';

/** A Go peer server (test/interop/kitex-*) running as a child process. */
export interface GoServer {
  /** Its address in heddle's URL form, `tcp://127.0.0.1:port`. */
  address: string;
  /** Closes its stdin, which makes it stop, and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts `binary server ...args` and waits for its "LISTENING host:port" line. */
export async function startGoServer(binary: string, args: readonly string[] = []): Promise<GoServer> {
  const child = spawn(binary, ['server', ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 200 && !/LISTENING (\S+)/.test(output); i++) await new Promise((r) => setTimeout(r, 25));
  const listening = /LISTENING (\S+)/.exec(output);
  if (listening === null) {
    child.kill();
    throw new Error(`${binary} did not start listening within 5 s`);
  }
  return {
    address: `tcp://${listening[1]}`,
    stop: async () => {
      child.stdin!.end('\n');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/**
 * Runs `binary()` as a server for the enclosing describe block: started before its tests, stopped
 * after them. The returned object's `address` is set once it listens.
 */
export function useGoServer(binary: () => string): { readonly address: string } {
  const state = { address: '' };
  let server: GoServer | undefined;
  beforeAll(async () => {
    server = await startGoServer(binary());
    state.address = server.address;
  }, 30_000);
  afterAll(() => server?.stop());
  return state;
}
