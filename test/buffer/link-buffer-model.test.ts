import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkBuffer, LINK_THRESHOLD } from '../../src-ts/buffer/link-buffer.js';
import { LinkCursor } from '../../src-ts/buffer/link-cursor.js';
import { SlabPool } from '../../src-ts/buffer/slab-pool.js';

// Every operation runs on a LinkBuffer and on a plain byte-array model of it; after each step the
// readable bytes, lengths and returned values must agree.

type Op =
  | { op: 'writeBinary'; size: number; seed: number }
  | { op: 'writeString'; text: string }
  | { op: 'malloc'; size: number; keep: number; seed: number }
  | { op: 'writeDirect'; before: number; blob: number; after: number; seed: number }
  | { op: 'appendOther'; size: number; seed: number }
  | { op: 'flush' }
  | { op: 'next' | 'peek' | 'skip' | 'readString' | 'readBinary' | 'slice'; size: number }
  | { op: 'readByte' | 'readUint32' | 'release' }
  | { op: 'cursor'; at: number };

function fill(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (seed + i * 7) & 0xff;
  return out;
}

const size = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 40 }), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 20_000 }), weight: 1 },
  { arbitrary: fc.constant(LINK_THRESHOLD), weight: 1 },
);
// Reads clamp their size to what is readable, so a huge size means "everything": the case where
// slabs become fully read and release() can recycle or rewind them.
const readSize = fc.oneof({ arbitrary: size, weight: 3 }, { arbitrary: fc.constant(1e9), weight: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('writeBinary' as const), size, seed: fc.nat(255) }),
  fc.record({ op: fc.constant('writeString' as const), text: fc.string({ unit: 'binary', maxLength: 200 }) }),
  fc.record({ op: fc.constant('malloc' as const), size, keep: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x), seed: fc.nat(255) }).map(
    (r) => ({ op: 'malloc' as const, size: r.size, keep: Math.floor(r.size * r.keep), seed: r.seed }),
  ),
  fc.record({ op: fc.constant('writeDirect' as const), before: fc.nat(30), blob: size, after: fc.nat(30), seed: fc.nat(255) }),
  fc.record({ op: fc.constant('appendOther' as const), size, seed: fc.nat(255) }),
  fc.constant({ op: 'flush' as const }),
  fc.constant({ op: 'flush' as const }),
  fc.record({ op: fc.constantFrom('next' as const, 'peek' as const, 'skip' as const, 'readString' as const, 'readBinary' as const, 'slice' as const), size: readSize }),
  fc.constantFrom({ op: 'readByte' as const }, { op: 'readUint32' as const }, { op: 'release' as const }),
  fc.record({ op: fc.constant('cursor' as const), at: fc.nat(30_000) }),
);

function run(ops: Op[]): void {
  const pool = new SlabPool({ poison: true, maxRetainedBytes: 1 << 20 });
  const buffer = new LinkBuffer({ pool });
  let readable: number[] = [];
  let pending: number[] = [];
  const slices: Array<{ slice: LinkBuffer; expected: number[] }> = [];
  // Views handed out since the last release must keep their contents until that release.
  let views: Array<{ view: Uint8Array; expected: number[] }> = [];

  for (const step of ops) {
    switch (step.op) {
      case 'writeBinary': {
        const data = fill(step.size, step.seed);
        buffer.writeBinary(data);
        pending.push(...data);
        break;
      }
      case 'writeString': {
        const n = buffer.writeString(step.text);
        const encoded = Buffer.from(step.text);
        expect(n).toBe(encoded.length);
        pending.push(...encoded);
        break;
      }
      case 'malloc': {
        const region = buffer.malloc(step.size);
        region.set(fill(step.size, step.seed));
        const keepTotal = buffer.mallocLen - step.size + step.keep;
        buffer.mallocAck(keepTotal);
        pending.push(...fill(step.keep, step.seed));
        break;
      }
      case 'writeDirect': {
        const region = buffer.malloc(step.before + step.after);
        region.set(fill(step.before + step.after, step.seed));
        const blob = fill(step.blob, step.seed + 1);
        buffer.writeDirect(blob, step.after);
        const around = fill(step.before + step.after, step.seed);
        pending.push(...around.subarray(0, step.before), ...blob, ...around.subarray(step.before));
        break;
      }
      case 'appendOther': {
        const other = new LinkBuffer({ pool });
        other.writeBinary(fill(step.size, step.seed));
        buffer.append(other);
        expect(other.length).toBe(0);
        pending.push(...fill(step.size, step.seed));
        break;
      }
      case 'flush':
        buffer.flush();
        readable = readable.concat(pending);
        pending = [];
        break;
      case 'release':
        for (const { view, expected } of views) expect([...view]).toEqual(expected);
        buffer.release();
        views = [];
        break;
      case 'readByte':
        if (readable.length < 1) break;
        expect(buffer.readByte()).toBe(readable.shift());
        break;
      case 'readUint32':
        if (readable.length < 4) break;
        expect(buffer.readUint32()).toBe(Buffer.from(readable.splice(0, 4)).readUInt32BE(0));
        break;
      case 'cursor': {
        if (readable.length === 0) break;
        const at = step.at % readable.length;
        const cursor = new LinkCursor(buffer, at);
        expect(cursor.u8At(0)).toBe(readable[at]);
        if (readable.length - at >= 4) expect(cursor.u32At(0)).toBe(Buffer.from(readable.slice(at, at + 4)).readUInt32BE(0));
        expect([...cursor.bytesAt(0, readable.length - at)]).toEqual(readable.slice(at));
        break;
      }
      default: {
        const n = Math.min(step.size, readable.length);
        const expected = step.op === 'peek' ? readable.slice(0, n) : readable.splice(0, n);
        if (step.op === 'next' || step.op === 'peek') {
          const view = step.op === 'next' ? buffer.next(n) : buffer.peek(n);
          expect([...view]).toEqual(expected);
          views.push({ view, expected });
        } else if (step.op === 'skip') {
          buffer.skip(n);
        } else if (step.op === 'readString') {
          expect(buffer.readString(n)).toBe(Buffer.from(expected).toString('utf8'));
        } else if (step.op === 'readBinary') {
          expect([...buffer.readBinary(n)]).toEqual(expected);
        } else {
          slices.push({ slice: buffer.slice(n), expected });
        }
      }
    }
    expect(buffer.length).toBe(readable.length);
    expect(buffer.mallocLen).toBe(pending.length);
  }

  buffer.flush();
  readable = readable.concat(pending);
  expect([...buffer.next(buffer.length)]).toEqual(readable);
  buffer.close();
  // Slices outlive the buffer they came from, even after its slabs were recycled and poisoned.
  for (const { slice, expected } of slices) {
    expect([...slice.next(slice.length)]).toEqual(expected);
    slice.close();
  }
}

describe('LinkBuffer against a byte-array model', () => {
  it('agrees on every random sequence of reads and writes', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40, size: 'max' }), run), { numRuns: 300 });
  });
});
