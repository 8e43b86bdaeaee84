// The benchmark's values, realistic and with every field filled: strings of a few dozen
// characters, Nesting with 10-element lists and maps, an Order of 10 items. One source of truth,
// converted into each library's own representation.

const text = (i) => `value ${i}: the quick brown fox jumps over the lazy dog`.slice(0, 32 + (i % 8));
const bytes = (i) => Uint8Array.from({ length: 32 }, (_, k) => (i * 31 + k * 7) & 0xff);

/** Simple, as heddle values (i64 as bigint). */
export function simple(i = 1) {
  return {
    ByteField: (i % 100) - 50,
    I64Field: 1_700_000_000_000n + BigInt(i),
    DoubleField: i * 3.14159,
    I32Field: 123456 + i,
    StringField: text(i),
    BinaryField: bytes(i),
  };
}

/** Nesting, as heddle values. */
export function nesting() {
  const n = 10;
  const range = Array.from({ length: n }, (_, i) => i);
  return {
    String: text(99),
    ListSimple: range.map((i) => simple(i)),
    Double: 2.718281828,
    I32: 42,
    ListI32: range.map((i) => i * 1000 - 3),
    I64: 9_007_199_254_740_000n,
    MapStringString: new Map(range.map((i) => [`key-${i}-abcdef`, text(i)])),
    SimpleStruct: simple(7),
    MapI32I64: new Map(range.map((i) => [i, BigInt(i) * 1_000_000_007n])),
    ListString: range.map((i) => text(i + 10)),
    Binary: bytes(3),
    MapI64String: new Map(range.map((i) => [BigInt(i) * 77n, text(i + 20)])),
    ListI64: range.map((i) => BigInt(i) * -123_456_789n),
    Byte: 9,
    MapStringSimple: new Map(range.map((i) => [`simple-${i}`, simple(i + 30)])),
  };
}

/** Order, as heddle values. */
export function order() {
  return {
    order_id: 8_812_345_678_901n,
    platform: 'web-checkout-eu-west-1',
    buyer_id: 'buyer-00000000-4f2a-9c1b-7d3e5a6b',
    items: Array.from({ length: 10 }, (_, i) => ({
      sku_id: 100_000_000n + BigInt(i),
      title: `Stainless steel water bottle, ${i + 1} litre`,
      quantity: 1 + (i % 3),
      price_cents: 1999n + BigInt(i * 100),
      tags: ['kitchen', 'outdoor', `promo-${i}`],
    })),
    extra: new Map([
      ['coupon', 'SPRING-2024-SALE'],
      ['channel', 'mobile-app-ios'],
      ['warehouse', 'FRA-3'],
      ['gift_wrap', 'false'],
      ['note', 'leave at the reception desk'],
    ]),
    total: 24_987.5,
    created_at: 1_718_000_000_123n,
    paid: true,
  };
}

/** 10k doubles and 10k i64s, as TypedArrays. */
export function doubles() {
  return { values: Float64Array.from({ length: 10_000 }, (_, i) => i * 1.0001 - 5000) };
}

export function longs() {
  return { values: BigInt64Array.from({ length: 10_000 }, (_, i) => BigInt(i) * 1_000_003n - 5_000_000_000n) };
}
