// The generated code is meant to be read: names from the IDL, comments, indentation.
import { expect, test } from 'vitest';
import { parse } from '../../src-ts/thrift/index.js';

const doc = parse(
  `
  struct OrderItem { 1: i64 sku_id, 2: string title }
  struct Order {
    1: i64 order_id
    2: list<OrderItem> items
    3: map<string, string> extra
    4: required bool paid
  }
  `,
  { filename: 'shop.thrift' },
);

test.each(['binary', 'compact'] as const)('%s source names every struct and field and is indented', (protocol) => {
  const source = doc.codec('Order', { protocol, debug: true }).source;
  for (const name of ['encode_shop_Order', 'decode_shop_Order', 'encode_shop_OrderItem', 'decode_shop_OrderItem']) {
    expect(source).toContain(`function ${name}(`);
  }
  for (const field of ['order_id', 'items', 'extra', 'paid', 'sku_id', 'title']) {
    expect(source).toContain(`v.${field}`);
    expect(source).toMatch(new RegExp(`let f_${field}\\b|, f_${field}\\b`));
  }
  expect(source).toContain('// 2: list<shop.OrderItem> items');
  expect(source).toContain('// 4: required bool paid');
  expect(source).toContain(`// Encodes struct shop.Order (${protocol}`);
  expect(source).toMatch(/\n {6}field = 2;\n/);
  expect(source).toContain(`//# sourceURL=heddle-thrift/shop.Order.${protocol}.js`);
  expect(doc.codec('Order', { protocol }).source).not.toContain('sourceURL');
});

test('the source only destructures the runtime helpers it uses', () => {
  const source = doc.codec('OrderItem').source;
  const helpers = /const \{ ([^}]*) \} = rt;/.exec(source)![1]!.split(', ');
  expect(helpers).toContain('writeStringBinary');
  expect(helpers).not.toContain('writeStringCompact');
  expect(helpers).not.toContain('decodeFloat64BE');
});

test('a debug codec reports errors like any other', () => {
  const codec = doc.codec('Order', { debug: true });
  expect.assertions(2);
  try {
    codec.encode({ paid: true, items: [null] });
  } catch (error) {
    expect((error as Error & { code: string }).code).toBe('ERR_BAD_VALUE');
    expect((error as Error).message).toContain('Order.items[0]');
  }
});
