// `npx heddle demo` is the README's first promise: run the real command, as a user would, on
// short rows, and check what it prints.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../../src-ts/cli/demo.js';

const bin = fileURLToPath(new URL('../../bin/heddle.js', import.meta.url));

function demo(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, 'demo', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

/** The RPC table's rows: transport, protocol, callers, calls/s. */
function rows(out: string) {
  return [...out.matchAll(/^ {2}(TCP|Unix socket|shared mem|shm→socket) +(Thrift|Kitex PB|gRPC PB) +(\d+) +([\d,]+) +/gm)].map((m) => ({
    transport: m[1],
    protocol: m[2],
    callers: Number(m[3]),
    rate: Number(m[4]!.replaceAll(',', '')),
  }));
}

describe('heddle demo', () => {
  it('round-trips codecs and drives the echo service over TCP, a Unix socket and shared memory, gRPC over the sockets', () => {
    const { code, out, err } = demo('--row-ms', '150');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/Order as Thrift binary +\d+ bytes .* round trip equal/);
    expect(out).toMatch(/Order as Thrift compact +\d+ bytes .* round trip equal/);
    const table = rows(out);
    // Without shared memory (no addon) the shm:// client takes the server's Unix-socket fallback.
    const shmLabel = out.includes('shared memory unavailable') ? 'shm→socket' : 'shared mem';
    expect(table.map((r) => `${r.transport} ${r.protocol} ${r.callers}`)).toEqual(
      ['TCP', 'Unix socket', shmLabel].flatMap((transport) =>
        // gRPC runs over sockets only; the same Protobuf server answers it on the same port.
        (transport === shmLabel ? ['Thrift', 'Kitex PB'] : ['Thrift', 'Kitex PB', 'gRPC PB']).flatMap((protocol) => [1, 64].map((n) => `${transport} ${protocol} ${n}`)),
      ),
    );
    expect(out).toContain('loaded demo.proto the same way: service heddle.demo.Echo { Echo }');
    for (const row of table) expect(row.rate).toBeGreaterThan(0);
    expect(out).toContain('every round trip matched');
  });

  it('busy-polls when asked, and says so', () => {
    const { code, out } = demo('--busy-poll', '100', '--row-ms', '100');
    expect(code).toBe(0);
    expect(out).toContain('busy-polling 100 µs after each write');
    expect(rows(out)).toHaveLength(16);
    expect(out).toContain('every round trip matched');
  });

  it('refuses options it does not know, with its usage, and exit code 2', () => {
    const { code, out, err } = demo('--fast');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('unknown option --fast');
    expect(err).toContain('usage: heddle demo');
  });

  it('parses its flags', () => {
    expect(parseDemoArgs([])).toEqual({ busyPollMicros: 0, rowMs: 2000 });
    expect(parseDemoArgs(['--busy-poll', '250', '--row-ms', '500'])).toEqual({ busyPollMicros: 250, rowMs: 500 });
    expect(parseDemoArgs(['--busy-poll'])).toBe('--busy-poll needs a whole number, got nothing');
    expect(parseDemoArgs(['--busy-poll', '1.5'])).toBe('--busy-poll needs a whole number, got 1.5');
    expect(parseDemoArgs(['--row-ms', '0'])).toBe('--row-ms must be above 0');
    expect(parseDemoArgs(['--row-ms', ''])).toBe('--row-ms needs a whole number, got ');
    expect(parseDemoArgs(['--row-ms', '1e3'])).toBe('--row-ms needs a whole number, got 1e3');
    expect(parseDemoArgs(['--busy-poll', '100000'])).toEqual({ busyPollMicros: 100_000, rowMs: 2000 });
    expect(parseDemoArgs(['--busy-poll', '100001'])).toBe('--busy-poll is at most 100000 µs, got 100001');
  });
});
