// Shared by the gateway benches so that each counts the same work: the production-like Thrift
// Nesting message of paths.mjs and the five fields it reads, and json.mjs's fix-up of JSON.parse
// output for heddle's encode.
import { nesting } from '../thrift/messages.mjs';

const CHINESE = '敏捷的棕色狐狸跳过了懒狗，这是一个用于测试的中文字符串。';
const MIXED = 'Order #8812 已发货 shipped via 顺丰 SF-Express, ETA 2–3 天 (days) ✓ ';
export const text = (i, n) => (i % 2 === 0 ? CHINESE : MIXED).repeat(n).slice(i % 7);
export const blob = (i) => Uint8Array.from({ length: 128 }, (_, k) => (i * 131 + k * 17) & 0xff);

/** Nesting with production-like contents: every string long and non-ASCII, i64s beyond 2^53. */
export function production() {
  const v = nesting();
  const simple = (s, i) => ({ ...s, StringField: text(i, 1), BinaryField: blob(i), I64Field: 2n ** 60n + BigInt(i) * 7919n });
  return {
    ...v,
    String: text(1, 3),
    ListSimple: v.ListSimple.map(simple),
    MapStringString: new Map([...v.MapStringString].map(([k, _], i) => [k, text(i, 1)])),
    SimpleStruct: simple(v.SimpleStruct, 77),
    ListString: v.ListString.map((_, i) => text(i + 3, 1)),
    Binary: blob(5),
    MapI64String: new Map([...v.MapI64String].map(([k, _], i) => [k * 1_000_000_007n, text(i + 5, 1)])),
    ListI64: Array.from({ length: 100 }, (_, i) => BigInt(i) * -9_123_456_789_013n - 2n ** 62n),
    MapStringSimple: new Map([...v.MapStringSimple].map(([k, s], i) => [k, simple(s, i + 30)])),
  };
}

export const FIVE = ['String', 'I64', 'SimpleStruct.I64Field', 'ListSimple.3.StringField', 'MapStringSimple["simple-7"].I64Field'];
export const readFive = (o) => [o.String, o.I64, o.SimpleStruct.I64Field, o.ListSimple[3].StringField, o.MapStringSimple.get('simple-7').I64Field];

/** What a BFF does after JSON.parse for heddle's encode: binary fields from base64 (i64 stay numbers). */
export const b64 = (s) => Buffer.from(s, 'base64');
const fixSimple = (s) => {
  s.BinaryField = b64(s.BinaryField);
  return s;
};
export const fixup = {
  Simple: fixSimple,
  Nesting: (o) => {
    o.ListSimple.forEach(fixSimple);
    fixSimple(o.SimpleStruct);
    Object.values(o.MapStringSimple).forEach(fixSimple);
    o.Binary = b64(o.Binary);
    return o;
  },
  Order: (o) => o,
};

