// When shared memory is unavailable (no addon, the server refuses us, nothing listens on the
// control socket) a client with a `fallback` address uses plain Unix-socket or TCP streams, and a
// server with one accepts them. These tests also run with HEDDLE_NO_NATIVE=1.
import { afterAll, describe, expect, it } from 'vitest';
import { shm } from '../../src-ts/index.js';
import { HeddleError } from '../../src-ts/errors.js';
import { startEchoServer } from './helpers/echo-server.js';
import { nativeDisabled, payloadPattern, readBytes, sendViaAllocate, tempDir } from './helpers/runtime.js';

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

  it.skipIf(nativeDisabled)('falls back when the server refuses our uid', async () => {
    const server = await startEchoServer(`${dir.path}/strict.sock`, {
      allowedUids: [process.getuid!() + 1],
      fallback: `unix://${dir.path}/strict-fb.sock`,
    });
    const refused: unknown[] = [];
    server.on('refused', (peer) => refused.push(peer));
    const client = await shm.connect(server.path, { fallback: server.fallbackAddress!, connectTimeoutMs: 1000 });
    expect(client.transport).toBe('unix');
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
});
