// Shared pieces of the shm tests: temp directories, what is left in /dev/shm and in this process's
// mappings, Framed Thrift messages built by hand, and collecting a stream's bytes.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { shm } from '../../../src-ts/index.js';
import type { ShmChunk, ShmClient, ShmConnectOptions, ShmStream } from '../../../src-ts/shm/index.js';

export const nativeDisabled = process.env.HEDDLE_NO_NATIVE === '1';

/** A fresh directory for sockets; remove() deletes it. */
export function tempDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `heddle-shm-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A unique /dev/shm name prefix for one test, so its leftovers can be counted. */
export function uniquePrefix(label: string): string {
  return `/dev/shm/heddle-test-${label}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
}

/** Files under the prefix's directory whose names start with the prefix's last component. */
export function filesWithPrefix(prefix: string): string[] {
  const stem = basename(prefix);
  return readdirSync(dirname(prefix)).filter((name) => name.startsWith(stem));
}

/** Lines of /proc/self/maps mentioning `needle` (memfds show as "/memfd:<name> (deleted)"). */
export function mappingsMentioning(needle: string): string[] {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((line) => line.includes(needle));
}

/** A Framed Thrift Binary message: u32 length, strict CALL "echo" with seqid, binary field 1. */
export function framedThriftCall(seqId: number, payload: Uint8Array): Buffer {
  const body = Buffer.alloc(4 + 4 + 4 + 4 + 3 + 4 + payload.length + 1);
  body.writeUInt32BE(0x80010001, 0);
  body.writeUInt32BE(4, 4);
  body.write('echo', 8, 'latin1');
  body.writeInt32BE(seqId, 12);
  body[16] = 11;  // STRING (binary)
  body.writeUInt16BE(1, 17);
  body.writeUInt32BE(payload.length, 19);
  body.set(payload, 23);
  body[body.length - 1] = 0;  // STOP
  const frame = Buffer.alloc(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** The payload pattern the Go peer uses: byte(i*31 + seed*7 + i>>8). */
export function payloadPattern(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return out;
}

/** Reads chunks until `byteLength` bytes arrived; returns a copy and releases every chunk. */
export async function readBytes(stream: ShmStream, byteLength: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(byteLength);
  let filled = 0;
  while (filled < byteLength) {
    const chunk = await stream.read();
    if (chunk === null) throw new Error(`stream ended after ${filled} of ${byteLength} bytes`);
    if (filled + chunk.byteLength > byteLength) throw new Error(`got ${filled + chunk.byteLength} bytes, expected ${byteLength}`);
    chunk.copyTo(out, filled);
    filled += chunk.byteLength;
    chunk.release();
  }
  return out;
}

/** Reads one Framed message (length prefix included) from a stream. */
export async function readFrame(stream: ShmStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  let need = 4;
  while (have < need) {
    const chunk = await stream.read();
    if (chunk === null) throw new Error(`stream ended inside a frame (${have} bytes)`);
    chunks.push(chunk.toBuffer());
    chunk.release();
    have += chunk.byteLength;
    if (need === 4 && have >= 4) need = 4 + Buffer.concat(chunks).readUInt32BE(0);
  }
  const frame = Buffer.concat(chunks);
  if (frame.length !== need) throw new Error(`frame of ${need} bytes arrived with ${frame.length - need} extra`);
  return frame;
}

/** A listener in a fresh directory whose streams collect the chunks they receive (unreleased),
 * and a client of it with `options`; close() ends both and removes the directory. */
export async function collectingPair(label: string, options: ShmConnectOptions = {}): Promise<{ client: ShmClient; chunks: ShmChunk[]; close(): Promise<void> }> {
  const dir = tempDir(label);
  const srv = await shm.listen(`${dir.path}/c.sock`);
  const chunks: ShmChunk[] = [];
  srv.on('stream', (stream) => stream.setDataHandler((chunk) => chunks.push(chunk)));
  const client = await shm.connect(srv.path, options);
  return {
    client,
    chunks,
    async close() {
      await client.close();
      await srv.close();
      dir.remove();
    },
  };
}

/** Sends `bytes` through allocate() (the zero-copy path), spreading them over the segments. */
export function sendViaAllocate(stream: ShmStream, bytes: Uint8Array): void {
  const out = stream.allocate(bytes.length);
  out.set(bytes);
  out.send();
}

/** Payload sizes every echo test crosses: 1 B to 4 MiB, on and around the slice boundaries. */
export const FRAME_SIZES = [1, 64, 1024, 4096, 8172, 8173, 65536, 131052, 131053, 262144, 1 << 20, (1 << 20) + 7, 4 << 20];

/**
 * Sends one Framed Thrift CALL per size (alternating write() and the zero-copy allocate()), reads
 * each echo and throws unless it is byte-for-byte the request.
 */
export async function expectFramedEchoes(stream: ShmStream, sizes: readonly number[]): Promise<void> {
  for (const [i, size] of sizes.entries()) {
    const frame = framedThriftCall(i + 1, payloadPattern(size, i));
    if (i % 2 === 0) stream.write(frame);
    else sendViaAllocate(stream, frame);
    const echoed = await readFrame(stream);
    if (!echoed.equals(frame)) throw new Error(`the echo of a ${size}-byte payload differs from the request`);
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 10 ms until it holds or `timeoutMs` passes. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
