import { ErrorCode, HeddleError } from '../errors.js';
import type { LinkBuffer } from './link-buffer.js';
import type { LinkNode } from './link-node.js';

/**
 * A forward-only reader over a LinkBuffer's readable bytes that consumes nothing: frame readers
 * and the Thrift skip scan use it to look at a message that may span many slabs without joining
 * them. Reads are bounded by the bytes readable when the cursor was made.
 *
 * A cursor is valid until the buffer is next read, released or closed; make a new one after that.
 */
export class LinkCursor {
  private node: LinkNode;
  private offset: number;
  private consumed = 0;
  /** Scratch result of {@link locate}, kept in a field so the lookup allocates nothing. */
  private located = 0;
  private readonly limit: number;

  /** A cursor at `start` bytes past `buffer`'s read position. */
  constructor(buffer: LinkBuffer, start = 0) {
    this.node = buffer.cursorStart();
    this.offset = this.node.start;
    this.limit = buffer.length;
    if (start > 0) this.advance(start);
  }

  /** Bytes between the buffer's read position and the cursor. */
  get position(): number {
    return this.consumed;
  }

  /** Readable bytes at and after the cursor. */
  get available(): number {
    return this.limit - this.consumed;
  }

  /** Moves the cursor `n` bytes forward. */
  advance(n: number): void {
    this.need(n);
    let remaining = n;
    let node = this.node;
    let offset = this.offset;
    while (remaining > node.end - offset) {
      remaining -= node.end - offset;
      node = node.next as LinkNode;
      offset = node.start;
    }
    this.node = node;
    this.offset = offset + remaining;
    this.consumed += n;
  }

  /** The byte `delta` bytes past the cursor. */
  u8At(delta: number): number {
    this.need(delta + 1);
    const at = this.offset + delta;
    if (at < this.node.end) return this.node.bytes[at] as number;
    const node = this.locate(at);
    return node.bytes[this.located] as number;
  }

  /** The big-endian u16 `delta` bytes past the cursor. */
  u16At(delta: number): number {
    const at = this.offset + delta;
    if (delta + 2 <= this.available && at + 2 <= this.node.end) {
      const b = this.node.bytes;
      return ((b[at] as number) << 8) | (b[at + 1] as number);
    }
    return (this.u8At(delta) << 8) | this.u8At(delta + 1);
  }

  /** The big-endian u32 `delta` bytes past the cursor. */
  u32At(delta: number): number {
    const at = this.offset + delta;
    if (delta + 4 <= this.available && at + 4 <= this.node.end) {
      const b = this.node.bytes;
      return (b[at] as number) * 0x1000000 + (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number));
    }
    return this.u16At(delta) * 0x10000 + this.u16At(delta + 2);
  }

  /** The big-endian i32 `delta` bytes past the cursor. */
  i32At(delta: number): number {
    return this.u32At(delta) | 0;
  }

  /** `n` bytes starting `delta` past the cursor as one view: into the slab when contiguous
   * (valid until the buffer's next `release()`), else a copy the caller owns. */
  bytesAt(delta: number, n: number): Uint8Array {
    this.need(delta + n);
    const at = this.offset + delta;
    if (at + n <= this.node.end) return this.node.bytes.subarray(at, at + n);
    const out = Buffer.allocUnsafe(n);
    let node = this.locate(at);
    let index = this.located;
    let copied = 0;
    while (copied < n) {
      const take = Math.min(node.end - index, n - copied);
      node.bytes.copy(out, copied, index, index + take);
      copied += take;
      if (copied < n) {
        node = node.next as LinkNode;
        index = node.start;
      }
    }
    return out;
  }

  /** The node holding offset `at` of the cursor's node (which may lie past its end), with the index
   * inside that node left in `located`. Callers have checked that the byte is readable. */
  private locate(at: number): LinkNode {
    let node = this.node;
    let index = at;
    while (index >= node.end) {
      index -= node.end;
      node = node.next as LinkNode;
      index += node.start;
    }
    this.located = index;
    return node;
  }

  private need(n: number): void {
    if (n > this.limit - this.consumed) {
      throw new HeddleError(ErrorCode.ERR_TRUNCATED, `cursor needs ${n} bytes but ${this.limit - this.consumed} are readable`, {
        offset: this.consumed,
      });
    }
  }
}
