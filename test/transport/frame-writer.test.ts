import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { HeddleError } from '../../src-ts/errors.js';
import { FrameReader } from '../../src-ts/transport/frame-reader.js';
import { beginFrame, encodeFrame, writeFrame } from '../../src-ts/transport/frame-writer.js';
import { ttheaderArb } from './helpers/sample-frames.js';
import { echoCall } from './helpers/thrift-values.js';

describe('frame writers', () => {
  it('let a codec write the message straight into the LinkBuffer, then patch the lengths', () => {
    const out = new LinkBuffer();
    const message = echoCall('written in place', 4);
    const pending = beginFrame(out, { kind: 'ttheader-framed', header: { seqId: 4, strInfo: { k: 'v' } } });
    // A codec writing piecewise: some bytes copied, a large blob linked.
    out.writeBinary(message.subarray(0, 10));
    out.writeBinary(message.subarray(10));
    const size = pending.finish();
    out.flush();
    expect(size).toBe(out.length);
    const [frame] = new FrameReader().push(out.readBinary(out.length));
    expect(frame?.kind).toBe('ttheader-framed');
    expect(Buffer.from(frame?.payload.peek(message.length) ?? [])).toEqual(message);
  });

  it('writes Framed and gRPC prefixes Kitex and gRPC peers expect', () => {
    const message = Uint8Array.of(1, 2, 3);
    expect(Buffer.from(encodeFrame({ kind: 'framed' }, message)).toString('hex')).toBe('00000003010203');
    expect(Buffer.from(encodeFrame({ kind: 'grpc', compressed: true }, message)).toString('hex')).toBe('0100000003010203');
    expect(Buffer.from(encodeFrame({ kind: 'grpc' }, new Uint8Array(0))).toString('hex')).toBe('0000000000');
    expect(Buffer.from(encodeFrame({ kind: 'pure-payload' }, message)).toString('hex')).toBe('010203');
  });

  it('writes the Kitex Protobuf envelope before the body', () => {
    const bytes = encodeFrame({ kind: 'framed', envelope: { messageType: 1, method: 'Echo', seqId: 9 } }, Uint8Array.of(0x0a, 0));
    expect(Buffer.from(bytes).toString('hex')).toBe(['00000012', '9001', '0001', '00000004', Buffer.from('Echo').toString('hex'), '00000009', '0a00'].join(''));
  });

  it('moves a LinkBuffer message in without copying it', () => {
    const blob = new Uint8Array(10_000).fill(5);
    const out = new LinkBuffer({ debug: false });
    writeFrame(out, { kind: 'framed' }, LinkBuffer.from(blob));
    out.flush();
    expect(out.readableIovecs().some((v) => v.buffer === blob.buffer)).toBe(true);
  });

  it('writeFrame, which knows the length up front, writes what beginFrame/finish writes', () => {
    const specArb = fc.oneof(
      fc.constant({ kind: 'framed' as const }),
      fc.constant({ kind: 'pure-payload' as const }),
      fc.boolean().map((compressed) => ({ kind: 'grpc' as const, compressed })),
      ttheaderArb.map((header) => ({ kind: 'ttheader' as const, header })),
      ttheaderArb.map((header) => ({ kind: 'ttheader-framed' as const, header })),
    );
    fc.assert(
      fc.property(specArb, fc.uint8Array({ minLength: 1, maxLength: 9000 }), (spec, message) => {
        const direct = encodeFrame(spec, message);
        const out = new LinkBuffer();
        const pending = beginFrame(out, spec);
        out.writeBinary(message);
        expect(pending.finish()).toBe(direct.length);
        out.flush();
        expect(Buffer.from(out.readBinary(out.length)).equals(Buffer.from(direct))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses an oversized TTHeader frame before writing any of it', () => {
    const out = new LinkBuffer();
    expect(() => writeFrame(out, { kind: 'ttheader', header: { strInfo: { key: 'value-value' } } }, new Uint8Array(40), { maxFrameSize: 50 })).toThrow(/ttheader frame length 74 exceeds the 50-byte limit/);
    expect(out.mallocLen).toBe(0);
  });

  it('refuses an empty Framed message, a frame over the limit and a second finish', () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        return (error as HeddleError).code;
      }
      return undefined;
    };
    expect(code(() => encodeFrame({ kind: 'framed' }, new Uint8Array(0)))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(() => encodeFrame({ kind: 'framed' }, new Uint8Array(11), { maxFrameSize: 10 }))).toBe('ERR_SIZE_LIMIT');
    const out = new LinkBuffer();
    const pending = beginFrame(out, { kind: 'framed' });
    out.writeByte(1);
    pending.finish();
    expect(code(() => pending.finish())).toBe('ERR_INVALID_ARGUMENT');
  });
});
