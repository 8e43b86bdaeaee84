// Thrift codecs: heddle against the `thrift` npm package (its generated js:node code, Binary and
// Compact) and protobufjs (the equivalent messages of baseline.proto), encode and decode, on
// Simple, Nesting and Order, plus 10k-element list<double> and list<i64> as TypedArrays, and streams
// of realistic e-commerce orders (bench/realistic).
// ratio = peer time / heddle time: above 1, heddle is faster.
import { readFileSync } from 'node:fs';
import heddle from '../../dist/index.js';
import * as messages from './messages.mjs';
import { loadProtobufjs, loadThriftPackage, thriftIdl, toProtobufjs, toThriftPackage } from './peers.mjs';
import { thriftRealisticRows } from '../realistic/rows.mjs';
import { run as runCompatCodec } from './compat-codec.mjs';

const { thrift } = heddle;

export async function run(bench) {
  const doc = thrift.parse(readFileSync(thriftIdl, 'utf8'), { filename: 'baseline.thrift' });
  const pkg = loadThriftPackage();
  const root = loadProtobufjs();
  try {
    const cases = [
      ['Simple', messages.simple(), {}],
      ['Nesting', messages.nesting(), {}],
      ['Order', messages.order(), {}],
      ['Doubles (10k list<double>)', messages.doubles(), { typedArrays: true }, 'Doubles'],
      ['Longs (10k list<i64>)', messages.longs(), { typedArrays: true }, 'Longs'],
    ];
    for (const [title, value, options, typeName = title] of cases) {
      const protoType = root.lookupType(`baseline.${typeName}`);
      const protoMessage = toProtobufjs(protoType, value);
      const protoBytes = protoType.encode(protoMessage).finish();
      for (const protocol of ['binary', 'compact']) {
        const packageObject = toThriftPackage(pkg, typeName, value, protocol);
        const codec = doc.codec(typeName, { protocol, ...options });
        const bytes = codec.encode(value);
        const packageBytes = pkg.encode(packageObject, protocol);
        if (!Buffer.from(packageBytes).equals(Buffer.from(bytes))) throw new Error(`${title} ${protocol}: heddle and thrift bytes differ`);
        const encodePeers = { heddle: () => codec.encode(value), [`thrift (${protocol})`]: () => pkg.encode(packageObject, protocol) };
        const decodePeers = { heddle: () => codec.decode(bytes), [`thrift (${protocol})`]: () => pkg.decode(typeName, packageBytes, protocol) };
        if (protocol === 'binary') {
          encodePeers.protobufjs = () => protoType.encode(protoMessage).finish();
          decodePeers.protobufjs = () => protoType.decode(protoBytes);
        }
        await bench.compare(`${title} encode ${protocol}`, encodePeers, { bytes: bytes.length });
        await bench.compare(`${title} decode ${protocol}`, decodePeers, { bytes: bytes.length });
      }
    }
  } finally {
    pkg.dispose();
  }
  // E-commerce orders that look like production (bench/realistic), per-operation and sustained.
  await thriftRealisticRows(bench, heddle);
  // heddle/thrift-compat: the gen-nodejs value options against the package's generated code.
  await runCompatCodec(bench);
}
