import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HeddleError } from '../../src-ts/errors.js';
import type { Frame } from '../../src-ts/transport/index.js';
import { nativeAddon } from '../../src-ts/native.js';
import type { FrameSink, Framing } from '../../src-ts/rpc/frame-connection.js';
import { NativeFrameConnection, nativeIoAvailable } from '../../src-ts/rpc/native-connection.js';

/** A frame as it was on the wire: the length prefix (if any) and the payload. */
function wireBytes(frame: Frame): Buffer {
  const payload = Buffer.from(frame.payload.peek(frame.payload.length));
  if (frame.kind === 'pure-payload') return payload;
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(payload.length);
  return Buffer.concat([prefix, payload]);
}

interface Collected {
  frames: Buffer[];
  closed: Promise<HeddleError | undefined>;
  sink: FrameSink;
  drains: number;
}

function collector(onFrames?: (batch: Buffer[]) => void): Collected {
  let resolveClosed!: (e: HeddleError | undefined) => void;
  const c: Collected = {
    frames: [],
    drains: 0,
    closed: new Promise((r) => (resolveClosed = r)),
    sink: {
      frames: (batch) => {
        const bytes = batch.map(wireBytes);
        c.frames.push(...bytes);
        onFrames?.(bytes);
      },
      drain: () => c.drains++,
      closed: (e) => resolveClosed(e),
    },
  };
  return c;
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A server whose accepted sockets move onto the native path; resolves to the server's connection. */
async function nativeServer(framing: Framing, sink: FrameSink, maxFrameSize?: number, path?: string) {
  let accept!: (c: NativeFrameConnection) => void;
  const accepted = new Promise<NativeFrameConnection>((r) => (accept = r));
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    accept(new NativeFrameConnection(socket, { framing, ...(maxFrameSize ? { maxFrameSize } : {}) }, sink));
  });
  await new Promise<void>((r) => (path ? server.listen(path, r) : server.listen(0, '127.0.0.1', r)));
  cleanups.push(() => server.close());
  return { server, accepted, address: server.address() };
}

function rawClient(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
    cleanups.push(() => s.destroy());
  });
}

/** A Framed frame whose payload starts like a Thrift Binary message, as framing sniffers expect. */
function lengthPrefixed(body: Buffer): Buffer {
  const frame = Buffer.alloc(8 + body.length);
  frame.writeUInt32BE(4 + body.length, 0);
  frame.writeUInt32BE(0x80010001, 4);
  body.copy(frame, 8);
  return frame;
}

/** A strict Thrift Binary call message: header, then a struct {1: string, 2: list<i32>, 3: struct {1: i64}}. */
function thriftMessage(name: string, seq: number, text: Buffer, ints: number[]): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    return b;
  };
  parts.push(u32(0x80010001), u32(name.length), Buffer.from(name), u32(seq));
  parts.push(Buffer.from([11, 0, 1]), u32(text.length), text);
  parts.push(Buffer.from([15, 0, 2, 8]), u32(ints.length), ...ints.map((n) => u32(n)));
  parts.push(Buffer.from([12, 0, 3, 10, 0, 1]), Buffer.alloc(8, 7), Buffer.from([0]));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

