import fc from 'fast-check';
import { expect } from 'vitest';
import type { FrameSpec } from '../../../src-ts/transport/frame-writer.js';
import { encodeFrame } from '../../../src-ts/transport/frame-writer.js';
import type { Frame, FrameKind } from '../../../src-ts/transport/frame.js';
import type { KitexProtobufEnvelopeInit } from '../../../src-ts/transport/kitex-protobuf.js';
import type { TTHeader } from '../../../src-ts/transport/ttheader.js';
import { thriftMessage, thriftMessageArb } from './thrift-values.js';

/** One encoded frame and what a reader must make of it. */
export interface FrameCase {
  bytes: Uint8Array;
  kind: FrameKind;
  message: Uint8Array;
  header?: TTHeader;
  envelope?: KitexProtobufEnvelopeInit;
  compressed?: boolean;
}

const text = fc.string({ maxLength: 16 });

export const ttheaderArb: fc.Arbitrary<TTHeader> = fc.record({
  flags: fc.integer({ min: 0, max: 0xffff }),
  seqId: fc.integer(),
  protocolId: fc.constantFrom(0, 2, 3, 4),
  transforms: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 }),
  intInfo: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 0xffff }), text), { selector: ([k]) => k, maxLength: 6 }).map((e) => new Map(e)),
  strInfo: fc.uniqueArray(fc.tuple(text, text), { selector: ([k]) => k, maxLength: 6 }).map((e) => new Map(e)),
  aclToken: fc.option(text, { nil: undefined }),
}).map((h) => {
  if (h.aclToken === undefined) delete (h as Partial<TTHeader>).aclToken;
  return h;
});

const envelopeArb: fc.Arbitrary<KitexProtobufEnvelopeInit> = fc.record({
  messageType: fc.integer({ min: 1, max: 4 }),
  method: fc.string({ minLength: 1, maxLength: 12 }),
  seqId: fc.integer(),
});
const protobufBody = fc.uint8Array({ maxLength: 300 });

/** A Kitex Protobuf message (envelope + body) as one byte array. */
function protobufMessage(envelope: KitexProtobufEnvelopeInit, body: Uint8Array): Uint8Array {
  const method = Buffer.from(envelope.method);
  const head = Buffer.alloc(12 + method.length);
  head.writeUInt16BE(0x9001, 0);
  head.writeUInt16BE(envelope.messageType, 2);
  head.writeUInt32BE(method.length, 4);
  method.copy(head, 8);
  head.writeInt32BE(envelope.seqId, 8 + method.length);
  return Buffer.concat([head, body]);
}

function caseOf(spec: FrameSpec, message: Uint8Array, extra: Partial<FrameCase>): FrameCase {
  return { bytes: encodeFrame(spec, message), kind: spec.kind as FrameKind, message, ...extra };
}

/** Frames of every kind a Kitex server's sniffing reader accepts. */
export const sniffableFrameArb: fc.Arbitrary<FrameCase> = fc.oneof(
  fc.tuple(ttheaderArb, thriftMessageArb).map(([header, message]) => caseOf({ kind: 'ttheader', header }, message, { header })),
  fc.tuple(ttheaderArb, thriftMessageArb).map(([header, message]) => caseOf({ kind: 'ttheader-framed', header }, message, { header })),
  fc.tuple(ttheaderArb, envelopeArb, protobufBody).map(([header, envelope, body]) =>
    caseOf({ kind: 'ttheader-framed', header }, protobufMessage(envelope, body), { header, envelope }),
  ),
  thriftMessageArb.map((message) => caseOf({ kind: 'framed' }, message, {})),
  fc.tuple(envelopeArb, protobufBody).map(([envelope, body]) => caseOf({ kind: 'framed' }, protobufMessage(envelope, body), { envelope })),
  thriftMessageArb.map((message) => caseOf({ kind: 'pure-payload' }, message, {})),
);

/** gRPC length-prefixed messages, empty ones included. */
export const grpcFrameArb: fc.Arbitrary<FrameCase> = fc
  .tuple(fc.uint8Array({ maxLength: 400 }), fc.boolean())
  .map(([message, compressed]) => caseOf({ kind: 'grpc', compressed }, message, { compressed }));

/** Asserts that `frame` is what `expected` describes, `offset` bytes into the stream. */
export function expectFrame(frame: Frame | undefined, expected: FrameCase, offset: number): void {
  expect(frame).toBeDefined();
  const actual = frame as Frame;
  expect(actual.kind).toBe(expected.kind);
  expect(actual.offset).toBe(offset);
  expect(actual.size).toBe(expected.bytes.length);
  expect(actual.payload.length).toBe(expected.message.length);
  const payload = Buffer.from(actual.payload.peek(actual.payload.length));
  // Buffer.equals, not toEqual: deep equality walks large payloads byte by byte, far too slowly.
  if (!payload.equals(expected.message)) expect(payload.toString('hex')).toBe(Buffer.from(expected.message).toString('hex'));
  if (expected.header !== undefined) expect(actual.kind === 'ttheader' || actual.kind === 'ttheader-framed' ? actual.header : undefined).toEqual(expected.header);
  if (expected.envelope !== undefined) {
    expect(actual.payloadProtocol).toBe('kitex-protobuf');
    expect(actual.envelope).toEqual({ ...expected.envelope, size: 12 + Buffer.byteLength(expected.envelope.method) });
  }
  if (expected.compressed !== undefined) expect(actual.kind === 'grpc' && actual.compressed).toBe(expected.compressed);
}

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(c, 0), bytes.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    if (point > start) chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

/** Frames of 10–100 KiB, whose payloads span several slabs and arrive in linked chunks. */
export const largeFrameArb: fc.Arbitrary<FrameCase> = fc
  .tuple(fc.integer({ min: 10_000, max: 100_000 }), fc.integer({ min: 0, max: 3000 }), fc.constantFrom('framed', 'ttheader', 'ttheader-framed', 'pure-payload'))
  .map(([textLength, listLength, kind]) => {
    const message = thriftMessage('bulk', 1, { t: 'struct', fields: [{ id: 1, shape: { t: 'string' } }, { id: 2, shape: { t: 'list', elem: { t: 'i64' } } }] }, [
      'x'.repeat(textLength),
      Array.from({ length: listLength }, (_, i) => i),
    ]);
    const header = { flags: 0, seqId: 1, protocolId: 0, transforms: [], intInfo: new Map<number, string>(), strInfo: new Map([['k', 'v']]) };
    const spec: FrameSpec = kind === 'ttheader' || kind === 'ttheader-framed' ? { kind, header } : { kind: kind as 'framed' | 'pure-payload' };
    return caseOf(spec, message, kind === 'ttheader' || kind === 'ttheader-framed' ? { header } : {});
  });
