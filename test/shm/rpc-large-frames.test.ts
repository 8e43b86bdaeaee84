// Large RPC frames over shared memory (src-ts/rpc/shm-connection.ts): a batch of frames is cut
// into writes of whole frames that fit one slice, so each large frame is read in place instead of
// copied; binaries of megabytes go both ways byte for byte, with the encoder linking them instead
// of copying (LINKED_BINARY_MIN), and decoded values outlive their slices' return to the pool.
import { describe, expect, it, vi } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { shm } from '../../src-ts/index.js';
import { createClient, createServer, type RpcClient } from '../../src-ts/rpc/index.js';
import { ShmFrameConnection } from '../../src-ts/rpc/shm-connection.js';
import { ShmChunk } from '../../src-ts/shm/chunk.js';
import { DEFAULT_V3_BUFFER_SIZE, DEFAULT_V3_SLICE_SIZES, ShmLayout } from '../../src-ts/shm/layout.js';
import type { ShmWriteBuffer } from '../../src-ts/shm/write-buffer.js';
import { parse } from '../../src-ts/thrift/index.js';
import { nativeDisabled, payloadPattern, tempDir, waitFor } from './helpers/runtime.js';

const blobDoc = parse('struct Blob { 1: binary data }\nservice BlobEcho { Blob echo(1: Blob req) }', { filename: 'blob.thrift' });
const MiB = 1 << 20;

/** A BlobEcho server over shm (default pool) and a client of it; `seen` gets each decoded request. */
async function blobPair(label: string, seen: Uint8Array[]): Promise<{ client: RpcClient; close(): Promise<void> }> {
  const dir = tempDir(label);
  const server = createServer({
    idl: blobDoc, service: 'BlobEcho', log: () => {},
    handlers: { echo: async ({ req }: { req: { data: Uint8Array } }) => (seen.push(req.data), req) },
  });
  await server.listen(`shm://${dir.path}/blob.sock`);
  const client = createClient({ idl: blobDoc, service: 'BlobEcho', address: server.address, timeoutMs: 120_000 });
  return {
    client,
    async close() {
      await client.close();
      await server.close();
      dir.remove();
    },
  };
}

describe.skipIf(nativeDisabled)('RPC over shm with large frames', () => {
  it('echoes 4 MiB and 1 MiB binaries byte for byte both ways, and the decoded values outlive their slices', async () => {
    const seen: Uint8Array[] = [];
    const pair = await blobPair('large-echo', seen);
    try {
      const sent: Buffer[] = [];
      const replies: Uint8Array[] = [];
      // Rounds of concurrent calls: every round after the first writes other bytes through the
      // slices the earlier rounds used (returned to the pool once their values were collected, or
      // copied out when too many were lent), while the earlier values are still held here.
      for (let round = 0; round < 4; round++) {
        const payloads = [4 * MiB, MiB, 4 * MiB + 3, MiB - 5, 64 * 1024].map((size, i) => payloadPattern(size, round * 10 + i));
        sent.push(...payloads);
        const answers = await Promise.all(payloads.map((data) => pair.client.call('echo', { req: { data } }) as Promise<{ data: Uint8Array }>));
        replies.push(...answers.map((answer) => answer.data));
      }
      const check = (): void => {
        expect(replies.map((r) => r.length)).toEqual(sent.map((s) => s.length));
        expect(replies.filter((reply, i) => Buffer.compare(reply, sent[i]!) !== 0)).toHaveLength(0);
        // The server's decoded requests: every one of them, in some order, byte for byte.
        const seenByLength = new Map<string, Uint8Array>(seen.map((value) => [`${value.length}:${value[7]}:${value[100_003 % value.length]}`, value]));
        for (const bytes of sent) {
          const value = seenByLength.get(`${bytes.length}:${bytes[7]}:${bytes[100_003 % bytes.length]}`);
          expect(value !== undefined && Buffer.compare(value, bytes) === 0).toBe(true);
        }
      };
      check();
      // Garbage collection returns lent slices to the pool: the values viewing them must not change.
      (globalThis as { gc?: () => void }).gc?.();
      await pair.close();
      check();
    } finally {
      await pair.close();
    }
  });

  it('carries 40 concurrent 4 MiB calls, more than the pool holds (they once went as one 160 MiB FallbackData chunk, which killed the session)', async () => {
    const pair = await blobPair('large-burst', []);
    try {
      const payloads = Array.from({ length: 4 }, (_, i) => payloadPattern(4 * MiB, i));
      const mismatches = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const reply = (await pair.client.call('echo', { req: { data: payloads[i % 4]! } })) as { data: Uint8Array };
          return Buffer.compare(reply.data, payloads[i % 4]!) === 0 ? 0 : 1;
        }),
      );
      expect(mismatches.reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      await pair.close();
    }
  });
});

