// When shared memory is unavailable (no addon, the server refuses us, nothing listens on the
// control socket) a client with a `fallback` address uses plain Unix-socket or TCP streams, and a
// server with one accepts them. These tests also run with HEDDLE_NO_NATIVE=1.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { connect as netConnect, Server } from 'node:net';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shm } from '../../src-ts/index.js';
import { HeddleError } from '../../src-ts/errors.js';
import { startEchoServer } from './helpers/echo-server.js';
import { nativeDisabled, payloadPattern, readBytes, sendViaAllocate, tempDir, waitFor } from './helpers/runtime.js';

describe('shm availability and fallback', () => {
  const dir = tempDir('fallback');
  afterAll(() => dir.remove());

  it('reports whether shared memory is available, and why not', () => {
    expect(shm.available).toBe(!nativeDisabled && process.platform === 'linux');
    if (nativeDisabled) {
      expect(shm.unavailableReason).toBe('the native addon is not loaded (disabled by HEDDLE_NO_NATIVE=1)');
    } else {
      expect(shm.unavailableReason).toBeUndefined();
    }
  });

  it.runIf(nativeDisabled)('refuses to listen or connect without the addon unless a fallback is given', async () => {
    await expect(shm.listen(`${dir.path}/none.sock`)).rejects.toMatchObject({ code: 'ERR_NATIVE_UNAVAILABLE' });
    await expect(shm.connect(`${dir.path}/none.sock`)).rejects.toMatchObject({ code: 'ERR_NATIVE_UNAVAILABLE' });
  });

  for (const transport of ['unix', 'tcp'] as const) {
    it(`falls back to ${transport} streams: same API, every byte echoed`, async () => {
      const fallback = transport === 'unix' ? `unix://${dir.path}/${transport}-fb.sock` : 'tcp://127.0.0.1:0';
      const server = await startEchoServer(`${dir.path}/${transport}.sock`, { fallback });
      expect(server.sharedMemory).toBe(!nativeDisabled);
      // Refused by uid when the addon is there, so the client has to fall back either way.
      const client = await shm.connect(nativeDisabled ? server.path : `${dir.path}/nobody-listens.sock`, {
        fallback: server.fallbackAddress!,
        connectTimeoutMs: 500,
      });
      expect(client.transport).toBe(transport);
      expect(client.lastShmError).toBeInstanceOf(HeddleError);
      const stream = await client.acquireStream();
      expect(stream.transport).toBe(transport);
      const bytes = payloadPattern(300_000, 1);
      stream.write(bytes.subarray(0, 1000));
      sendViaAllocate(stream, bytes.subarray(1000));
      expect((await readBytes(stream, bytes.length)).equals(bytes)).toBe(true);
      client.releaseStream(stream);
      expect(await client.acquireStream()).toBe(stream);  // pooled like a shm stream
      await client.close();
      await server.close();
    });
  }

  // Over TCP: a Unix fallback applies the same uid allowlist (tested below) and would refuse us too.
  it.skipIf(nativeDisabled)('falls back to TCP when the server refuses our uid', async () => {
    const server = await startEchoServer(`${dir.path}/strict.sock`, {
      allowedUids: [process.getuid!() + 1],
      fallback: 'tcp://127.0.0.1:0',
    });
    const refused: unknown[] = [];
    server.on('refused', (peer) => refused.push(peer));
    const client = await shm.connect(server.path, { fallback: server.fallbackAddress!, connectTimeoutMs: 1000 });
    expect(client.transport).toBe('tcp');
    expect(client.lastShmError?.code).toBe('ERR_CONNECTION');
    expect(refused).toEqual([{ uid: process.getuid!(), pid: process.pid }]);
    const stream = await client.acquireStream();
    stream.write(Buffer.from('via the fallback'));
    expect((await readBytes(stream, 16)).toString()).toBe('via the fallback');
    await client.close();
    await server.close();
  });

  it.skipIf(nativeDisabled)('without a fallback, a failed connect rejects with ERR_CONNECTION', async () => {
    await expect(shm.connect(`${dir.path}/nobody.sock`)).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
  });

  for (const groupAccess of [false, true]) {
    it(`creates the fallback Unix socket with mode ${groupAccess ? '0660' : '0600'} from the start: bound in a private 0700 directory, then linked into place`, async () => {
      const path = `${dir.path}/private-${groupAccess}-fb.sock`;
      // What a connecting stranger could see the moment each socket is bound (listen() binds
      // synchronously): the public path must not exist yet, the bound one must be in a fresh 0700
      // directory. Chmod after listen() would leave a window with the umask's mode at `path`.
      const bound: Array<{ publicPathExists: boolean; privateDir: boolean; dirMode: number }> = [];
      const listen = Server.prototype.listen;
      Server.prototype.listen = function (this: Server, ...args: unknown[]) {
        const result = listen.apply(this, args as Parameters<typeof listen>);
        if (typeof args[0] === 'string' && args[0].endsWith('s')) {
          bound.push({
            publicPathExists: (() => { try { lstatSync(path); return true; } catch { return false; } })(),
            privateDir: dirname(args[0]) !== dir.path,
            dirMode: statSync(dirname(args[0])).mode & 0o777,
          });
        }
        return result;
      } as typeof listen;
      let server: Awaited<ReturnType<typeof startEchoServer>>;
      try {
        server = await startEchoServer(`${dir.path}/private-${groupAccess}.sock`, { groupAccess, fallback: `unix://${path}` });
      } finally {
        Server.prototype.listen = listen;
      }
      expect(bound).toEqual([{ publicPathExists: false, privateDir: true, dirMode: 0o700 }]);
      expect(statSync(path).mode & 0o777).toBe(groupAccess ? 0o660 : 0o600);
      expect(statSync(path).isSocket()).toBe(true);
      // The staging directory is gone.
      expect(readdirSync(dir.path).filter((name) => name.startsWith('.h'))).toEqual([]);
      const client = await shm.connect(`${dir.path}/nobody-listens.sock`, { fallback: server.fallbackAddress!, connectTimeoutMs: 500 });
      const stream = await client.acquireStream();
      stream.write(Buffer.from('through the linked socket'));
      expect((await readBytes(stream, 25)).toString()).toBe('through the linked socket');
      await client.close();
      await server.close();
      expect(() => lstatSync(path)).toThrow();
    });
  }

  it('will not take over the path of a live fallback socket', async () => {
    const path = `${dir.path}/taken-fb.sock`;
    const first = await startEchoServer(`${dir.path}/taken-1.sock`, { fallback: `unix://${path}` });
    await expect(startEchoServer(`${dir.path}/taken-2.sock`, { fallback: `unix://${path}` })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    // The first server still owns the path and answers on it.
    const client = await shm.connect(`${dir.path}/nobody-listens.sock`, { fallback: first.fallbackAddress!, connectTimeoutMs: 500 });
    const stream = await client.acquireStream();
    stream.write(Buffer.from('still mine'));
    expect((await readBytes(stream, 10)).toString()).toBe('still mine');
    await client.close();
    await first.close();
  });

  it.skipIf(nativeDisabled)('checks fallback Unix clients against allowedUids with SO_PEERCRED, like the control socket', async () => {
    const server = await startEchoServer(`${dir.path}/cred.sock`, {
      allowedUids: [process.getuid!() + 1],
      fallback: `unix://${dir.path}/cred-fb.sock`,
    });
    const refused: unknown[] = [];
    server.on('refused', (peer) => refused.push(peer));
    const socket = netConnect(`${dir.path}/cred-fb.sock`);
    const received: Buffer[] = [];
    let closed = false;
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    socket.write('let me in');
    await waitFor(() => closed, 2000, 'the server to hang up on a refused uid');
    expect(received).toEqual([]);
    expect(refused).toEqual([{ uid: process.getuid!(), pid: process.pid }]);
    await server.close();
  });
});
