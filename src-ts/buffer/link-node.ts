import { BackingStore } from './slab-pool.js';

/**
 * One link of a LinkBuffer chain: the byte range `[start, end)` of a backing store. Reading
 * advances `start`; writing advances `end`. Only a `writable` node may grow `end` into the unused
 * capacity of its store, and only the chain's tail ever does.
 */
export class LinkNode {
  readonly store: BackingStore;
  /** The store's memory, cached because every read and write goes through it. */
  readonly bytes: Buffer;
  /** The same memory as a plain Uint8Array: views handed to callers are cut from it, because
   * `Uint8Array#subarray` is cheaper than `Buffer#subarray` (no Buffer subclass to construct). */
  readonly raw: Uint8Array;
  start: number;
  end: number;
  writable: boolean;
  next: LinkNode | null = null;

  constructor(store: BackingStore, start: number, end: number, writable: boolean) {
    this.store = store;
    this.bytes = store.bytes;
    this.raw = store.raw;
    this.start = start;
    this.end = end;
    this.writable = writable;
  }
}

/**
 * The node of every empty LinkBuffer: no bytes, no capacity. It is shared, so a buffer never links
 * anything after it; the first real node replaces it instead (see `LinkBuffer.appendNode`).
 */
export const EMPTY_NODE = new LinkNode(new BackingStore(Buffer.alloc(0), undefined), 0, 0, false);

/** Wraps caller memory as an unpooled store without copying. */
export function storeOf(bytes: Uint8Array): BackingStore {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new BackingStore(buffer, undefined);
}
