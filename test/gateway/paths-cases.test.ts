/**
 * Field paths on the gateway fixture IDL: the path syntax (names, JSON names, indexes, quoted and
 * integer map keys), compile errors naming the segment, values typed by the codec's options,
 * and patch output that links the input instead of copying it.
 */
import { describe, expect, test } from 'vitest';
import { LinkBuffer, thrift } from '../../src-ts/index.js';
import { catchError } from '../kernels/assertions.js';
import { IDL } from './fixtures.js';

const doc = thrift.parse(`${IDL}
struct Page {
  1: string title
  2: map<string, string> attrs
  3: list<i64> ids
  4: list<Order> orders
  5: binary cover
  6: map<i32, Item> byRank
  7: optional bool hot
}
`);

const longText = '长文本 long text '.repeat(40);
const page = {
  title: '首页 home',
  attrs: new Map([
    ['zh', '中文'],
    ['en', 'English'],
    ['a.b[c]"', 'odd key'],
  ]),
  ids: [1n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n],
  orders: [
    { id: 7n, items: [{ title: longText, id: 1n }, { title: '第二', id: 2n, blob: Uint8Array.of(1, 2, 3) }], note: 'n', ok: true },
  ],
  cover: new Uint8Array(300).fill(7),
  byRank: new Map([
    [-3, { title: 'minus three' }],
    [10, { title: 'ten' }],
  ]),
  hot: false,
};

