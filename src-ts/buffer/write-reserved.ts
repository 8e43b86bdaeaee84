import type { LinkBuffer } from './link-buffer.js';

/** The smallest space an `encodeTo` reserves: most messages fit, and unused bytes are given back. */
const MIN_RESERVATION = 512;

/**
 * What to reserve for the next message of a codec whose last one took `lastSize` bytes: twice
 * that, at least MIN_RESERVATION, at most `cap`.
 */
export function nextReservation(lastSize: number, cap: number): number {
  return Math.min(Math.max(MIN_RESERVATION, lastSize * 2), cap);
}

/** Where an in-place encoder left its message: the reserved space, or a buffer it grew into. */
export interface WrittenMessage {
  bytes: Uint8Array;
  size: number;
}

/**
 * Runs `write` on `reservation` bytes reserved at `out`'s tail, after whatever `out` holds
 * unflushed, for codecs that encode in place (`encodeTo`). `write` says where the message ended
 * up: in the reserved space, of which the unused end is given back, or, when the message outgrew
 * it, in a buffer of its own, which is then linked (copied when small). When `write` throws,
 * `out` is left as it was. Returns the message's size.
 */
export function writeReserved(out: LinkBuffer, reservation: number, write: (reserved: Buffer) => WrittenMessage): number {
  const before = out.mallocLen;
  const reserved = out.malloc(reservation);
  try {
    const { bytes, size } = write(reserved);
    if (bytes === reserved) {
      out.mallocAck(before + size);
    } else {
      out.mallocAck(before);
      out.writeBinary(bytes.subarray(0, size));
    }
    return size;
  } catch (error) {
    out.mallocAck(before);
    throw error;
  }
}
