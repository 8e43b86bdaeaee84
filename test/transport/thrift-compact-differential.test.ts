import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactOutcome, NativeFraming, nativeOutcome, nativeScanFrame, Status } from './helpers/scan-outcome.js';
import { echoCall, thriftCompactMessageArb } from './helpers/thrift-values.js';

// The native Compact skip scan (what NativeSocket runs on unframed Compact connections) against the
// TypeScript one (what the FrameReader runs): on valid, cut and mutated messages both must reach
// the same conclusion, ask for the same number of bytes and blame the same byte.

const limit = 64 * 1024 * 1024;

/** A Compact message with some of its bytes overwritten, some cut out or some inserted. */
const mutatedArb = fc
  .tuple(
    thriftCompactMessageArb,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'delete', 'insert')), { minLength: 1, maxLength: 4 }),
  )
  .map(([message, edits]) => {
    const bytes = [...message];
    for (const [where, value, edit] of edits) {
      // The protocol id stays, mostly: without it both scanners stop at byte 0.
      const at = 1 + (where % Math.max(bytes.length - 1, 1));
      if (edit === 'set') bytes[at] = value;
      else if (edit === 'delete') bytes.splice(at, 1);
      else bytes.splice(at, 0, value);
    }
    return Uint8Array.from(bytes);
  });

/** A frame limit around the message's size, so that some scans run into it. */
const limitArb = fc.oneof(fc.constant(limit), fc.integer({ min: 1, max: 600 }));

describe.skipIf(nativeScanFrame === undefined)('Compact skip scan, native against TypeScript', () => {
  it('agrees on every valid message, with bytes after it and under any frame limit', () => {
    fc.assert(
      fc.property(thriftCompactMessageArb, fc.uint8Array({ maxLength: 16 }), limitArb, (message, trailing, maxFrame) => {
        const bytes = Buffer.concat([message, trailing]);
        const native = nativeOutcome(bytes, NativeFraming.UnframedCompact, maxFrame);
        expect(compactOutcome(bytes, maxFrame)).toEqual(native);
        if (maxFrame >= message.length) expect(native).toEqual({ status: Status.Complete, length: message.length, need: 0, errorOffset: 0 });
      }),
      { numRuns: 500 },
    );
  });

  it('agrees on every prefix of a valid message: need more, and how much', () => {
    fc.assert(
      fc.property(thriftCompactMessageArb, (message) => {
        for (let cut = 0; cut < message.length; cut++) {
          const prefix = message.subarray(0, cut);
          const native = nativeOutcome(prefix, NativeFraming.UnframedCompact, limit);
          expect(native.status).toBe(Status.NeedMore);
          expect(native.need).toBeGreaterThan(cut);
          expect(native.need).toBeLessThanOrEqual(message.length);
          expect(compactOutcome(prefix, limit)).toEqual(native);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('agrees on mutated messages, whole or arriving in chunks', () => {
    fc.assert(
      fc.property(mutatedArb, limitArb, fc.array(fc.nat({ max: 400 }), { maxLength: 6 }), (bytes, maxFrame, cuts) => {
        const native = nativeOutcome(bytes, NativeFraming.UnframedCompact, maxFrame);
        expect(compactOutcome(bytes, maxFrame)).toEqual(native);
        expect(compactOutcome(bytes, maxFrame, cuts)).toEqual(native);
        if (native.status === Status.Complete) expect(native.length).toBeLessThanOrEqual(Math.min(bytes.length, maxFrame));
        if (native.status === Status.NeedMore) expect(native.need).toBeGreaterThan(bytes.length);
        // A bad byte has arrived; an item too large for the frame may be blamed before its bytes have.
        if (native.status === Status.BadFrame) expect(native.errorOffset).toBeLessThan(bytes.length);
        if (native.status === Status.TooLarge) expect(native.errorOffset).toBeLessThanOrEqual(maxFrame);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on random bytes behind the protocol id', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), limitArb, (tail, maxFrame) => {
        const bytes = Uint8Array.from([0x82, ...tail]);
        expect(compactOutcome(bytes, maxFrame)).toEqual(nativeOutcome(bytes, NativeFraming.UnframedCompact, maxFrame));
      }),
      { numRuns: 3000 },
    );
  });

  it('sniffs 0x82 as unframed Compact and a strict Binary header as unframed Binary, as a server connection does', () => {
    fc.assert(
      fc.property(thriftCompactMessageArb, (message) => {
        expect(nativeOutcome(message, NativeFraming.Sniff, limit)).toEqual(nativeOutcome(message, NativeFraming.UnframedCompact, limit));
      }),
      { numRuns: 100 },
    );
    const binary = echoCall('binary');
    expect(nativeOutcome(binary, NativeFraming.Sniff, limit)).toEqual({ status: Status.Complete, length: binary.length, need: 0, errorOffset: 0 });
    // A length prefix, not a message: length-prefixed, 8 bytes of frame wanted.
    expect(nativeOutcome(Uint8Array.of(0, 0, 0, 4, 1), NativeFraming.Sniff, limit)).toEqual({ status: Status.NeedMore, length: 0, need: 8, errorOffset: 0 });
  });
});
