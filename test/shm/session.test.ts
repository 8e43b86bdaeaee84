// heddle against heddle over shared memory, protocol v2 (files) and v3 (memfds): handshake,
// payloads from 1 B to 4 MiB as Framed Thrift, many streams, stream close both ways, the stream
// pool, notification batching, and FallbackData when the pool or the queue is full.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shm } from '../../src-ts/index.js';
import type { ShmClient, ShmServer, ShmStream } from '../../src-ts/shm/index.js';
import { startEchoServer } from './helpers/echo-server.js';
import {
  expectFramedEchoes, filesWithPrefix, FRAME_SIZES, nativeDisabled, payloadPattern, readBytes, tempDir, uniquePrefix, waitFor,
} from './helpers/runtime.js';

describe.skipIf(nativeDisabled)('shm sessions, heddle to heddle', () => {
  const dir = tempDir('session');
  afterAll(() => dir.remove());

  for (const version of [3, 2] as const) {
    describe(`protocol v${version}`, () => {
      const prefix = uniquePrefix(`v${version}`);
      const socket = `${dir.path}/v${version}.sock`;
      let server: ShmServer;
      let client: ShmClient;

      beforeAll(async () => {
        server = await startEchoServer(socket);
        client = await shm.connect(socket, { version, pathPrefix: prefix });
      });
      afterAll(async () => {
        await client.close();
        await server.close();
        // A clean shutdown leaves nothing behind in /dev/shm.
        expect(filesWithPrefix(prefix)).toEqual([]);
      });

      it('completes the handshake in the requested version', async () => {
        expect(client.transport).toBe('shm');
        expect(client.session!.version).toBe(version);
        await waitFor(() => server.sessions.size === 1, 2000, 'server session');
        const [serverSession] = [...server.sessions];
        await serverSession!.ready;
        expect(serverSession!.version).toBe(version);
        expect(serverSession!.peer).toEqual({ uid: process.getuid!(), pid: process.pid });
        // v2 files exist while the session lives; v3 memfds never appear in /dev/shm.
        expect(filesWithPrefix(prefix).length).toBe(version === 2 ? 2 : 0);
      });

      it('echoes Framed Thrift messages from 1 B to 4 MiB byte for byte', async () => {
        const stream = await client.acquireStream();
        await expectFramedEchoes(stream, FRAME_SIZES);
        client.releaseStream(stream);
      });

      it('keeps random sizes and stream interleavings intact (property)', async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), async (sizes, streamCount) => {
            const streams = await Promise.all(Array.from({ length: streamCount }, () => client.acquireStream()));
            const sent = streams.map(() => [] as Buffer[]);
            sizes.forEach((size, i) => {
              const target = i % streams.length;
              const bytes = payloadPattern(size, i);
              streams[target]!.write(bytes);
              sent[target]!.push(bytes);
            });
            for (const [s, stream] of streams.entries()) {
              const expected = Buffer.concat(sent[s]!);
              const got = await readBytes(stream, expected.length);
              expect(got.equals(expected)).toBe(true);
              client.releaseStream(stream);
            }
          }),
          { numRuns: 15 },
        );
      });

      it('reuses pooled streams and opens new ones when the pool is empty', async () => {
        const a = await client.acquireStream();
        const b = await client.acquireStream();
        expect(a.id).not.toBe(b.id);
        client.releaseStream(a);
        const again = await client.acquireStream();
        expect(again).toBe(a);
        client.releaseStream(again);
        client.releaseStream(b);
      });

      it('ends the peer side when a stream is closed, in both directions', async () => {
        const serverStreams: ShmStream[] = [];
        const grab = (s: ShmStream): void => void serverStreams.push(s);
        server.on('stream', grab);
        // Fresh streams (not from the pool), so the server announces each of them.
        const stream = client.session!.openStream();
        stream.write(Buffer.from('ping'));
        expect((await readBytes(stream, 4)).toString()).toBe('ping');
        await waitFor(() => serverStreams.length === 1, 2000, 'server stream');
        const onServer = serverStreams[0]!;
        const ended = new Promise<unknown>((resolve) => onServer.onEnd(resolve));
        stream.close();
        expect(await ended).toBeUndefined();
        expect(onServer.closed).toBe(true);
        expect(() => stream.write(Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'ERR_CONNECTION' }));

        // Server closes: the client's read() ends with null, and writing is refused.
        const second = client.session!.openStream();
        second.write(Buffer.from('pong'));
        expect((await readBytes(second, 4)).toString()).toBe('pong');
        await waitFor(() => serverStreams.length === 2, 2000, 'second server stream');
        serverStreams[1]!.close();
        expect(await second.read()).toBeNull();
        expect(() => second.write(Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'ERR_CONNECTION' }));
        const idle = client.idleStreams;
        client.releaseStream(second);
        expect(client.idleStreams).toBe(idle);  // a closed stream is not pooled
        server.off('stream', grab);
      });

      it('batches notifications: a burst costs fewer Polling messages than chunks', async () => {
        const session = client.session!;
        const before = session.stats();
        const stream = await client.acquireStream();
        const burst = 200;
        for (let i = 0; i < burst; i++) stream.write(payloadPattern(100, i));
        await readBytes(stream, burst * 100);
        const after = session.stats();
        expect(after.shmChunksSent - before.shmChunksSent).toBe(burst);
        // Writes that find the server's working flag set send no Polling message at all.
        expect(after.pollingSent - before.pollingSent).toBeLessThan(burst);
        client.releaseStream(stream);
      });
    });
  }

  describe('exhaustion', () => {
    let server: ShmServer;
    const socket = `${dir.path}/small.sock`;
    beforeAll(async () => {
      server = await startEchoServer(socket);
    });
    afterAll(() => server.close());
    afterEach(() => undefined);

    it('sends FallbackData through the socket when the pool is exhausted, and recovers', async () => {
      // 1 MiB pool of 64 KiB slices: a 2 MiB chunk cannot fit.
      const client = await shm.connect(socket, { bufferSize: 1 << 20, sliceSizes: [{ size: 65516, percent: 100 }] });
      const stream = await client.acquireStream();
      const big = payloadPattern(2 << 20, 3);
      const out = stream.allocate(big.length);
      expect(out.inSharedMemory).toBe(false);
      out.set(big);
      out.send();
      expect((await readBytes(stream, big.length)).equals(big)).toBe(true);
      const stats = client.session!.stats();
      expect(stats.fallbackChunksSent).toBe(1);
      expect(stats.fallbackBytesSent).toBe(big.length);
      // The echo came back as FallbackData too (heddle's server hit the same exhausted pool).
      expect(stats.fallbackChunksReceived).toBeGreaterThan(0);
      // Small chunks still travel through shared memory.
      stream.write(Buffer.from('small'));
      expect((await readBytes(stream, 5)).toString()).toBe('small');
      expect(client.session!.stats().shmChunksSent).toBe(1);
      await client.close();
    });

    it('sends FallbackData when the queue is full', async () => {
      const client = await shm.connect(socket, { queueCapacity: 2 });
      const stream = await client.acquireStream();
      // Written in one tick: the server cannot drain in between, so the third finds the queue full.
      for (let i = 0; i < 6; i++) stream.write(payloadPattern(10, i));
      const expected = Buffer.concat(Array.from({ length: 6 }, (_, i) => payloadPattern(10, i)));
      expect((await readBytes(stream, 60)).equals(expected)).toBe(true);
      expect(client.session!.stats().fallbackChunksSent).toBeGreaterThan(0);
      await client.close();
    });

    it('closes a stream with a StreamClose message when the queue is full', async () => {
      const client = await shm.connect(socket, { queueCapacity: 2 });
      const ends: number[] = [];
      const watch = (stream: ShmStream): void => stream.onEnd(() => ends.push(stream.id));
      server.on('stream', watch);
      const streams = [client.session!.openStream(), client.session!.openStream()];
      // Two chunks fill the queue; the closes that follow in the same tick cannot be queued.
      for (const stream of streams) stream.write(Buffer.from('x'));
      for (const stream of streams) stream.close();
      await waitFor(() => ends.length === 2, 2000, 'both streams to end on the server');
      expect(ends.sort()).toEqual(streams.map((s) => s.id).sort());
      server.off('stream', watch);
      await client.close();
    });
  });
});
