// Field paths on Protobuf bytes, case by case: the documented example, merge rules (last wins,
// oneofs, packed and unpacked runs), unknown fields kept by patch and project, map key forms and
// order, protobufjs reading patched bytes, and every error with its code and location.
import protobufjs from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { HeddleError, protobuf } from '../protobuf/helpers/heddle.js';

const SHOP = `
  syntax = "proto3";
  package shop.v1;
  message Item { int64 sku_id = 1; string title = 2; bytes thumb = 3; }
  message Order {
    uint64 order_id = 1;
    repeated Item items = 2;
    map<int64, string> notes = 3;
    repeated int64 ids = 4;
    Item main = 5;
    oneof pay { string card = 6; int32 cash = 7; }
    map<string, Item> by_name = 8;
    repeated sint32 deltas = 9;
  }
  message Node { Node next = 1; int32 value = 2; }
`;
const root = protobuf.parse(SHOP, { filename: 'shop.proto' });
const codec = root.codec('shop.v1.Order');
const value = {
  orderId: 18446744073709551615n,
  items: [{ skuId: 1n, title: '茶 tea' }, { skuId: 9007199254740993n, title: '咖啡 coffee', thumb: Uint8Array.of(1, 2) }],
  notes: { 7: 'gift', 1000000000000: '大' },
  ids: [1n, -2n, 9007199254740993n],
  main: { title: '主' },
  cash: 3,
  byName: { zh: { title: '中文' }, en: { skuId: 5n } },
  deltas: [-1, 2, -3],
};
const bytes = codec.encode(value);
const decoded = codec.decode(bytes) as Record<string, unknown>;

function caught(run: () => unknown): HeddleError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HeddleError);
    return error as HeddleError;
  }
  throw new Error('expected a HeddleError');
}

/** A tag byte for field numbers up to 15. */
const tag = (number: number, wire: number) => (number << 3) | wire;

describe('Protobuf field paths: reading', () => {
  it('peeks fields, elements, map entries (quoted or bare keys) and whole messages as decode gives them', () => {
    expect(codec.peek(bytes, 'order_id')).toBe(18446744073709551615n);
    expect(codec.peek(bytes, 'orderId')).toBe(18446744073709551615n);
    expect(codec.peek(bytes, 'items.1.title')).toBe('咖啡 coffee');
    expect(codec.peek(bytes, 'items[1].sku_id')).toBe(9007199254740993n);
    expect(codec.peek(bytes, 'items.1.thumb')).toEqual(Uint8Array.of(1, 2));
    expect(codec.peek(bytes, 'items.2')).toBeUndefined();
    expect(codec.peek(bytes, 'notes["1000000000000"]')).toBe('大');
    expect(codec.peek(bytes, 'notes[7]')).toBe('gift');
    expect(codec.peek(bytes, 'notes.8')).toBeUndefined();
    expect(codec.peek(bytes, 'ids.2')).toBe(9007199254740993n);
    expect(codec.peek(bytes, 'deltas.2')).toBe(-3);
    expect(codec.peek(bytes, 'main')).toEqual(decoded.main);
    expect(codec.peek(bytes, 'items')).toEqual(decoded.items);
    expect(codec.peek(bytes, 'notes')).toEqual(decoded.notes);
    expect(codec.peek(bytes, 'by_name.zh.title')).toBe('中文');
    expect(codec.peek(bytes, 'byName["en"]')).toEqual({ skuId: 5n, title: '', thumb: new Uint8Array(0) });
    expect(codec.peek(bytes, 'cash')).toBe(3);
    expect(codec.peek(bytes, 'card')).toBeUndefined();
    // Absent from the wire is undefined, where decode gives the proto3 default.
    expect(codec.peek(codec.encode({ cash: 1 }), 'order_id')).toBeUndefined();
    expect(codec.peekMany(bytes, ['items.0.title', 'order_id', 'by_name["zh"].title', 'card', codec.path('ids.1')])).toEqual(['茶 tea', 18446744073709551615n, '中文', undefined, -2n]);
  });

  it('follows merge rules: the last singular scalar, merged messages, concatenated lists, replaced map entries, the last oneof member', () => {
    const first = codec.encode({ orderId: 1n, main: { skuId: 7n, title: 'a' }, ids: [1n], notes: { 1: 'x' }, card: 'visa' });
    const second = codec.encode({ orderId: 2n, main: { title: 'b' }, ids: [2n, 3n], notes: { 1: 'y' }, cash: 9 });
    const merged = Buffer.concat([first, second]);
    expect(codec.peek(merged, 'order_id')).toBe(2n);
    expect(codec.peek(merged, 'main')).toEqual({ skuId: 7n, title: 'b', thumb: new Uint8Array(0) });
    expect(codec.peek(merged, 'main.sku_id')).toBe(7n);
    expect(codec.peek(merged, 'ids')).toEqual([1n, 2n, 3n]);
    expect(codec.peek(merged, 'ids.2')).toBe(3n);
    expect(codec.peek(merged, 'notes[1]')).toBe('y');
    expect(codec.peek(merged, 'card')).toBeUndefined();
    expect(codec.peek(merged, 'cash')).toBe(9);
    expect(codec.peek(Buffer.concat([second, first]), 'card')).toBe('visa');
    expect(codec.peek(Buffer.concat([second, first]), 'cash')).toBeUndefined();
  });

  it('counts list elements across packed and unpacked runs of one field', () => {
    // ids (4): packed [1, 2], then unpacked 3, then packed [4].
    const mixed = Uint8Array.of(tag(4, 2), 2, 1, 2, tag(4, 0), 3, tag(4, 2), 1, 4);
    expect(codec.peek(mixed, 'ids')).toEqual([1n, 2n, 3n, 4n]);
    expect([0, 1, 2, 3, 4].map((i) => codec.peek(mixed, `ids.${i}`))).toEqual([1n, 2n, 3n, 4n, undefined]);
    const patched = codec.patch(mixed, 'ids.2', 30n, { output: 'bytes' });
    expect(codec.decode(patched).ids).toEqual([1n, 2n, 30n, 4n]);
    const packedPatched = codec.patch(mixed, 'ids.1', 300n, { output: 'bytes' });
    expect(codec.decode(packedPatched).ids).toEqual([1n, 300n, 3n, 4n]);
    // The packed run's length prefix grew with the 2-byte varint; the runs after it are untouched.
    expect([...packedPatched]).toEqual([tag(4, 2), 3, 1, 0xac, 0x02, tag(4, 0), 3, tag(4, 2), 1, 4]);
  });
});

