import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { FrameReader } from '../../src-ts/transport/frame-reader.js';
import { encodeFrame } from '../../src-ts/transport/frame-writer.js';
import { sniffFrame } from '../../src-ts/transport/sniff.js';
import { ThriftCompactScanner } from '../../src-ts/transport/thrift-compact-scan.js';
import { echoCall, thriftCompactMessageArb, thriftMessage } from './helpers/thrift-values.js';

const limit = 64 * 1024 * 1024;
const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
/** A Compact call header: protocol id, call v1, seqId 0, empty method name. */
const CALL = '82 21 00 00';

function scanWhole(bytes: Uint8Array, maxDepth = 64, maxSize = limit): number {
  return new ThriftCompactScanner(maxDepth, maxSize).scan(LinkBuffer.from(bytes), 0);
}

function compactEcho(message: string, seqId = 1): Buffer {
  return thriftMessage('echo', seqId, { t: 'struct', fields: [{ id: 1, shape: { t: 'string' } }] }, [message], 1, 'compact');
}

describe('ThriftCompactScanner', () => {
  it('finds the end of every Compact message Apache Thrift writes, with other bytes after it', () => {
    fc.assert(
      fc.property(thriftCompactMessageArb, fc.uint8Array({ maxLength: 20 }), (message, trailing) => {
        expect(scanWhole(Buffer.concat([message, trailing]))).toBe(message.length);
      }),
      { numRuns: 400 },
    );
  });

  it('resumes where it stopped as bytes arrive one at a time, asking for no more than the message', () => {
    fc.assert(
      fc.property(thriftCompactMessageArb, (message) => {
        const input = new LinkBuffer();
        const scanner = new ThriftCompactScanner(64, limit);
        for (let i = 0; i < message.length - 1; i++) {
          // Each byte is its own node, so every read may cross a node boundary.
          input.append(LinkBuffer.from(message.subarray(i, i + 1)));
          input.flush();
          expect(scanner.scan(input, 0)).toBe(-1);
          expect(scanner.needed).toBeGreaterThan(i + 1);
          expect(scanner.needed).toBeLessThanOrEqual(message.length);
        }
        input.append(LinkBuffer.from(message.subarray(message.length - 1)));
        input.flush();
        expect(scanner.scan(input, 0)).toBe(message.length);
      }),
      { numRuns: 150 },
    );
  });

  it('skips bool fields (value in the type nibble), long-form field ids, UUIDs and varint list sizes', () => {
    // 1: true, 2: false, field -3 (zigzag 5) i32 300, 4: uuid, 5: list<double> of 20, STOP.
    const message = hex(`${CALL} 11 12 05 05 d8 04 2d ${'ab'.repeat(16)} 19 f7 14 ${'00'.repeat(160)} 00`);
    expect(scanWhole(message)).toBe(message.length);
    // Ask for the whole 160-byte list at once, not element by element.
    const scanner = new ThriftCompactScanner(64, limit);
    expect(scanner.scan(LinkBuffer.from(message.subarray(0, 30)), 0)).toBe(-1);
    expect(scanner.needed).toBe(message.length - 1);
  });

  it('skips maps of variable-size and fixed-size entries, and takes an empty map as one byte', () => {
    // 1: map<string, i64> {"a": 1, "bc": -1}, 2: map<i8, double> {1: 0.0}, 3: map {} , STOP.
    const message = hex(`${CALL} 1b 02 86 01 61 02 02 62 63 01 1b 01 37 01 ${'00'.repeat(8)} 1b 00 00`);
    expect(scanWhole(message)).toBe(message.length);
  });

  it('counts depth from the message body', () => {
    const nested = (depth: number): Buffer => hex(CALL + '1c'.repeat(depth - 1) + '00'.repeat(depth));
    expect(scanWhole(nested(3), 3)).toBe(nested(3).length);
    let error: { code?: string; offset?: number } = {};
    try {
      scanWhole(nested(4), 3);
    } catch (caught) {
      error = caught as typeof error;
    }
    // The struct that goes too deep starts after the header and three field headers.
    expect(error).toMatchObject({ code: 'ERR_DEPTH_LIMIT', offset: 4 + 3 });
  });
});

describe('Compact through sniffing and the FrameReader', () => {
  it('sniffs bare and Framed Compact messages, and keeps the payload protocol', () => {
    const message = compactEcho('sniff me');
    expect(sniffFrame(message)).toBe('pure-payload');
    expect(sniffFrame(encodeFrame({ kind: 'framed' }, message))).toBe('framed');
    const framed = new FrameReader({ kind: 'auto' }).push(encodeFrame({ kind: 'framed' }, message));
    expect(framed.map((f) => [f.kind, f.payloadProtocol, f.payload.length])).toEqual([['framed', 'thrift-compact', message.length]]);
  });

  it('reads a stream mixing bare Binary and Compact messages, in any chunking, with either reader kind', () => {
    const messages = [compactEcho('one', 1), echoCall('two', 2), compactEcho('x'.repeat(300), 3), compactEcho('', 4), echoCall('five', 5)];
    const stream = Buffer.concat(messages);
    fc.assert(
      fc.property(fc.constantFrom('auto' as const, 'pure-payload' as const), fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 8 }), (kind, cuts) => {
        const reader = new FrameReader({ kind });
        const points = [0, ...[...new Set(cuts)].sort((a, b) => a - b), stream.length];
        const frames = points.slice(1).flatMap((end, i) => reader.push(stream.subarray(points[i], end)));
        reader.end();
        expect(frames.map((f) => [f.kind, f.payloadProtocol, f.offset, f.size])).toEqual(
          messages.map((m, i) => ['pure-payload', m[0] === 0x82 ? 'thrift-compact' : 'thrift-binary', messages.slice(0, i).reduce((n, x) => n + x.length, 0), m.length]),
        );
        expect(frames.map((f) => Buffer.from(f.payload.next(f.payload.length)))).toEqual(messages);
      }),
      { numRuns: 100 },
    );
  });

  it('a client reader of one kind does not take another framing', () => {
    const message = compactEcho('reply');
    expect(new FrameReader({ kind: 'framed' }).push(encodeFrame({ kind: 'framed' }, message))[0]?.payloadProtocol).toBe('thrift-compact');
    // A bare Compact message read as Framed: its first four bytes are a length over the limit.
    expect(() => new FrameReader({ kind: 'framed' }).push(message)).toThrow(expect.objectContaining({ code: 'ERR_BAD_FRAME', offset: 0 }));
  });
});
