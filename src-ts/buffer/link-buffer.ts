import { ErrorCode, HeddleError } from '../errors.js';
import { assertLiveView, DebugViews, debugBuffersByDefault } from './debug-views.js';
import type { Iovec } from './iovec.js';
import { LinkCursor } from './link-cursor.js';
import { EMPTY_NODE, LinkNode, storeOf } from './link-node.js';
import { BackingStore, defaultSlabPool, LARGE_SLAB_SIZE, SlabPool } from './slab-pool.js';

/** `writeBinary` inputs at least this long are linked into the chain instead of copied. */
export const LINK_THRESHOLD = 4096;

const noBytes = Buffer.alloc(0);

/** Options for a {@link LinkBuffer}. */
export interface LinkBufferOptions {
  /** Where slabs come from and go back to. Default: the thread's {@link defaultSlabPool}. */
  pool?: SlabPool;
  /** Detect use of a `next`/`peek`/`until` view after `release()` (see {@link assertLiveView}).
   * Costs a copy per view. Default: on when `HEDDLE_DEBUG_BUFFERS=1`. */
  debug?: boolean;
}

/**
 * A netpoll-style linked buffer: a chain of pooled slabs and linked caller memory, written at the
 * tail and read at the head, shared between sockets, frame readers and codecs without copying.
 *
 * Writing happens in two steps: `malloc`/`write*` append bytes that stay invisible to readers
 * until `flush()`. Reading consumes flushed bytes; views returned by `next`, `peek` and `until`
 * point into the slabs and stay valid until the next `release()`, which gives fully read slabs
 * back to the pool. `slice(n)` hands out the next n bytes as another LinkBuffer that shares the
 * slabs (reference counted), so a frame's payload can outlive the connection buffer it came from.
 * `close()` returns everything; any later call throws `ERR_USE_AFTER_RELEASE`.
 */
export class LinkBuffer {
  private readonly pool: SlabPool;
  private readonly debugViews: DebugViews | undefined;
  /** First node still held; `release()` frees from here up to `read`. */
  private head: LinkNode;
  /** Node holding the next unread byte (or an exhausted node before it). */
  private read: LinkNode;
  /** Where flushed bytes end: `flushEnd` inside `flushNode`. */
  private flushNode: LinkNode;
  private flushEnd = 0;
  private tail: LinkNode;
  private readable = 0;
  private unflushed = 0;
  private writtenTotal = 0;
  /** Slabs holding copies made by `next`/`peek` across slab boundaries, freed on `release()`. */
  private scratch: BackingStore[] | undefined;
  private closed = false;
  /** Options for slices, made once: a connection's buffer hands out a slice per frame. */
  private sliceOptions: LinkBufferOptions | undefined;

  constructor(options: LinkBufferOptions = {}) {
    this.pool = options.pool ?? defaultSlabPool;
    this.debugViews = (options.debug ?? debugBuffersByDefault) ? new DebugViews() : undefined;
    this.head = this.read = this.flushNode = this.tail = EMPTY_NODE;
  }

  /** A LinkBuffer whose readable content is `bytes`, linked without copying. The caller must not
   * modify `bytes` while the buffer (or a slice of it) still uses them. */
  static from(bytes: Uint8Array, options?: LinkBufferOptions): LinkBuffer {
    const buffer = new LinkBuffer(options);
    if (bytes.length > 0) buffer.link(bytes);
    buffer.flush();
    return buffer;
  }

  /** Bytes flushed and not yet read. */
  get length(): number {
    return this.readable;
  }

  /** Bytes written (malloc'd or appended) but not yet flushed. */
  get mallocLen(): number {
    return this.unflushed;
  }

  /** Bytes ever written into this buffer, flushed or not, minus what `mallocAck` took back. Frame
   * writers use the difference of two readings to measure what a codec wrote in between. */
  get written(): number {
    return this.writtenTotal;
  }

