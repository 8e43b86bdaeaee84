// The protobufjs profile returns Buffers viewing shared 64 KiB slabs (byte-pool.ts; encoders write
// into them in place, wire-write.ts encodeToPool): every result must stay intact however many follow,
// through slab turnover and messages larger than a slab, and an Any's contents encoded while the
// enclosing message is being written. Under `longs: string`, 64-bit values decode to exact decimal text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protobuf } from './helpers/heddle.js';

const root = protobuf.parse(`
  syntax = "proto3";
  package t;
  import "google/protobuf/any.proto";
  message Row { int64 id = 1; string text = 2; bytes blob = 3; google.protobuf.Any extra = 4; }
`, { filename: 'row.proto' });
const profile = root.codec('t.Row', { protobufjs: { longs: 'string', json: true } });
const strict = root.codec('t.Row', { protobufjs: { longs: 'string', strict: true } });

function row(n: number, textLength: number) {
  return { id: String(n * 1000003), text: `行${n} `.repeat(Math.ceil(textLength / 4)).slice(0, textLength), blob: Buffer.alloc(n % 50, n) };
}

describe('protobufjs profile encode', () => {
  it('returns Buffers that keep their bytes while thousands more are encoded, across slab turnover and large messages', () => {
    const sizes = [0, 3, 40, 200, 5000, 70_000, 10, 20, 20, 20];
    const kept: Array<[Buffer, Buffer]> = [];
    for (let n = 0; n < 1500; n++) {
      const value = row(n, sizes[n % sizes.length]!);
      const bytes = profile.encode(value) as Buffer;
      expect(Buffer.isBuffer(bytes)).toBe(true);
      expect(profile.decode(bytes)).toMatchObject({ id: value.id, text: value.text });
      kept.push([bytes, Buffer.from(bytes)]);
    }
    // Compared only after all are written, so a slab reused too early would show.
    kept.forEach(([bytes, expected], n) => expect(Buffer.compare(bytes, Buffer.from(expected)), `message ${n}`).toBe(0));
  });

  it('encodes an Any given as its message with @type while the enclosing message is being written', () => {
    const inner = { '@type': 'type.googleapis.com/t.Row', id: '5', text: 'inner' };
    const first = profile.encode({ id: '1', text: 'outer', extra: inner }) as Buffer;
    const second = profile.encode({ id: '2', text: 'after' }) as Buffer;
    const decoded = profile.decode(first) as { id: string; text: string; extra: { id: string; text: string; '@type': string } };
    expect(decoded.id).toBe('1');
    expect(decoded.text).toBe('outer');
    expect(decoded.extra).toMatchObject({ '@type': 'type.googleapis.com/t.Row', id: '5', text: 'inner' });
    expect((profile.decode(second) as { text: string }).text).toBe('after');
  });

  it('leaves nothing half-written behind a failed encode', () => {
    const before = strict.encode({ id: '1', text: 'kept' }) as Buffer;
    const copy = Buffer.from(before);
    expect(() => strict.encode({ id: '2', text: 'y'.repeat(100), blob: 7 as never })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE' }));
    const after = strict.encode({ id: '3', text: 'ok' });
    expect((strict.decode(after) as { text: string }).text).toBe('ok');
    expect(before.equals(copy)).toBe(true);
  });
});

describe('protobufjs profile longs: string', () => {
  const longs = protobuf.parse(`
    syntax = "proto3";
    package t;
    message Wide { int64 i = 1; uint64 u = 2; sint64 s = 3; fixed64 f = 4; sfixed64 sf = 5; repeated int64 list = 6; }
  `, { filename: 'wide.proto' }).codec('t.Wide', { protobufjs: { longs: 'string', defaults: true } });
  const signed = fc.oneof(
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    // Where the decimal writer changes method: 2^31, 10^8, 2^53 and their negatives.
    fc.constantFrom(0n, -1n, 2n ** 31n - 1n, 2n ** 31n, -(2n ** 31n), 99_999_999n, 100_000_000n, -100_000_000n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n - 1n), -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)),
    fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }).map(BigInt),
  );

  it('decodes every 64-bit kind to BigInt\'s decimal text', () => {
    fc.assert(fc.property(signed, fc.array(signed, { maxLength: 8 }), (value, list) => {
      const unsigned = BigInt.asUintN(64, value);
      const wire = { i: value, u: unsigned, s: value, f: unsigned, sf: value, list };
      const bytes = longs.encode(wire as never);
      expect(longs.decode(bytes)).toEqual({ i: String(value), u: String(unsigned), s: String(value), f: String(unsigned), sf: String(value), list: list.map(String) });
    }), { numRuns: 2000 });
  });
});
