import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protobuf, thrift } from '../../src-ts/index.js';

const proto = protobuf.parse(`
  syntax = "proto3";
  package t;
  message Blob { bytes data = 1; repeated bytes parts = 2; map<string, bytes> named = 3; string note = 4; }
`);
const idl = thrift.parse(`
  struct Blob { 1: binary data, 2: list<binary> parts, 3: map<string, binary> named, 4: string note }
`);

const codecs = {
  'Protobuf bytes': (bytes: 'view' | 'copy') => proto.codec('t.Blob', { bytes }),
  'Thrift binary': (bytes: 'view' | 'copy') => idl.codec('Blob', { bytes, map: 'object' }),
};

describe("bytes: 'view' and 'copy'", () => {
  for (const [name, make] of Object.entries(codecs)) {
    describe(name, () => {
      const value = { data: Uint8Array.of(1, 2, 3), parts: [Uint8Array.of(4), Uint8Array.of(5, 6)], named: { a: Uint8Array.of(7, 8) }, note: 'n' };

      it('view: values share the input bytes, so changing the input changes them (keep the input unchanged while you use them)', () => {
        const input = Uint8Array.from(make('copy').encode(value));
        const decoded = make('view').decode(input) as typeof value;
        expect(decoded).toEqual(value);
        for (const bytes of [decoded.data, ...decoded.parts, decoded.named.a]) {
          expect(bytes.buffer).toBe(input.buffer);
          expect(bytes.constructor).toBe(Uint8Array);
        }
        input.fill(0xee);
        expect([...decoded.data]).toEqual([0xee, 0xee, 0xee]);
        expect([...decoded.named.a]).toEqual([0xee, 0xee]);
      });

      it('copy: values own their bytes, so the input may be reused at once', () => {
        const input = Uint8Array.from(make('copy').encode(value));
        const decoded = make('copy').decode(input) as typeof value;
        input.fill(0xee);
        expect(decoded).toEqual(value);
        for (const bytes of [decoded.data, ...decoded.parts, decoded.named.a]) expect(bytes.buffer).not.toBe(input.buffer);
      });

      it('view and copy decode every value alike', () => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 4 }), fc.nat(9), (data, parts, offset) => {
            const wire = make('copy').encode({ data, parts, named: { k: data }, note: '' });
            // At an offset inside a bigger buffer, as a frame inside a network read.
            const framed = new Uint8Array(offset + wire.length + 3);
            framed.set(wire, offset);
            const input = framed.subarray(offset, offset + wire.length);
            expect(make('view').decode(input)).toEqual(make('copy').decode(input));
          }),
          { numRuns: 300 },
        );
      });

      it('refuses other values with ERR_INVALID_ARGUMENT', () => {
        expect(() => make('shared' as 'view')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
      });
    });
  }

  it('defaults: Protobuf copies, Thrift gives views', () => {
    const protoInput = Uint8Array.from(proto.codec('t.Blob').encode({ data: Uint8Array.of(9) }));
    expect((proto.codec('t.Blob').decode(protoInput) as { data: Uint8Array }).data.buffer).not.toBe(protoInput.buffer);
    const thriftInput = Uint8Array.from(idl.codec('Blob').encode({ data: Uint8Array.of(9) }));
    expect((idl.codec('Blob').decode(thriftInput) as { data: Uint8Array }).data.buffer).toBe(thriftInput.buffer);
  });

  it("Thrift 'copy' with binary: 'Buffer' gives Buffers of their own", () => {
    const input = Uint8Array.from(idl.codec('Blob').encode({ data: Uint8Array.of(1, 2) }));
    const decoded = idl.codec('Blob', { bytes: 'copy', binary: 'Buffer' }).decode(input) as { data: Buffer };
    expect(Buffer.isBuffer(decoded.data)).toBe(true);
    input.fill(0);
    expect([...decoded.data]).toEqual([1, 2]);
  });
});
