// heddle's Thrift decoders against the `thrift` npm package on production-like values: the
// e-commerce orders of bench/realistic (Chinese and mixed text of 1 to 300+ characters, short
// Chinese map keys that repeat, emoji, i64 at its edges and above 2^53, binaries), random. The
// package encodes its objects; heddle decodes those bytes with its own values, with maps as
// objects, and with gen-nodejs's values (heddle/thrift-compat), and must give back what went in;
// the package must also read heddle's bytes back to the same objects.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import Int64 from 'node-int64';
import { afterAll, expect, test } from 'vitest';
import { parse } from '../../src-ts/thrift/index.js';
import { PROTOCOLS } from './fixtures.js';
import { generateNpmThrift, npmDecode, npmEncode, toNpm } from './peers/npm-thrift-peer.js';
import { describeWithPeers } from '../helpers/peers.js';

const SEED = Number(process.env.HEDDLE_FC_SEED ?? 20261207);
const IDL = readFileSync(new URL('../../bench/realistic/ecommerce.thrift', import.meta.url), 'utf8');
const GEN_NODEJS = { i64: 'node-int64', unset: 'null', binary: 'Buffer', map: 'object', set: 'array' } as const;

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const i64 = fc.oneof(
  fc.constantFrom(I64_MIN, I64_MIN + 1n, -1n, 0n, 1n, 127n, 128n, 255n, 256n, 2n ** 31n - 1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n - 1n, 2n ** 32n,
    2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, I64_MAX - 1n, I64_MAX),
  fc.bigInt({ min: I64_MIN, max: I64_MAX }),
  // snowflake ids, prices
  fc.bigInt({ min: 1n << 60n, max: 1n << 62n }),
  fc.bigInt({ min: 99n, max: 999_999n }),
);
const CHINESE = [...'的一是不了人我在有他这中大来上个们到说和地也子时道出要于就下得可你年生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切局般具团府冲存试照终音颜色尺码容量规格北京市上海市广东省深圳市朝阳区路号栋室'];
const PUNCTUATION = ['，', '。', '！', '？', '、', '；', '：', ' '];
const EMOJI = ['😀', '🎉', '❤️', '👍🏻', '🇨🇳'];
/** Text as orders carry it: runs of Chinese, ASCII and emoji, to 300+ characters. */
const text = (maxPieces: number) => fc.array(fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.constantFrom(...CHINESE), { minLength: 1, maxLength: 12 }).map((cs) => cs.join('')) },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 48 }) },
  { weight: 1, arbitrary: fc.constantFrom(...PUNCTUATION, ...EMOJI) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
), { maxLength: maxPieces }).map((parts) => parts.join(''));
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const attrs = fc.array(fc.tuple(fc.constantFrom('颜色', '尺码', '容量', '规格', 'Color', 'Size', '版本号'), text(3)), { maxLength: 4 }).map((entries) => new Map(entries));
const item = fc.record({
  skuId: i64, title: text(12), priceCents: i64, quantity: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), attrs,
  imageUrl: text(3), thumbnail: bytes(300), tags: fc.array(text(2), { maxLength: 5 }),
});
const order = fc.record({
  orderId: i64, buyerId: i64, buyerNick: text(4),
  address: fc.record({ receiver: text(2), phone: text(1), province: fc.constantFrom('北京市', '上海市', '广东省', '浙江省'), city: text(1), district: text(1), detail: text(8), zip: text(1) }),
  items: fc.array(item, { maxLength: 6 }), buyerNote: text(30), priceHistory: fc.array(i64, { maxLength: 120 }),
  totalCents: i64, createdAt: i64, platform: text(1), signature: bytes(80), trackingNo: text(2),
});

/** `value` with maps as plain objects and i64 as node-int64 objects: what gen-nodejs values decode to. */
function asGenNodejs(value: unknown, key?: string): unknown {
  if (typeof value === 'bigint') return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, asGenNodejs(v)]));
  if (Array.isArray(value)) return value.map((v) => asGenNodejs(v, key));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asGenNodejs(v, k)]));
  return value;
}

/** node-int64 objects as the bigints of their 8 bytes (bigints stay), Buffers compared as bytes. */
function bigintsOf(value: unknown): unknown {
  if (value instanceof Int64) return Buffer.from(value.buffer.subarray(value.offset, value.offset + 8)).readBigInt64BE(0);
  if (Buffer.isBuffer(value)) return Uint8Array.from(value);
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, bigintsOf(v)]));
  if (Array.isArray(value)) return value.map(bigintsOf);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bigintsOf(v)]));
  return value;
}

describeWithPeers(['thrift'], `realistic orders against the thrift npm package (seed ${SEED})`, () => {
  const doc = parse(IDL, { filename: 'ecommerce.thrift' });
  const peer = generateNpmThrift(IDL, 'ecommerce');
  afterAll(() => peer.dispose());
  const values = fc.sample(order, { seed: SEED, numRuns: 60 });

  test.each(PROTOCOLS)("%s: the package's bytes decode in heddle to the values, with heddle's values, maps as objects and gen-nodejs values", (protocol) => {
    const plain = doc.codec('Order', { protocol });
    const objects = doc.codec('Order', { protocol, map: 'object' });
    const genNodejs = doc.codec('Order', { protocol, ...GEN_NODEJS });
    for (const value of values) {
      const bytes = npmEncode(peer, toNpm(peer, doc, { kind: 'struct', key: 'ecommerce.Order' }, value), protocol);
      expect(Buffer.from(plain.encode(value)).equals(Buffer.from(bytes))).toBe(true);
      // Twice: the second decode reads short strings back from the cache the first filled.
      for (let round = 0; round < 2; round++) {
        expect(bigintsOf(plain.decode(bytes))).toStrictEqual(bigintsOf(value));
        expect(bigintsOf(objects.decode(bytes))).toStrictEqual(bigintsOf(asGenNodejs(value)));
        const decoded = genNodejs.decode(bytes) as { priceHistory: unknown[]; orderId: unknown };
        expect(decoded.orderId).toBeInstanceOf(Int64);
        expect(bigintsOf(decoded)).toStrictEqual(bigintsOf(asGenNodejs(value)));
      }
    }
  });

  test.each(PROTOCOLS)("%s: heddle's bytes decode in the package to the same objects", (protocol) => {
    const codec = doc.codec('Order', { protocol });
    for (const value of values) {
      const decoded = npmDecode(peer, 'Order', codec.encode(value), protocol);
      expect(Buffer.from(npmEncode(peer, decoded, protocol)).equals(Buffer.from(codec.encode(value)))).toBe(true);
      expect(decoded.items.map((it: { title: string }) => it.title)).toEqual(value.items.map((it) => it.title));
      expect(decoded.buyerNote).toBe(value.buyerNote);
    }
  });
});
