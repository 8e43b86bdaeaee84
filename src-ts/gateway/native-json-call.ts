/**
 * The JS side of a native JSON transcoder call, shared by the Thrift and Protobuf transcoders
 * (thrift-json/transcoder.ts, proto-json/transcoder.ts): the addon writes into a caller's buffer
 * and returns the size, -(size) when the bytes did not fit (they wait in the addon for a take
 * call), an error tuple, or null when the TypeScript twin must convert the input.
 */
import type { LinkBuffer } from '../buffer/link-buffer.js';
import { ErrorCode, HeddleError } from '../errors.js';

/** What the native transcoder returns for a bad input: [code, message, offset (-1: none), path]. */
export type NativeJsonError = [code: string, message: string, offset: number, path: string];

export type NativeJsonResult = number | NativeJsonError | null;

/**
 * Where native calls write a result, copied out into a Buffer of its own (measured cheaper than
 * the addon making the Buffer); a larger result stays in the addon until taken.
 */
export const nativeScratch = new Uint8Array(64 * 1024);

/** The smallest reservation a `fromJSONTo` makes in its LinkBuffer. */
const MIN_RESERVATION = 256;

/** The HeddleError the TypeScript twin throws for the same input. */
export function nativeJsonError([code, message, offset, path]: NativeJsonError): HeddleError {
  if (offset < 0) return new HeddleError(code as ErrorCode, message);
  return new HeddleError(code as ErrorCode, message, path === '' ? { offset } : { offset, path });
}

/** A Buffer of its own with the bytes a call into {@link nativeScratch} wrote (or kept, taken with `take`). */
export function nativeOutput(result: number | NativeJsonError, take: (dst: Uint8Array) => void): Buffer {
  if (typeof result !== 'number') throw nativeJsonError(result);
  if (result < 0) {
    const out = Buffer.allocUnsafe(-result);
    take(out);
    return out;
  }
  const out = Buffer.allocUnsafe(result);
  out.set(nativeScratch.subarray(0, result));
  return out;
}

/**
 * Runs `call` into room reserved at the end of `out` (about `lastSize`, at most `maxSize`) and
 * keeps what it wrote; returns the size, or null when the twin must convert the input (then `out`
 * is as it was, as it is after an error).
 */
export function nativeInto(out: LinkBuffer, lastSize: number, maxSize: number, call: (dst: Uint8Array) => NativeJsonResult, take: (dst: Uint8Array) => void): number | null {
  const before = out.mallocLen;
  const reserved = out.malloc(Math.min(maxSize, Math.max(MIN_RESERVATION, lastSize)));
  const result = call(reserved);
  if (typeof result === 'number') {
    if (result >= 0) {
      out.mallocAck(before + result);
      return result;
    }
    // Outgrew the reservation: the addon kept the bytes; copy them once into room that fits.
    out.mallocAck(before);
    take(out.malloc(-result));
    return -result;
  }
  out.mallocAck(before);
  if (result === null) return null;
  throw nativeJsonError(result);
}
