// Frames decoded straight from the shared slices (src-ts/rpc/shm-connection.ts): values that view
// their frame stay valid after the slice would have been released, whether the chunk was lent
// (one slice of 64 KiB or more: ShmChunk.hold) or copied; hold() refuses slices and ranges that
// are not a delivered chunk's; and calls the pool cannot carry wait instead of failing.
import { getHeapStatistics } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createServer, type RpcClient, type RpcServer } from '../../src-ts/rpc/index.js';
import { HOLD_THRESHOLD, ReceiveArena } from '../../src-ts/rpc/shm-connection.js';
import { shm } from '../../src-ts/index.js';
import type { ShmChunk, ShmConnectOptions, ShmListenOptions, ShmSession } from '../../src-ts/shm/index.js';
import { ShmLayout as L } from '../../src-ts/shm/layout.js';
import { MAX_LENT_SLICES } from '../../src-ts/shm/session.js';
import { parse } from '../../src-ts/thrift/index.js';
import { collectingPair, nativeDisabled, payloadPattern, sendViaAllocate, tempDir, waitFor } from './helpers/runtime.js';

const blobDoc = parse('struct Blob { 1: binary data }\nservice BlobEcho { Blob echo(1: Blob req) }', { filename: 'blob.thrift' });
// One slice each below and above the hold threshold, a chunk of several 128 KiB slices (copied),
// and the edge of the reader's copy-or-link threshold.
const SIZES = [100, 4095, 4096, HOLD_THRESHOLD - 100, HOLD_THRESHOLD, 100_000, 300_000, 1 << 20];

/** A BlobEcho server at a shm:// address in `dir`; `seen` collects the decoded request values. */
async function blobServer(dir: string, seen: Uint8Array[] = [], shmOptions: ShmListenOptions = {}): Promise<RpcServer> {
  const server = createServer({
    idl: blobDoc, service: 'BlobEcho', log: () => {}, shm: shmOptions,
    handlers: { echo: async ({ req }: { req: { data: Uint8Array } }) => (seen.push(req.data), req) },
  });
  await server.listen(`shm://${dir}/blob.sock`);
  return server;
}

/** Inside a describe: a BlobEcho server for its tests (closed after them), and clients of it. */
function blobFixture(label: string, seen: Uint8Array[] = [], listen: ShmListenOptions = {}): (options: ShmConnectOptions) => Promise<RpcClient> {
  const dir = tempDir(label);
  let server: RpcServer;
  beforeAll(async () => {
    server = await blobServer(dir.path, seen, listen);
  });
  afterAll(async () => {
    await server?.close();
    dir.remove();
  });
  return async (options) => createClient({ idl: blobDoc, service: 'BlobEcho', address: server.address, timeoutMs: 30_000, shm: options });
}

