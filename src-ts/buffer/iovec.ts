/**
 * One piece of a scatter/gather list: `byteLength` bytes at `byteOffset` in `buffer`. This is the
 * primitive form in which LinkBuffer memory crosses into native `readv`/`writev`: the ArrayBuffer
 * is JavaScript-allocated (never an external buffer), so it works under Electron too.
 */
export interface Iovec {
  buffer: ArrayBuffer;
  byteOffset: number;
  byteLength: number;
}

/** Total bytes an iovec list covers. */
export function iovecsLength(iovecs: readonly Iovec[]): number {
  let total = 0;
  for (const iovec of iovecs) total += iovec.byteLength;
  return total;
}
