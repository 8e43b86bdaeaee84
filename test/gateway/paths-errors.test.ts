/**
 * Bad bytes under peek, peekMany, patch and project: truncations at every offset, random
 * corruption and hostile counts and lengths all end in a HeddleError with a code (and, for
 * malformed wire data, the byte offset and the path being followed), never another exception, a
 * hang or an allocation the input cannot justify.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { HeddleError, thrift } from '../../src-ts/index.js';
import { catchError } from '../kernels/assertions.js';
import { IDL } from './fixtures.js';

const doc = thrift.parse(`${IDL}
struct Feed { 1: list<Order> orders, 2: map<string, Item> byKey, 3: list<i64> ids, 4: string tail }
`);
const feed = {
  orders: [
    { id: 1n, items: [{ title: '一', id: 1n }], names: new Map([[5n, 'five']]), note: 'note', ok: true, tags: [1, 2] },
    { id: 2n, items: [{ title: 'two 二', id: 2n, blob: Uint8Array.of(9) }], flags: [true, false] },
  ],
  byKey: new Map([['k', { title: 'item k' }]]),
  ids: [1n, -1n, 2n ** 62n],
  tail: '尾',
};
const PATHS = ['tail', 'orders.1.items.0.title', 'byKey["k"].title', 'ids.2', 'orders.0.names[5]', 'orders.1.flags.1'];

/** Runs every operation on `bytes`; each either returns or throws a HeddleError with a code. */
function everyOperation(codec: thrift.Codec, bytes: Uint8Array): HeddleError[] {
  const errors: HeddleError[] = [];
  const attempt = (run: () => unknown): void => {
    try {
      run();
    } catch (error) {
      if (!(error instanceof HeddleError)) throw error;
      expect(typeof error.code).toBe('string');
      errors.push(error);
    }
  };
  for (const path of PATHS) {
    attempt(() => codec.peek(bytes, path));
    attempt(() => codec.patch(bytes, path, codec.peek(codec.encode(feed), path), { output: 'bytes' }));
  }
  attempt(() => codec.peekMany(bytes, PATHS));
  attempt(() => codec.project(bytes, ['orders.items.title', 'ids'], { output: 'bytes' }));
  return errors;
}

describe.each(['binary', 'compact'] as const)('%s', (protocol) => {
  const codec = doc.codec('Feed', { protocol });
  const bytes = codec.encode(feed).slice();

  test('every truncation fails with an offset inside the input and the path', () => {
    for (let cut = 0; cut < bytes.length; cut++) {
      const short = bytes.subarray(0, cut);
      const e = catchError(() => codec.project(short, ['tail']));
      expect(['ERR_TRUNCATED', 'ERR_SIZE_LIMIT']).toContain(e.code); // a length running past the cut is a size error
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThanOrEqual(cut);
      // peek of the last field reads past the cut, unless only the STOP byte is missing: peek does
      // not look beyond the value it returns.
      if (cut === bytes.length - 1) {
        expect(codec.peek(short, 'tail')).toBe('尾');
        continue;
      }
      const p = catchError(() => codec.peek(short, 'tail'));
      expect(['ERR_TRUNCATED', 'ERR_SIZE_LIMIT']).toContain(p.code);
      expect(p.offset).toBeLessThanOrEqual(cut);
      expect(p.path).toBe('tail');
      for (const error of everyOperation(codec, short)) expect(error.code).toMatch(/^ERR_/);
    }
  });

  test('random corruption gives HeddleErrors only', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const bad = bytes.slice();
        for (const [at, value] of edits) bad[at] = value;
        everyOperation(codec, bad);
      }),
      { numRuns: 400, seed: 20 },
    );
  });

  test('hostile counts and lengths are refused before any allocation', () => {
    // A list<i64> (field 3) claiming 2^31-1 elements with three present.
    const hostile =
      protocol === 'binary'
        ? Uint8Array.of(15, 0, 3, 10, 0x7f, 0xff, 0xff, 0xff, ...new Uint8Array(24), 0)
        : Uint8Array.of(0x39, 0xf6, 0xff, 0xff, 0xff, 0xff, 0x07, 2, 4, 6, 0);
    const e = catchError(() => codec.peek(hostile, 'ids.2'));
    // The offset is the list header's.
    expect([e.code, e.path, e.offset]).toEqual(['ERR_SIZE_LIMIT', 'ids.2', protocol === 'binary' ? 3 : 1]);
    // Skipped on the way to a later field, the same list fails in the skipper, at its count.
    const skipped = catchError(() => codec.peek(Uint8Array.of(...hostile.subarray(0, hostile.length - 1), ...(protocol === 'binary' ? [11, 0, 4, 0, 0, 0, 0] : [0x18, 0]), 0), 'tail'));
    expect([skipped.code, skipped.path]).toEqual(['ERR_SIZE_LIMIT', 'tail']);
    // A string length beyond the input, on the way to a later field.
    const text = codec.encode({ tail: 'abc' }).slice();
    if (protocol === 'binary') text.set([0x7f, 0xff, 0xff, 0xff], 3);
    const longString = protocol === 'binary' ? text : Uint8Array.of(text[0]!, 0xff, 0xff, 0xff, 0xff, 0x07, ...text.subarray(2));
    const s = catchError(() => codec.peek(longString, 'tail'));
    expect(['ERR_SIZE_LIMIT', 'ERR_TRUNCATED']).toContain(s.code);
    expect(s.offset).toBeGreaterThanOrEqual(1);
    // Nesting beyond maxDepth in a skipped field.
    const deep = doc.codec('Deep', { protocol, maxDepth: 8 });
    let nested: object = {};
    for (let i = 0; i < 20; i++) nested = { next: nested };
    const deepBytes = doc.codec('Deep', { protocol }).encode(nested);
    expect(catchError(() => deep.project(deepBytes, ['next'])).code).toBe('ERR_DEPTH_LIMIT');
    expect(catchError(() => deep.peek(deepBytes, 'next.next')).code).toBe('ERR_DEPTH_LIMIT');
  });

  test('a field with the wrong wire type is ERR_BAD_TYPE with its offset', () => {
    const wrong = doc.codec('Raw', { protocol }).encode({ note: Uint8Array.of(1) }); // field 9 as binary
    const order = doc.codec('Order', { protocol }); // field 9 is string: same wire type, so use field 1 (i64)
    const asI64 = protocol === 'binary' ? Uint8Array.of(11, 0, 1, 0, 0, 0, 1, 65, 0) : Uint8Array.of(0x18, 1, 65, 0);
    const e = catchError(() => order.peek(asI64, 'id'));
    expect([e.code, e.offset, e.path]).toEqual(['ERR_BAD_TYPE', 0, 'id']);
    expect(order.peek(wrong, 'note')).toBe('\u0001');
  });
});
