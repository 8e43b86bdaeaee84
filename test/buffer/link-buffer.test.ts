import { describe, expect, it } from 'vitest';
import { LinkBuffer, LINK_THRESHOLD } from '../../src-ts/buffer/link-buffer.js';
import { iovecsLength } from '../../src-ts/buffer/iovec.js';
import { SlabPool, SMALL_SLAB_SIZE } from '../../src-ts/buffer/slab-pool.js';
import { HeddleError } from '../../src-ts/errors.js';

function bytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** A buffer holding `parts` as separate slabs: each part goes into a freshly grown slab. */
function chained(parts: Uint8Array[], pool = new SlabPool()): LinkBuffer {
  const buffer = new LinkBuffer({ pool });
  for (const part of parts) {
    const view = buffer.malloc(SMALL_SLAB_SIZE);
    view.set(part);
    buffer.mallocAck(buffer.mallocLen - SMALL_SLAB_SIZE + part.length);
  }
  buffer.flush();
  return buffer;
}

/** Compares byte contents, whatever the view class (Buffer or Uint8Array). */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(Buffer.from(actual)).toEqual(Buffer.from(expected));
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof HeddleError ? error.code : `not a HeddleError: ${String(error)}`;
  }
  return undefined;
}

describe('LinkBuffer writing and flushing', () => {
  it('keeps written bytes invisible until flush', () => {
    const buffer = new LinkBuffer();
    buffer.writeBinary(Uint8Array.of(1, 2, 3));
    expect(buffer.length).toBe(0);
    expect(buffer.mallocLen).toBe(3);
    buffer.flush();
    expect(buffer.length).toBe(3);
    expect(buffer.mallocLen).toBe(0);
    expect([...buffer.next(3)]).toEqual([1, 2, 3]);
  });

  it('malloc returns a writable region that mallocAck can shrink', () => {
    const buffer = new LinkBuffer();
    const region = buffer.malloc(10);
    region.set([9, 8, 7, 6]);
    buffer.mallocAck(4);
    buffer.flush();
    expect(buffer.length).toBe(4);
    expect([...buffer.next(4)]).toEqual([9, 8, 7, 6]);
    expect(buffer.written).toBe(4);
  });

  it('mallocAck drops whole slabs written after the kept prefix', () => {
    const pool = new SlabPool();
    const buffer = new LinkBuffer({ pool });
    buffer.writeBinary(bytes(100));
    buffer.flush();
    buffer.malloc(SMALL_SLAB_SIZE - 100).fill(1);
    buffer.malloc(SMALL_SLAB_SIZE).fill(2);
    buffer.malloc(SMALL_SLAB_SIZE).fill(3);
    buffer.mallocAck(SMALL_SLAB_SIZE - 100 + 5);
    expect(pool.stats().freeSmall).toBe(1);
    buffer.flush();
    expect(buffer.length).toBe(SMALL_SLAB_SIZE + 5);
    buffer.skip(SMALL_SLAB_SIZE);
    expect([...buffer.next(5)]).toEqual([2, 2, 2, 2, 2]);
  });

  it('writes strings as UTF-8 and reads them back across slab boundaries', () => {
    const text = 'héddle → ルート 🚀'.repeat(700);
    const buffer = new LinkBuffer();
    const n = buffer.writeString(text);
    expect(n).toBe(Buffer.byteLength(text));
    buffer.flush();
    expect(buffer.readString(n)).toBe(text);
  });

  it('decodes a multi-byte character split between two slabs', () => {
    const encoded = Buffer.from('a€b');
    const buffer = chained([encoded.subarray(0, 2), encoded.subarray(2)]);
    expect(buffer.readString(encoded.length)).toBe('a€b');
  });

  it('copies small writeBinary inputs and links large ones', () => {
    const small = bytes(LINK_THRESHOLD - 1);
    const large = bytes(LINK_THRESHOLD, 7);
    // Zero-copy is what is under test, so debug mode (which copies views) stays off.
    const buffer = new LinkBuffer({ debug: false });
    buffer.writeBinary(small);
    buffer.writeBinary(large);
    buffer.flush();
    small[0] = 0xee;
    large[0] = 0xee;
    expect(buffer.next(small.length)[0]).not.toBe(0xee);
    const view = buffer.next(large.length);
    expect(view[0]).toBe(0xee);
    expect(view.buffer).toBe(large.buffer);
  });

  it('packs a stream of small writes densely into slabs', () => {
    const pool = new SlabPool();
    const buffer = new LinkBuffer({ pool });
    for (let i = 0; i < 1000; i++) buffer.writeBinary(bytes(100, i));
    buffer.flush();
    expect(pool.stats().allocated).toBe(Math.ceil((1000 * 100) / SMALL_SLAB_SIZE));
    for (let i = 0; i < 1000; i++) expectBytes(buffer.next(100), bytes(100, i));
  });

  it('writeDirect splices a blob into a malloc region like malloc/writeBinary/malloc', () => {
    const blob = bytes(5000, 3);
    const direct = new LinkBuffer();
    const region = direct.malloc(8);
    region.set([1, 2, 3, 4, 5, 6, 7, 8]);
    direct.writeDirect(blob, 3);
    direct.writeBinary(Uint8Array.of(9));
    direct.flush();

    const expected = Buffer.concat([Buffer.from([1, 2, 3, 4, 5]), blob, Buffer.from([6, 7, 8, 9])]);
    expect(direct.length).toBe(expected.length);
    expect(Buffer.from(direct.next(direct.length))).toEqual(expected);
  });

  it('rejects a writeDirect remainLen beyond the unflushed bytes', () => {
    const buffer = new LinkBuffer();
    buffer.malloc(4);
    buffer.flush();
    buffer.malloc(2);
    expect(codeOf(() => buffer.writeDirect(bytes(10), 3))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('append moves readable bytes without copying and leaves the source empty', () => {
    const source = LinkBuffer.from(bytes(6000, 5));
    const target = new LinkBuffer();
    target.writeBinary(Uint8Array.of(0xaa));
    target.append(source);
    expect(source.length).toBe(0);
    expect(target.mallocLen).toBe(6001);
    target.flush();
    expect(target.readByte()).toBe(0xaa);
    expectBytes(target.next(6000), bytes(6000, 5));
  });

  it('writes big-endian integers that read back across boundaries', () => {
    const buffer = new LinkBuffer();
    buffer.malloc(SMALL_SLAB_SIZE - 3);
    buffer.writeUint32(0xdeadbeef);
    buffer.writeUint16(0xcafe);
    buffer.writeUint32(-2);
    buffer.writeByte(0x7f);
    buffer.flush();
    buffer.skip(SMALL_SLAB_SIZE - 3);
    expect(buffer.readUint32()).toBe(0xdeadbeef);
    expect(buffer.readUint16()).toBe(0xcafe);
    expect(buffer.readInt32()).toBe(-2);
    expect(buffer.readByte()).toBe(0x7f);
  });
});

describe('LinkBuffer reading', () => {
  it('next returns a zero-copy view within one slab', () => {
    const input = bytes(64);
    const buffer = LinkBuffer.from(input, { debug: false });
    const view = buffer.next(10);
    expect(view.buffer).toBe(input.buffer);
    expect(view.byteOffset).toBe(input.byteOffset);
  });

  it('next joins bytes that span slabs into one contiguous view', () => {
    const buffer = chained([bytes(3, 1), bytes(4, 2), bytes(5, 3)]);
    const view = buffer.next(10);
    expect([...view]).toEqual([...bytes(3, 1), ...bytes(4, 2), ...bytes(3, 3)]);
    expect(buffer.length).toBe(2);
    expect([...buffer.next(2)]).toEqual([...bytes(5, 3).subarray(3)]);
  });

  it('peek does not consume, skip does', () => {
    const buffer = chained([bytes(3), bytes(3, 9)]);
    expect([...buffer.peek(5)]).toEqual([...buffer.peek(5)]);
    expect(buffer.length).toBe(6);
    buffer.skip(4);
    expect(buffer.length).toBe(2);
    expect([...buffer.peek(2)]).toEqual([...bytes(3, 9).subarray(1)]);
  });

  it('until finds a delimiter in a later slab and returns through it', () => {
    const buffer = chained([Buffer.from('GET /a'), Buffer.from('bc HTTP\n'), Buffer.from('rest')]);
    expect(Buffer.from(buffer.until(0x0a) as Uint8Array).toString()).toBe('GET /abc HTTP\n');
    expect(buffer.until(0x0a)).toBeUndefined();
    expect(buffer.length).toBe(4);
  });

  it('until ignores unflushed bytes', () => {
    const buffer = LinkBuffer.from(Buffer.from('abc'));
    buffer.writeBinary(Buffer.from('\n'));
    expect(buffer.until(0x0a)).toBeUndefined();
  });

  it('readBinary returns a copy the caller owns', () => {
    const input = bytes(32);
    const buffer = LinkBuffer.from(input);
    const copy = buffer.readBinary(32);
    input[0] = 0xff;
    expect(copy[0]).toBe(bytes(32)[0]);
  });

  it('reports reads past the readable bytes as ERR_TRUNCATED', () => {
    const buffer = LinkBuffer.from(bytes(3));
    expect(codeOf(() => buffer.next(4))).toBe('ERR_TRUNCATED');
    expect(codeOf(() => buffer.readUint32())).toBe('ERR_TRUNCATED');
    expect(codeOf(() => buffer.skip(-1))).toBe('ERR_INVALID_ARGUMENT');
    expect(buffer.length).toBe(3);
  });
});

describe('LinkBuffer slices and slab lifetimes', () => {
  it('a slice shares slabs and keeps them alive after the parent is released', () => {
    const pool = new SlabPool();
    const parent = new LinkBuffer({ pool });
    parent.writeBinary(bytes(1000));
    parent.flush();
    parent.skip(10);
    const slice = parent.slice(500);
    expect(parent.length).toBe(490);
    parent.skip(490);
    parent.release();
    parent.close();
    expect(pool.stats().freeSmall).toBe(0);
    expectBytes(slice.next(500), bytes(1000).subarray(10, 510));
    slice.close();
    expect(pool.stats().freeSmall).toBe(1);
  });

  it('a slice of bytes spanning slabs reads them back in order', () => {
    const buffer = chained([bytes(100, 1), bytes(100, 2), bytes(100, 3)]);
    buffer.skip(50);
    const slice = buffer.slice(200);
    expect(slice.length).toBe(200);
    expect(slice.readableIovecs().map((v) => v.byteLength)).toEqual([50, 100, 50]);
    expect(Buffer.from(slice.next(200))).toEqual(Buffer.concat([bytes(100, 1).subarray(50), bytes(100, 2), bytes(100, 3).subarray(0, 50)]));
  });

  it('release returns fully read slabs to the pool and reuses the last one', () => {
    const pool = new SlabPool();
    const buffer = new LinkBuffer({ pool });
    buffer.malloc(SMALL_SLAB_SIZE).fill(1);
    buffer.writeBinary(bytes(100));
    buffer.flush();
    buffer.skip(SMALL_SLAB_SIZE + 100);
    buffer.release();
    expect(pool.stats().freeSmall).toBe(1);
    buffer.writeBinary(bytes(100));
    buffer.flush();
    expect(pool.stats().allocated).toBe(2);
    expectBytes(buffer.next(100), bytes(100));
  });

  it('does not rewind a fully read slab that a slice still shares', () => {
    const buffer = new LinkBuffer();
    buffer.writeBinary(Uint8Array.of(1, 2, 3));
    buffer.flush();
    const slice = buffer.slice(3);
    buffer.release();
    buffer.writeBinary(Uint8Array.of(9, 9, 9));
    buffer.flush();
    expect([...slice.next(3)]).toEqual([1, 2, 3]);
  });

  it('frees scratch copies on release', () => {
    const pool = new SlabPool();
    const buffer = chained([bytes(10), bytes(10)], pool);
    const before = pool.stats().allocated;
    buffer.next(15);
    expect(pool.stats().allocated).toBe(before + 1);
    buffer.release();
    expect(pool.stats().freeSmall).toBe(2);
  });

  it('poisons recycled slabs when asked, so stale views show it', () => {
    const pool = new SlabPool({ poison: true });
    const buffer = new LinkBuffer({ pool, debug: false });
    buffer.malloc(SMALL_SLAB_SIZE).set(bytes(SMALL_SLAB_SIZE));
    buffer.writeBinary(bytes(1));
    buffer.flush();
    const stale = buffer.next(16);
    buffer.skip(SMALL_SLAB_SIZE - 16);
    buffer.release();
    expect([...stale]).toEqual(new Array(16).fill(0xdb));
  });

  it('throws ERR_USE_AFTER_RELEASE on any call after close', () => {
    const buffer = LinkBuffer.from(bytes(4));
    buffer.close();
    buffer.close();
    expect(codeOf(() => buffer.next(1))).toBe('ERR_USE_AFTER_RELEASE');
    expect(codeOf(() => buffer.writeByte(1))).toBe('ERR_USE_AFTER_RELEASE');
    expect(codeOf(() => buffer.malloc(1))).toBe('ERR_USE_AFTER_RELEASE');
  });
});

describe('LinkBuffer iovecs', () => {
  it('exports readable bytes as ArrayBuffer triples without copying', () => {
    const buffer = chained([bytes(10, 1), bytes(20, 2)]);
    buffer.skip(3);
    const iovecs = buffer.readableIovecs();
    expect(iovecs.map((v) => v.byteLength)).toEqual([7, 20]);
    const joined = Buffer.concat(iovecs.map((v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
    expect(joined).toEqual(Buffer.concat([bytes(10, 1).subarray(3), bytes(20, 2)]));
    expect(iovecsLength(buffer.readableIovecs(15))).toBe(15);
  });

  it('mallocIovecs reserves space for a readv that mallocAck trims', () => {
    const buffer = new LinkBuffer();
    buffer.malloc(SMALL_SLAB_SIZE - 10);
    buffer.flush();
    const iovecs = buffer.mallocIovecs(100);
    expect(iovecs.map((v) => v.byteLength)).toEqual([10, 90]);
    // Simulate a readv that filled 30 bytes.
    let value = 0;
    let left = 30;
    for (const iovec of iovecs) {
      const view = new Uint8Array(iovec.buffer, iovec.byteOffset, iovec.byteLength);
      for (let i = 0; i < view.length && left > 0; i++, left--) view[i] = value++;
    }
    buffer.mallocAck(30);
    buffer.flush();
    buffer.skip(SMALL_SLAB_SIZE - 10);
    expect([...buffer.next(30)]).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});