describe.skipIf(nativeDisabled)('RPC over shm: decoding from the slices', () => {
  const seen: Uint8Array[] = [];
  const connect = blobFixture('rpc-decode', seen);

  it('keeps every decoded value intact while later calls reuse the pool, and after both sides close', async () => {
    // A pool with room for the 1 MiB frames in single slices, so the large ones are lent, not copied.
    const client = await connect({ bufferSize: 16 << 20, sliceSizes: [{ size: 8172, percent: 25 }, { size: 131052, percent: 25 }, { size: (1 << 20) + 4096, percent: 50 }] });
    seen.length = 0;
    const replies: Array<{ data: Uint8Array }> = [];
    const sent: Buffer[] = [];
    // Three rounds: the slices of round one are back in the pool (or lent) and round two and three
    // write other bytes through the same pool.
    for (let round = 0; round < 3; round++) {
      for (const [i, size] of SIZES.entries()) {
        const data = payloadPattern(size, round * 100 + i);
        sent.push(data);
        replies.push((await client.call('echo', { req: { data } })) as { data: Uint8Array });
      }
    }
    const check = (): void => {
      expect(replies.map((r) => r.data.length)).toEqual(sent.map((s) => s.length));
      for (const [i, reply] of replies.entries()) expect(Buffer.compare(reply.data, sent[i]!)).toBe(0);
      for (const [i, value] of seen.entries()) expect(Buffer.compare(value, sent[i]!)).toBe(0);
    };
    check();
    await client.close();
    check();
  });

  it('lends a large one-slice chunk as memory of its own, and copies what cannot be lent', async () => {
    const dir = tempDir('rpc-decode-raw');
    const srv = await shm.listen(`${dir.path}/raw.sock`);
    const chunks: ShmChunk[] = [];
    srv.on('stream', (stream) => stream.setDataHandler((chunk) => chunks.push(chunk)));
    const client = await shm.connect(srv.path, { sliceSizes: [{ size: 8172, percent: 50 }, { size: 262124, percent: 50 }] });
    try {
      const stream = await client.acquireStream();
      const big = payloadPattern(200_000, 7);
      stream.write(big);
      await waitFor(() => chunks.length === 1, 5000, 'the chunk');
      const chunk = chunks[0]!;
      expect(chunk.inSharedMemory).toBe(true);
      const shared = chunk.views[0]!.buffer;
      const held = chunk.hold()!;
      expect(held).toBeDefined();
      expect(held.buffer).not.toBe(shared);  // an ArrayBuffer of its own, over the same bytes
      expect(held.buffer.byteLength).toBe(big.length);
      expect(Buffer.compare(held, big)).toBe(0);
      expect(chunk.released).toBe(true);
      chunk.release();  // a no-op once held: the slice goes back when `held` is collected
      expect(chunk.hold()).toBeUndefined();

      // Several slices (8 KiB ones, once the 256 KiB slices are taken) cannot be one ArrayBuffer.
      const multi = payloadPattern(20_000, 9);
      const out = stream.allocate(multi.length);
      out.set(multi);
      out.send();
      await waitFor(() => chunks.length === 2, 5000, 'the second chunk');
      if (chunks[1]!.views.length > 1) expect(chunks[1]!.hold()).toBeUndefined();
      chunks[1]!.release();

      // The lent bytes outlive the session: the mapping stays until the ArrayBuffer is collected.
      await client.close();
      await srv.close();
      expect(Buffer.compare(held, big)).toBe(0);
    } finally {
      await client.close();
      await srv.close();
      dir.remove();
    }
  });
});

describe('ReceiveArena: small received chunks copied back to back', () => {
  it('keeps every copy equal to its source after the source is overwritten, over random chunk sizes', () => {
    // Sizes around the arena's own-buffer cut (16 KiB) and its size (64 KiB), and tiny ones.
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const arena = new ReceiveArena();
    const source = Buffer.alloc(HOLD_THRESHOLD);
    const copies: Array<[Uint8Array, Buffer]> = [];
    for (let i = 0; i < 2000; i++) {
      const size = random() < 0.1 ? 16 * 1024 - 2 + Math.floor(random() * 4) : Math.floor(random() ** 3 * (HOLD_THRESHOLD - 1)) + 1;
      const expected = payloadPattern(size, i);
      // One "slice" reused for every chunk, as a released slice is by the next one.
      expected.copy(source);
      const copy = arena.copy(source.subarray(0, size));
      copies.push([copy, expected]);
    }
    for (const [i, [copy, expected]] of copies.entries()) expect({ i, equal: Buffer.compare(copy, expected) }).toEqual({ i, equal: 0 });
  });

  it('packs 4 KiB replies fifteen to an arena and gives a chunk from 16 KiB up a buffer of its own', () => {
    const arena = new ReceiveArena();
    const reply = payloadPattern(4200, 1);
    const buffers = new Set(Array.from({ length: 140 }, () => arena.copy(reply).buffer));
    expect(buffers.size).toBe(10);  // 65536 / 4200: 15 per arena, the tenth holds 5
    const large = arena.copy(payloadPattern(16 * 1024, 2));
    expect(large.buffer.byteLength).toBe(16 * 1024);
    // The arena in use is still filled after it.
    const next = arena.copy(reply);
    expect(buffers.has(next.buffer)).toBe(true);
  });
});

