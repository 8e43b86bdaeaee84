import { describe, expect, it } from 'vitest';
import { HeddleError } from '../../src-ts/errors.js';
import { FrameReader, type FrameReaderOptions } from '../../src-ts/transport/frame-reader.js';
import { encodeFrame } from '../../src-ts/transport/frame-writer.js';
import { splitAt } from './helpers/sample-frames.js';
import { echoCall, thriftMessage } from './helpers/thrift-values.js';

const good = encodeFrame({ kind: 'framed' }, echoCall('fine'));

function hex(...parts: string[]): Buffer {
  return Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');
}

function u32(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString('hex');
}

/** A TTHeader frame with the given variable header (after offset 14) and payload, LENGTH right. */
function ttheader(variable: string, payload = '', headerSizeOverride?: number): Buffer {
  const body = hex(variable);
  if (headerSizeOverride === undefined && body.length % 4 !== 0) throw new Error(`variable header of ${body.length} bytes is not padded`);
  const size = headerSizeOverride ?? body.length / 4;
  const rest = hex('1000', '0000', '00000001', size.toString(16).padStart(4, '0'), variable, payload);
  return Buffer.concat([hex(u32(rest.length)), rest]);
}

interface BadCase {
  name: string;
  options?: FrameReaderOptions;
  bytes: Buffer;
  code?: string;
  offset: number;
  message: RegExp;
}

