import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { SlabPool } from '../../src-ts/buffer/slab-pool.js';
import { FrameReader } from '../../src-ts/transport/frame-reader.js';
import { encodeFrame } from '../../src-ts/transport/frame-writer.js';
import { echoCall } from './helpers/thrift-values.js';

describe('FrameReader', () => {
  it('returns every frame a chunk completes, with stream offsets', () => {
    const a = encodeFrame({ kind: 'framed' }, echoCall('a'));
    const b = encodeFrame({ kind: 'ttheader', header: { seqId: 2 } }, echoCall('b', 2));
    const c = echoCall('c', 3);
    const reader = new FrameReader();
    const frames = reader.push(Buffer.concat([a, b, c, a.subarray(0, 3)]));
    expect(frames.map((f) => [f.kind, f.offset, f.size])).toEqual([
      ['framed', 0, a.length],
      ['ttheader', a.length, b.length],
      ['pure-payload', a.length + b.length, c.length],
    ]);
    expect(reader.buffered).toBe(3);
    expect(reader.offset).toBe(a.length + b.length + c.length);
  });

  it('hands out payloads that share the pushed memory and outlive the reader', () => {
    const message = echoCall('x'.repeat(20_000));
    const chunk = encodeFrame({ kind: 'framed' }, message);
    const reader = new FrameReader({ kind: 'framed' });
    const [frame] = reader.push(chunk);
    reader.close();
    expect(frame?.payload.readableIovecs()[0]?.buffer).toBe(chunk.buffer);
    expect(Buffer.from(frame?.payload.next(message.length) ?? [])).toEqual(message);
  });

  it('feeds a LinkBuffer in without copying', () => {
    const message = echoCall('fed');
    const source = LinkBuffer.from(encodeFrame({ kind: 'framed' }, message), { debug: false });
    const [frame] = new FrameReader().feed(source);
    expect(source.length).toBe(0);
    expect(Buffer.from(frame?.payload.peek(message.length) ?? [])).toEqual(message);
  });

  it('returns its slabs to the pool once frames are read and their payloads closed', () => {
    const pool = new SlabPool();
    const reader = new FrameReader({ pool });
    const frame = encodeFrame({ kind: 'framed' }, echoCall('pooled'));
    for (let i = 0; i < 3; i++) for (const f of reader.push(frame)) f.payload.close();
    expect(pool.stats()).toMatchObject({ allocated: 1, freeSmall: 0 });
    reader.close();
    expect(pool.stats().freeSmall).toBe(1);
  });

  it('accepts empty gRPC messages and reports the compressed flag', () => {
    const frames = new FrameReader({ kind: 'grpc' }).push(Buffer.from('00000000000100000001ff', 'hex'));
    expect(frames.map((f) => [f.kind === 'grpc' && f.compressed, f.payload.length])).toEqual([
      [false, 0],
      [true, 1],
    ]);
  });

  it('parses the Kitex Protobuf envelope of a Framed protobuf message', () => {
    const bytes = encodeFrame({ kind: 'framed', envelope: { messageType: 2, method: 'GetUser', seqId: 77 } }, Uint8Array.of(8, 1));
    const [frame] = new FrameReader({ kind: 'kitex-protobuf' }).push(bytes);
    expect(frame?.payloadProtocol).toBe('kitex-protobuf');
    expect(frame?.envelope).toEqual({ messageType: 2, method: 'GetUser', seqId: 77, size: 12 + 7 });
    expect(frame?.payload.length).toBe(12 + 7 + 2);
  });
});
