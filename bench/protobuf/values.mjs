// The benchmark messages' values, shaped like Frugal's Simple/Nesting and an e-commerce Order, plus
// the two packed numeric lists. Plain objects in heddle's shape (camelCase, int64 as bigint).

const bytes = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

export const simple = {
  byteField: 7,
  i64Field: 1234567890123n,
  doubleField: 3.14159,
  i32Field: 1234567,
  stringField: 'hello world, heddle',
  binaryField: bytes(32, 1),
};

export const nesting = {
  string: 'nesting message string',
  listSimple: Array.from({ length: 10 }, (_, i) => ({ ...simple, i32Field: i, stringField: `simple item ${i}` })),
  double: 2.71828,
  i32: 987654,
  listI32: Array.from({ length: 20 }, (_, i) => i * 1000 - 5000),
  i64: 9876543210n,
  mapStringString: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`key-${i}`, `value number ${i}`])),
  simpleStruct: simple,
  mapI32I64: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i), BigInt(i) * 1000000007n])),
  listString: Array.from({ length: 10 }, (_, i) => `list string ${i}`),
  binary: bytes(64, 2),
  mapI64String: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(1000000000000 + i), `i64 key ${i}`])),
  listI64: Array.from({ length: 20 }, (_, i) => BigInt(i) * 123456789n),
  byte: 1,
  mapStringSimple: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`simple-${i}`, { ...simple, i32Field: i }])),
};

export const order = {
  orderId: 202411210001n,
  platform: 'ios',
  buyerId: 'buyer-8812734',
  items: Array.from({ length: 8 }, (_, i) => ({
    skuId: 100000n + BigInt(i),
    title: `Product title number ${i} with some words`,
    quantity: 1 + (i % 3),
    priceCents: 1999n + BigInt(i * 100),
    tags: ['new', 'sale', `cat-${i}`],
  })),
  extra: { channel: 'app', coupon: 'WINTER24', note: 'leave at door' },
  total: 16789.5,
  createdAt: 1732190000000n,
  paid: true,
};

const COUNT = 10_000;
export const doubles = { values: Float64Array.from({ length: COUNT }, (_, i) => Math.sin(i) * 1e6) };
export const longs = { values: BigInt64Array.from({ length: COUNT }, (_, i) => BigInt(Math.round(Math.cos(i) * 1e12))) };

/**
 * `count` Nesting messages in which no string, map key or 64-bit id repeats, as in a stream of
 * distinct records: the rows decoding these show what the decoders' caches are worth when they miss.
 */
export function distinctNestings(count) {
  return Array.from({ length: count }, (_, n) => {
    const tag = (label) => `${label}-${n}-${((n + 1) * 2654435761 >>> 0).toString(36)}`;
    return {
      ...nesting,
      string: tag('nesting'),
      listSimple: nesting.listSimple.map((item, i) => ({ ...item, i64Field: BigInt(n * 1000 + i), stringField: tag(`item ${i}`) })),
      i64: BigInt(n) * 7919n,
      mapStringString: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [tag(`key ${i}`), tag('value')])),
      mapI32I64: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(n * 10 + i), BigInt(n * 10 + i) * 1000000007n])),
      listString: Array.from({ length: 10 }, (_, i) => tag(`list ${i}`)),
      mapI64String: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(1000000000000 + n * 10 + i), tag('name')])),
      mapStringSimple: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [tag(`simple ${i}`), { ...simple, stringField: tag('s') }])),
    };
  });
}

/** `count` Order messages with distinct ids, buyers, titles, tags and extra keys. */
export function distinctOrders(count) {
  return Array.from({ length: count }, (_, n) => {
    const tag = (label) => `${label}-${n}-${((n + 1) * 2654435761 >>> 0).toString(36)}`;
    return {
      ...order,
      orderId: 202411210001n + BigInt(n),
      buyerId: tag('buyer'),
      items: order.items.map((item, i) => ({ ...item, skuId: BigInt(n * 100 + i), title: tag(`Product title ${i} with some words`), tags: ['sale', tag('cat'), tag('tag')] })),
      extra: { channel: 'app', [tag('coupon')]: tag('code'), note: tag('note') },
      createdAt: 1732190000000n + BigInt(n),
    };
  });
}
