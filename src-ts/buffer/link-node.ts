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
  start: number;
  end: number;
  writable: boolean;
  next: LinkNode | null = null;

  constructor(store: BackingStore, start: number, end: number, writable: boolean) {
    this.store = store;
    this.bytes = store.bytes;
    this.start = start;
    this.end = end;
    this.writable = writable;
  }
}

const emptyStore = new BackingStore(Buffer.alloc(0), undefined);

/** A node with no bytes and no capacity: the chain's first link until something is written. */
export function emptyNode(): LinkNode {
  return new LinkNode(emptyStore, 0, 0, false);
}

/** Wraps caller memory as an unpooled store without copying. */
export function storeOf(bytes: Uint8Array): BackingStore {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new BackingStore(buffer, undefined);
}
