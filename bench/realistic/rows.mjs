// The realistic rows of bench/protobuf and bench/thrift: streams of distinct e-commerce orders
// (records.mjs) encoded and decoded in turn, each message once per pass, so no cache of strings,
// ids or objects ever hits twice in a row. Each stream is measured two ways: per-operation medians
// (`compare`) and sustained throughput over wall time with garbage collection included
// (`sustained`). Peers decode the same bytes and encode the same records in their own shapes.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, toBinary } from '@bufbuild/protobuf';
import { PbfWriter } from 'pbf';
import { bufbuildDescriptor, pbfCode, protobufjsType, rotatingPeerDecoders } from '../protobuf/peers.mjs';
import { loadThriftPackage } from '../thrift/peers.mjs';
import { describe, orders } from './records.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const realisticProto = join(here, 'ecommerce.proto');
export const realisticThrift = join(here, 'ecommerce.thrift');

/** Orders in each stream: about 4 MiB of Protobuf, more than the last-level caches hold. */
const COUNT = Number(process.env.HEDDLE_BENCH_ORDERS ?? 2000);

/** Calls `fn(item)` on the next item of `list` each time, round the list. */
function rotating(list, fn) {
  let next = 0;
  const count = list.length;
  return () => fn(list[next++ % count]);
}

/** A heddle value with int64 as decimal strings: protobufjs's fromObject input. Empty strings are
 * left out, as an application builds a message: protobufjs writes a field that was set, even to
 * its proto3 default, where heddle and protoc leave it out. */
export function forProtobufjs(value) {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(forProtobufjs);
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== '').map(([k, v]) => [k, forProtobufjs(v)]));
}

