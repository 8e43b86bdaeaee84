import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendStaging } from '../../../src-ts/grpc/http2/send-staging.js';

interface Carved {
  view: Uint8Array;
  /** Enqueue position of its end. */
  end: number;
}

function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
}

describe('SendStaging', () => {
  it('never hands out memory a copy not yet sent still uses, and reuses what was sent', () => {
    const step = fc.record({ length: fc.integer({ min: 1, max: 6000 }), sendFraction: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 300 }), (steps) => {
        const staging = new SendStaging();
        let enqueued = 0;
        let sent = 0;
        const unsent: Carved[] = [];
        for (const { length, sendFraction } of steps) {
          const view = staging.take(length, sent, enqueued + length);
          expect(view.length).toBe(length);
          for (const other of unsent) expect(overlaps(view, other.view)).toBe(false);
          view.fill(unsent.length & 0xff);
          enqueued += length;
          unsent.push({ view, end: enqueued });
          // The stream sends part of what is queued (flow control lets out any amount).
          sent += Math.floor((enqueued - sent) * sendFraction);
          while (unsent.length > 0 && unsent[0]!.end <= sent) unsent.shift();
          // What is still unsent kept its bytes.
          for (const other of unsent) if (other.view.length <= 4096) expect(other.view.every((b) => b === other.view[0])).toBe(true);
        }
      }),
    );
  });

  it('a stream whose copies are sent between writes fills one block over and over', () => {
    const staging = new SendStaging();
    let enqueued = 0;
    const buffers = new Set<ArrayBufferLike>();
    for (let i = 0; i < 10_000; i++) {
      const view = staging.take(1029, enqueued, enqueued + 1029);
      enqueued += 1029;
      buffers.add(view.buffer);
    }
    expect(buffers.size).toBe(1);
  });

  it('a stream held back by flow control cycles through a few blocks, not one per 16 KiB', () => {
    const staging = new SendStaging();
    let enqueued = 0;
    let sent = 0;
    const buffers = new Set<ArrayBufferLike>();
    // As against a 64 KiB window: 64 KiB queued, then half of it let out, over and over.
    for (let i = 0; i < 10_000; i++) {
      buffers.add(staging.take(1029, sent, enqueued + 1029).buffer);
      enqueued += 1029;
      if (enqueued - sent > 64 * 1024) sent += 32 * 1024;
    }
    expect(buffers.size).toBeLessThanOrEqual(8);
  });
});
