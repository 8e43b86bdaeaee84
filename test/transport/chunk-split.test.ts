import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { FrameReader, type FrameReaderKind } from '../../src-ts/transport/frame-reader.js';
import type { Frame } from '../../src-ts/transport/frame.js';
import { HeddleError } from '../../src-ts/errors.js';
import { expectFrame, grpcFrameArb, largeFrameArb, sniffableFrameArb, splitAt, type FrameCase } from './helpers/sample-frames.js';

/**
 * Feeds `chunks` to a fresh reader and checks it yields exactly `cases`, in order, with offsets.
 * Chunks take turns: `feed` of a LinkBuffer wrapping the chunk (always its own node), `push` (small
 * ones are copied into a shared slab), and `pushCopy`, after which the chunk is overwritten as a
 * shared-memory slice going back to its pool would be; so reads cross node boundaries at every
 * chunk boundary, and a frame that kept a reference to a copied chunk reads the scribble.
 */
function readAll(kind: FrameReaderKind, cases: FrameCase[], chunks: Uint8Array[]): void {
  const reader = new FrameReader({ kind });
  const frames: Frame[] = [];
  chunks.forEach((chunk, i) => {
    const copy = Uint8Array.from(chunk);
    if (i % 3 === 0) frames.push(...reader.feed(LinkBuffer.from(copy)));
    else if (i % 3 === 1) frames.push(...reader.push(copy));
    else {
      frames.push(...reader.pushCopy(copy));
      copy.fill(0xee);
    }
  });
  reader.end();
  expect(frames).toHaveLength(cases.length);
  let offset = 0;
  cases.forEach((expected, i) => {
    expectFrame(frames[i], expected, offset);
    offset += expected.bytes.length;
  });
  expect(reader.offset).toBe(offset);
  expect(reader.buffered).toBe(0);
  for (const frame of frames) frame.payload.close();
}

function concat(cases: FrameCase[]): Uint8Array {
  return Buffer.concat(cases.map((c) => c.bytes));
}

describe('frame readers over every chunk split', () => {
  it('read every frame kind split at every possible boundary, and byte by byte', () => {
    fc.assert(
      fc.property(sniffableFrameArb, (frame) => {
        const kind: FrameReaderKind = frame.kind === 'ttheader-framed' ? 'ttheader' : frame.kind === 'grpc' ? 'grpc' : frame.kind;
        for (let cut = 0; cut <= frame.bytes.length; cut++) {
          readAll('auto', [frame], splitAt(frame.bytes, [cut]));
          readAll(kind, [frame], splitAt(frame.bytes, [cut]));
        }
        readAll('auto', [frame], splitAt(frame.bytes, Array.from({ length: frame.bytes.length }, (_, i) => i)));
      }),
      { numRuns: 40 },
    );
  });

  it('read gRPC messages split at every boundary', () => {
    fc.assert(
      fc.property(grpcFrameArb, (frame) => {
        for (let cut = 0; cut <= frame.bytes.length; cut++) readAll('grpc', [frame], splitAt(frame.bytes, [cut]));
      }),
      { numRuns: 60 },
    );
  });

  it('read streams of mixed frames at random multi-chunk splits', () => {
    fc.assert(
      fc.property(
        fc.array(sniffableFrameArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (cases, rawCuts) => {
          const stream = concat(cases);
          readAll('auto', cases, splitAt(stream, rawCuts.map((c) => c % (stream.length + 1))));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('read large frames spanning many slabs at random splits into up to 1,000 chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(largeFrameArb, sniffableFrameArb), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 1000 }),
        (cases, rawCuts) => {
          const stream = concat(cases);
          readAll('auto', cases, splitAt(stream, rawCuts.map((c) => c % (stream.length + 1))));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('read gRPC streams at random multi-chunk splits', () => {
    fc.assert(
      fc.property(fc.array(grpcFrameArb, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 40 }), (cases, rawCuts) => {
        const stream = concat(cases);
        readAll('grpc', cases, splitAt(stream, rawCuts.map((c) => c % (stream.length + 1))));
      }),
      { numRuns: 100 },
    );
  });
});

/** What `push` (or `pushOwned`, or `pushCopy` with each chunk overwritten once pushed) makes of
 * `chunks` with a `ttheader` reader: the frames (their payloads' bytes copied out), or the error
 * code, message and offset it failed with. */
function pushOutcome(chunks: Uint8Array[], mode: 'push' | 'owned' | 'copy' = 'push'): { frames: Array<Omit<Frame, 'payload'> & { payload: string }> } | { error: string } {
  const reader = new FrameReader({ kind: 'ttheader' });
  const frames: Array<Omit<Frame, 'payload'> & { payload: string }> = [];
  try {
    for (const chunk of chunks) {
      const copy = Uint8Array.from(chunk);
      const completed = mode === 'owned' ? reader.pushOwned(copy) : mode === 'copy' ? reader.pushCopy(copy) : reader.push(copy);
      if (mode === 'copy') copy.fill(0xee);
      for (const frame of completed) {
        frames.push({ ...frame, payload: Buffer.from(frame.payload.readBinary(frame.payload.length)).toString('hex') });
        frame.payload.close();
      }
    }
  } catch (error) {
    if (!(error instanceof HeddleError)) throw error;
    return { error: `${error.code} @${error.offset}: ${error.message}` };
  }
  return { frames };
}

const ttheaderFrameArb = sniffableFrameArb.filter((c) => c.kind === 'ttheader' || c.kind === 'ttheader-framed');

// A chunk arriving with nothing buffered is read in place (FrameReader.pushTTHeaderFrames), a
// chunk continuing a frame through the input buffer: both must agree on every stream.
describe('TTHeader frames read in place against the buffered path', () => {
  it('yield the same frames whole, at random splits, and byte by byte', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(ttheaderFrameArb, largeFrameArb.filter((c) => c.kind !== 'framed' && c.kind !== 'pure-payload')), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), (cases, rawCuts) => {
        const stream = concat(cases);
        const whole = pushOutcome([stream]);
        const cuts = rawCuts.map((c) => c % (stream.length + 1));
        expect(whole).toEqual(pushOutcome(splitAt(stream, cuts)));
        expect(whole).toEqual(pushOutcome([stream], 'owned'));
        expect(whole).toEqual(pushOutcome(splitAt(stream, cuts), 'owned'));
        expect(whole).toEqual(pushOutcome([stream], 'copy'));
        expect(whole).toEqual(pushOutcome(splitAt(stream, cuts), 'copy'));
        if (stream.length < 5000) expect(whole).toEqual(pushOutcome(splitAt(stream, Array.from({ length: stream.length }, (_, i) => i))));
        readAll('ttheader', cases, [stream]);
      }),
      { numRuns: 150 },
    );
  });

  it('fail with the same code, offset and message on corrupted streams', () => {
    fc.assert(
      fc.property(fc.array(ttheaderFrameArb, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (cases, flips) => {
        const stream = Uint8Array.from(concat(cases));
        for (const [at, xor] of flips) stream[at % stream.length]! ^= xor;
        const byteByByte = pushOutcome(splitAt(stream, Array.from({ length: stream.length }, (_, i) => i)));
        expect(pushOutcome([stream])).toEqual(byteByByte);
        expect(pushOutcome([stream], 'owned')).toEqual(byteByByte);
        expect(pushOutcome([stream], 'copy')).toEqual(byteByByte);
      }),
      { numRuns: 300 },
    );
  });
});
