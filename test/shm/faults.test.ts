// Faults: kill -9 of either side in the middle of a call. The survivor fails its in-flight calls
// with ERR_CONNECTION and unmaps the shared memory; the next call reconnects; a clean shutdown
// leaves no files in /dev/shm, and a restarted client removes what a crashed one left.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shm } from '../../src-ts/index.js';
import type { ShmSession, ShmStream } from '../../src-ts/shm/index.js';
import { shmNative } from '../../src-ts/shm/native-shm.js';
import { killHard, startChildPeer } from './helpers/child-peer.js';
import { filesWithPrefix, mappingsMentioning, nativeDisabled, readBytes, tempDir, uniquePrefix, waitFor } from './helpers/runtime.js';

describe.skipIf(nativeDisabled)('shm faults', () => {
  const dir = tempDir('faults');
  afterAll(() => dir.remove());

  for (const version of [3, 2] as const) {
    it(`kill -9 of the server mid-call (v${version}): ERR_CONNECTION, memory unmapped, the next call reconnects`, async () => {
      const socket = `${dir.path}/server-${version}.sock`;
      const prefix = uniquePrefix(`server-crash-v${version}`);
      let server = startChildPeer(['server', socket, 'hold']);
      await server.waitForLine('READY');
      const mappingsBefore = shmNative!.shmLiveCounts().mappings;
      const client = await shm.connect(socket, { version, pathPrefix: prefix, connectTimeoutMs: 3000 });
      const session = client.session!;
      expect(mappingsMentioning(basename(prefix)).length).toBeGreaterThan(0);
      const stream = await client.acquireStream();
      stream.write(Buffer.alloc(100_000, 1));
      await server.waitForLine('GOT');
      // The rejection must have a handler before the kill, or it would count as unhandled.
      const inFlight = stream.read().then(() => 'resolved', (error: unknown) => error);
      await killHard(server);

      expect(await inFlight).toMatchObject({ code: 'ERR_CONNECTION' });
      expect(session.closed).toBe(true);
      expect(() => stream.write(Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'ERR_CONNECTION' }));
      expect(mappingsMentioning(basename(prefix))).toEqual([]);
      expect(shmNative!.shmLiveCounts().mappings).toBe(mappingsBefore);
      // The client removed its own v2 files when its session died.
      expect(filesWithPrefix(prefix)).toEqual([]);

      server = startChildPeer(['server', socket, 'echo']);
      await server.waitForLine('READY');
      const again = await client.acquireStream();
      again.write(Buffer.from('after the crash'));
      expect((await readBytes(again, 15)).toString()).toBe('after the crash');
      expect(client.sessionsOpened).toBe(2);
      await client.close();
      server.child.stdin!.end();
      expect(await server.exited).toBe(0);
      expect(filesWithPrefix(prefix)).toEqual([]);
    }, 30_000);

    it(`kill -9 of the client mid-call (v${version}): the server's reads fail with ERR_CONNECTION and it unmaps`, async () => {
      const prefix = uniquePrefix(`client-crash-v${version}`);
      const server = await shm.listen(`${dir.path}/client-${version}.sock`);
      const streams: ShmStream[] = [];
      server.on('stream', (stream) => streams.push(stream));
      const ended: Array<{ session: ShmSession; code: string | undefined }> = [];
      server.on('sessionClose', (session, error) => ended.push({ session, code: error?.code }));

      const client = startChildPeer(['client', server.path, String(version), prefix, '100000']);
      await client.waitForLine('SENT');
      await waitFor(() => streams.length === 1, 5000, 'the client stream');
      await readBytes(streams[0]!, 100_000);
      expect(mappingsMentioning(basename(prefix)).length).toBeGreaterThan(0);
      const inFlight = streams[0]!.read().then(() => 'resolved', (error: unknown) => error);
      await killHard(client);

      expect(await inFlight).toMatchObject({ code: 'ERR_CONNECTION' });
      await waitFor(() => ended.length === 1, 5000, 'the server session to close');
      expect(ended[0]!.code).toBe('ERR_CONNECTION');
      expect(mappingsMentioning(basename(prefix))).toEqual([]);
      await server.close();
      // What the crashed client may have left is removed as a restarted client would.
      shm.removeStaleFiles(prefix);
      expect(filesWithPrefix(prefix)).toEqual([]);
    }, 30_000);
  }

  it('process.exit() with a session and a listener open leaves no files behind', async () => {
    const prefix = uniquePrefix('exit');
    const server = await shm.listen(`${dir.path}/exit.sock`);
    const peer = startChildPeer(['exit', server.path, prefix]);
    expect(await peer.exited).toBe(0);
    expect(peer.lines).toContain('OPEN');
    expect(filesWithPrefix(prefix)).toEqual([]);
    expect(existsSync(`${server.path}.exit`)).toBe(false);
    await server.close();
  });

  it('a restarted client removes the /dev/shm files a crashed one left (v2)', async () => {
    const prefix = uniquePrefix('restart');
    const socket = `${dir.path}/restart.sock`;
    let server = startChildPeer(['server', socket, 'hold']);
    await server.waitForLine('READY');
    const crashed = startChildPeer(['client', socket, '2', prefix, '1000']);
    const crashedPid = Number((await crashed.waitForLine('SENT')).split(' ')[1]);
    // Both die, the client frozen first so it never sees the server go: nobody cleans up.
    crashed.child.kill('SIGSTOP');
    await killHard(server);
    await killHard(crashed);
    const left = filesWithPrefix(prefix).filter((name) => name.includes(`_${crashedPid}_`));
    expect(left).toHaveLength(2);

    server = startChildPeer(['server', socket, 'echo']);
    await server.waitForLine('READY');
    const restarted = startChildPeer(['client', socket, '2', prefix, '1000']);
    await restarted.waitForLine('ECHO 1000');
    expect(filesWithPrefix(prefix).filter((name) => name.includes(`_${crashedPid}_`))).toEqual([]);
    restarted.child.stdin!.end();
    expect(await restarted.exited).toBe(0);
    server.child.stdin!.end();
    expect(await server.exited).toBe(0);
    expect(filesWithPrefix(prefix)).toEqual([]);
  }, 30_000);
});
