// Security: the control socket's mode, the SO_PEERCRED uid allowlist on both sides, the mode of
// v2 files, and a hostile peer writing garbage into the queue and the slice headers: its session
// closes with ERR_SHM_PEER (ERR_BAD_FRAME for a garbled control message), this process survives,
// and a well-behaved session on the same server keeps working. A peer truncating the memory it
// shared (SIGBUS on our next access) is absorbed the same way.
import { statSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { HeddleError } from '../../src-ts/errors.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shm } from '../../src-ts/index.js';
import type { ShmClient, ShmServer, ShmSession, ShmStream } from '../../src-ts/shm/index.js';
import { MessageType, ShmLayout as L } from '../../src-ts/shm/layout.js';
import { killHard, startChildPeer } from './helpers/child-peer.js';
import { startEchoServer } from './helpers/echo-server.js';
import { FIRST_OWN_SLICE, ForgedClient, SLICE_COUNT, STRIDE } from './helpers/forged-client.js';
import { filesWithPrefix, nativeDisabled, readBytes, sleep, tempDir, uniquePrefix, waitFor } from './helpers/runtime.js';

function u32le(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
}

const uid = process.getuid?.() ?? 0;
type HeddleErrorLike = { code: string; message: string } | undefined;

describe.skipIf(nativeDisabled)('shm security', () => {
  const dir = tempDir('security');
  afterAll(() => dir.remove());

  it('creates the control socket with mode 0600, or 0660 with groupAccess', async () => {
    const owner = await shm.listen(`${dir.path}/owner.sock`);
    const group = await shm.listen(`${dir.path}/group.sock`, { groupAccess: true });
    expect(statSync(owner.path).mode & 0o777).toBe(0o600);
    expect(statSync(group.path).mode & 0o777).toBe(0o660);
    await owner.close();
    await group.close();
    // Closing removes the socket files.
    expect(() => statSync(owner.path)).toThrow();
  });

  it('creates v2 files with mode 0600, or 0660 with groupAccess', async () => {
    const server = await startEchoServer(`${dir.path}/files.sock`);
    for (const [groupAccess, mode] of [[false, 0o600], [true, 0o660]] as const) {
      const prefix = uniquePrefix('mode');
      const client = await shm.connect(server.path, { version: 2, pathPrefix: prefix, groupAccess });
      const files = filesWithPrefix(prefix);
      expect(files).toHaveLength(2);
      for (const file of files) expect(statSync(`/dev/shm/${file}`).mode & 0o777).toBe(mode);
      await client.close();
      expect(filesWithPrefix(prefix)).toEqual([]);
    }
    await server.close();
  });

  it('refuses a client whose uid is not allowed (SO_PEERCRED), in v3 and v2', async () => {
    const server = await startEchoServer(`${dir.path}/strict.sock`, { allowedUids: [uid + 1] });
    const refused: unknown[] = [];
    server.on('refused', (peer) => refused.push(peer));
    await expect(shm.connect(server.path)).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    // v2 has no acknowledgement: the session is up at once and dies when the server hangs up.
    const prefix = uniquePrefix('refused');
    const client = await shm.connect(server.path, { version: 2, pathPrefix: prefix });
    const closed = new Promise((resolve) => client.session!.onClose(resolve));
    expect(await closed).toMatchObject({ code: 'ERR_CONNECTION' });
    expect(refused).toEqual([{ uid, pid: process.pid }, { uid, pid: process.pid }]);
    expect(server.sessions.size).toBe(0);
    expect(filesWithPrefix(prefix)).toEqual([]);
    await client.close();
    await server.close();
  });

  it('refuses a server whose uid is not allowed', async () => {
    const server = await startEchoServer(`${dir.path}/any.sock`);
    await expect(shm.connect(server.path, { allowedUids: [uid + 1] })).rejects.toMatchObject({
      code: 'ERR_CONNECTION',
      message: expect.stringContaining('server uid is not in the allowlist'),
    });
    await server.close();
  });

  it('drops a client that never completes the handshake', async () => {
    const server = await startEchoServer(`${dir.path}/slow-client.sock`, { handshakeTimeoutMs: 200 });
    const ended = new Promise<string | undefined>((resolve) => server.once('sessionClose', (_s, error) => resolve(error?.code)));
    const idle = connect(server.path);
    idle.on('error', () => undefined);
    const dropped = new Promise((resolve) => idle.once('close', resolve));
    expect(await ended).toBe('ERR_TIMEOUT');
    await dropped;
    await server.close();
  });

  it('gives up on a server that never answers the handshake', async () => {
    const accepted: Socket[] = [];
    const mute = createServer((socket) => void accepted.push(socket));
    await new Promise<void>((resolve) => mute.listen(`${dir.path}/mute.sock`, resolve));
    const started = Date.now();
    await expect(shm.connect(`${dir.path}/mute.sock`, { connectTimeoutMs: 300 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3000);
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => mute.close(resolve));
  });

  it('bounds the FallbackData it queues for a peer that never reads: ERR_SIZE_LIMIT, the session lives on', async () => {
    // A v2 "server" that accepts and never reads: a v2 client is established without an answer.
    const peers: Socket[] = [];
    const mute = createServer((socket) => {
      socket.pause();
      peers.push(socket);
    });
    const path = `${dir.path}/never-reads.sock`;
    await new Promise<void>((resolve) => mute.listen(path, resolve));
    const prefix = uniquePrefix('never-reads');
    const limit = 4 << 20;
    const client = await shm.connect(path, { version: 2, pathPrefix: prefix, bufferSize: 1 << 20, maxQueuedFallbackBytes: limit });
    const stream = await client.acquireStream();
    const chunk = Buffer.alloc(64 * 1024, 7);
    // The pool (1 MiB, never released) runs out, FallbackData fills the socket, then the queue.
    let written = 0;
    let refusal: unknown;
    while (written < 64 << 20) {
      try {
        stream.write(chunk);
      } catch (error) {
        refusal = error;
        break;
      }
      written += chunk.length;
    }
    expect(refusal).toBeInstanceOf(HeddleError);
    expect(refusal).toMatchObject({ code: 'ERR_SIZE_LIMIT', message: expect.stringContaining('not reading the control socket') });
    // What was accepted: the pool, what the kernel's socket buffer took, and the limit.
    expect(written).toBeGreaterThan(limit);
    expect(written).toBeLessThan((1 << 20) + limit + (8 << 20));
    expect(client.session!.closed).toBe(false);
    expect(stream.closed).toBe(false);
    // Once the peer reads again, the queue drains and writes are accepted again.
    await waitFor(() => peers.length === 1, 2000, 'the accepted connection');
    peers[0]!.on('data', () => undefined);
    peers[0]!.resume();
    await waitFor(() => {
      try {
        stream.write(chunk);
        return true;
      } catch (error) {
        if ((error as HeddleError).code !== 'ERR_SIZE_LIMIT') throw error;
        return false;
      }
    }, 5000, 'the queued FallbackData to drain');
    expect(client.session!.stats().fallbackChunksSent).toBeGreaterThan(limit / chunk.length);
    await client.close();
    for (const socket of peers) socket.destroy();
    await new Promise((resolve) => mute.close(resolve));
    expect(filesWithPrefix(prefix)).toEqual([]);
  });

  describe('a hostile peer', () => {
    const prefix = uniquePrefix('hostile');
    let server: ShmServer;
    let honest: ShmClient;
    const serverStreams: ShmStream[] = [];

    beforeAll(async () => {
      server = await startEchoServer(`${dir.path}/hostile.sock`);
      server.on('stream', (stream) => serverStreams.push(stream));
      honest = await shm.connect(server.path);
    });
    afterAll(async () => {
      await honest.close();
      await server.close();
      expect(filesWithPrefix(prefix)).toEqual([]);
    });

    /** Connects a forged client, runs `attack`, and returns how its server session ended. */
    async function attack(run: (forged: ForgedClient) => void): Promise<{ code: string | undefined; message: string | undefined }> {
      const forged = await ForgedClient.connect(server.path, prefix);
      const session = await new Promise<ShmSession>((resolve) => server.once('session', resolve));
      const ended = new Promise<{ code: string | undefined; message: string | undefined }>((resolve) =>
        session.onClose((error) => resolve({ code: error?.code, message: error?.message })),
      );
      run(forged);
      const outcome = await ended;
      await forged.dropped;  // the server hung up
      forged.close();
      // The process is alive and the honest session still works.
      const stream = await honest.acquireStream();
      stream.write(Buffer.from('still here'));
      expect((await readBytes(stream, 10)).toString()).toBe('still here');
      honest.releaseStream(stream);
      return outcome;
    }

    it('gets well-formed chunks through (the forged layout is right)', async () => {
      const forged = await ForgedClient.connect(server.path, prefix);
      await new Promise((resolve) => server.once('session', resolve));
      const before = serverStreams.length;
      forged.sendChunk(7, FIRST_OWN_SLICE, Buffer.from('forged hello'));
      await waitFor(() => serverStreams.length === before + 1, 2000, 'the forged stream');
      expect(serverStreams.at(-1)!.id).toBe(7);
      forged.close();
    });

    it('assembles control messages the peer dribbles across reads: a wake-up ends with the read that emptied the socket', async () => {
      // The session stops reading once a read returns less than it asked for (no second read that
      // would only say EAGAIN); whatever arrives later must wake the poll again. Here a FallbackData
      // and a Polling come a byte or a few at a time, and a FallbackData larger than one read's room
      // comes at once: every byte must reach the stream, in order.
      const plain = await shm.listen(`${dir.path}/dribble.sock`);
      const received: Buffer[] = [];
      plain.on('stream', (stream) => stream.setDataHandler((chunk) => {
        received.push(chunk.toBuffer());
        chunk.release();
      }));
      const sessionOpened = new Promise((resolve) => plain.once('session', resolve));
      const forged = await ForgedClient.connect(plain.path, prefix);
      await sessionOpened;
      const total = () => received.reduce((n, b) => n + b.length, 0);
      try {
        forged.sendChunk(11, FIRST_OWN_SLICE, Buffer.from('first|'));
        await waitFor(() => total() === 6, 5000, 'the first chunk');
        const dribbled = forged.fallbackMessage(11, Buffer.from('dribbled 滴 fallback|'));
        for (let at = 0; at < dribbled.length; at += 3) {
          forged.sendRaw(dribbled.subarray(at, at + 3));
          await sleep(2);
        }
        // A queue element announced by a Polling message that arrives in two pieces.
        forged.writeBuffer(forged.sliceOffset(FIRST_OWN_SLICE + 1) + L.sliceHeaderSize, Buffer.from('polled|'));
        forged.writeSliceHeader(FIRST_OWN_SLICE + 1, { size: 7 });
        forged.writeQueue(L.queueHeaderSize + L.queueElementSize, Buffer.concat([u32le(11), u32le(forged.sliceOffset(FIRST_OWN_SLICE + 1)), u32le(L.streamOpened)]));
        const tail = Buffer.alloc(8);
        tail.writeBigInt64LE(2n);
        forged.writeQueue(L.queueTailOffset, tail);
        const polling = forged.pollingMessage();
        forged.sendRaw(polling.subarray(0, 5));
        await sleep(20);
        forged.sendRaw(polling.subarray(5));
        const large = Buffer.alloc(200 * 1024);
        for (let i = 0; i < large.length; i++) large[i] = (i * 31 + 7) & 0xff;
        forged.sendRaw(forged.fallbackMessage(11, large));
        const expected = Buffer.concat([Buffer.from('first|dribbled 滴 fallback|polled|'), large]);
        await waitFor(() => total() >= expected.length, 10_000, 'every byte');
        expect(Buffer.concat(received).equals(expected)).toBe(true);
      } finally {
        forged.close();
        await plain.close();
      }
    });

    it('closes the session with ERR_SHM_PEER for a queue element pointing outside the pool', async () => {
      expect(await attack((f) => f.sendElement(3, 0xfffffff0, L.streamOpened))).toMatchObject({ code: 'ERR_SHM_PEER' });
    });

    it('closes the session with ERR_SHM_PEER for an element pointing into a slice header', async () => {
      expect(await attack((f) => f.sendElement(3, f.sliceOffset(FIRST_OWN_SLICE) + 4, L.streamOpened))).toMatchObject({ code: 'ERR_SHM_PEER' });
    });

    it('closes the session with ERR_SHM_PEER for a slice size beyond its capacity', async () => {
      const outcome = await attack((f) => {
        f.writeSliceHeader(FIRST_OWN_SLICE, { size: STRIDE });
        f.sendElement(3, f.sliceOffset(FIRST_OWN_SLICE), L.streamOpened);
      });
      expect(outcome).toMatchObject({ code: 'ERR_SHM_PEER', message: expect.stringContaining('slice') });
    });

    it('closes the session with ERR_SHM_PEER for a start + size overflowing 32 bits', async () => {
      const outcome = await attack((f) => {
        f.writeSliceHeader(FIRST_OWN_SLICE, { size: 16, start: 0xfffffff8 });
        f.sendElement(3, f.sliceOffset(FIRST_OWN_SLICE), L.streamOpened);
      });
      expect(outcome.code).toBe('ERR_SHM_PEER');
    });

    it('closes the session with ERR_SHM_PEER for a slice chain that loops', async () => {
      const outcome = await attack((f) => {
        const self = f.sliceOffset(FIRST_OWN_SLICE);
        f.writeSliceHeader(FIRST_OWN_SLICE, { size: 4, next: self, flags: L.sliceFlagHasNext | L.sliceFlagInUse });
        f.sendElement(3, self, L.streamOpened);
      });
      expect(outcome.code).toBe('ERR_SHM_PEER');
    });

    it('closes the session with ERR_SHM_PEER for a queue whose tail runs past its capacity', async () => {
      const outcome = await attack((f) => {
        const tail = Buffer.alloc(8);
        tail.writeBigInt64LE(1000n);
        f.writeQueue(L.queueTailOffset, tail);
        f.poll();
      });
      expect(outcome).toMatchObject({ code: 'ERR_SHM_PEER', message: expect.stringContaining('queue') });
    });

    it('closes the session with ERR_SHM_PEER when the free list it allocates from is garbage', async () => {
      const outcome = await attack((f) => {
        // The list head the server pops from for its reply points into the middle of a slice.
        const head = Buffer.alloc(4);
        head.writeUInt32LE(13);
        f.writeBuffer(L.managerHeaderSize + L.listHeadOffset, head);
        f.sendChunk(5, FIRST_OWN_SLICE, Buffer.from('please echo'));
      });
      expect(outcome.code).toBe('ERR_SHM_PEER');
    });

    it('closes the session with ERR_BAD_FRAME for a control message with a bad magic', async () => {
      const outcome = await attack((f) => f.sendRaw(Buffer.from([0, 0, 0, 8, 0x12, 0x34, 2, 1])));
      expect(outcome.code).toBe('ERR_BAD_FRAME');
    });

    it('refuses small control messages longer than their type allows, at the header (ERR_BAD_FRAME with the byte)', async () => {
      const header = (type: number, length: number): Buffer => {
        const b = Buffer.alloc(L.controlHeaderSize);
        b.writeUInt32BE(length, 0);
        b.writeUInt16BE(L.controlMagic, 4);
        b[6] = L.protocolV2;
        b[7] = type;
        return b;
      };
      // A Polling that claims 64 MiB: refused on its header, before any body is awaited or buffered.
      const polling = await attack((f) => f.sendRaw(header(MessageType.Polling, 64 << 20)));
      expect(polling).toMatchObject({ code: 'ERR_BAD_FRAME', message: expect.stringMatching(/length outside what the message type allows\) at control-stream byte \d+/) });
      // A Polling with one byte of body, and a StreamClose with five.
      expect(await attack((f) => f.sendRaw(Buffer.concat([header(MessageType.Polling, 9), Buffer.alloc(1)])))).toMatchObject({ code: 'ERR_BAD_FRAME' });
      expect(await attack((f) => f.sendRaw(Buffer.concat([header(MessageType.StreamClose, 13), Buffer.alloc(5)])))).toMatchObject({ code: 'ERR_BAD_FRAME' });
    });

    it('never crashes on random queue elements and slice headers (property)', async () => {
      const word = fc.integer({ min: 0, max: 0xffffffff });
      await fc.assert(
        fc.asyncProperty(word, word, word, word, word, fc.integer({ min: 0, max: 255 }), async (offsetWord, size, start, next, status, flags) => {
          const forged = await ForgedClient.connect(server.path, prefix);
          const session = await new Promise<ShmSession>((resolve) => server.once('session', resolve));
          const slice = FIRST_OWN_SLICE + (offsetWord % (SLICE_COUNT - FIRST_OWN_SLICE));
          // Half the cases aim at a real slice header, half anywhere at all.
          const offset = offsetWord % 2 === 0 ? forged.sliceOffset(slice) : offsetWord;
          forged.writeSliceHeader(slice, { size, start, next, flags });
          forged.sendElement(9, offset, status);
          // Whatever happened, the server is consistent: the session either lives or died with
          // ERR_SHM_PEER, never anything else.
          forged.poll();
          await new Promise((resolve) => setTimeout(resolve, 20));
          if (session.closed) expect(session.error?.code).toBe('ERR_SHM_PEER');
          forged.close();
          await forged.dropped;
          await waitFor(() => session.closed, 2000, 'the forged session to end');
          expect(['ERR_SHM_PEER', 'ERR_CONNECTION']).toContain(session.error?.code);
        }),
        { numRuns: 40 },
      );
      const stream = await honest.acquireStream();
      stream.write(Buffer.from('after the fuzz'));
      expect((await readBytes(stream, 14)).toString()).toBe('after the fuzz');
      honest.releaseStream(stream);
    });
  });

  describe('a peer truncating the memory it shared', () => {
    const prefix = uniquePrefix('truncating');
    afterAll(() => expect(filesWithPrefix(prefix)).toEqual([]));

    async function expectEcho(client: ShmClient, text: string): Promise<void> {
      const stream = await client.acquireStream();
      stream.write(Buffer.from(text));
      expect((await readBytes(stream, text.length)).toString()).toBe(text);
      client.releaseStream(stream);
    }

    /**
     * Runs a heddle server in a child process (without the SIGBUS guard the fault kills that
     * process, not the test runner), an honest client and a forged one; `attack` truncates and
     * returns the line the server printed when the forged session ended.
     */
    async function truncationScenario(name: string, attack: (forged: ForgedClient, server: ReturnType<typeof startChildPeer>) => Promise<string>): Promise<string> {
      const socket = `${dir.path}/${name}.sock`;
      const server = startChildPeer(['server', socket, 'guard']);
      let forged: ForgedClient | undefined;
      try {
        await server.waitForLine('READY');
        const honest = await shm.connect(socket, { connectTimeoutMs: 3000 });
        await expectEcho(honest, 'before the attack');
        forged = await ForgedClient.connect(socket, prefix);
        const ended = await attack(forged, server);
        await forged.dropped;  // the server hung up on it
        // The server process survived and its other session still works.
        await expectEcho(honest, 'after the attack');
        await honest.close();
        server.child.stdin!.end();
        expect(await server.exited).toBe(0);
        expect(server.child.signalCode).toBeNull();
        return ended;
      } finally {
        forged?.close();
        await killHard(server);
      }
    }

    it('the buffer cut to 0 under a chunk JavaScript is reading: zeros, then ERR_SHM_PEER', async () => {
      const ended = await truncationScenario('truncate-buffer', async (forged, server) => {
        forged.sendChunk(7, FIRST_OWN_SLICE, Buffer.from(`hold:${'x'.repeat(3000)}`));
        expect(await server.waitForLine('HELD')).toBe('HELD 3005');
        forged.truncateBuffer();
        server.command('read');
        // The bytes read after the truncation are the guard's zero pages, not 'hold:xxx...'.
        expect(await server.waitForLine('READ ')).toBe('READ 0');
        // Releasing the chunk is the session's next shared-memory batch: it sees the poison mark.
        expect(await server.waitForLine('RELEASE')).toBe('RELEASE ERR_SHM_PEER');
        return server.waitForLine('SESSIONCLOSE');
      });
      expect(ended).toMatch(/^SESSIONCLOSE ERR_SHM_PEER shm: release: .*peer truncated the shared memory$/);
    });

    it('the queue cut to 0 before a Polling message: the native drain reads zeros, then ERR_SHM_PEER', async () => {
      const ended = await truncationScenario('truncate-queue', async (forged, server) => {
        // A held chunk first: the server has mapped the memory once it prints HELD.
        forged.sendChunk(7, FIRST_OWN_SLICE, Buffer.from('hold:on'));
        expect(await server.waitForLine('HELD')).toBe('HELD 7');
        forged.truncateQueue();
        forged.poll();
        return server.waitForLine('SESSIONCLOSE');
      });
      expect(ended).toBe('SESSIONCLOSE ERR_SHM_PEER shm: session closed: peer truncated the shared memory');
    });

    it('refuses memory too small for its layout before mapping it (fstat)', async () => {
      const server = await startEchoServer(`${dir.path}/tiny.sock`);
      for (const shrinkTo of [{ buffer: 16 }, { queue: 8 }]) {
        const ended = new Promise<HeddleErrorLike>((resolve) => server.once('sessionClose', (_s, error) => resolve(error)));
        const forged = await ForgedClient.connect(server.path, prefix, shrinkTo);
        expect(await ended).toMatchObject({ code: 'ERR_SHM_PEER', message: expect.stringContaining('smaller than its layout needs') });
        await forged.dropped;
        forged.close();
      }
      await server.close();
    });
  });
});