describe.skipIf(nativeDisabled)('RPC over shm: small replies share their receive buffers', () => {
  const connect = blobFixture('rpc-arena');

  it('decodes 64 concurrent 4 KiB replies into a few shared buffers, every value intact after later calls', async () => {
    const client = await connect({});
    try {
      const replies: Array<{ data: Uint8Array }> = [];
      const sent: Buffer[] = [];
      for (let round = 0; round < 4; round++) {
        const payloads = Array.from({ length: 64 }, (_, i) => payloadPattern(4096, round * 64 + i));
        sent.push(...payloads);
        replies.push(...((await Promise.all(payloads.map((data) => client.call('echo', { req: { data } })))) as Array<{ data: Uint8Array }>));
      }
      for (const [i, reply] of replies.entries()) expect({ i, equal: Buffer.compare(reply.data, sent[i]!) }).toEqual({ i, equal: 0 });
      // Copied into the frame reader's 8 KiB slabs, each reply had an ArrayBuffer of its own (256).
      const buffers = new Set(replies.map((reply) => reply.data.buffer));
      expect(buffers.size).toBeLessThanOrEqual(256 / 4);
    } finally {
      await client.close();
    }
  });
});

describe.skipIf(nativeDisabled)('lending is bounded per session', () => {
  it(`lends at most ${MAX_LENT_SLICES} slices at once; past that a chunk is not lent and its slice can go back`, async () => {
    const dir = tempDir('hold-budget');
    const srv = await shm.listen(`${dir.path}/b.sock`);
    const chunks: ShmChunk[] = [];
    srv.on('stream', (stream) => stream.setDataHandler((chunk) => chunks.push(chunk)));
    const client = await shm.connect(srv.path, { sliceSizes: [{ size: 8172, percent: 10 }, { size: 262124, percent: 90 }] });
    try {
      const stream = await client.acquireStream();
      const held: Uint8Array[] = [];
      const counted: number[] = [];
      for (let i = 0; i <= MAX_LENT_SLICES; i++) {
        stream.write(payloadPattern(100_000, i));
        await waitFor(() => chunks.length === i + 1, 5000, `chunk ${i}`);
        const before = getHeapStatistics().external_memory;
        const lent = chunks[i]!.hold();
        counted.push(getHeapStatistics().external_memory - before);
        if (i < MAX_LENT_SLICES) held.push(lent!);
        else expect(lent).toBeUndefined();
      }
      // V8 counts each lent slice's bytes as external memory (nothing else reports them): what
      // brings the collection that gives loans back. A collection finishing between the two reads
      // can lower one reading; the refused hold adds nothing.
      expect(counted.slice(0, MAX_LENT_SLICES).filter((bytes) => bytes === 100_000).length).toBeGreaterThanOrEqual(MAX_LENT_SLICES - 4);
      expect(counted[MAX_LENT_SLICES]).toBeLessThan(100_000);
      expect(held).toHaveLength(MAX_LENT_SLICES);
      for (const [i, bytes] of held.entries()) expect(Buffer.compare(bytes, payloadPattern(100_000, i))).toBe(0);
      const last = chunks[MAX_LENT_SLICES]!;
      expect(last.released).toBe(false);
      expect(Buffer.compare(Buffer.from(last.views[0]!), payloadPattern(100_000, MAX_LENT_SLICES))).toBe(0);
      last.release();
      expect(last.released).toBe(true);
    } finally {
      await client.close();
      await srv.close();
      dir.remove();
    }
  });
});

describe.skipIf(nativeDisabled)('a chunk over several slices', () => {
  it('cannot be lent, and release() gives every one of its slices back: 100 chunks of 3 slices through a 1 MiB pool of 8 KiB slices', async () => {
    const { client, chunks, close } = await collectingPair('multi-release', { bufferSize: 1 << 20, sliceSizes: [{ size: 8172, percent: 100 }] });
    try {
      const stream = await client.acquireStream();
      // 128 slices in the pool: 300 slices of chunks fit only if each chunk gives all three back.
      for (let i = 0; i < 100; i++) {
        const bytes = payloadPattern(20_000, i);
        sendViaAllocate(stream, bytes);
        await waitFor(() => chunks.length === i + 1, 5000, `chunk ${i}`);
        const chunk = chunks[i]!;
        expect({ i, shared: chunk.inSharedMemory, slices: chunk.views.length }).toEqual({ i, shared: true, slices: 3 });
        expect(chunk.hold()).toBeUndefined();
        expect(Buffer.compare(chunk.toBuffer(), bytes)).toBe(0);
        chunk.release();
        expect(chunk.released).toBe(true);
      }
    } finally {
      await close();
    }
  });
});

