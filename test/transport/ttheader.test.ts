import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { HeddleError } from '../../src-ts/errors.js';
import { encodeFrame } from '../../src-ts/transport/frame-writer.js';
import { FrameReader } from '../../src-ts/transport/frame-reader.js';
import type { TTHeaderFrame } from '../../src-ts/transport/frame.js';
import { IntKey } from '../../src-ts/transport/metainfo.js';
import { decodeTTHeader } from '../../src-ts/transport/ttheader-decode.js';
import { writeTTHeader } from '../../src-ts/transport/ttheader-encode.js';
import { TTHeaderFlag, TTHeaderProtocol } from '../../src-ts/transport/ttheader-layout.js';
import { echoCall } from './helpers/thrift-values.js';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function headerBytes(init: Parameters<typeof writeTTHeader>[1]): Buffer {
  const out = new LinkBuffer();
  writeTTHeader(out, init);
  out.flush();
  return Buffer.from(out.readBinary(out.length));
}

describe('TTHeader encoding', () => {
  it('lays out fixed fields, KEYVALUE then INTKEYVALUE, as Kitex does', () => {
    const bytes = headerBytes({ seqId: 1, strInfo: new Map([['isn', 'S']]), intInfo: new Map([[IntKey.ToMethod, 'echo']]) });
    expect(hex(bytes)).toBe(
      [
        '00000000', // LENGTH, patched by the frame writer
        '1000', '0000', '00000001', // magic, flags, seqId
        '0006', // header size: 24 bytes / 4
        '00', '00', // protocol id, no transforms
        '01', '0001', '0003', hex(Buffer.from('isn')), '0001', hex(Buffer.from('S')),
        '10', '0001', '0009', '0004', hex(Buffer.from('echo')),
      ].join(''),
    );
  });

  it('puts the ACL token first and pads the header to a multiple of 4 with zeros', () => {
    const bytes = headerBytes({ seqId: -2, flags: TTHeaderFlag.SUPPORT_OUT_OF_ORDER, aclToken: 'tok', intInfo: { [IntKey.MsgType]: '1' } });
    // 2 (protocol, transforms) + 6 (ACL) + 8 (INTKEYVALUE) = 16: no padding needed.
    expect(hex(bytes.subarray(4))).toBe(['1000', '0001', 'fffffffe', '0004', '0000', '11', '0003', hex(Buffer.from('tok')), '10', '0001', '0016', '0001', '31'].join(''));
    const padded = headerBytes({ strInfo: { a: 'b' } });
    // 2 + 1 + 2 + 3 + 3 = 11 bytes, padded to 12.
    expect(hex(padded.subarray(12))).toBe(['0003', '0000', '01', '0001', '0001', '61', '0001', '62', '00'].join(''));
  });

  it('writes transform ids and the protocol id', () => {
    const bytes = headerBytes({ protocolId: TTHeaderProtocol.KITEX_PROTOBUF, transforms: [1, 2] });
    expect(hex(bytes.subarray(12))).toBe('0001' + '04' + '02' + '0102');
  });

  it('refuses a header beyond what HEADER SIZE can express, and strings over 65535 bytes', () => {
    const big = new Map<string, string>();
    for (let i = 0; i < 5; i++) big.set(`k${i}`, 'x'.repeat(60000));
    expect(() => headerBytes({ strInfo: big })).toThrow(HeddleError);
    expect(() => headerBytes({ strInfo: { k: 'x'.repeat(70000) } })).toThrow(/65535/);
    expect(() => headerBytes({ flags: 0x10000 })).toThrow(/flags/);
  });
});

