import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { HeddleError } from '../../src-ts/errors.js';
import { encodeFrame } from '../../src-ts/transport/frame-writer.js';
import { sniffFrame } from '../../src-ts/transport/sniff.js';
import { echoCall } from './helpers/thrift-values.js';

describe('sniffFrame', () => {
  const message = echoCall('sniff me');

  it('recognises each framing a Kitex server accepts', () => {
    expect(sniffFrame(message)).toBe('pure-payload');
    expect(sniffFrame(encodeFrame({ kind: 'framed' }, message))).toBe('framed');
    expect(sniffFrame(encodeFrame({ kind: 'ttheader', header: {} }, message))).toBe('ttheader');
    expect(sniffFrame(encodeFrame({ kind: 'ttheader-framed', header: {} }, message))).toBe('ttheader');
    expect(sniffFrame(encodeFrame({ kind: 'framed', envelope: { messageType: 1, method: 'echo', seqId: 1 } }, Uint8Array.of(0x0a, 0)))).toBe('kitex-protobuf');
    expect(sniffFrame(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'))).toBe('http2');
  });

  it('waits for 8 bytes unless the first 4 already decide', () => {
    const framed = encodeFrame({ kind: 'framed' }, message);
    expect(sniffFrame(framed.subarray(0, 7))).toBeUndefined();
    expect(sniffFrame(message.subarray(0, 4))).toBe('pure-payload');
    expect(sniffFrame(message.subarray(0, 3))).toBeUndefined();
  });

  it('sniffs a LinkBuffer whose first bytes span slabs', () => {
    const framed = encodeFrame({ kind: 'ttheader', header: {} }, message);
    const buffer = new LinkBuffer();
    buffer.writeBinary(framed.subarray(0, 5));
    buffer.flush();
    buffer.malloc(8192 - 5);
    buffer.mallocAck(0);
    buffer.writeBinary(framed.subarray(5, 9));
    buffer.flush();
    expect(sniffFrame(buffer)).toBe('ttheader');
  });

  it('rejects anything else with ERR_BAD_FRAME at the given offset', () => {
    let error: unknown;
    try {
      sniffFrame(Buffer.from('GET / HTTP/1.1\r\n'), 40);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HeddleError);
    expect((error as HeddleError).code).toBe('ERR_BAD_FRAME');
    expect((error as HeddleError).offset).toBe(40);
  });
});
