import { LinkBuffer } from '../../../src-ts/buffer/link-buffer.js';
import { HeddleError } from '../../../src-ts/errors.js';
import { nativeAddon } from '../../../src-ts/native.js';
import { ThriftCompactScanner } from '../../../src-ts/transport/thrift-compact-scan.js';

// One shape for what a skip scan concludes about a buffer, so the TypeScript scanner and the
// native one (src-native/io/frame_scan.h, through the addon's test-only scanFrame) compare directly.

/** ScanStatus of src-native/io/frame_scan.h. */
export const enum Status {
  Complete = 0,
  NeedMore = 1,
  BadFrame = 2,
  TooLarge = 3,
}

/** Native framing codes (NativeSocket's constructor). */
export const enum NativeFraming {
  LengthPrefixed = 0,
  UnframedBinary = 1,
  Sniff = 2,
  UnframedCompact = 3,
}

export interface ScanOutcome {
  status: Status;
  length: number;
  need: number;
  errorOffset: number;
}

/** The native scanner, when the addon is loaded. */
export const nativeScanFrame = nativeAddon?.scanFrame;

export function nativeOutcome(bytes: Uint8Array, framing: NativeFraming, maxFrame: number): ScanOutcome {
  const [status, length, need, errorOffset] = nativeScanFrame!(bytes, framing, maxFrame);
  return { status, length, need, errorOffset };
}

/**
 * The TypeScript Compact scanner's conclusion, fed `bytes` in the chunks `cuts` makes (each chunk
 * a separate scan call, as a socket delivers them) or all at once. Its errors become BadFrame or
 * TooLarge (the messages that name the frame limit) and ERR_DEPTH_LIMIT BadFrame, as natively.
 */
export function compactOutcome(bytes: Uint8Array, maxFrame: number, cuts: number[] = []): ScanOutcome {
  const scanner = new ThriftCompactScanner(64, maxFrame);
  const input = new LinkBuffer();
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  let from = 0;
  try {
    for (const end of [...points, bytes.length]) {
      input.append(LinkBuffer.from(bytes.subarray(from, end)));
      input.flush();
      from = end;
      const length = scanner.scan(input, 0);
      if (length >= 0) return { status: Status.Complete, length, need: 0, errorOffset: 0 };
    }
    return { status: Status.NeedMore, length: 0, need: scanner.needed, errorOffset: 0 };
  } catch (error) {
    if (!(error instanceof HeddleError) || error.offset === undefined) throw error;
    const tooLarge = error.code === 'ERR_BAD_FRAME' && /frame limit/.test(error.message);
    if (error.code !== 'ERR_BAD_FRAME' && error.code !== 'ERR_DEPTH_LIMIT') throw error;
    return { status: tooLarge ? Status.TooLarge : Status.BadFrame, length: 0, need: 0, errorOffset: error.offset };
  } finally {
    input.close();
  }
}