describe('Protobuf field paths: patch and project', () => {
  it('patch equals encode of the modified value, rewriting the length prefixes around a nested change', () => {
    const longTitle = '拿铁 latte '.repeat(20);
    const patched = codec.patch(bytes, 'items.1.title', longTitle, { output: 'bytes' });
    const items = (decoded.items as Array<Record<string, unknown>>).map((item, i) => (i === 1 ? { ...item, title: longTitle } : item));
    expect(Buffer.from(patched).equals(Buffer.from(codec.encode({ ...decoded, items })))).toBe(true);
    const chain = codec.patch(bytes, 'by_name.zh.sku_id', 42n);
    const byName = { ...(decoded.byName as object), zh: { ...(decoded.byName as Record<string, object>).zh, skuId: 42n } };
    expect(Buffer.from(chain.next(chain.length)).equals(Buffer.from(codec.encode({ ...decoded, byName })))).toBe(true);
  });

  it('a map key that starts with U+FEFF names the entry decode names (patched in place, not added)', () => {
    const withMark = codec.encode({ byName: { '\uFEFFzh': { title: '中文' } } });
    const patched = codec.patch(withMark, 'by_name.\uFEFFzh.sku_id', 42n, { output: 'bytes' });
    expect(Buffer.from(patched).toString('hex')).toBe(Buffer.from(codec.encode({ byName: { '\uFEFFzh': { skuId: 42n, title: '中文' } } })).toString('hex'));
  });

  it('the LinkBuffer links the untouched input instead of copying it', () => {
    const input = codec.encode({ ...value, items: [{ title: 'x'.repeat(200) }] });
    const chain = codec.patch(input, 'order_id', 5n);
    // A byte of the long title, well past the patched field: the chain shows the input's current bytes.
    const at = input.indexOf(0x78) + 100;
    input[at] = 0x79;
    const out = chain.next(chain.length);
    expect(codec.decode(out).items[0].title).toBe('x'.repeat(at - input.indexOf(0x78)) + 'y' + 'x'.repeat(199 - (at - input.indexOf(0x78))));
  });

  it('inserts absent fields, messages and map keys where encode writes them, and removes them with undefined', () => {
    const small = codec.encode({ orderId: 1n, ids: [5n] });
    const withMain = codec.patch(small, 'main.title', '新', { output: 'bytes' });
    expect(Buffer.from(withMain).equals(Buffer.from(codec.encode({ orderId: 1n, ids: [5n], main: { title: '新' } })))).toBe(true);
    // Integer map keys that are array indexes come first and ascending in a decoded object, so encode writes them so.
    const notes = codec.patch(bytes, 'notes[3]', 'three', { output: 'bytes' });
    expect(Buffer.from(notes).equals(Buffer.from(codec.encode({ ...decoded, notes: { ...(decoded.notes as object), 3: 'three' } })))).toBe(true);
    expect(Object.keys(codec.decode(notes).notes)).toEqual(['3', '7', '1000000000000']);
    const removed = codec.patch(bytes, 'notes[7]', undefined, { output: 'bytes' });
    expect(codec.decode(removed).notes).toEqual({ 1000000000000: '大' });
    const noMain = codec.patch(bytes, 'main', undefined, { output: 'bytes' });
    expect(codec.decode(noMain).main).toBeUndefined();
    // Removing what is not there changes nothing.
    expect([...codec.patch(small, 'main.title', undefined, { output: 'bytes' })]).toEqual([...small]);
  });

  it('setting a oneof member clears the other one', () => {
    const patched = codec.patch(bytes, 'card', 'visa', { output: 'bytes' });
    const { cash: _cash, ...rest } = decoded;
    expect(Buffer.from(patched).equals(Buffer.from(codec.encode({ ...rest, card: 'visa' })))).toBe(true);
    expect(codec.peek(patched, 'cash')).toBeUndefined();
  });

  it('keeps fields the schema does not know, in patch and in project', () => {
    const newer = protobuf.parse(SHOP.replace('repeated sint32 deltas = 9;', 'repeated sint32 deltas = 9; string coupon = 15; Item gift = 14;'), { filename: 'shop.proto' }).codec('shop.v1.Order');
    const wire = newer.encode({ ...value, coupon: '优惠券', gift: { title: 'g' } });
    const patched = codec.patch(wire, 'main.title', 'x', { output: 'bytes' });
    expect(newer.decode(patched)).toMatchObject({ coupon: '优惠券', gift: { title: 'g' }, main: { title: 'x' } });
    const trimmed = codec.project(wire, ['order_id'], { output: 'bytes' });
    expect(newer.decode(trimmed)).toMatchObject({ orderId: 18446744073709551615n, coupon: '优惠券', gift: { title: 'g' }, items: [] });
  });

  it('projects to a field mask, crossing lists and map values', () => {
    const trimmed = codec.project(bytes, ['order_id', 'items.title', 'by_name.*.sku_id'], { output: 'bytes' });
    expect(Buffer.from(trimmed).equals(Buffer.from(codec.encode({
      orderId: 18446744073709551615n,
      items: [{ title: '茶 tea' }, { title: '咖啡 coffee' }],
      byName: { zh: {}, en: { skuId: 5n } },
    })))).toBe(true);
  });

  it('protobufjs reads patched and projected bytes as the modified message', () => {
    const Order = protobufjs.parse(SHOP).root.lookupType('shop.v1.Order');
    const read = (b: Uint8Array) => Order.toObject(Order.decode(b), { longs: String, bytes: String, defaults: false });
    const patched = codec.patch(bytes, 'items.0.title', '乌龙 oolong', { output: 'bytes' });
    const expected = read(bytes);
    (expected.items as Array<Record<string, unknown>>)[0]!.title = '乌龙 oolong';
    expect(read(patched)).toEqual(expected);
    expect(read(codec.project(bytes, ['ids', 'cash'], { output: 'bytes' }))).toEqual({ ids: ['1', '-2', '9007199254740993'], cash: 3 });
  });
});