describe.skipIf(nativeDisabled)('ShmSession.holdSlice refuses what is not a delivered chunk', () => {
  it('accepts exactly the data of a held slice, nothing around it or after release', async () => {
    const dir = tempDir('hold-hostile');
    const srv = await shm.listen(`${dir.path}/h.sock`);
    const chunks: ShmChunk[] = [];
    srv.on('stream', (stream) => stream.setDataHandler((chunk) => chunks.push(chunk)));
    const established = new Promise<ShmSession>((resolve) => srv.once('session', resolve));
    const client = await shm.connect(srv.path);
    const session = await established;
    const stream = await client.acquireStream();
    stream.write(payloadPattern(1000, 3));
    await waitFor(() => chunks.length === 1, 5000, 'the chunk');
    const view = chunks[0]!.views[0]!;
    const slice = view.byteOffset - L.sliceHeaderSize;
    const capacity = 8192 - L.sliceHeaderSize;
    const hostile: Array<[string, number, number, number]> = [
      ['a slice offset inside a slice', slice + 4, view.byteOffset, 16],
      ['a slice offset past the buffer', 0xfffffff0, view.byteOffset, 16],
      ['data starting in the slice header', slice, slice + 4, 16],
      ['data running past the slice', slice, view.byteOffset, capacity + 1],
      ['data at the end running past the slice', slice, view.byteOffset + capacity - 8, 16],
      ['zero bytes', slice, view.byteOffset, 0],
      ['a negative length', slice, view.byteOffset, -1],
      ['another slice, not delivered', slice + 8192, view.byteOffset + 8192, 16],
    ];
    for (const [what, sliceOffset, dataOffset, length] of hostile) {
      expect({ what, held: session.holdSlice(sliceOffset, dataOffset, length) }).toEqual({ what, held: undefined });
    }
    // The slice's whole capacity is its data: lending all of it is allowed.
    const whole = session.holdSlice(slice, view.byteOffset, capacity)!;
    expect(whole.length).toBe(capacity);
    // Lent once, never twice: a second ArrayBuffer would outlive the first one's return to the pool.
    expect(session.holdSlice(slice, view.byteOffset, 16)).toBeUndefined();
    expect(Buffer.compare(whole.subarray(0, 1000), payloadPattern(1000, 3))).toBe(0);

    // Released (here: a second chunk, released by its reader), the slice is no longer lendable.
    stream.write(payloadPattern(500, 4));
    await waitFor(() => chunks.length === 2, 5000, 'the second chunk');
    const second = chunks[1]!.views[0]!;
    chunks[1]!.release();
    expect(session.holdSlice(second.byteOffset - L.sliceHeaderSize, second.byteOffset, 500)).toBeUndefined();
    await client.close();
    await srv.close();
    dir.remove();
  });
});

describe.skipIf(nativeDisabled)('RPC over shm when the pool and the FallbackData bound are both exhausted', () => {
  const connect = blobFixture('rpc-backpressure', [], { maxQueuedFallbackBytes: 1024 });

  it('holds the frames back and sends them when the peer catches up: every call returns its own bytes', async () => {
    // A 1 MiB pool for 24 concurrent 256 KiB calls each way: most go as FallbackData, and the
    // 1 KiB bound on FallbackData waiting for the peer is hit over and over (ERR_SIZE_LIMIT).
    const client = await connect({ bufferSize: 1 << 20, maxQueuedFallbackBytes: 1024 });
    try {
      const payloads = Array.from({ length: 24 }, (_, i) => payloadPattern(256 * 1024, i));
      const replies = (await Promise.all(payloads.map((data) => client.call('echo', { req: { data } })))) as Array<{ data: Uint8Array }>;
      for (const [i, reply] of replies.entries()) expect(Buffer.compare(reply.data, payloads[i]!)).toBe(0);
    } finally {
      await client.close();
    }
  });
});