describe.skipIf(nativeDisabled)('the default v3 pool has slices for 4 MiB frames', () => {
  const ONE_MIB_SLICE = MiB + 4096 - ShmLayout.sliceHeaderSize;
  const FOUR_MIB_SLICE = 4 * MiB + 4096 - ShmLayout.sliceHeaderSize;

  it('sends a chunk of up to 4 MiB + 4076 bytes in one slice, byte for byte, and a larger one over several', async () => {
    const dir = tempDir('four-mib-slices');
    const srv = await shm.listen(`${dir.path}/pool.sock`);
    const chunks: ShmChunk[] = [];
    srv.on('stream', (stream) => stream.setDataHandler((chunk) => chunks.push(chunk)));
    const client = await shm.connect(srv.path);
    try {
      const stream = await client.acquireStream();
      expect(stream.sliceCapacity).toBe(FOUR_MIB_SLICE);
      const sizes = [ONE_MIB_SLICE, ONE_MIB_SLICE + 1, 4 * MiB, FOUR_MIB_SLICE, FOUR_MIB_SLICE + 1];
      for (const [i, size] of sizes.entries()) {
        const bytes = payloadPattern(size, i);
        const out = stream.allocate(size);
        out.set(bytes);
        out.send();
        await waitFor(() => chunks.length === i + 1, 10_000, `the chunk of ${size} bytes`);
        const chunk = chunks[i]!;
        expect(chunk.byteLength).toBe(size);
        expect(chunk.views.length).toBe(size > FOUR_MIB_SLICE ? 2 : 1);
        expect(Buffer.compare(chunk.toBuffer(), bytes)).toBe(0);
        chunk.release();
      }
    } finally {
      await client.close();
      await srv.close();
      dir.remove();
    }
  });

  it('gives each of 29 frames of 4 MiB + 4077 bytes its own 4 MiB slice: the one byte past it takes a small slice, not a second 4 MiB one (half as many such frames used to exhaust the 4 MiB list)', async () => {
    const dir = tempDir('chain-tail');
    const srv = await shm.listen(`${dir.path}/tail.sock`);
    const client = await shm.connect(srv.path);
    const held: ShmWriteBuffer[] = [];
    try {
      const stream = await client.acquireStream();
      // The default pool has 30 slices of 4 MiB (48% of 256 MiB); the last free slice of a list is
      // never handed out.
      const fourMiBShare = DEFAULT_V3_SLICE_SIZES.find((share) => share.size === FOUR_MIB_SLICE)!;
      const fourMiBSlices = Math.floor((DEFAULT_V3_BUFFER_SIZE * fourMiBShare.percent) / 100 / (FOUR_MIB_SLICE + ShmLayout.sliceHeaderSize));
      expect(fourMiBSlices).toBe(30);
      for (let i = 0; i < fourMiBSlices - 1; i++) {
        const out = stream.allocate(FOUR_MIB_SLICE + 1);
        held.push(out);
        expect(out.inSharedMemory).toBe(true);
        expect(out.segments.map((segment) => segment.length)).toEqual([FOUR_MIB_SLICE, 1]);
      }
      // The 4 MiB list is empty now: the next frame is carried by four 1 MiB slices.
      const next = stream.allocate(FOUR_MIB_SLICE + 1);
      held.push(next);
      expect(next.segments.map((segment) => segment.length)).toEqual([ONE_MIB_SLICE, ONE_MIB_SLICE, ONE_MIB_SLICE, FOUR_MIB_SLICE + 1 - 3 * ONE_MIB_SLICE]);
    } finally {
      for (const out of held) out.cancel();
      await client.close();
      await srv.close();
      dir.remove();
    }
  });

  it('decodes a 4 MiB request and its reply in place: no chunk is copied out, every one is lent', async () => {
    const copies = vi.spyOn(ShmChunk.prototype, 'toBuffer');
    const holds = vi.spyOn(ShmChunk.prototype, 'hold');
    const pair = await blobPair('four-mib-in-place', []);
    try {
      await pair.client.call('echo', { req: { data: payloadPattern(16, 0) } });
      copies.mockClear();
      holds.mockClear();
      for (const [i, size] of [4 * MiB, 4 * MiB - 1, 2 * MiB, 4 * MiB].entries()) {
        const data = payloadPattern(size, i);
        const reply = (await pair.client.call('echo', { req: { data } })) as { data: Uint8Array };
        expect(Buffer.compare(reply.data, data)).toBe(0);
      }
      expect(copies).not.toHaveBeenCalled();
      // A request and a reply per call, each lent (an ArrayBuffer of its own over the slice).
      expect(holds.mock.results.filter((result) => result.value !== undefined)).toHaveLength(8);
    } finally {
      copies.mockRestore();
      holds.mockRestore();
      await pair.close();
    }
  });
});