const cases: BadCase[] = [
  { name: 'TTHeader with bad magic', bytes: hex(u32(20), '1001 0000 00000001 0001 0000', '00'.repeat(6)), offset: 4, message: /magic/, options: { kind: 'ttheader' } },
  { name: 'TTHeader whose header size runs past the frame', bytes: ttheader('0000 0000', '', 9), offset: 12, message: /header of 36 bytes runs past the 18-byte frame/ },
  { name: 'TTHeader with a zero header size', bytes: ttheader('', '8001000100000000'), offset: 12, message: /HEADER SIZE is zero/ },
  { name: 'TTHeader KEYVALUE count beyond the header', bytes: ttheader('0000 01 0005 0001 61 0001 62 00'), offset: 25, message: /KEYVALUE key length runs past/ },
  { name: 'TTHeader INTKEYVALUE string beyond the header', bytes: ttheader('0000 10 0001 0001 00ff 6161 00'), offset: 21, message: /INTKEYVALUE value of 255 bytes/ },
  { name: 'TTHeader ACL token beyond the header', bytes: ttheader('0000 11 0009 6161 00'), offset: 17, message: /ACL token of 9 bytes/ },
  { name: 'TTHeader with an unknown info block', bytes: ttheader('0000 7f 00'), offset: 16, message: /info block id 0x7f/ },
  { name: 'TTHeader with an unknown protocol id', bytes: ttheader('0900 0000'), offset: 14, message: /protocol id 0x9/ },
  { name: 'TTHeader transform count beyond the header', bytes: ttheader('0007 0102'), offset: 15, message: /7 transforms/ },
  { name: 'TTHeader LENGTH of zero', bytes: hex(u32(0), '1000 0000'), offset: 0, message: /LENGTH is zero/ },
  { name: 'TTHeader LENGTH negative', bytes: hex(u32(0xfffffff0), '1000 0000'), offset: 0, message: /negative/ },
  { name: 'TTHeader LENGTH over the protocol maximum', bytes: hex(u32(0x40000000)), offset: 0, message: /protocol maximum/, options: { kind: 'ttheader', maxFrameSize: 0x7fffffff } },
  { name: 'TTHeader LENGTH too small for its fixed fields', bytes: hex(u32(6), '1000 0000 0000'), offset: 0, message: /too small/ },
  { name: 'TTHeader LENGTH over the configured limit', bytes: hex(u32(1025), '1000 0000'), offset: 0, message: /1024-byte frame limit/, options: { maxFrameSize: 1024 } },
  {
    name: 'TTHeaderFramed inner length contradicting the payload',
    bytes: ttheader('0000 0000', u32(99) + echoCall('x').toString('hex')),
    offset: 18,
    message: /inner length 99/,
  },
  { name: 'Framed length of zero', options: { kind: 'framed' }, bytes: hex(u32(0)), offset: 0, message: /Framed length is zero/ },
  { name: 'Framed length negative', options: { kind: 'framed' }, bytes: hex(u32(0x80000000)), offset: 0, message: /negative \(-2147483648\)/ },
  { name: 'Framed length over the default 64 MiB limit', options: { kind: 'framed' }, bytes: hex(u32(64 * 1024 * 1024 + 1)), offset: 0, message: /67108864-byte frame limit/ },
  { name: 'Framed frame after a good one, over the limit', options: { kind: 'framed', maxFrameSize: 100 }, bytes: Buffer.concat([good, hex(u32(101))]), offset: good.length, message: /100-byte/ },
  {
    name: 'Kitex Protobuf with bad magic',
    options: { kind: 'kitex-protobuf' },
    bytes: Buffer.concat([hex(u32(14)), hex('8001 0001 00000000 00000001 0000')]),
    offset: 4,
    message: /magic 0x8001/,
  },
  {
    name: 'Kitex Protobuf method name beyond the message',
    bytes: Buffer.concat([hex(u32(14)), hex('9001 0001 00000030 00000001 0000')]),
    offset: 8,
    message: /method name of 48 bytes/,
  },
  { name: 'gRPC compressed flag of 2', options: { kind: 'grpc' }, bytes: hex('02', u32(1), '00'), offset: 0, message: /flag 2/ },
  { name: 'gRPC length negative', options: { kind: 'grpc' }, bytes: hex('00', u32(0xffffffff)), offset: 1, message: /negative \(-1\)/ },
  { name: 'gRPC length over the limit', options: { kind: 'grpc', maxFrameSize: 10 }, bytes: hex('00', u32(11)), offset: 1, message: /10-byte/ },
  { name: 'PurePayload that is not a strict message', options: { kind: 'pure-payload' }, bytes: hex('00000004 65636866'), offset: 0, message: /not a strict Thrift Binary/ },
  { name: 'PurePayload with message type 9', options: { kind: 'pure-payload' }, bytes: hex('80010009 00000000'), offset: 3, message: /message type 9/ },
  { name: 'PurePayload with a negative method name length', bytes: hex('80010001 ffffffff'), offset: 4, message: /name length -1/ },
  { name: 'PurePayload with an invalid field type', bytes: hex('80010001 00000000 00000001', '05 0001'), offset: 12, message: /type id 5/ },
  { name: 'PurePayload with a negative string length', bytes: hex('80010001 00000000 00000001', '0b 0001 ffffffff'), offset: 15, message: /-1 is negative/ },
  {
    name: 'PurePayload list whose count cannot fit the limit',
    options: { kind: 'pure-payload', maxFrameSize: 1000 },
    bytes: hex('80010001 00000000 00000001', '0f 0001 08', u32(300)),
    offset: 16,
    message: /count 300/,
  },
  {
    name: 'PurePayload growing past the limit, at the field that crosses it',
    options: { kind: 'pure-payload', maxFrameSize: 64 },
    bytes: hex('80010001 00000000 00000001', '08 0001 00000000'.repeat(10)),
    offset: 12 + 7 * 7,
    message: /larger than the 64-byte frame limit/,
  },
  {
    name: 'PurePayload nested deeper than the limit',
    options: { kind: 'pure-payload', maxDepth: 3 },
    bytes: hex('80010001 00000000 00000001', '0c 0001', '0c 0001', '0c 0001', '00 00 00 00'),
    code: 'ERR_DEPTH_LIMIT',
    offset: 18,
    message: /deeper than 3/,
  },
  { name: 'unrecognised framing', bytes: Buffer.from('GET / HTTP/1.1\r\n'), offset: 0, message: /unrecognised framing/ },
  { name: 'an HTTP/2 preface on a Thrift port', bytes: Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), offset: 0, message: /gRPC/ },
  { name: 'a stream truncated inside a frame', options: { kind: 'framed' }, bytes: good.subarray(0, good.length - 1), offset: 0, message: /stream ended inside a frame/ },
  { name: 'a stream truncated after a good frame', bytes: Buffer.concat([good, good.subarray(0, 6)]), offset: good.length, message: /6 bytes of it arrived/ },
];