  /** Whether debug mode (use-after-release detection) is on for this buffer. */
  get debug(): boolean {
    return this.debugViews !== undefined;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Consumes the next `n` bytes and returns them as one contiguous view. Zero-copy when they lie in
   * one slab; otherwise they are copied into a scratch slab. The view is valid until the next
   * `release()` or `close()` of this buffer; do not write through it.
   */
  next(n: number): Uint8Array {
    this.checkRead(n, 'next');
    if (n === 0) return noBytes;
    const node = this.dataNode();
    const start = node.start;
    let view: Uint8Array;
    if (node.end - start >= n) {
      node.start = start + n;
      view = node.raw.subarray(start, start + n);
    } else {
      view = this.scratchView(n);
      this.copyOut(view, n, true);
    }
    this.readable -= n;
    return this.debugViews === undefined ? view : this.debugViews.track(view);
  }

  /**
   * Returns the next `n` bytes as one contiguous view without consuming them. Zero-copy within one
   * slab, a scratch copy otherwise. Valid until the next `release()` or `close()`.
   */
  peek(n: number): Uint8Array {
    this.checkRead(n, 'peek');
    if (n === 0) return noBytes;
    const node = this.dataNode();
    let view: Uint8Array;
    if (node.end - node.start >= n) {
      view = node.raw.subarray(node.start, node.start + n);
    } else {
      view = this.scratchView(n);
      this.copyOut(view, n, false);
    }
    return this.debugViews === undefined ? view : this.debugViews.track(view);
  }

  /** Consumes `n` bytes without looking at them. */
  skip(n: number): void {
    this.checkRead(n, 'skip');
    if (n > 0) this.consume(n, undefined);
  }

  /**
   * Consumes bytes up to and including the first `delim` byte and returns them as one view (valid
   * until the next `release()`), or returns undefined and consumes nothing when no flushed byte
   * equals `delim` yet.
   */
  until(delim: number): Uint8Array | undefined {
    this.assertOpen();
    let node: LinkNode | null = this.read;
    let scanned = 0;
    while (node !== null && scanned < this.readable) {
      const end = Math.min(node.end, node.start + (this.readable - scanned));
      const at = node.bytes.subarray(node.start, end).indexOf(delim);
      if (at !== -1) return this.next(scanned + at + 1);
      scanned += end - node.start;
      node = node.next;
    }
    return undefined;
  }

  /** Consumes one byte and returns it. */
  readByte(): number {
    this.checkRead(1, 'readByte');
    const node = this.dataNode();
    this.readable--;
    return node.bytes[node.start++] as number;
  }

  /** Consumes a big-endian unsigned 16-bit integer; works across slab boundaries without copying
   * the buffer. */
  readUint16(): number {
    this.checkRead(2, 'readUint16');
    const node = this.dataNode();
    const s = node.start;
    if (node.end - s >= 2) {
      node.start = s + 2;
      this.readable -= 2;
      return (node.bytes[s] as number) * 0x100 + (node.bytes[s + 1] as number);
    }
    return this.readByte() * 0x100 + this.readByte();
  }

  /** Consumes a big-endian unsigned 32-bit integer; works across slab boundaries. */
  readUint32(): number {
    this.checkRead(4, 'readUint32');
    const node = this.dataNode();
    const s = node.start;
    if (node.end - s >= 4) {
      node.start = s + 4;
      this.readable -= 4;
      const b = node.bytes;
      return (b[s] as number) * 0x1000000 + (((b[s + 1] as number) << 16) | ((b[s + 2] as number) << 8) | (b[s + 3] as number));
    }
    return this.readUint16() * 0x10000 + this.readUint16();
  }

  /** Consumes a big-endian signed 32-bit integer; works across slab boundaries. */
  readInt32(): number {
    return this.readUint32() | 0;
  }

  /** The byte `offset` bytes past the read position, consuming nothing. */
  peekByteAt(offset: number): number {
    this.checkRead(offset + 1, 'peekByteAt');
    const node = this.dataNode();
    const at = node.start + offset;
    return at < node.end ? (node.bytes[at] as number) : new LinkCursor(this, offset).u8At(0);
  }

  /** The big-endian u16 `offset` bytes past the read position, consuming nothing; any slab layout. */
  peekUint16At(offset: number): number {
    this.checkRead(offset + 2, 'peekUint16At');
    const node = this.dataNode();
    const at = node.start + offset;
    if (at + 2 > node.end) return new LinkCursor(this, offset).u16At(0);
    return ((node.bytes[at] as number) << 8) | (node.bytes[at + 1] as number);
  }

  /** The big-endian u32 `offset` bytes past the read position, consuming nothing; any slab layout. */
  peekUint32At(offset: number): number {
    this.checkRead(offset + 4, 'peekUint32At');
    const node = this.dataNode();
    const at = node.start + offset;
    if (at + 4 > node.end) return new LinkCursor(this, offset).u32At(0);
    const b = node.bytes;
    return (b[at] as number) * 0x1000000 + (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number));
  }

