import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/index.js';
import * as thrift from '../../src-ts/thrift/index.js';
import { beginFrame, FrameReader } from '../../src-ts/transport/index.js';
import { expectEncodeToMatchesEncode } from '../helpers/link-buffer-codec.js';

const doc = thrift.parse(`
  struct Item { 1: i64 id, 2: string title, 3: binary blob, 4: list<i32> counts }
`);
const item = (n: number) => ({ id: BigInt(n), title: `item ${n} ✓`, blob: new Uint8Array(n % 97).fill(n & 0xff), counts: [n, 3 - n, 7] });

describe.each(['binary', 'compact'] as const)('Thrift %s codec with LinkBuffer', (protocol) => {
  const codec = doc.codec('Item', { protocol });

  it('encodes straight into a LinkBuffer, byte-identical to encode(), message after message', () => {
    expectEncodeToMatchesEncode(codec, item);
  });

  it('writes the message right after a frame header, and the frame reads back', () => {
    const out = new LinkBuffer();
    const pending = beginFrame(out, { kind: 'ttheader', header: { seqId: 7, strInfo: { isn: 'S' } } });
    const size = codec.encodeTo(item(42), out);
    const frameSize = pending.finish();
    out.flush();
    const [frame] = new FrameReader({ kind: 'ttheader' }).feed(out);
    expect(frame?.size).toBe(frameSize);
    expect(frame?.payload.length).toBe(size);
    expect(codec.decodeFrom(frame!.payload)).toEqual(item(42));
  });

  it('leaves the LinkBuffer as it was when encoding fails', () => {
    const out = new LinkBuffer();
    out.writeBinary(Uint8Array.of(1, 2, 3));
    expect(() => codec.encodeTo({ ...item(1), counts: ['nope'] } as never, out)).toThrow(/counts/);
    out.flush();
    expect([...out.readBinary(out.length)]).toEqual([1, 2, 3]);
  });

  it('decodes messages that span slab boundaries, consuming exactly their bytes', () => {
    const input = new LinkBuffer();
    const messages = Array.from({ length: 60 }, (_, n) => Buffer.from(codec.encode(item(n * 7))));
    // Small writes are copied into 8 KiB slabs back to back, so many messages straddle two slabs.
    for (const message of messages) input.writeBinary(message);
    input.flush();
    for (let n = 0; n < messages.length; n++) expect(codec.decodeFrom(input, messages[n]!.length)).toEqual(item(n * 7));
    expect(input.length).toBe(0);
  });
});