/** pbf reads and writes .proto field names (snake_case) and int64 as JS numbers. */
function forPbf(value) {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(forPbf);
  const snake = (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  // `attrs` is a map: its keys are data, not field names.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), k === 'attrs' ? v : forPbf(v)]));
}

/** @param {import('../harness.mjs').Bench} bench @param {any} heddle */
export async function protobufRealisticRows(bench, heddle) {
  const source = readFileSync(realisticProto, 'utf8');
  const root = heddle.protobuf.parse(source, { filename: 'ecommerce.proto' });
  const codec = root.codec('ecommerce.Order');
  const viewCodec = root.codec('ecommerce.Order', { bytes: 'view' });
  const list = orders(COUNT);
  const wires = list.map((o) => codec.encode(o));
  console.log(`realistic Protobuf stream: ${describe(list, wires.map((w) => w.length))}`);
  const meanBytes = wires.reduce((n, w) => n + w.length, 0) / wires.length;

  const descriptorSet = root.toDescriptorSet();
  const pbjsType = protobufjsType(source, 'ecommerce.Order');
  const pbjsMessages = list.map((o) => pbjsType.fromObject(forProtobufjs(o)));
  const desc = bufbuildDescriptor(descriptorSet, 'ecommerce.Order');
  const bufMessages = list.map((o) => create(desc, o));
  const pbf = pbfCode(source, 'ecommerce.Order');
  const pbfValues = list.map(forPbf);
  // Every peer must read and write what heddle does.
  for (const i of [0, 1, COUNT - 1]) {
    if (!Buffer.from(pbjsType.encode(pbjsMessages[i]).finish()).equals(Buffer.from(wires[i]))) throw new Error(`protobufjs encodes order ${i} differently`);
    if (!Buffer.from(toBinary(desc, bufMessages[i])).equals(Buffer.from(wires[i]))) throw new Error(`@bufbuild/protobuf encodes order ${i} differently`);
  }

  const decoders = {
    heddle: rotating(wires, (w) => codec.decode(w)),
    ...rotatingPeerDecoders(source, descriptorSet, 'ecommerce.Order', wires),
    // heddle returning views for `bytes` fields, as protobufjs does on Buffer input.
    "heddle bytes:'view'": rotating(wires, (w) => viewCodec.decode(w)),
  };
  const encoders = {
    heddle: rotating(list, (o) => codec.encode(o)),
    protobufjs: rotating(pbjsMessages, (m) => pbjsType.encode(m).finish()),
    '@bufbuild/protobuf': rotating(bufMessages, (m) => toBinary(desc, m)),
    pbf: rotating(pbfValues, (v) => {
      const out = new PbfWriter();
      pbf.write(v, out);
      return out.finish();
    }),
  };
  const title = `Realistic orders (${COUNT} distinct)`;
  await bench.compare(`${title} decode`, decoders, { bytes: meanBytes });
  await bench.sustained(`${title} decode`, decoders, { bytes: meanBytes });
  await bench.compare(`${title} encode`, encoders, { bytes: meanBytes });
  await bench.sustained(`${title} encode`, encoders, { bytes: meanBytes });
}

/** The thrift package's generated classes for an order, from a heddle value. */
function toThriftOrder(pkg, value) {
  const Int64 = (v) => pkg.thrift.fromBigInt(v);
  const item = (it) => new pkg.types.Item({ ...it, skuId: Int64(it.skuId), priceCents: Int64(it.priceCents), thumbnail: Buffer.from(it.thumbnail) });
  return new pkg.types.Order({
    ...value,
    orderId: Int64(value.orderId),
    buyerId: Int64(value.buyerId),
    address: new pkg.types.Address(value.address),
    items: value.items.map(item),
    priceHistory: value.priceHistory.map(Int64),
    totalCents: Int64(value.totalCents),
    createdAt: Int64(value.createdAt),
    signature: Buffer.from(value.signature),
  });
}

/** @param {import('../harness.mjs').Bench} bench @param {any} heddle */
export async function thriftRealisticRows(bench, heddle) {
  const doc = heddle.thrift.parse(readFileSync(realisticThrift, 'utf8'), { filename: 'ecommerce.thrift' });
  // protobufjs on the same records as Protobuf, the other reference a Thrift decoder is held to.
  const protoSource = readFileSync(realisticProto, 'utf8');
  const pbjsType = protobufjsType(protoSource, 'ecommerce.Order');
  const protoCodec = heddle.protobuf.parse(protoSource, { filename: 'ecommerce.proto' }).codec('ecommerce.Order');
  const pkg = loadThriftPackage(realisticThrift, 'ecommerce_types.js');
  try {
    const list = orders(COUNT);
    for (const protocol of ['binary', 'compact']) {
      const codec = doc.codec('Order', { protocol, map: 'object' });
      const wires = list.map((o) => codec.encode(o));
      if (protocol === 'binary') console.log(`realistic Thrift stream (Binary): ${describe(list, wires.map((w) => w.length))}`);
      const meanBytes = wires.reduce((n, w) => n + w.length, 0) / wires.length;
      const objects = list.map((o) => toThriftOrder(pkg, o));
      for (const i of [0, 1, COUNT - 1]) {
        if (!Buffer.from(pkg.encode(objects[i], protocol)).equals(Buffer.from(wires[i]))) throw new Error(`the thrift package encodes order ${i} differently (${protocol})`);
      }
      const peer = `thrift (${protocol})`;
      // The package reads Buffers (what its sockets give it); a plain Uint8Array sends it down a
      // path some 30x slower.
      const buffers = wires.map((w) => Buffer.from(w.buffer, w.byteOffset, w.length));
      const decoders = { heddle: rotating(wires, (w) => codec.decode(w)), [peer]: rotating(buffers, (b) => pkg.decode('Order', b, protocol)) };
      const encoders = { heddle: rotating(list, (o) => codec.encode(o)), [peer]: rotating(objects, (o) => pkg.encode(o, protocol)) };
      if (protocol === 'binary') {
        const protoBuffers = list.map((o) => Buffer.from(protoCodec.encode(o)));
        const protoMessages = list.map((o) => pbjsType.fromObject(forProtobufjs(o)));
        decoders.protobufjs = rotating(protoBuffers, (b) => pbjsType.decode(b));
        encoders.protobufjs = rotating(protoMessages, (m) => pbjsType.encode(m).finish());
      }
      const title = `Realistic orders (${COUNT} distinct)`;
      await bench.compare(`${title} decode ${protocol}`, decoders, { bytes: meanBytes });
      await bench.sustained(`${title} decode ${protocol}`, decoders, { bytes: meanBytes });
      await bench.compare(`${title} encode ${protocol}`, encoders, { bytes: meanBytes });
      await bench.sustained(`${title} encode ${protocol}`, encoders, { bytes: meanBytes });
    }
  } finally {
    pkg.dispose();
  }
}