describe('TTHeader decoding', () => {
  it('decodes every field of what the encoder wrote, keeping entry order', () => {
    const init = {
      flags: TTHeaderFlag.SUPPORT_OUT_OF_ORDER | TTHeaderFlag.SASL,
      seqId: 0x7fffffff,
      protocolId: TTHeaderProtocol.THRIFT_COMPACT_V2,
      transforms: [3],
      aclToken: 'token-é',
      strInfo: new Map([['zeta', '1'], ['alpha', 'ルート'], ['', '']]),
      intInfo: new Map([[IntKey.RPCTimeout, '1000'], [IntKey.FromService, 'svc'], [999, 'custom']]),
    };
    const header = decodeTTHeader(headerBytes(init), 0);
    expect(header).toEqual(init);
    expect([...header.strInfo.keys()]).toEqual(['zeta', 'alpha', '']);
    expect([...header.intInfo.keys()]).toEqual([12, 3, 999]);
  });

  it('skips padding bytes between info blocks', () => {
    const bytes = Buffer.from(['00000000', '1000', '0000', '00000005', '0003', '0000', '00', '00', '10', '0001', '0001', '0001', '78', '00'].join(''), 'hex');
    const header = decodeTTHeader(bytes, 0);
    expect(header.intInfo).toEqual(new Map([[1, 'x']]));
    expect(header.seqId).toBe(5);
  });

  it('reads a whole TTHeader frame back to the same header and payload', () => {
    const message = echoCall('hi', 9);
    const frame = encodeFrame({ kind: 'ttheader', header: { seqId: 9, intInfo: { [IntKey.ToMethod]: 'echo' } } }, message);
    const [decoded] = new FrameReader({ kind: 'ttheader' }).push(frame) as [TTHeaderFrame];
    expect(decoded.kind).toBe('ttheader');
    expect(decoded.size).toBe(frame.length);
    expect(decoded.header.seqId).toBe(9);
    expect(decoded.header.intInfo.get(IntKey.ToMethod)).toBe('echo');
    expect(decoded.payloadProtocol).toBe('thrift-binary');
    expect(Buffer.from(decoded.payload.next(decoded.payload.length))).toEqual(message);
    // LENGTH counts everything after itself.
    expect(Buffer.from(frame).readUInt32BE(0)).toBe(frame.length - 4);
  });

  it('tells TTHeaderFramed from TTHeader by the u32 length inside the payload', () => {
    const message = echoCall('framed inside', 3);
    const frame = encodeFrame({ kind: 'ttheader-framed', header: { seqId: 3 } }, message);
    const [decoded] = new FrameReader({ kind: 'ttheader' }).push(frame) as [TTHeaderFrame];
    expect(decoded.kind).toBe('ttheader-framed');
    expect(Buffer.from(decoded.payload.next(decoded.payload.length))).toEqual(message);
    const headerEnd = 14 + Buffer.from(frame).readUInt16BE(12) * 4;
    expect(Buffer.from(frame).readUInt32BE(headerEnd)).toBe(message.length);
  });

  it('re-encodes a decoded frame to identical bytes', () => {
    const frame = encodeFrame(
      { kind: 'ttheader-framed', header: { seqId: 77, flags: 1, aclToken: 'a', strInfo: { b: 'c', RPC_TRANSIT_k: 'v' }, intInfo: { 22: '2', 1: 'framed' } } },
      echoCall('round trip', 77),
    );
    const [decoded] = new FrameReader().push(frame) as [TTHeaderFrame];
    const again = encodeFrame({ kind: decoded.kind, header: decoded.header }, decoded.payload);
    expect(hex(again)).toBe(hex(frame));
  });
});

describe('TTHeader decoding of repeated headers', () => {
  it('hands out maps of its own for every frame, equal to a fresh decoding, whatever the caller does with earlier ones', () => {
    const init = { seqId: 7, flags: TTHeaderFlag.SUPPORT_OUT_OF_ORDER, aclToken: 'tok', strInfo: new Map([['isn', 'EchoService'], ['中文', '值']]), intInfo: new Map([[IntKey.ToMethod, 'echo'], [IntKey.FromService, 'caller']]) };
    const first = decodeTTHeader(headerBytes(init), 0);
    first.intInfo.set(IntKey.ToMethod, 'mutated');
    first.strInfo.delete('isn');
    first.transforms.push(9);
    const again = decodeTTHeader(headerBytes({ ...init, seqId: 8 }), 0);
    expect(again).toEqual({ flags: TTHeaderFlag.SUPPORT_OUT_OF_ORDER, seqId: 8, protocolId: 0, transforms: [], aclToken: 'tok', intInfo: init.intInfo, strInfo: init.strInfo });
    expect(again.intInfo).not.toBe(first.intInfo);
    expect(again.strInfo).not.toBe(first.strInfo);
  });

  it('tells apart headers that differ in one byte of one value', () => {
    const a = decodeTTHeader(headerBytes({ seqId: 1, intInfo: new Map([[IntKey.ToMethod, 'echoA']]) }), 0);
    const b = decodeTTHeader(headerBytes({ seqId: 1, intInfo: new Map([[IntKey.ToMethod, 'echoB']]) }), 0);
    const a2 = decodeTTHeader(headerBytes({ seqId: 2, intInfo: new Map([[IntKey.ToMethod, 'echoA']]) }), 0);
    expect([a.intInfo.get(IntKey.ToMethod), b.intInfo.get(IntKey.ToMethod), a2.intInfo.get(IntKey.ToMethod), a2.seqId]).toEqual(['echoA', 'echoB', 'echoA', 2]);
  });
});