describe.each(['binary', 'compact'] as const)('%s', (protocol) => {
  const codec = doc.codec('Page', { protocol });
  const bytes = codec.encode(page).slice();

  test('peek follows names, JSON names, indexes and keys', () => {
    expect(codec.peek(bytes, 'title')).toBe('首页 home');
    expect(codec.peek(bytes, 'orders.0.items.0.title')).toBe(longText);
    expect(codec.peek(bytes, 'orders[0].items[1].title')).toBe('第二');
    expect(codec.peek(bytes, 'orders.0.items.1.blob')).toEqual(Uint8Array.of(1, 2, 3));
    expect(codec.peek(bytes, 'orders.0.memo')).toBe('n'); // `note` by its go.tag JSON name
    expect(codec.peek(bytes, 'orders.0.ok')).toBe(true);
    expect(codec.peek(bytes, 'hot')).toBe(false);
    expect(codec.peek(bytes, 'attrs["zh"]')).toBe('中文');
    expect(codec.peek(bytes, "attrs['en']")).toBe('English');
    expect(codec.peek(bytes, 'attrs.zh')).toBe('中文');
    expect(codec.peek(bytes, 'attrs["a.b[c]\\""]')).toBe('odd key');
    expect(codec.peek(bytes, 'ids.1')).toBe(2n ** 53n + 1n);
    expect(codec.peek(bytes, 'ids[2]')).toBe(-(2n ** 63n));
    expect(codec.peek(bytes, 'byRank[-3].title')).toBe('minus three');
    expect(codec.peek(bytes, 'byRank.10')).toEqual({ title: 'ten' });
    expect(codec.peek(bytes, 'orders.0.items.0')).toEqual({ title: longText, id: 1n });
    // Absent: a field not on the wire, an index past the end, a missing key.
    expect(codec.peek(bytes, 'orders.0.price')).toBeUndefined();
    expect(codec.peek(bytes, 'ids.4')).toBeUndefined();
    expect(codec.peek(bytes, 'attrs["fr"]')).toBeUndefined();
    expect(codec.peek(bytes, 'byRank[11]')).toBeUndefined();
    // IDL defaults are decode's business: peek reads the wire only.
    expect(codec.peek(bytes, 'orders.0.withDefault')).toBeUndefined();
  });

  test('binary values are views of the input, as decode gives them', () => {
    const cover = codec.peek(bytes, 'cover') as Uint8Array;
    expect(cover.buffer).toBe(bytes.buffer);
    expect(cover).toEqual(page.cover);
    const copied = doc.codec('Page', { protocol, bytes: 'copy', binary: 'Buffer' }).peek(bytes, 'cover') as Buffer;
    expect(Buffer.isBuffer(copied)).toBe(true);
    expect(copied.buffer).not.toBe(bytes.buffer);
  });

  test('values follow the codec options', () => {
    const asString = doc.codec('Page', { protocol, i64: 'string', map: 'object' });
    expect(asString.peek(bytes, 'ids.3')).toBe('9223372036854775807');
    expect(asString.peek(bytes, 'attrs')).toEqual({ zh: '中文', en: 'English', 'a.b[c]"': 'odd key' });
    expect(asString.peek(bytes, 'ids')).toEqual(page.ids.map(String));
    const typed = doc.codec('Page', { protocol, typedArrays: true });
    expect(typed.peek(bytes, 'ids')).toEqual(BigInt64Array.from(page.ids));
  });

  test('i64 map keys in paths work whatever form the codec gives i64s', () => {
    const names = new Map([[5n, 'five'], [2n ** 62n, 'big']]);
    const order = doc.codec('Order', { protocol }).encode({ id: 1n, names });
    for (const i64 of ['bigint', 'string', 'node-int64'] as const) {
      const codec = doc.codec('Order', { protocol, i64 });
      expect([codec.peek(order, 'names[5]'), codec.peek(order, `names[${2n ** 62n}]`), codec.peek(order, 'names[6]')]).toEqual(['five', 'big', undefined]);
      const inserted = codec.patch(order, 'names[7]', 'seven', { output: 'bytes' });
      expect(doc.codec('Order', { protocol }).decode(inserted).names).toEqual(new Map([...names, [7n, 'seven']]));
    }
    // A key the 'number' form cannot hold is refused when the path is compiled.
    expect(catchError(() => doc.codec('Order', { protocol, i64: 'number' }).path(`names[${2n ** 62n}]`)).code).toBe('ERR_BAD_VALUE');
    expect(doc.codec('Order', { protocol, i64: 'number' }).peek(order, 'names[5]')).toBe('five');
  });

  test('peekMany equals peek path by path', () => {
    const paths = ['orders.0.items.1.title', 'title', 'ids.3', 'hot', 'attrs["en"]', 'cover', 'orders.0.price'];
    expect(codec.peekMany(bytes, paths)).toEqual(paths.map((p) => codec.peek(bytes, p)));
    expect(codec.peekMany(bytes, paths.map((p) => codec.path(p)))).toEqual(paths.map((p) => codec.peek(bytes, p)));
  });

  test('patch links the untouched input and encodes only the new value', () => {
    const out = codec.patch(bytes, 'orders.0.items.1.title', '新标题');
    expect(out).toBeInstanceOf(LinkBuffer);
    const views = out.readableViews(out.length);
    // The long text before and the cover after are linked views of the input, not copies.
    expect(views.filter((v) => v.buffer === bytes.buffer).length).toBeGreaterThanOrEqual(2);
    const expected = codec.encode({ ...page, orders: [{ ...page.orders[0], items: [page.orders[0]!.items[0], { ...page.orders[0]!.items[1], title: '新标题' }] }] });
    expect(Buffer.from(out.next(out.length))).toEqual(Buffer.from(expected));
  });

  test('patch inserts absent fields and map entries, and flips bools', () => {
    const check = (path: string, value: unknown, modified: object): void => {
      expect(Buffer.from(codec.patch(bytes, path, value, { output: 'bytes' }))).toEqual(Buffer.from(codec.encode(modified)));
    };
    check('attrs["fr"]', 'Français', { ...page, attrs: new Map([...page.attrs, ['fr', 'Français']]) });
    check('hot', true, { ...page, hot: true });
    check('orders.0.price', 9.5, { ...page, orders: [{ ...page.orders[0], price: 9.5 }] });
    check('byRank[99].title', 'new', { ...page, byRank: new Map([...page.byRank, [99, { title: 'new' }]]) });
    const { title: _dropped, ...untitled } = page;
    check('title', undefined, untitled);
  });

  test('project keeps the mask and the required fields', () => {
    const out = codec.project(bytes, ['title', 'orders.items.id', 'byRank.*.title'], { output: 'bytes' });
    expect(codec.decode(out)).toEqual({
      title: page.title,
      orders: [{ items: [{ title: longText, id: 1n }, { title: '第二', id: 2n }], withDefault: 42, label: 'none', opt: 5 }], // IDL defaults filled in by decode
      byRank: page.byRank,
    });
  });

  test('compile errors name the segment', () => {
    const cases: Array<[string, string]> = [
      ['orders.0.nope', 'orders.0.nope'],
      ['title.x', 'title.x'],
      ['ids.x', 'ids.x'],
      ['byRank["a"]', 'byRank["a"]'],
      ['byRank[3000000000]', 'byRank[3000000000]'],
      ['nope', 'nope'],
    ];
    for (const [spec, path] of cases) {
      const e = catchError(() => codec.path(spec));
      expect([e.code, e.path]).toEqual(['ERR_INVALID_ARGUMENT', path]);
    }
    for (const spec of ['', 'a..b', '.a', 'a.', 'a[', 'a["x]', 'a[x]']) expect(catchError(() => codec.path(spec)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(catchError(() => codec.project(bytes, ['orders.*'])).code).toBe('ERR_INVALID_ARGUMENT');
    expect(catchError(() => codec.peek(bytes, doc.codec('Order', { protocol }).path('id'))).code).toBe('ERR_INVALID_ARGUMENT');
  });

  test('patch refuses what encode refuses', () => {
    expect(catchError(() => codec.patch(bytes, 'title', 5)).code).toBe('ERR_BAD_VALUE');
    expect(catchError(() => codec.patch(bytes, 'orders.0.items.0.title', undefined)).code).toBe('ERR_REQUIRED_FIELD');
    expect(catchError(() => codec.patch(bytes, 'orders.3.id', 1n)).code).toBe('ERR_INVALID_ARGUMENT');
    // null (what a JSON body carries for "no value") would encode to nothing after the kept header.
    for (const path of ['title', 'orders.0.items.0.title', 'orders.0.id']) expect([catchError(() => codec.patch(bytes, path, null)).code, catchError(() => codec.patch(bytes, path, null)).path]).toEqual(['ERR_BAD_VALUE', path]);
  });
});

describe.each(['binary', 'compact'] as const)('%s i64 values read in place', (protocol) => {
  // peek reads an i64 with the decoders' own readers (no wrapper struct): the same value as decode
  // in every i64 form, and for a value the 'number' form cannot hold, decode's error and offset.
  const ids = thrift.parse('struct Ids { 1: string s  2: i64 a  3: list<i64> b  4: map<string, i64> c }');
  const edges = [0n, -1n, 1n, 2n ** 53n - 1n, -(2n ** 53n) + 1n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n];
  test.each(['bigint', 'number', 'string', 'node-int64'] as const)('i64 %s', (i64) => {
    const codec = ids.codec('Ids', { protocol, i64 });
    const writer = ids.codec('Ids', { protocol });
    for (const a of edges) {
      const bytes = writer.encode({ s: 'before', a, b: [7n, a], c: new Map([['k', a]]) }).slice();
      const decoded = (() => {
        try {
          return { value: codec.decode(bytes) as { a: unknown; b: unknown[]; c: unknown } };
        } catch (error) {
          return { error: error as { code: string; offset?: number } };
        }
      })();
      const paths = ['a', 'b[1]', 'c["k"]'];
      if (decoded.value !== undefined) {
        const { a: da, b: db, c: dc } = decoded.value;
        const expected = [da, db[1], dc instanceof Map ? dc.get('k') : (dc as Record<string, unknown>).k];
        expect(paths.map((p) => String(codec.peek(bytes, p)))).toEqual(expected.map(String));
        expect(codec.peekMany(bytes, paths).map(String)).toEqual(expected.map(String));
      } else {
        // Only the 'number' form refuses, at the value of `a` (the string before it moves the offset).
        expect(i64).toBe('number');
        const error = catchError(() => codec.peek(bytes, 'a'));
        expect([error.code, error.offset]).toEqual([decoded.error.code, decoded.error.offset]);
      }
    }
  });
});