describe.runIf(nativeIoAvailable())('native frame connection (readv into slabs, frames found in C++, writev)', () => {
  it('echoes thousands of frames of mixed sizes intact and in order across slab boundaries', async () => {
    const serverSide = collector((batch) => serverConn.write(batch));
    let serverConn!: NativeFrameConnection;
    const { accepted, address } = await nativeServer('length-prefixed', serverSide.sink);
    const socket = net.connect((address as net.AddressInfo).port, '127.0.0.1');
    socket.pause();
    await new Promise((r) => socket.once('connect', r));
    const clientSide = collector();
    const client = new NativeFrameConnection(socket, { framing: 'length-prefixed' }, clientSide.sink);
    serverConn = await accepted;

    const sizes = Array.from({ length: 3000 }, (_, i) => (i % 97 === 0 ? 150_000 + i : 1 + ((i * 7919) % 3000)));
    const sent = sizes.map((n) => lengthPrefixed(randomBytes(n)));
    for (let i = 0; i < sent.length; i += 37) client.write(sent.slice(i, i + 37));
    const total = sent.length;
    await expect.poll(() => clientSide.frames.length, { timeout: 20_000 }).toBe(total);
    for (let i = 0; i < total; i++) {
      if (!clientSide.frames[i]!.equals(sent[i]!)) throw new Error(`frame ${i} differs`);
    }
    expect(serverSide.frames.length).toBe(total);
    client.destroy();
    expect(await clientSide.closed).toBeUndefined();
    expect(await serverSide.closed).toBeUndefined();
  });

  it('sniffs unframed Thrift Binary and cuts messages at their exact ends, even byte by byte', async () => {
    const serverSide = collector();
    const { accepted, address } = await nativeServer('sniff', serverSide.sink);
    const socket = await rawClient((address as net.AddressInfo).port);
    const conn = await accepted;
    const messages = [
      thriftMessage('echo', 1, Buffer.from('hello'), [1, 2, 3]),
      thriftMessage('echo', 2, randomBytes(70_000), Array.from({ length: 5000 }, (_, i) => i)),
      thriftMessage('x', 3, Buffer.alloc(0), []),
    ];
    const stream = Buffer.concat(messages);
    // The first message one byte per write, the rest in one go.
    for (let i = 0; i < messages[0]!.length; i++) {
      socket.write(stream.subarray(i, i + 1));
      await new Promise((r) => setImmediate(r));
    }
    socket.write(stream.subarray(messages[0]!.length));
    await expect.poll(() => serverSide.frames.length, { timeout: 10_000 }).toBe(3);
    expect(conn.framing).toBe('unframed');
    serverSide.frames.forEach((f, i) => expect(f.equals(messages[i]!)).toBe(true));
  });

  it('sniffs length-prefixed framing and works over a Unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heddle-io-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const serverSide = collector();
    const path = join(dir, 's.sock');
    const { accepted } = await nativeServer('sniff', serverSide.sink, undefined, path);
    const socket = net.connect(path);
    cleanups.push(() => socket.destroy());
    await new Promise((r) => socket.once('connect', r));
    const conn = await accepted;
    const frame = lengthPrefixed(Buffer.from('framed payload'));
    socket.write(frame);
    await expect.poll(() => serverSide.frames.length).toBe(1);
    expect(conn.framing).toBe('length-prefixed');
    expect(serverSide.frames[0]!.equals(frame)).toBe(true);
  });

  it.each([
    ['a zero length', Buffer.from([0, 0, 0, 0, 1, 2]), 'length-prefixed' as Framing, /malformed frame/, 0],
    ['a negative length', Buffer.from([0xff, 0xff, 0xff, 0xf0, 1]), 'length-prefixed' as Framing, /malformed frame/, 0],
    ['a length over the limit', Buffer.from([0x00, 0x10, 0x00, 0x00]), 'length-prefixed' as Framing, /exceeds the frame size limit/, 0],
    ['an unknown field type', Buffer.concat([thriftMessage('a', 1, Buffer.from('ok'), [])]).fill(99, 22, 23), 'unframed' as Framing, /malformed frame/, 22],
  ])('closes on %s with ERR_BAD_FRAME and the offset', async (_name, bytes, framing, message, offset) => {
    const serverSide = collector();
    const { address } = await nativeServer(framing, serverSide.sink, 1024 * 1024);
    const socket = await rawClient((address as net.AddressInfo).port);
    // A good frame first, so the offset is counted from the start of the stream.
    const good = framing === 'unframed' ? thriftMessage('ok', 0, Buffer.alloc(3), []) : lengthPrefixed(Buffer.from('ok'));
    socket.write(Buffer.concat([good, bytes]));
    const error = await serverSide.closed;
    expect(serverSide.frames.length).toBe(1);
    expect(error?.code).toBe('ERR_BAD_FRAME');
    expect(error?.message).toMatch(message);
    expect(error?.offset).toBe(good.length + offset);
  });

  it('reports a peer that closes in the middle of a frame as ERR_CONNECTION', async () => {
    const serverSide = collector();
    const { address } = await nativeServer('length-prefixed', serverSide.sink);
    const socket = await rawClient((address as net.AddressInfo).port);
    socket.end(lengthPrefixed(Buffer.alloc(100)).subarray(0, 50));
    const error = await serverSide.closed;
    expect(error?.code).toBe('ERR_CONNECTION');
    expect(error?.message).toMatch(/middle of a frame \(50 bytes received\)/);
  });

  it('queues what the kernel refuses, signals backpressure, and drains once the peer reads', async () => {
    const serverSide = collector();
    const { accepted, address } = await nativeServer('length-prefixed', serverSide.sink);
    const socket = net.connect((address as net.AddressInfo).port, '127.0.0.1');
    socket.pause();
    await new Promise((r) => socket.once('connect', r));
    const clientSide = collector();
    const client = new NativeFrameConnection(socket, { framing: 'length-prefixed' }, clientSide.sink);
    const conn = await accepted;
    conn.pause();
    const frame = lengthPrefixed(randomBytes(1024 * 1024));
    let accepted1 = true;
    let writes = 0;
    while (accepted1 && writes < 200) {
      accepted1 = client.write([frame]);
      writes++;
    }
    expect(accepted1).toBe(false);
    conn.resume();
    await expect.poll(() => clientSide.drains, { timeout: 20_000 }).toBe(1);
    await expect.poll(() => serverSide.frames.length, { timeout: 20_000 }).toBe(writes);
    expect(serverSide.frames.every((f) => f.equals(frame))).toBe(true);
  });

  it('refuses a foreign `this` instead of crashing', () => {
    const NativeSocket = nativeAddon!.NativeSocket!;
    expect(() => NativeSocket.prototype.write.call({}, [])).toThrow(/Illegal invocation/);
    expect(() => (NativeSocket.prototype as unknown as { close(): void }).close.call(new Date())).toThrow(/Illegal invocation/);
  });
});
