import type { LinkBuffer } from './link-buffer.js';

/**
 * How codecs that encode in place (`encodeTo`) use a LinkBuffer: note `before = out.mallocLen`,
 * reserve `out.malloc(nextReservation(...))`, encode into it, then {@link finishReserved}; on an
 * error, `out.mallocAck(before)` leaves `out` as it was.
 */

/** The smallest space an `encodeTo` reserves: most messages fit, and unused bytes are given back. */
const MIN_RESERVATION = 512;

/**
 * What to reserve for the next message of a codec whose last one took `lastSize` bytes: twice
 * that, at least MIN_RESERVATION, at most `cap`.
 */
export function nextReservation(lastSize: number, cap: number): number {
  return Math.min(Math.max(MIN_RESERVATION, lastSize * 2), cap);
}

/**
 * Keeps a message of `size` bytes encoded in place after `before` unflushed bytes of `out`:
 * `bytes` is the reserved space, of which the unused end is given back, or, when the message
 * outgrew it, a buffer of its own, which is then linked (copied when small).
 */
export function finishReserved(out: LinkBuffer, before: number, reserved: Uint8Array, bytes: Uint8Array, size: number): void {
  if (bytes === reserved) {
    out.mallocAck(before + size);
  } else {
    out.mallocAck(before);
    out.writeBinary(bytes.subarray(0, size));
  }
}
