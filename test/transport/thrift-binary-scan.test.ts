import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { peekThriftMessageHeader, ThriftBinaryScanner } from '../../src-ts/transport/thrift-binary-scan.js';
import { thriftMessage, thriftMessageArb } from './helpers/thrift-values.js';

const limit = 64 * 1024 * 1024;

describe('ThriftBinaryScanner', () => {
  it('finds the end of every message Apache Thrift writes, with other bytes after it', () => {
    fc.assert(
      fc.property(thriftMessageArb, fc.uint8Array({ maxLength: 20 }), (message, trailing) => {
        const input = LinkBuffer.from(Buffer.concat([message, trailing]));
        expect(new ThriftBinaryScanner(64, limit).scan(input, 0)).toBe(message.length);
      }),
      { numRuns: 300 },
    );
  });

  it('resumes where it stopped as bytes arrive one at a time', () => {
    fc.assert(
      fc.property(thriftMessageArb, (message) => {
        const input = new LinkBuffer();
        const scanner = new ThriftBinaryScanner(64, limit);
        for (let i = 0; i < message.length - 1; i++) {
          // Each byte is its own node, so every read may cross a node boundary.
          input.append(LinkBuffer.from(message.subarray(i, i + 1)));
          input.flush();
          expect(scanner.scan(input, 0)).toBe(-1);
        }
        input.append(LinkBuffer.from(message.subarray(message.length - 1)));
        input.flush();
        expect(scanner.scan(input, 0)).toBe(message.length);
      }),
      { numRuns: 100 },
    );
  });

  it('skips lists and maps of fixed-size elements in one step, and UUIDs', () => {
    const longList = thriftMessage('bulk', 1, { t: 'struct', fields: [{ id: 1, shape: { t: 'list', elem: { t: 'double' } } }] }, [new Array(100_000).fill(1.5)]);
    expect(new ThriftBinaryScanner(64, limit).scan(LinkBuffer.from(longList), 0)).toBe(longList.length);
    const uuidField = Buffer.concat([Buffer.from('8001000100000000000000010c0001', 'hex'), Buffer.from('100002', 'hex'), Buffer.alloc(16, 0xab), Buffer.from('0000', 'hex')]);
    expect(new ThriftBinaryScanner(64, limit).scan(LinkBuffer.from(uuidField), 0)).toBe(uuidField.length);
  });

  it('counts depth from the message body', () => {
    const nested = (depth: number): Buffer =>
      Buffer.concat([Buffer.from('800100010000000000000001', 'hex'), Buffer.from('0c0001'.repeat(depth - 1), 'hex'), Buffer.alloc(depth, 0)]);
    expect(new ThriftBinaryScanner(3, limit).scan(LinkBuffer.from(nested(3)), 0)).toBe(nested(3).length);
    expect(() => new ThriftBinaryScanner(3, limit).scan(LinkBuffer.from(nested(4)), 0)).toThrow(/deeper than 3/);
  });
});

describe('peekThriftMessageHeader', () => {
  it('reads name, type and sequence id without consuming', () => {
    const message = thriftMessage('getShipment', -5, { t: 'struct', fields: [] }, [], 4);
    const payload = LinkBuffer.from(message);
    expect(peekThriftMessageHeader(payload)).toEqual({ name: 'getShipment', type: 4, seqId: -5, size: 12 + 'getShipment'.length });
    expect(payload.length).toBe(message.length);
  });

  it('rejects a name that runs past the message', () => {
    expect(() => peekThriftMessageHeader(LinkBuffer.from(Buffer.from('8001000100000010000000000000', 'hex')), 100)).toThrow(/at byte 104/);
  });
});
