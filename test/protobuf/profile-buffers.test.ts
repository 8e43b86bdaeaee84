// The protobufjs profile returns Buffers viewing shared 64 KiB slabs (byte-pool.ts copyToBuffer):
// every result must stay intact however many follow, through slab turnover and messages larger
// than a slab, and an Any's contents encoded while the enclosing message is being written.
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
