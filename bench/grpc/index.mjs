// heddle/grpc-loader against @grpc/proto-loader: each PackageDefinition's serialize and
// deserialize on the baseline messages (Simple, Nesting, Order) and a route_guide Feature, with
// the option set most grpc-node code passes, {keepCase, longs: String, enums: String, defaults,
// oneofs}. Values are in that option set's form: what proto-loader itself deserializes.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import * as heddlePackage from '../../dist/index.js';
import * as heddleLoaderPackage from '../../dist/adapters/grpc-loader/index.js';
import * as values from '../protobuf/values.mjs';

const heddle = heddlePackage.default ?? heddlePackage;
const heddleLoader = heddleLoaderPackage.default ?? heddleLoaderPackage;
const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '..', '..', '..', 'shared', 'bench', 'baseline.proto');
const baselinePath = existsSync(shared) ? shared : join(here, '..', '..', 'test', 'protobuf', 'fixtures', 'baseline.proto');
const routeGuidePath = join(here, '..', '..', 'test', 'adapters', 'grpc-loader', 'protos', 'route_guide.proto');
const LEGACY = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

/** @param {import('../harness.mjs').Bench} bench */
export async function run(bench) {
  const root = heddle.protobuf.load(baselinePath);
  const theirs = protoLoader.loadSync([baselinePath, routeGuidePath], LEGACY);
  const ours = heddleLoader.loadSync([baselinePath, routeGuidePath], LEGACY);
  const feature = { name: '北京市朝阳区 Patriots Path, Mendham, NJ 07945, USA', location: { latitude: 407838351, longitude: -746143763 } };
  const cases = [
    ['Simple', 'baseline.Simple', root.codec('baseline.Simple').encode(values.simple)],
    ['Nesting', 'baseline.Nesting', root.codec('baseline.Nesting').encode(values.nesting)],
    ['Order', 'baseline.Order', root.codec('baseline.Order').encode(values.order)],
    ['route_guide Feature', 'routeguide.Feature', theirs['routeguide.Feature'].serialize(feature)],
  ];
  for (const [label, typeName, encoded] of cases) {
    const reference = theirs[typeName];
    const mine = ours[typeName];
    const bytes = Buffer.from(encoded);
    // The value in the legacy option set's form, as a grpc-js handler receives and returns it
    // (heddle's, whose int64 map keys are decimal; proto-loader's would be its hash strings).
    const value = mine.deserialize(bytes);
    if (!mine.serialize(value).equals(reference.serialize(value))) throw new Error(`${label}: serialized bytes differ`);
    await bench.compare(`${label} serialize (legacy options)`, {
      'heddle/grpc-loader': () => mine.serialize(value),
      '@grpc/proto-loader': () => reference.serialize(value),
    }, { bytes: bytes.length });
    await bench.compare(`${label} deserialize (legacy options)`, {
      'heddle/grpc-loader': () => mine.deserialize(bytes),
      '@grpc/proto-loader': () => reference.deserialize(bytes),
    }, { bytes: bytes.length });
  }
}
