// The peers: the `thrift` npm package with code from `thrift --gen js:node` (generated into a
// temp dir when the bench starts) and protobufjs (reflection: Type.encode/decode, which runs
// protobufjs' generated per-type code; its static-code CLI is not installed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = fileURLToPath(new URL('.', import.meta.url));
const nodeModules = join(here, '..', '..', 'node_modules');
export const thriftIdl = join(here, 'fixtures', 'baseline.thrift');
// The Protobuf twin of the Thrift messages: the shared copy when shared/ sits beside the checkout,
// else the one the Protobuf tests keep (the same file).
const sharedProto = join(here, '..', '..', '..', 'shared', 'bench', 'baseline.proto');
export const protoFile = existsSync(sharedProto) ? sharedProto : join(here, '..', '..', 'test', 'protobuf', 'fixtures', 'baseline.proto');

/** Loads the thrift package and code generated for `idl` (baseline.thrift by default); `dispose` removes it. */
export function loadThriftPackage(idl = thriftIdl, typesFile = 'baseline_types.js') {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-bench-'));
  execFileSync('thrift', ['--gen', 'js:node', '-out', dir, idl]);
  symlinkSync(nodeModules, join(dir, 'node_modules'));
  const thrift = require(join(nodeModules, 'thrift'));
  const types = require(join(dir, typesFile));
  const protocols = { binary: thrift.TBinaryProtocol, compact: thrift.TCompactProtocol };
  return {
    thrift,
    types,
    /** Encodes a generated object, as an application would: a transport, a protocol, write, flush. */
    encode(object, protocol) {
      let out;
      const transport = new thrift.TBufferedTransport(undefined, (bytes) => {
        out = bytes;
      });
      object.write(new protocols[protocol](transport));
      transport.flush();
      return out;
    },
    /** Decodes bytes into a new instance of generated class `name`. */
    decode(name, bytes, protocol) {
      const object = new types[name]();
      object.read(new protocols[protocol](new thrift.TFramedTransport(bytes)));
      return object;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The protobufjs root for baseline.proto. */
export function loadProtobufjs() {
  const protobuf = require(join(nodeModules, 'protobufjs'));
  return protobuf.loadSync(protoFile);
}

/**
 * Converts a heddle value of struct `name` to the thrift package's representation (Int64, Buffer,
 * generated classes) for writing with `protocol`.
 */
export function toThriftPackage(pkg, name, value, protocol) {
  const convert = (v) => {
    if (typeof v === 'bigint') return pkg.thrift.fromBigInt(v);
    if (v instanceof Uint8Array) return Buffer.from(v);
    if (v instanceof Float64Array) return Array.from(v);
    if (v instanceof BigInt64Array) return Array.from(v, (x) => pkg.thrift.fromBigInt(x));
    if (Array.isArray(v)) return v.map(convert);
    if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [mapKey(k), convert(x)]));
    return v;
  };
  // The package keeps maps as objects, so an i64 key is a string, which its Binary protocol reads
  // as hex (node-int64) and its Compact protocol as decimal.
  const mapKey = (k) =>
    typeof k === 'bigint' && protocol === 'binary' ? BigInt.asUintN(64, k).toString(16).padStart(16, '0') : String(k);
  const struct = (structName, object) => {
    const args = {};
    for (const [k, v] of Object.entries(object)) args[k] = convert(v);
    return new pkg.types[structName](args);
  };
  // Struct-typed fields of the baseline messages, by message.
  const nested = { Nesting: { ListSimple: 'Simple', SimpleStruct: 'Simple', MapStringSimple: 'Simple' }, Order: { items: 'OrderItem' } };
  const args = {};
  for (const [k, v] of Object.entries(value)) {
    const inner = nested[name]?.[k];
    if (inner === undefined) args[k] = convert(v);
    else if (Array.isArray(v)) args[k] = v.map((x) => struct(inner, x));
    else if (v instanceof Map) args[k] = Object.fromEntries([...v].map(([key, x]) => [key, struct(inner, x)]));
    else args[k] = struct(inner, v);
  }
  return new pkg.types[name](args);
}

/** Converts a heddle value to a protobufjs message of the equivalent proto type. */
export function toProtobufjs(type, value) {
  // protobufjs names fields in lowerCamelCase: ByteField and byte_field are both byteField.
  const camel = (name) => (name[0].toLowerCase() + name.slice(1)).replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
  const convert = (v) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Float64Array) return Array.from(v);
    if (v instanceof BigInt64Array) return Array.from(v, (x) => x.toString());
    if (v instanceof Uint8Array) return v;
    if (Array.isArray(v)) return v.map(convert);
    if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), convert(x)]));
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [camel(k), convert(x)]));
    return v;
  };
  return type.fromObject(convert(value));
}