  /** Consumes `n` bytes and decodes them as UTF-8. The string owns its memory. */
  readString(n: number): string {
    this.checkRead(n, 'readString');
    if (n === 0) return '';
    const node = this.dataNode();
    const s = node.start;
    if (node.end - s >= n) {
      node.start = s + n;
      this.readable -= n;
      return node.bytes.toString('utf8', s, s + n);
    }
    const joined = Buffer.allocUnsafe(n);
    this.copyOut(joined, n, true);
    this.readable -= n;
    return joined.toString('utf8');
  }

  /** Consumes `n` bytes and returns a copy that the caller owns (not tied to `release()`). */
  readBinary(n: number): Uint8Array {
    this.checkRead(n, 'readBinary');
    const copy = Buffer.allocUnsafe(n);
    if (n > 0) this.copyOut(copy, n, true);
    this.readable -= n;
    return copy;
  }

  /**
   * Consumes the next `n` bytes and returns them as a new LinkBuffer that shares this buffer's
   * slabs (no copy; each slab is reference counted). The slice stays valid after this buffer's
   * `release()` or `close()`; `close()` the slice when done so its slabs return to the pool.
   */
  slice(n: number): LinkBuffer {
    this.checkRead(n, 'slice');
    this.sliceOptions ??= { pool: this.pool, debug: this.debug };
    const out = new LinkBuffer(this.sliceOptions);
    if (n > 0) this.consume(n, out);
    out.readable = n;
    out.writtenTotal = n;
    out.flushNode = out.tail;
    out.flushEnd = out.tail.end;
    return out;
  }

  /**
   * Frees everything already read: fully read slabs go back to the pool (or to the garbage
   * collector when a slice still shares them, once that slice is closed), and scratch copies are
   * freed. Every view returned by `next`, `peek` or `until` before this call becomes invalid; in
   * debug mode those views are detached and {@link assertLiveView} reports their use.
   */
  release(): void {
    this.assertOpen();
    let node = this.head;
    while (node !== this.read) {
      const next = node.next as LinkNode;
      this.dropNode(node);
      node = next;
    }
    while (node.start === node.end && node !== this.tail) {
      const next = node.next as LinkNode;
      if (node === this.flushNode) {
        this.flushNode = next;
        this.flushEnd = next.start;
      }
      this.dropNode(node);
      node = next;
    }
    this.head = this.read = node;
    if (node === this.tail && node.start === node.end && this.unflushed === 0 && node.writable && node.store.refs === 1) {
      // Everything is read and nothing shares the slab: write from its beginning again.
      node.start = node.end = 0;
      this.flushEnd = 0;
    }
    this.freeScratch();
    this.debugViews?.releaseAll();
  }

  /** Releases every slab, read or not, and marks the buffer closed: any later call throws
   * `ERR_USE_AFTER_RELEASE`. Slices taken earlier stay valid. Closing twice is allowed. */
  close(): void {
    if (this.closed) return;
    let node: LinkNode | null = this.head;
    while (node !== null) {
      const next: LinkNode | null = node.next;
      this.dropNode(node);
      node = next;
    }
    this.freeScratch();
    this.debugViews?.releaseAll();
    this.head = this.read = this.flushNode = this.tail = EMPTY_NODE;
    this.flushEnd = this.readable = this.unflushed = 0;
    this.closed = true;
  }

  /**
   * The flushed, unread bytes (up to `maxBytes`) as `(ArrayBuffer, offset, length)` triples in
   * order, without copying: what a native `writev` needs. Valid until the next `release()`; after
   * the write, `skip()` what was written, then `release()`.
   */
  readableIovecs(maxBytes = this.readable): Iovec[] {
    this.assertOpen();
    const out: Iovec[] = [];
    let remaining = Math.min(maxBytes, this.readable);
    let node: LinkNode | null = this.read;
    while (node !== null && remaining > 0) {
      const take = Math.min(node.end - node.start, remaining);
      if (take > 0) {
        out.push({ buffer: node.bytes.buffer as ArrayBuffer, byteOffset: node.bytes.byteOffset + node.start, byteLength: take });
        remaining -= take;
      }
      node = node.next;
    }
    return out;
  }

