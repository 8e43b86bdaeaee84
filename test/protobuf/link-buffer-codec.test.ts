// Protobuf codecs on LinkBuffers: encodeTo writes into reserved slab space, decodeFrom reads the
// next message where it lies (joining it first when it spans slabs). Both must agree byte for
// byte and value for value with encode() and decode().
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/index.js';
import { beginFrame, FrameReader } from '../../src-ts/transport/index.js';
import { expectEncodeToMatchesEncode } from '../helpers/link-buffer-codec.js';
import { HeddleError, protobuf } from './helpers/heddle.js';

const root = protobuf.parse(`
  syntax = "proto3";
  package lb.v1;
  message Item { int64 id = 1; string title = 2; bytes blob = 3; repeated int32 counts = 4; map<string, Item> children = 5; }
`, { filename: 'item.proto' });
const codec = root.codec('lb.v1.Item');
const item = (n: number) => ({ id: BigInt(n), title: `item ${n} ✓`, blob: new Uint8Array(n % 97).fill(n & 0xff), counts: [n, 3 - n, 7], children: {} });

describe('Protobuf codec with LinkBuffer', () => {
  it('encodes straight into a LinkBuffer, byte-identical to encode(), message after message', () => {
    expectEncodeToMatchesEncode(codec, item);
  });

  it('agrees with encode() on nested messages whose length prefixes widen', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.integer({ min: 0, max: 400 })), { maxLength: 6 }), (entries) => {
        const value = { ...item(1), children: Object.fromEntries(entries.map(([key, n]) => [key, { ...item(n), title: 't'.repeat(n) }])) };
        const out = new LinkBuffer();
        const size = codec.encodeTo(value, out);
        out.flush();
        expect(Buffer.from(out.readBinary(out.length)).equals(Buffer.from(codec.encode(value)))).toBe(true);
        expect(size).toBe(codec.encode(value).length);
        out.close();
      }),
      { numRuns: 200 },
    );
  });

  it('writes the message right after a gRPC frame prefix, and the frame reads back', () => {
    const out = new LinkBuffer();
    const pending = beginFrame(out, { kind: 'grpc' });
    const size = codec.encodeTo(item(42), out);
    const frameSize = pending.finish();
    out.flush();
    expect(frameSize).toBe(5 + size);
    const [frame] = new FrameReader({ kind: 'grpc' }).feed(out);
    expect(frame?.payload.length).toBe(size);
    expect(codec.decodeFrom(frame!.payload)).toEqual(item(42));
  });

  it('leaves the LinkBuffer as it was when encoding fails', () => {
    const out = new LinkBuffer();
    out.writeBinary(Uint8Array.of(1, 2, 3));
    expect(() => codec.encodeTo({ ...item(1), counts: ['nope'] } as never, out)).toThrow(HeddleError);
    expect(() => codec.encodeTo(null as never, out)).toThrow(/encodeTo expects a message object/);
    // Had the encoder kept writing into the space `out` took back, the next write there would be
    // overwritten by any later encode().
    out.writeBinary(Uint8Array.of(4, 5, 6));
    expect(codec.decode(codec.encode({ ...item(9), title: 'z'.repeat(100) }))).toEqual({ ...item(9), title: 'z'.repeat(100) });
    out.flush();
    expect([...out.readBinary(out.length)]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('decodes messages that span slab boundaries, consuming exactly their bytes, values outliving release()', () => {
    const input = new LinkBuffer();
    const messages = Array.from({ length: 60 }, (_, n) => Buffer.from(codec.encode(item(n * 7))));
    // Small writes are copied into 8 KiB slabs back to back, so many messages straddle two slabs.
    for (const message of messages) input.writeBinary(message);
    input.flush();
    const decoded = [];
    for (let n = 0; n < messages.length; n++) decoded.push(codec.decodeFrom(input, messages[n]!.length));
    input.release();
    input.close();
    expect(input.length).toBe(0);
    expect(decoded).toEqual(messages.map((_, n) => item(n * 7)));
  });

  it('fails a truncated or corrupt message like decode(), consuming nothing', () => {
    const bytes = codec.encode({ ...item(3), title: 'x'.repeat(300) });
    const input = new LinkBuffer();
    input.writeBinary(bytes.subarray(0, 100));
    input.flush();
    let error: unknown;
    try {
      codec.decodeFrom(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HeddleError);
    expect(error).toMatchObject({ code: 'ERR_TRUNCATED' });
    expect(() => codec.decode(bytes.subarray(0, 100))).toThrow((error as Error).message);
    expect(input.length).toBe(100);
    expect(() => codec.decodeFrom(input, 101)).toThrow(HeddleError);
    expect(input.length).toBe(100);
  });
});