/** Feeds `chunks` and ends the stream; returns the error the reader threw, if any. */
function failure(options: FrameReaderOptions | undefined, chunks: Uint8Array[]): HeddleError | undefined {
  const reader = new FrameReader(options);
  try {
    for (const chunk of chunks) for (const frame of reader.push(chunk)) frame.payload.close();
    reader.end();
  } catch (error) {
    expect(error).toBeInstanceOf(HeddleError);
    return error as HeddleError;
  }
  return undefined;
}

describe('frame readers on bad input', () => {
  for (const bad of cases) {
    it(`rejects ${bad.name} with ${bad.code ?? 'ERR_BAD_FRAME'} at byte ${bad.offset}, however the bytes are split`, () => {
      const splits: Uint8Array[][] = [[bad.bytes], splitAt(bad.bytes, Array.from({ length: bad.bytes.length }, (_, i) => i))];
      for (let cut = 1; cut < bad.bytes.length; cut++) splits.push(splitAt(bad.bytes, [cut]));
      for (const chunks of splits) {
        const error = failure(bad.options, chunks);
        expect(error?.code).toBe(bad.code ?? 'ERR_BAD_FRAME');
        expect(error?.offset).toBe(bad.offset);
        expect(error?.message).toMatch(bad.message);
      }
    });
  }

  it('reports a bad length as soon as the length prefix arrives, before buffering the body', () => {
    const reader = new FrameReader({ kind: 'framed' });
    expect(() => reader.push(hex(u32(64 * 1024 * 1024 + 1)))).toThrow(/frame limit/);
  });

  it('stays failed and rethrows the first error', () => {
    const reader = new FrameReader({ kind: 'framed' });
    let first: unknown;
    try {
      reader.push(hex(u32(0)));
    } catch (error) {
      first = error;
    }
    expect(first).toBeInstanceOf(HeddleError);
    expect(() => reader.push(good)).toThrow(first as Error);
    expect(() => reader.end()).toThrow(first as Error);
  });

  it('never holds more than the limit for an incomplete frame', () => {
    const limit = 4096;
    const reader = new FrameReader({ kind: 'pure-payload', maxFrameSize: limit });
    const fields = thriftMessage('m', 1, { t: 'struct', fields: Array.from({ length: 600 }, (_, i) => ({ id: i + 1, shape: { t: 'i32' as const } })) }, new Array(600).fill(7));
    let error: unknown;
    for (let at = 0; at < fields.length && error === undefined; at += 100) {
      try {
        reader.push(fields.subarray(at, at + 100));
        expect(reader.buffered).toBeLessThanOrEqual(limit);
      } catch (caught) {
        error = caught;
      }
    }
    expect((error as HeddleError).code).toBe('ERR_BAD_FRAME');
  });

  it('does not read past a frame into the next one', () => {
    // A TTHeader whose KEYVALUE count claims more entries than its header holds must fail inside
    // the header, even though the bytes that follow (the payload) would parse as entries.
    const frame = ttheader('0000 01 0002 0001 61 0001 62 00', '0001 63 0001 64 8001000100000000');
    let error: HeddleError | undefined;
    try {
      new FrameReader().push(frame);
    } catch (caught) {
      error = caught as HeddleError;
    }
    expect(error?.message).toMatch(/runs past the header end/);
  });
});
