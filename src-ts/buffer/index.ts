/**
 * Zero-copy buffers: the netpoll-style {@link LinkBuffer}, its slab pool, a non-consuming cursor
 * for scanning across slabs, and the iovec form handed to native readv/writev.
 */
export { LinkBuffer, LINK_THRESHOLD } from './link-buffer.js';
export type { LinkBufferOptions } from './link-buffer.js';
export { LinkCursor } from './link-cursor.js';
export { SlabPool, BackingStore, defaultSlabPool, SMALL_SLAB_SIZE, LARGE_SLAB_SIZE, POISON_BYTE } from './slab-pool.js';
export type { SlabPoolOptions, SlabPoolStats } from './slab-pool.js';
export { assertLiveView } from './debug-views.js';
export { iovecsLength } from './iovec.js';
export type { Iovec } from './iovec.js';
