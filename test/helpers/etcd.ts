/**
 * A real etcd server (Debian's etcd-server, /usr/bin/etcd) for the discovery suites: started on
 * free loopback ports for client and peer traffic, with a temporary data directory, and stopped by
 * its pid. Never the default port 2379, so a developer's own etcd is untouched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ETCD } from './peers.js';

export interface EtcdServer {
  /** `127.0.0.1:port`, for heddle's `discovery.etcd({ endpoints })` and registry-etcd alike. */
  readonly endpoint: string;
  readonly pid: number;
  readonly clientPort: number;
  readonly peerPort: number;
  /** Sends SIGTERM to its pid (SIGKILL after 5 s), waits for the exit, removes the data dir. */
  stop(): Promise<void>;
}

/** A port nothing listens on at this moment (the kernel's pick for an ephemeral bind). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts etcd, with an empty data directory, and resolves once it answers on its client port
 * (within 30 s on a loaded machine). Pass the ports of a stopped one to bring up a fresh etcd
 * where clients expect the old one.
 */
export async function startEtcd(ports: { clientPort?: number; peerPort?: number } = {}): Promise<EtcdServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'heddle-etcd-'));
  const clientPort = ports.clientPort ?? (await freePort());
  const peerPort = ports.peerPort ?? (await freePort());
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child: ChildProcess = spawn(
    ETCD,
    [
      '--name', 'heddle-test',
      '--data-dir', dataDir,
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `heddle-test=${peer}`,
      '--initial-cluster-state', 'new',
      '--log-level', 'error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid!, 'SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`etcd exited with ${child.exitCode}: ${stderr}`);
    }
    if (await healthy(clientPort)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd did not answer on ${client} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint: `127.0.0.1:${clientPort}`, pid: child.pid!, clientPort, peerPort, stop };
}

async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
    return response.ok && ((await response.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}
