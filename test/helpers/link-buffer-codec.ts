import { expect } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/index.js';

/** What the Thrift and Protobuf codecs share on LinkBuffers. */
interface LinkBufferCodec<T> {
  encode(value: T): Uint8Array;
  encodeTo(value: T, out: LinkBuffer): number;
}

/**
 * Encodes `item(0..199)` into one LinkBuffer with encodeTo, the 150th with a 200 KB `blob` that
 * outgrows any reservation, and expects exactly the bytes encode() gives, back to back.
 */
export function expectEncodeToMatchesEncode<T extends { blob: Uint8Array }>(codec: LinkBufferCodec<T>, item: (n: number) => T): void {
  const out = new LinkBuffer();
  const expected: Buffer[] = [];
  for (let n = 0; n < 200; n++) {
    const value = n === 150 ? { ...item(n), blob: new Uint8Array(200_000).fill(3) } : item(n);
    expected.push(Buffer.from(codec.encode(value)));
    expect(codec.encodeTo(value, out)).toBe(expected[n]!.length);
  }
  // encode() goes on writing to its own memory: the bytes just written into `out` stay as they are.
  expect(Buffer.from(codec.encode(item(5))).equals(expected[5]!)).toBe(true);
  out.flush();
  expect(Buffer.from(out.readBinary(out.length)).equals(Buffer.concat(expected))).toBe(true);
  out.close();
}
