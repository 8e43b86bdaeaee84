import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { FrameReader } from '../../src-ts/transport/frame-reader.js';
import { compactOutcome, NativeFraming, nativeOutcome, nativeScanFrame, Status } from './helpers/scan-outcome.js';
import { thriftCompactMessageArb } from './helpers/thrift-values.js';

// Hostile and broken Thrift Compact input to both Compact skip scans (TypeScript, and native when
// the addon is loaded) and to the FrameReader around the TypeScript one: every case ends in an
// error naming a byte, or a request for more bytes; none loops, none buffers without bound.

const limit = 64 * 1024 * 1024;
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
/** A Compact call header: protocol id, call v1, seqId 0, empty method name; the body starts at 4. */
const CALL = '82 21 00 00';

interface BadCase {
  name: string;
  bytes: string;
  code: 'ERR_BAD_FRAME' | 'ERR_DEPTH_LIMIT';
  offset: number;
  /** Over the frame limit, rather than malformed. */
  tooLarge?: boolean;
}

const cases: BadCase[] = [
  { name: 'a protocol id other than 0x82', bytes: '83 21 00 00 00', code: 'ERR_BAD_FRAME', offset: 0 },
  { name: 'Compact version 2', bytes: '82 22 00 00 00', code: 'ERR_BAD_FRAME', offset: 1 },
  { name: 'message type 0', bytes: '82 01 00 00 00', code: 'ERR_BAD_FRAME', offset: 1 },
  { name: 'message type 5', bytes: '82 a1 00 00 00', code: 'ERR_BAD_FRAME', offset: 1 },
  { name: 'a sequence id varint of 6 bytes', bytes: '82 21 80 80 80 80 80 01 00 00', code: 'ERR_BAD_FRAME', offset: 2 },
  { name: 'a negative method name length', bytes: '82 21 00 ff ff ff ff 0f', code: 'ERR_BAD_FRAME', offset: 3 },
  { name: 'a method name longer than the frame limit', bytes: '82 21 00 ff ff ff ff 07', code: 'ERR_BAD_FRAME', offset: 3, tooLarge: true },
  { name: 'field type 14', bytes: `${CALL} 1e`, code: 'ERR_BAD_FRAME', offset: 4 },
  { name: 'field type 0 with a delta (not STOP)', bytes: `${CALL} 10`, code: 'ERR_BAD_FRAME', offset: 4 },
  { name: 'a long-form field id varint of 6 bytes', bytes: `${CALL} 05 80 80 80 80 80 01`, code: 'ERR_BAD_FRAME', offset: 5 },
  { name: 'a negative string length', bytes: `${CALL} 18 ff ff ff ff 0f`, code: 'ERR_BAD_FRAME', offset: 5 },
  { name: 'a string longer than the frame limit', bytes: `${CALL} 18 ff ff ff ff 07`, code: 'ERR_BAD_FRAME', offset: 5, tooLarge: true },
  { name: 'an i64 varint of 11 bytes', bytes: `${CALL} 16 ${'80'.repeat(10)} 01 00`, code: 'ERR_BAD_FRAME', offset: 5 },
  { name: 'an i32 varint of 6 bytes', bytes: `${CALL} 15 ${'80'.repeat(5)} 01 00`, code: 'ERR_BAD_FRAME', offset: 5 },
  { name: 'a negative list size', bytes: `${CALL} 19 f8 ff ff ff ff 0f`, code: 'ERR_BAD_FRAME', offset: 6 },
  { name: 'a list of more strings than the frame can hold', bytes: `${CALL} 19 f8 ff ff ff ff 07`, code: 'ERR_BAD_FRAME', offset: 6, tooLarge: true },
  { name: 'a list of more doubles than the frame can hold', bytes: `${CALL} 19 f7 80 80 80 04`, code: 'ERR_BAD_FRAME', offset: 6, tooLarge: true },
  { name: 'a list of element type 14', bytes: `${CALL} 19 1e`, code: 'ERR_BAD_FRAME', offset: 5 },
  { name: 'a negative map size', bytes: `${CALL} 1b ff ff ff ff 0f`, code: 'ERR_BAD_FRAME', offset: 5 },
  { name: 'a map of more entries than the frame can hold', bytes: `${CALL} 1b ff ff ff ff 07 88`, code: 'ERR_BAD_FRAME', offset: 5, tooLarge: true },
  { name: 'a map key type 15', bytes: `${CALL} 1b 01 f8`, code: 'ERR_BAD_FRAME', offset: 6 },
  { name: 'a map value type 0', bytes: `${CALL} 1b 01 80`, code: 'ERR_BAD_FRAME', offset: 6 },
  // Level 1 is the body; the 65th level starts after 64 field headers.
  { name: 'structs nested 65 deep', bytes: CALL + '1c'.repeat(64) + '00'.repeat(65), code: 'ERR_DEPTH_LIMIT', offset: 4 + 64 },
  // A list field at level 2 (offset 5), then each list's one element is a list: level 65 at 5 + 63.
  { name: 'lists nested 65 deep', bytes: `${CALL} 19 ${'19'.repeat(70)}`, code: 'ERR_DEPTH_LIMIT', offset: 5 + 63 },
  // Each map level is a size and a types byte, its one key another map.
  { name: 'maps nested 65 deep', bytes: `${CALL} 1b ${'01bb'.repeat(70)}`, code: 'ERR_DEPTH_LIMIT', offset: 5 + 63 * 2 },
];

