import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { frameMessage, GrpcMessageReader } from '../../src-ts/grpc/message-framing.js';
import { readMetadata, writeMetadata } from '../../src-ts/grpc/metadata.js';
import { decodeGrpcMessage, encodeGrpcMessage, GrpcStatus } from '../../src-ts/grpc/status.js';
import { encodeGrpcTimeout, parseGrpcTimeout } from '../../src-ts/grpc/timeout.js';

const bodies = [new Uint8Array(0), new Uint8Array([1]), new Uint8Array(300).map((_, i) => i), new Uint8Array(70_000).fill(9)];
const stream = Buffer.concat(bodies.map((b) => frameMessage(b, false, 1 << 20)));

function readAll(reader: GrpcMessageReader, chunks: Buffer[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const chunk of chunks) reader.push(chunk, out);
  reader.finish();
  return out;
}

describe('GrpcMessageReader', () => {
  it('cuts messages wherever the chunks split them', () => {
    for (const size of [1, 2, 3, 4, 5, 6, 7, 64, 1000, stream.length]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
      expect(readAll(new GrpcMessageReader(1 << 20, 'identity'), chunks).map((m) => Buffer.from(m))).toEqual(bodies.map((b) => Buffer.from(b)));
    }
  });

  it('inflates gzip messages, mixed with plain ones', () => {
    const body = new Uint8Array(5000).fill(42);
    const bytes = Buffer.concat([frameMessage(body, true, 1 << 20), frameMessage(new Uint8Array([7]), false, 1 << 20)]);
    expect(bytes[0]).toBe(1);
    const out = readAll(new GrpcMessageReader(1 << 20, 'gzip'), [bytes]);
    expect(out.map((m) => Buffer.from(m))).toEqual([Buffer.from(body), Buffer.from([7])]);
  });

  it.each([
    ['a flag of 2', Buffer.from([0, 0, 0, 0, 0, 2]), 'identity', GrpcStatus.INTERNAL, 5],
    ['a compressed message without an encoding', Buffer.from([1, 0, 0, 0, 1, 0]), 'identity', GrpcStatus.INTERNAL, 0],
    ['a length over the limit, before its bytes arrive', Buffer.from([0, 0, 0, 4, 1]), 'identity', GrpcStatus.RESOURCE_EXHAUSTED, 0],
    ['gzip that expands past the limit', Buffer.concat([Buffer.from([1, 0, 0, 0, 0]), gzipSync(Buffer.alloc(2000))]), 'gzip', GrpcStatus.RESOURCE_EXHAUSTED, 0],
    ['bytes that are not gzip', Buffer.from([1, 0, 0, 0, 2, 9, 9]), 'gzip', GrpcStatus.INTERNAL, 0],
  ] as const)('fails on %s with the status and stream offset', (_, bytes, encoding, status, offset) => {
    const fixed = Buffer.from(bytes);
    if (fixed[0] === 1 && fixed.length > 5 && encoding === 'gzip' && status === GrpcStatus.RESOURCE_EXHAUSTED) fixed.writeUInt32BE(fixed.length - 5, 1);
    const reader = new GrpcMessageReader(1000, encoding);
    let error: unknown;
    try {
      reader.push(fixed);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ grpcStatus: status, offset });
  });

  it('a stream that ends inside a message is INTERNAL', () => {
    const reader = new GrpcMessageReader(1000, 'identity');
    reader.push(Buffer.from([0, 0, 0, 0, 9, 1, 2]));
    expect(() => reader.finish()).toThrow(expect.objectContaining({ grpcStatus: GrpcStatus.INTERNAL }));
  });

  it('refuses to frame a message over the send limit', () => {
    expect(() => frameMessage(new Uint8Array(11), false, 10)).toThrow(expect.objectContaining({ code: 'ERR_SIZE_LIMIT', grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED }));
  });
});

describe('grpc-timeout', () => {
  it('encodes in at most 8 digits, never early, and parses every unit', () => {
    expect(encodeGrpcTimeout(250)).toBe('250m');
    expect(encodeGrpcTimeout(0.2)).toBe('1m');
    expect(encodeGrpcTimeout(100_000_000)).toBe('100000S');
    expect(encodeGrpcTimeout(1e15)).toBe('99999999H');
    expect([parseGrpcTimeout('2H'), parseGrpcTimeout('3M'), parseGrpcTimeout('4S'), parseGrpcTimeout('5m'), parseGrpcTimeout('6000u'), parseGrpcTimeout('7000000n')]).toEqual([7_200_000, 180_000, 4000, 5, 6, 7]);
    for (const bad of ['', '10', 'm', '123456789m', '1.5S', '10x', '-1m']) expect(() => parseGrpcTimeout(bad)).toThrow(expect.objectContaining({ grpcStatus: GrpcStatus.INTERNAL }));
  });
});

describe('grpc-message and metadata', () => {
  it('percent-encodes status messages and decodes them back, keeping malformed escapes', () => {
    const text = 'ünïcode 100% \n done';
    const wire = encodeGrpcMessage(text);
    expect(wire).toMatch(/^[\x20-\x7e]*$/);
    expect(wire).toContain('%25');
    expect(decodeGrpcMessage(wire)).toBe(text);
    expect(decodeGrpcMessage('50%zz off %')).toBe('50%zz off %');
  });

  it('writes text and -bin metadata and reads it back, dropping reserved headers', () => {
    const headers = writeMetadata({}, { 'x-a': 'one', 'x-b': ['two', 'three'], 'x-c-bin': new Uint8Array([0, 255]), 'x-d-bin': [new Uint8Array([1]), new Uint8Array([2])] });
    expect(headers).toEqual({ 'x-a': 'one', 'x-b': ['two', 'three'], 'x-c-bin': 'AP8=', 'x-d-bin': ['AQ==', 'Ag=='] });
    const read = readMetadata({ ...headers, ':status': '200', 'content-type': 'application/grpc', 'grpc-status': '0', 'x-e-bin': 'AQ,Ag' } as never);
    expect(read).toEqual({ 'x-a': 'one', 'x-b': ['two', 'three'], 'x-c-bin': new Uint8Array([0, 255]), 'x-d-bin': [new Uint8Array([1]), new Uint8Array([2])], 'x-e-bin': [new Uint8Array([1]), new Uint8Array([2])] });
    for (const bad of [{ 'X-Upper': 'v' }, { 'grpc-thing': 'v' }, { te: 'v' }, { 'x-t': 'tab\there' }, { 'x-n': 5 }]) {
      expect(() => writeMetadata({}, bad as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });
});
