import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkBuffer } from '../../src-ts/buffer/link-buffer.js';
import { kitexProtobufFormat } from '../../src-ts/rpc/kitex-protobuf-format.js';
import { protobufBinding } from '../../src-ts/rpc/protobuf-binding.js';
import { frameChunks, TTHeaderTemplate } from '../../src-ts/rpc/wire.js';
import { FrameReader, writeKitexProtobufEnvelope, type TTHeaderInit } from '../../src-ts/transport/index.js';
import { echoRoot, type EchoMessage } from './protobuf-echo-fixture.js';

const binding = protobufBinding(echoRoot, 'echo.v1.Echo');
const echo = binding.method('Echo');

const messageArb = fc.record({
  action: fc.string({ maxLength: 8 }),
  msg: fc.string({ unit: 'grapheme', maxLength: 300 }),
  id: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  tags: fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }),
});

function joined(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

/** The message as the envelope writer and the codec make it separately. */
function expectedMessage(type: number, seqId: number, value: EchoMessage, codec: { encode(value: unknown): Uint8Array }): Buffer {
  const out = new LinkBuffer();
  writeKitexProtobufEnvelope(out, { messageType: type, method: 'Echo', seqId: seqId >>> 0 });
  out.flush();
  return Buffer.concat([out.readBinary(out.length), codec.encode(value)]);
}

describe('Kitex Protobuf messages', () => {
  it('writes a call and a reply as one part: the envelope, then the body the codec encodes', () => {
    fc.assert(
      fc.property(messageArb, fc.integer({ min: -0x80000000, max: 0x7fffffff }), (value, seqId) => {
        const call = kitexProtobufFormat.encodeCall(echo, value, seqId);
        const reply = kitexProtobufFormat.encodeReply(echo, value, seqId);
        expect(call).toHaveLength(1);
        expect(reply).toHaveLength(1);
        expect(joined(call)).toEqual(expectedMessage(1, seqId, value, echo.request));
        expect(joined(reply)).toEqual(expectedMessage(2, seqId, value, echo.response));
        // And reads back.
        const message = new Uint8Array(joined(call));
        const envelope = kitexProtobufFormat.envelope({ kind: 'framed', offset: 0, size: message.length, payload: LinkBuffer.from(message), payloadProtocol: 'kitex-protobuf' }, message);
        expect([envelope.name, envelope.type, envelope.seqId]).toEqual(['Echo', 1, seqId]);
        expect(kitexProtobufFormat.decodeCall(echo, message, envelope)).toEqual(value);
      }),
      { numRuns: 200 },
    );
  });

  it('frames TTHeaderFramed from a header template as from the header it was made of', () => {
    const init: TTHeaderInit = { protocolId: 4, intInfo: new Map([[0, '2']]), strInfo: new Map([['k', 'v']]) };
    const template = new TTHeaderTemplate(init);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 3 }), fc.integer({ min: -0x80000000, max: 0x7fffffff }), (bodyParts, seqId) => {
        // A Kitex Protobuf message (its envelope, then body bytes in pieces), so the reader sees TTHeaderFramed.
        const parts = [...kitexProtobufFormat.encodeEmptyReply(echo, seqId), ...bodyParts];
        const fromTemplate = frameChunks('ttheader-framed', parts, template, 1 << 24, seqId);
        const fromInit = joined(frameChunks('ttheader-framed', parts, init, 1 << 24, seqId));
        expect(joined(fromTemplate)).toEqual(fromInit);
        // The header chunk carries the inner length: no 4-byte chunk of its own.
        expect(fromTemplate).toHaveLength(1 + parts.length);
        const frames = new FrameReader({ kind: 'auto', maxFrameSize: 1 << 24 }).push(new Uint8Array(fromInit));
        expect(frames).toHaveLength(1);
        expect(frames[0]!.kind).toBe('ttheader-framed');
        expect(Buffer.from(frames[0]!.payload.next(frames[0]!.payload.length))).toEqual(joined(parts));
      }),
      { numRuns: 200 },
    );
  });
});
