// The messages bench/grpc measures, as values in the legacy option set's form ({keepCase, longs:
// String, enums: String, defaults, oneofs}): the baseline values, plus streams in which nothing
// repeats, with Chinese and mixed text, long strings and int64-heavy lists, as production traffic
// has them. Each stream's values are what @grpc/proto-loader itself deserializes from the wire
// (int64 map keys aside: heddle's decimal keys, which both loaders serialize alike).
import * as values from '../protobuf/values.mjs';

/** Messages in each distinct stream. */
export const DISTINCT = 1000;

const CHINESE = ['北京市朝阳区', '上海浦东新区', '深圳南山科技园', '杭州西湖区文三路', '成都高新区天府大道', '广州天河路'];
const STREETS = ['Patriots Path', 'Mendham Rd', 'Bedminster Pike', 'Old Chester Rd', 'Hanover St'];

/** A different name for each n: Chinese and ASCII mixed, a digit run, lengths 20-70 chars. */
function placeName(n) {
  const zh = CHINESE[n % CHINESE.length];
  const street = STREETS[(n * 7) % STREETS.length];
  const suffix = ((n + 1) * 2654435761 >>> 0).toString(36);
  return n % 3 === 0 ? `${street} ${n}, NJ 0${7900 + (n % 100)}, USA ${suffix}` : `${zh}${n}号 ${street} ${suffix}`;
}

/** A text of about `chars` chars, different for each n, a third of it Chinese. */
export function longText(n, chars) {
  let text = `#${n} `;
  for (let i = 0; text.length < chars; i++) text += i % 3 === 0 ? `${CHINESE[(n + i) % CHINESE.length]}，` : `${STREETS[(n + i) % STREETS.length]} ${n * 31 + i}; `;
  return text.slice(0, chars);
}

/** Heddle-shaped (camelCase, bigint) distinct values per baseline message, for heddle's default codecs to encode. */
export function distinctSimples(count) {
  return Array.from({ length: count }, (_, n) => ({
    ...values.simple,
    byteField: n & 0x7f,
    i64Field: 1234567890123n * BigInt(n + 1),
    doubleField: n * 1.618033988749895,
    i32Field: n * 7919 - 4000000,
    stringField: placeName(n),
    binaryField: Uint8Array.from({ length: 16 + (n % 32) }, (_, i) => (i * 31 + n) & 0xff),
  }));
}

export function distinctOrders(count) {
  return values.distinctOrders(count).map((order, n) => ({
    ...order,
    items: order.items.map((item, i) => ({ ...item, title: `${CHINESE[(n + i) % CHINESE.length]} ${item.title}` })),
  }));
}

export const distinctNestings = values.distinctNestings;

/** route_guide Features: mixed names, coordinates that do not repeat. */
export function distinctFeatures(count, nameChars) {
  return Array.from({ length: count }, (_, n) => ({
    name: nameChars === undefined ? placeName(n) : longText(n, nameChars),
    location: { latitude: 400000000 + n * 7919, longitude: -740000000 - n * 104729 },
  }));
}

/** int64-heavy: baseline.Longs with 256 values, different in each message, all beyond 2^32. */
export function distinctLongs(count) {
  return Array.from({ length: count }, (_, n) => ({
    values: Array.from({ length: 256 }, (_, i) => BigInt(Math.round(Math.cos(n * 256 + i) * 1e15))),
  }));
}
