/**
 * A real DNS server (Debian's dnsmasq-base) for the discovery.dns suite: answers for `*.heddle.test` only
 * from a hosts file of the test's own (no upstream, no /etc/hosts), on a free loopback port, in the foreground,
 * and stopped by its pid. `setHosts` rewrites the file and sends SIGHUP, which makes dnsmasq
 * read it again, as a Kubernetes DNS server follows pods coming and going.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promises as dnsPromises } from 'node:dns';
import { freePort } from './etcd.js';
import { DNSMASQ } from './peers.js';

export interface DnsServer {
  /** `127.0.0.1:port`, for `discovery.dns(target, { servers: [server.address] })`. */
  readonly address: string;
  /** Replaces every record: name to addresses (A for IPv4, AAAA for IPv6). Resolves once dnsmasq answers with them. */
  setHosts(hosts: Record<string, string[]>): Promise<void>;
  /** SIGTERM to its pid, waits for the exit, removes its directory. */
  stop(): Promise<void>;
}

export async function startDnsmasq(hosts: Record<string, string[]> = {}): Promise<DnsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-dnsmasq-'));
  // dnsmasq started as root drops to the user named here and reads the hosts file again as that user.
  chmodSync(dir, 0o755);
  const hostsFile = join(dir, 'hosts');
  const write = (records: Record<string, string[]>) =>
    writeFileSync(hostsFile, Object.entries(records).flatMap(([name, addresses]) => addresses.map((a) => `${a} ${name}\n`)).join(''), { mode: 0o644 });
  write(hosts);
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      DNSMASQ,
      [
        '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--no-poll',
        `--addn-hosts=${hostsFile}`, `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
        `--pid-file=${join(dir, 'pid')}`, `--user=${userInfo().username}`, '--cache-size=0', '--local-ttl=0',
        // Authoritative for heddle.test: names missing from the file are NXDOMAIN, not REFUSED.
        '--local=/heddle.test/',
      ],
      // Without the sanitizer run's LD_PRELOAD (scripts/test-asan.sh): with the ASan runtime
      // preloaded, dnsmasq starts but never answers.
      { stdio: ['ignore', 'ignore', 'pipe'], env: withoutPreload(process.env) },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit');
    const address = `127.0.0.1:${port}`;
    const resolver = new dnsPromises.Resolver({ timeout: 500, tries: 1 });
    resolver.setServers([address]);
    const answers = async (name: string, expected: string[]) => {
      const found = (await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)])).flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
      return JSON.stringify(found.sort()) === JSON.stringify([...expected].sort());
    };
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid!, 'SIGTERM');
        await exited;
      }
    };
    // Ready once it answers a name it does not have (NXDOMAIN comes from a running server).
    const deadline = Date.now() + 15_000;
    let ready = false;
    while (!ready && child.exitCode === null && Date.now() < deadline) {
      ready = await resolver.resolve4('ready.heddle.test').then(
        () => true,
        (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND' || e.code === 'ENODATA',
      );
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    if (!ready) {
      await stop();
      // Another process took the port between freePort and the bind: try another.
      if (attempt < 3 && /Address already in use/.test(stderr)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`dnsmasq did not answer on ${address}: ${stderr}`);
    }
    return {
      address,
      async setHosts(records) {
        write(records);
        process.kill(child.pid!, 'SIGHUP');
        const names = Object.keys(records);
        const until = Date.now() + 10_000;
        for (;;) {
          const done = await Promise.all(names.map((n) => answers(n, records[n]!)));
          if (done.every(Boolean)) return;
          if (Date.now() > until) throw new Error(`dnsmasq did not take the new hosts within 10 s: ${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      async stop() {
        await stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** The environment minus what preloads the sanitizer runtime into child processes. */
function withoutPreload(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { LD_PRELOAD: _preload, ...rest } = env;
  return rest;
}
