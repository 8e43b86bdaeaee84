import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { HeddleError } from '../../src-ts/errors.js';
import { peekKitexProtobufEnvelope, writeKitexProtobufEnvelope } from '../../src-ts/transport/kitex-protobuf.js';

/** The envelope as the wire layout says, read with a DataView and Node's UTF-8 decoding (invalid bytes as U+FFFD). */
function referenceEnvelope(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const nameLength = view.getUint32(4);
  return {
    messageType: view.getUint16(2),
    method: Buffer.from(bytes.subarray(8, 8 + nameLength)).toString('utf8'),
    seqId: view.getInt32(8 + nameLength),
    size: 12 + nameLength,
  };
}

function envelopeBytes(type: number, name: Uint8Array, seqId: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + name.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0x9001);
  view.setUint16(2, type);
  view.setUint32(4, name.length);
  out.set(name, 8);
  view.setInt32(8 + name.length, seqId);
  out.set(body, 12 + name.length);
  return out;
}

/** `bytes` in a LinkBuffer of one node per piece, cut at `cuts`, so reads cross node boundaries. */
function linked(bytes: Uint8Array, cuts: number[]): LinkBuffer {
  const out = new LinkBuffer();
  let at = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b).concat(bytes.length)) {
    if (cut > at) out.append(LinkBuffer.from(bytes.slice(at, cut)));
    at = Math.max(at, cut);
  }
  out.flush();
  return out;
}

/** Method names: ASCII and not, around the 32-byte string cache's limit, and arbitrary bytes (invalid UTF-8 anywhere). */
const nameArb = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8'))),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8'))),
  fc.uint8Array({ maxLength: 40 }),
);

describe('Kitex Protobuf envelope', () => {
  it('reads type, method, seqId and size as the layout says, whole or split across nodes', () => {
    fc.assert(
      fc.property(nameArb, fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.uint8Array({ maxLength: 16 }), fc.array(fc.nat(), { maxLength: 4 }), (name, type, seqId, body, cuts) => {
        const bytes = envelopeBytes(type, name, seqId, body);
        const expected = referenceEnvelope(bytes);
        expect(peekKitexProtobufEnvelope(LinkBuffer.from(bytes))).toEqual(expected);
        const split = linked(bytes, cuts);
        expect(peekKitexProtobufEnvelope(split)).toEqual(expected);
        // Peeking consumes nothing.
        expect(split.length).toBe(bytes.length);
      }),
      { numRuns: 500 },
    );
  });

  it('replaces each invalid byte of a method name as Node does, at every position of a short name', () => {
    const name = Buffer.from('EchoMethod', 'utf8');
    for (let at = 0; at < name.length; at++) {
      for (const bad of [0x80, 0xc0, 0xed, 0xff]) {
        const bytes = new Uint8Array(name);
        bytes[at] = bad;
        const envelope = envelopeBytes(1, bytes, 7, new Uint8Array(0));
        const method = peekKitexProtobufEnvelope(LinkBuffer.from(envelope)).method;
        expect(method).toBe(Buffer.from(bytes).toString('utf8'));
        expect(method).toContain('\uFFFD');
      }
    }
  });

  it('reads back what writeKitexProtobufEnvelope wrote', () => {
    const out = new LinkBuffer();
    writeKitexProtobufEnvelope(out, { messageType: 3, method: 'Échange', seqId: 0xfffffffe });
    out.flush();
    expect(peekKitexProtobufEnvelope(out)).toEqual({ messageType: 3, method: 'Échange', seqId: -2, size: 12 + Buffer.byteLength('Échange') });
  });

  it('rejects short messages, a wrong magic and a method name past the end with ERR_BAD_FRAME at its offset', () => {
    const fail = (bytes: Uint8Array) => {
      try {
        peekKitexProtobufEnvelope(LinkBuffer.from(bytes), 100);
      } catch (error) {
        return error as HeddleError;
      }
      throw new Error('expected a failure');
    };
    const short = fail(envelopeBytes(1, new Uint8Array(0), 1, new Uint8Array(0)).subarray(0, 11));
    expect([short.code, short.offset]).toEqual(['ERR_BAD_FRAME', 100]);
    const magic = envelopeBytes(1, new Uint8Array(4), 1, new Uint8Array(0));
    magic[1] = 0x02;
    expect([fail(magic).code, fail(magic).offset, fail(magic).message]).toEqual(['ERR_BAD_FRAME', 100, expect.stringContaining('0x9002')]);
    const long = envelopeBytes(1, new Uint8Array(4), 1, new Uint8Array(0));
    long[7] = 5;
    expect([fail(long).code, fail(long).offset]).toEqual(['ERR_BAD_FRAME', 104]);
    expect(fail(long)).toBeInstanceOf(HeddleError);
  });
});
