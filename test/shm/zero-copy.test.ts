// Zero copy, counted: a 1 MiB payload encoded straight into shared-memory slices crosses to the
// peer and is read there in place. Neither side copies a byte (the sessions count every payload
// byte they copy); the receiver's views are views of the mapped buffer; they stay valid until
// released and read as empty once the session is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shm } from '../../src-ts/index.js';
import type { ShmChunk, ShmClient, ShmServer, ShmSession, ShmStream } from '../../src-ts/shm/index.js';
import { DEFAULT_V3_BUFFER_SIZE } from '../../src-ts/shm/layout.js';
import { nativeDisabled, tempDir, waitFor } from './helpers/runtime.js';

const MIB = 1 << 20;
const byteAt = (i: number): number => (i * 7 + (i >>> 11)) & 0xff;

describe.skipIf(nativeDisabled)('shm zero copy', () => {
  const dir = tempDir('zero-copy');
  let server: ShmServer;
  let client: ShmClient;
  let serverSession: ShmSession;
  const received: Array<{ stream: ShmStream; chunk: ShmChunk }> = [];

  beforeAll(async () => {
    server = await shm.listen(`${dir.path}/zc.sock`);
    server.on('stream', (stream: ShmStream) => stream.setDataHandler((chunk) => received.push({ stream, chunk })));
    const established = new Promise<ShmSession>((resolve) => server.once('session', resolve));
    client = await shm.connect(server.path);
    serverSession = await established;
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    dir.remove();
  });

  it('moves 1 MiB with no copy beyond the encode', async () => {
    const stream = await client.acquireStream();
    const out = stream.allocate(MIB);
    expect(out.inSharedMemory).toBe(true);
    // The "encoder": writes every byte once, straight into the slices.
    let encoded = 0;
    for (const segment of out.segments) {
      for (let i = 0; i < segment.length; i++) segment[i] = byteAt(encoded + i);
      encoded += segment.length;
    }
    expect(encoded).toBe(MIB);
    out.send();

    await waitFor(() => received.length === 1, 5000, 'the chunk');
    const { chunk } = received[0]!;
    expect(chunk.byteLength).toBe(MIB);
    // Read in place: every view is a window on the one mapped buffer, not a copy of it.
    const memory = chunk.views[0]!.buffer;
    expect(memory.byteLength).toBe(DEFAULT_V3_BUFFER_SIZE);
    let at = 0;
    let mismatches = 0;
    for (const view of chunk.views) {
      expect(view.buffer).toBe(memory);
      for (let i = 0; i < view.length; i++) if (view[i] !== byteAt(at + i)) mismatches++;
      at += view.length;
    }
    expect(mismatches).toBe(0);
    chunk.release();

    const sent = client.session!.stats();
    const got = serverSession.stats();
    expect(sent.bytesCopied).toBe(0);
    expect(got.bytesCopied).toBe(0);
    expect(sent.shmBytesSent).toBe(MIB);
    expect(got.shmBytesReceived).toBe(MIB);
    expect(sent.fallbackBytesSent + got.fallbackBytesReceived).toBe(0);
    received.length = 0;
    client.releaseStream(stream);
  });

  it('counts the copy write() makes, for contrast', async () => {
    const stream = await client.acquireStream();
    const before = client.session!.stats().bytesCopied;
    stream.write(new Uint8Array(MIB));
    expect(client.session!.stats().bytesCopied - before).toBe(MIB);
    await waitFor(() => received.length === 1, 5000, 'the chunk');
    received[0]!.chunk.release();
    received.length = 0;
    client.releaseStream(stream);
  });

  it('keeps views valid until release, and empties them when the session closes', async () => {
    const stream = await client.acquireStream();
    stream.write(Buffer.from('held across the close'));
    await waitFor(() => received.length === 1, 5000, 'the chunk');
    const { chunk } = received[0]!;
    expect(Buffer.from(chunk.views[0]!).toString()).toBe('held across the close');
    serverSession.close();
    // Detached with the unmapped memory: a late read sees nothing instead of faulting.
    expect(chunk.views[0]!.length).toBe(0);
    chunk.release();  // harmless after the close
    received.length = 0;
  });
});