describe('Protobuf field paths: errors', () => {
  it('paths that do not resolve are ERR_INVALID_ARGUMENT naming the segment', () => {
    for (const [spec, path] of [['nope', 'nope'], ['items.x', 'items.x'], ['order_id.x', 'order_id.x'], ['notes["a"]', 'notes["a"]'], ['notes[99999999999999999999]', 'notes[99999999999999999999]']]) {
      const error = caught(() => codec.path(spec!));
      expect({ spec, code: error.code, path: error.path }).toEqual({ spec, code: 'ERR_INVALID_ARGUMENT', path });
    }
    expect(caught(() => codec.peek(bytes, root.codec('shop.v1.Node').path('value') as never)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(caught(() => codec.project(bytes, ['ids.x'])).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('malformed bytes are ERR_TRUNCATED or ERR_BAD_TYPE with the byte offset and the path', () => {
    const truncated = caught(() => codec.peek(bytes.subarray(0, bytes.length - 3), 'deltas'));
    expect({ code: truncated.code, path: truncated.path, offset: typeof truncated.offset }).toEqual({ code: 'ERR_TRUNCATED', path: 'deltas', offset: 'number' });
    // order_id (1) written as a length-delimited field.
    const badType = caught(() => codec.peek(Uint8Array.of(tag(1, 2), 1, 0), 'order_id'));
    expect({ code: badType.code, offset: badType.offset, path: badType.path }).toEqual({ code: 'ERR_BAD_TYPE', offset: 0, path: 'order_id' });
    const hugeLength = caught(() => codec.patch(Uint8Array.of(tag(5, 2), 0xff, 0xff, 0xff, 0xff, 0x0f), 'main.title', 'x'));
    expect(hugeLength.code).toBe('ERR_SIZE_LIMIT');
    const field0 = caught(() => codec.project(Uint8Array.of(0, 1), ['ids']));
    expect({ code: field0.code, offset: field0.offset }).toEqual({ code: 'ERR_BAD_TYPE', offset: 0 });
  });

  it('bad patches: null, removing a list element, an index beyond the list or in an absent list', () => {
    expect(caught(() => codec.patch(bytes, 'main', null)).code).toBe('ERR_BAD_VALUE');
    expect(caught(() => codec.patch(bytes, 'ids.0', undefined)).code).toBe('ERR_INVALID_ARGUMENT');
    const beyond = caught(() => codec.patch(bytes, 'ids.3', 1n));
    expect({ code: beyond.code, path: beyond.path }).toEqual({ code: 'ERR_INVALID_ARGUMENT', path: 'ids.3' });
    expect(caught(() => codec.patch(codec.encode({}), 'items.0.title', 'x')).code).toBe('ERR_INVALID_ARGUMENT');
    const badValue = caught(() => codec.patch(bytes, 'order_id', 'not a number'));
    expect(badValue.code).toBe('ERR_BAD_VALUE');
  });

  it('an index beyond a long packed list is reported after one pass over it (counting it by index took quadratic time)', () => {
    const long = codec.encode({ ids: new Array(300_000).fill(1n) });
    const error = caught(() => codec.patch(long, 'ids.300000', 2n));
    expect({ code: error.code, count: /beyond the (\d+) elements/.exec(error.message)?.[1] }).toEqual({ code: 'ERR_INVALID_ARGUMENT', count: '300000' });
    expect(codec.peek(long, 'ids.299999')).toBe(1n);
  });

  it('a required field cannot be removed, and its owner still decodes after a nested patch', () => {
    const proto2 = protobuf.parse('syntax = "proto2"; package p; message Inner { required int32 id = 1; optional string name = 2; } message Outer { optional Inner inner = 1; required string key = 2; }', { filename: 'p.proto' }).codec('p.Outer');
    const wire = proto2.encode({ key: 'k' });
    expect(caught(() => proto2.patch(wire, 'key', undefined)).code).toBe('ERR_REQUIRED_FIELD');
    expect(proto2.peek(wire, 'key')).toBe('k');
    const inserted = proto2.patch(wire, 'inner.name', 'n', { output: 'bytes' });
    expect(proto2.decode(inserted)).toEqual({ key: 'k', inner: { id: 0, name: 'n' } });
  });

  it('nesting deeper than maxDepth is ERR_DEPTH_LIMIT', () => {
    const nodes = root.codec('shop.v1.Node', { maxDepth: 4 });
    let wire: Uint8Array = Uint8Array.of(tag(2, 0), 1);
    for (let i = 0; i < 6; i++) wire = Uint8Array.from([tag(1, 2), wire.length, ...wire]);
    const deep = 'next.next.next.next.next.next.value';
    expect(caught(() => nodes.peek(wire, deep)).code).toBe('ERR_DEPTH_LIMIT');
    expect(caught(() => nodes.patch(wire, deep, 2)).code).toBe('ERR_DEPTH_LIMIT');
    expect(root.codec('shop.v1.Node').peek(wire, deep)).toBe(1);
  });
});