  /**
   * The next `n` readable bytes, without consuming or copying them, as views into the slabs that
   * hold them, in order (none empty): how a codec reads a message across slab boundaries. Valid,
   * like `peek`, until the next `release()` (in debug mode they are tracked copies).
   */
  readableViews(n: number): Uint8Array[] {
    this.checkRead(n, 'readableViews');
    const views: Uint8Array[] = [];
    let remaining = n;
    for (let node: LinkNode | null = this.read; node !== null && remaining > 0; node = node.next) {
      const take = Math.min(node.end - node.start, remaining);
      if (take === 0) continue;
      const view = node.raw.subarray(node.start, node.start + take);
      views.push(this.debugViews === undefined ? view : this.debugViews.track(view));
      remaining -= take;
    }
    return views;
  }

  /** @internal The node holding the next unread byte, for {@link LinkCursor}. */
  cursorStart(): LinkNode {
    this.assertOpen();
    return this.read;
  }

  // ---------------------------------------------------------------- writing

  /**
   * Reserves `n` contiguous writable bytes at the tail and returns them (a Buffer, so its write
   * methods are available). They become readable at the next `flush()`; until then `mallocAck`
   * can take back the unused end. The view is writable until `flush()`; keep it no longer.
   */
  malloc(n: number): Buffer {
    this.assertOpen();
    checkCount(n, 'malloc');
    const at = this.claim(n);
    return this.tail.bytes.subarray(at, at + n);
  }

  /**
   * Reserves `n` writable bytes that may span slabs and returns them as iovecs, for a native
   * `readv`. Afterwards call `mallocAck(bytesActuallyRead)` and `flush()`.
   */
  mallocIovecs(n: number): Iovec[] {
    this.assertOpen();
    checkCount(n, 'mallocIovecs');
    const out: Iovec[] = [];
    let remaining = n;
    while (remaining > 0) {
      let node = this.tail;
      let room = node.writable ? node.bytes.length - node.end : 0;
      if (room === 0) {
        node = this.growTail(Math.min(remaining, LARGE_SLAB_SIZE));
        room = node.bytes.length;
      }
      const take = Math.min(room, remaining);
      out.push({ buffer: node.bytes.buffer as ArrayBuffer, byteOffset: node.bytes.byteOffset + node.end, byteLength: take });
      node.end += take;
      remaining -= take;
    }
    this.unflushed += n;
    this.writtenTotal += n;
    return out;
  }