function readerError(bytes: Uint8Array, kind: 'auto' | 'pure-payload', streamOffset = 0): HeddleError {
  const reader = new FrameReader({ kind });
  try {
    // A message in front puts the bad one at a non-zero stream offset.
    if (streamOffset > 0) expect(reader.push(hex(`${CALL} 00`.repeat(streamOffset / 5)))).toHaveLength(streamOffset / 5);
    reader.push(bytes);
  } catch (error) {
    return error as HeddleError;
  }
  throw new Error('the reader accepted bad input');
}

describe('bad Thrift Compact input', () => {
  it.each(cases)('$name: $code at byte $offset', ({ bytes, code, offset, tooLarge }) => {
    const input = hex(bytes);
    const expected = { status: tooLarge === true ? Status.TooLarge : Status.BadFrame, length: 0, need: 0, errorOffset: offset };
    expect(compactOutcome(input, limit)).toEqual(expected);
    if (nativeScanFrame !== undefined) expect(nativeOutcome(input, NativeFraming.UnframedCompact, limit)).toEqual(expected);
    // Without 0x82 in front a sniffing reader waits for 8 bytes; a PurePayload one hands the bytes
    // to the Binary scan, which rejects them too.
    for (const kind of input[0] === 0x82 ? (['auto', 'pure-payload'] as const) : (['pure-payload'] as const)) {
      expect(readerError(input, kind, 10)).toMatchObject({ code, offset: offset + 10 });
    }
  });

  it('an oversized length fails as soon as it arrives, before its bytes are buffered', () => {
    const reader = new FrameReader({ kind: 'pure-payload', maxFrameSize: 1024 });
    expect(reader.push(hex(`${CALL} 18`))).toEqual([]);
    // 2000 bytes of string announced: over the limit, so no waiting for them.
    expect(() => reader.push(hex('d0 0f'))).toThrow(expect.objectContaining({ code: 'ERR_BAD_FRAME', offset: 5 }));
  });

  it('every truncation of a valid message waits for more, and ending the stream there is ERR_BAD_FRAME', () => {
    fc.assert(
      fc.property(thriftCompactMessageArb, (message) => {
        for (let cut = 1; cut < message.length; cut++) {
          const prefix = message.subarray(0, cut);
          const outcome = compactOutcome(prefix, limit);
          expect(outcome.status).toBe(Status.NeedMore);
          expect(outcome.need).toBeGreaterThan(cut);
          expect(outcome.need).toBeLessThanOrEqual(message.length);
          const reader = new FrameReader({ kind: 'auto' });
          expect(reader.push(prefix)).toEqual([]);
          expect(() => reader.end()).toThrow(expect.objectContaining({ code: 'ERR_BAD_FRAME', offset: 0 }));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('random mutations end in a frame, a wait or an error naming a byte, never a hang', () => {
    fc.assert(
      fc.property(
        thriftCompactMessageArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 16, max: 4096 }),
        (message, edits, maxFrameSize) => {
          const bytes = Uint8Array.from(message);
          for (const [where, value] of edits) bytes[where % bytes.length] = value;
          const reader = new FrameReader({ kind: 'auto', maxFrameSize });
          try {
            const frames = reader.push(bytes);
            const consumed = frames.reduce((n, f) => n + f.size, 0);
            expect(consumed + reader.buffered).toBe(bytes.length);
            for (const frame of frames) expect(frame.size).toBeLessThanOrEqual(maxFrameSize);
          } catch (error) {
            expect(error).toBeInstanceOf(HeddleError);
            const { code, offset } = error as HeddleError;
            expect(['ERR_BAD_FRAME', 'ERR_DEPTH_LIMIT']).toContain(code);
            expect(offset).toBeGreaterThanOrEqual(0);
            expect(offset).toBeLessThanOrEqual(bytes.length);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