describe.skipIf(nativeDisabled)('ShmFrameConnection cuts a batch of frames into writes of whole frames', () => {
  it('sends a frame of 64 KiB or more alone and packs smaller frames together under 64 KiB (a pack of 4 KiB replies was lent whole)', async () => {
    const dir = tempDir('frame-cut');
    const srv = await shm.listen(`${dir.path}/cut.sock`);
    const chunks: ShmChunk[] = [];
    srv.on('stream', (stream) => stream.setDataHandler((chunk) => chunks.push(chunk)));
    // Slices of at most 256 KiB of data.
    const client = await shm.connect(srv.path, { sliceSizes: [{ size: 8172, percent: 20 }, { size: 262124, percent: 80 }] });
    try {
      const stream = await client.acquireStream();
      expect(stream.sliceCapacity).toBe(262124);
      const connection = new ShmFrameConnection(stream, { framing: 'length-prefixed' }, { frames: () => {}, drain: () => {}, closed: () => {} });
      const sendBatch = async (frames: Uint8Array[][], groups: number[][]): Promise<void> => {
        const parts = frames.flat();
        const frameEnds = frames.map((_, i) => frames.slice(0, i + 1).flat().length);
        const before = chunks.length;
        expect(connection.write(parts, frameEnds)).toBe(true);
        const expected = groups.map((group) => Buffer.concat(group.flatMap((i) => frames[i]!)));
        await waitFor(() => chunks.length === before + expected.length, 5000, 'the chunks');
        const received = chunks.slice(before);
        expect(received.map((chunk) => chunk.byteLength)).toEqual(expected.map((bytes) => bytes.length));
        for (const [i, chunk] of received.entries()) {
          expect(Buffer.compare(chunk.toBuffer(), expected[i]!)).toBe(0);
          // Only a frame larger than a slice spans several.
          expect(chunk.views.length > 1).toBe(chunk.byteLength > 262124);
          chunk.release();
        }
      };
      // Frames as a sender's outbox hands them over: a header chunk, then the message's parts.
      await sendBatch([
        [payloadPattern(4, 1), payloadPattern(150_000, 2)],
        [payloadPattern(4, 3), payloadPattern(150_000, 4)],
        [payloadPattern(4, 5), payloadPattern(100, 6), payloadPattern(60_000, 7)],
        [payloadPattern(4, 8), payloadPattern(600_000, 9), payloadPattern(1, 10)],
        [payloadPattern(4, 11), payloadPattern(50, 12)],
        [payloadPattern(4, 13), payloadPattern(65_532, 14)],
      ], [[0], [1], [2], [3], [4], [5]]);
      // 40 replies of 4 KiB (4,100 bytes each): 15 to a write (61,500 bytes; 16 would be 65,600).
      const replies = Array.from({ length: 40 }, (_, i) => [payloadPattern(4, 100 + i), payloadPattern(4096, 200 + i)]);
      const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
      await sendBatch(replies, [range(0, 15), range(15, 30), range(30, 40)]);
      // Without frame boundaries the batch is one write, as before.
      const before = chunks.length;
      expect(connection.write([payloadPattern(10, 13), payloadPattern(20, 14)])).toBe(true);
      await waitFor(() => chunks.length === before + 1, 5000, 'the unbounded write');
      expect(chunks.at(-1)!.byteLength).toBe(30);
      chunks.at(-1)!.release();
    } finally {
      await client.close();
      await srv.close();
      dir.remove();
    }
  });
});

describe.skipIf(nativeDisabled)('a native failure that closes the session closes it on this side too', () => {
  it('FallbackData over the message limit fails the write, ends the session, and closing its stream does not throw', async () => {
    const dir = tempDir('fatal-mirror');
    const srv = await shm.listen(`${dir.path}/f.sock`);
    srv.on('stream', (stream) => stream.setDataHandler((chunk) => chunk.release()));
    // A 1 MiB pool cannot take 2 MiB, so it would go as FallbackData, over the 1 MiB limit.
    const client = await shm.connect(srv.path, { bufferSize: 1 << 20, maxMessageBytes: 1 << 20, sliceSizes: [{ size: 8172, percent: 100 }] });
    try {
      const stream = await client.acquireStream();
      const session = client.session!;
      const out = stream.allocate(2 * MiB);
      expect(out.inSharedMemory).toBe(false);
      out.set(payloadPattern(2 * MiB, 1));
      const error = (() => {
        try {
          out.send();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(HeddleError);
      expect((error as HeddleError).code).toBe('ERR_INVALID_ARGUMENT');
      // The native session shut down on that status: this side knows, instead of failing later.
      expect(session.closed).toBe(true);
      expect(stream.closed).toBe(true);
      expect(() => stream.close()).not.toThrow();
    } finally {
      await client.close();
      await srv.close();
      dir.remove();
    }
  });
});