  /** Keeps only the first `n` of the bytes written since the last `flush()` and discards the rest,
   * e.g. after reserving a worst-case size or after a short `readv`. */
  mallocAck(n: number): void {
    this.assertOpen();
    checkCount(n, 'mallocAck');
    if (n > this.unflushed) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `mallocAck(${n}) exceeds the ${this.unflushed} bytes written since flush()`);
    }
    let node = this.flushNode;
    let offset = this.flushEnd;
    let remaining = n;
    while (remaining > node.end - offset) {
      remaining -= node.end - offset;
      node = node.next as LinkNode;
      offset = node.start;
    }
    node.end = offset + remaining;
    let dropped = node.next;
    node.next = null;
    this.tail = node;
    while (dropped !== null) {
      const next: LinkNode | null = dropped.next;
      this.dropNode(dropped);
      dropped = next;
    }
    this.writtenTotal -= this.unflushed - n;
    this.unflushed = n;
  }

  /** Makes everything written so far readable. */
  flush(): void {
    this.assertOpen();
    this.readable += this.unflushed;
    this.unflushed = 0;
    this.flushNode = this.tail;
    this.flushEnd = this.tail.end;
  }

  /** Appends the UTF-8 encoding of `s`; returns its byte length. */
  writeString(s: string): number {
    this.assertOpen();
    let node = this.tail;
    // A UTF-16 unit never takes more than 3 UTF-8 bytes, so this room always suffices.
    if (!node.writable || node.bytes.length - node.end < s.length * 3) {
      const n = Buffer.byteLength(s);
      node = this.writableTail(n);
    }
    const n = node.bytes.write(s, node.end);
    node.end += n;
    this.unflushed += n;
    this.writtenTotal += n;
    return n;
  }

  /**
   * Appends `bytes`. Inputs of at least {@link LINK_THRESHOLD} bytes are linked into the chain, not
   * copied: the buffer then references the caller's memory until those bytes are read and
   * released, so the caller must not modify them meanwhile. Returns `bytes.length`.
   */
  writeBinary(bytes: Uint8Array): number {
    this.assertOpen();
    if (this.debugViews !== undefined) assertLiveView(bytes, 'writeBinary input');
    if (bytes.length >= LINK_THRESHOLD) {
      this.link(bytes);
      return bytes.length;
    }
    return this.copyPacked(bytes);
  }

  /**
   * Appends a copy of `bytes` into pooled slabs, whatever their length: the caller may reuse or
   * give back its memory at once (a shared-memory slice returned to its pool, for one). From
   * {@link LINK_THRESHOLD} up the copy lies whole in one slab, as a linked input would, so frames
   * and binaries read from it are views, not joined copies. Returns `bytes.length`.
   */
  writeCopy(bytes: Uint8Array): number {
    this.assertOpen();
    const n = bytes.length;
    if (n < LINK_THRESHOLD) return this.copyPacked(bytes);
    let node = this.tail;
    if (!node.writable || node.bytes.length - node.end < n) node = this.growTail(n);
    node.bytes.set(bytes, node.end);
    node.end += n;
    this.unflushed += n;
    this.writtenTotal += n;
    return n;
  }

  private copyPacked(bytes: Uint8Array): number {
    const n = bytes.length;
    let node = this.tail;
    const room = node.writable ? node.bytes.length - node.end : 0;
    if (room >= n) {
      node.bytes.set(bytes, node.end);
      node.end += n;
    } else {
      // Fill what is left of the current slab before starting a new one: a stream of small
      // chunks then packs densely.
      if (room > 0) {
        node.bytes.set(bytes.subarray(0, room), node.end);
        node.end += room;
      }
      node = this.growTail(n - room);
      node.bytes.set(room > 0 ? bytes.subarray(room) : bytes, 0);
      node.end = n - room;
    }
    this.unflushed += n;
    this.writtenTotal += n;
    return n;
  }

  /**
   * Links `bytes` (no copy) in front of the last `remainLen` bytes written since the last flush.
   * `malloc(a + b); writeDirect(x, b)` is equivalent to `malloc(a); writeBinary(x); malloc(b)`,
   * which lets a codec reserve a region, then splice a large blob into the middle of it. The
   * caller must not modify `bytes` until they are read and released.
   */
  writeDirect(bytes: Uint8Array, remainLen: number): void {
    this.assertOpen();
    if (this.debugViews !== undefined) assertLiveView(bytes, 'writeDirect input');
    checkCount(remainLen, 'writeDirect remainLen');
    const tail = this.tail;
    const unflushedInTail = tail === this.flushNode ? tail.end - this.flushEnd : tail.end - tail.start;
    if (remainLen > unflushedInTail) {
      throw new HeddleError(
        ErrorCode.ERR_INVALID_ARGUMENT,
        `writeDirect remainLen ${remainLen} exceeds the ${unflushedInTail} unflushed bytes of the last malloc'd slab`,
      );
    }
    const linked = new LinkNode(storeOf(bytes), 0, bytes.length, false);
    this.appendNode(linked);
    if (tail !== EMPTY_NODE) {
      // The bytes after the split, and the slab's unused capacity, continue in a node of their own.
      const split = tail.end - remainLen;
      tail.store.retain();
      const rest = new LinkNode(tail.store, split, tail.end, tail.writable);
      tail.end = split;
      tail.writable = false;
      this.appendNode(rest);
    }
    this.unflushed += bytes.length;
    this.writtenTotal += bytes.length;
  }

  /**
   * Moves all of `other`'s readable bytes (flushing it first) to the end of this buffer without
   * copying: the slabs are shared, reference counted. `other` is left empty but usable. The moved
   * bytes count as written here and become readable at this buffer's next `flush()`.
   */
  append(other: LinkBuffer): void {
    this.assertOpen();
    if (other === this) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'cannot append a LinkBuffer to itself');
    other.flush();
    const n = other.length;
    if (n === 0) return;
    other.consume(n, this);
    this.unflushed += n;
    this.writtenTotal += n;
  }

  /** Appends one byte. */
  writeByte(value: number): void {
    const at = this.claim(1);
    this.tail.bytes[at] = value;
  }

  /** Appends a big-endian 16-bit integer (the low 16 bits of `value`). */
  writeUint16(value: number): void {
    const at = this.claim(2);
    const b = this.tail.bytes;
    b[at] = value >>> 8;
    b[at + 1] = value;
  }

  /** Appends a big-endian 32-bit integer; signed and unsigned values both work. */
  writeUint32(value: number): void {
    const at = this.claim(4);
    const b = this.tail.bytes;
    b[at] = value >>> 24;
    b[at + 1] = value >>> 16;
    b[at + 2] = value >>> 8;
    b[at + 3] = value;
  }

  // ---------------------------------------------------------------- internals

  private assertOpen(): void {
    if (this.closed) throw new HeddleError(ErrorCode.ERR_USE_AFTER_RELEASE, 'LinkBuffer used after close()');
  }

  private checkRead(n: number, what: string): void {
    this.assertOpen();
    checkCount(n, what);
    if (n > this.readable) {
      throw new HeddleError(ErrorCode.ERR_TRUNCATED, `${what}(${n}) needs ${n} bytes but only ${this.readable} are readable`);
    }
  }

  /** The node holding the next unread byte. Only called when at least one byte is readable, so the
   * walk always ends on a node with data. */
  private dataNode(): LinkNode {
    let node = this.read;
    while (node.start === node.end) node = node.next as LinkNode;
    this.read = node;
    return node;
  }

  /** Copies the next `n` readable bytes into `target`, consuming them if `consume`. The caller
   * adjusts `readable`. */
  private copyOut(target: Uint8Array, n: number, consume: boolean): void {
    let node = this.read;
    let offset = node.start;
    let copied = 0;
    for (;;) {
      const take = Math.min(node.end - offset, n - copied);
      if (take > 0) {
        node.bytes.copy(target, copied, offset, offset + take);
        copied += take;
        offset += take;
        if (consume) node.start = offset;
      }
      if (copied === n) break;
      node = node.next as LinkNode;
      offset = node.start;
    }
    if (consume) this.read = node;
  }

  private freeScratch(): void {
    if (this.scratch === undefined) return;
    for (const store of this.scratch) store.unref();
    this.scratch = undefined;
  }

  private scratchView(n: number): Buffer {
    if (n > LARGE_SLAB_SIZE) return Buffer.allocUnsafeSlow(n);
    const store = this.pool.acquire(n);
    (this.scratch ??= []).push(store);
    return store.bytes.subarray(0, n);
  }

  /** Consumes the next `n` readable bytes (at least one), linking them into `target`'s chain as
   * shared, read-only nodes when a target is given. */
  private consume(n: number, target: LinkBuffer | undefined): void {
    let node = this.dataNode();
    let remaining = n;
    for (;;) {
      const take = Math.min(node.end - node.start, remaining);
      if (take > 0 && target !== undefined) {
        node.store.retain();
        target.appendNode(new LinkNode(node.store, node.start, node.start + take, false));
      }
      node.start += take;
      remaining -= take;
      if (remaining === 0) break;
      node = node.next as LinkNode;
    }
    this.read = node;
    this.readable -= n;
  }

  /** Links caller memory as a node of its own (no copy), keeping the current slab's unused
   * capacity available to later writes. */
  private link(bytes: Uint8Array): void {
    const tail = this.tail;
    this.appendNode(new LinkNode(storeOf(bytes), 0, bytes.length, false));
    if (tail.writable && tail.end < tail.bytes.length) {
      tail.store.retain();
      tail.writable = false;
      this.appendNode(new LinkNode(tail.store, tail.end, tail.end, true));
    }
    this.unflushed += bytes.length;
    this.writtenTotal += bytes.length;
  }

  /** Claims `n` contiguous bytes at the tail (growing a slab if needed) and returns where they
   * start in `this.tail.bytes`. */
  private claim(n: number): number {
    const node = this.writableTail(n);
    const at = node.end;
    node.end = at + n;
    this.unflushed += n;
    this.writtenTotal += n;
    return at;
  }

  /** The tail if it can take `n` more contiguous bytes, else a fresh slab appended after it. */
  private writableTail(n: number): LinkNode {
    this.assertOpen();
    const tail = this.tail;
    if (tail.writable && tail.bytes.length - tail.end >= n) return tail;
    return this.growTail(n);
  }

  private growTail(minSize: number): LinkNode {
    const node = new LinkNode(this.pool.acquire(minSize), 0, 0, true);
    this.appendNode(node);
    return node;
  }

  /** Links `node` after the tail; in an empty buffer it replaces the shared {@link EMPTY_NODE},
   * which is never linked to. */
  private appendNode(node: LinkNode): void {
    if (this.tail === EMPTY_NODE) {
      this.head = this.read = this.flushNode = this.tail = node;
      this.flushEnd = node.start;
    } else {
      this.tail.next = node;
      this.tail = node;
    }
  }

  private dropNode(node: LinkNode): void {
    node.next = null;
    node.store.unref();
  }
}

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${what}: byte count must be a non-negative integer, got ${n}`);
  }
}
