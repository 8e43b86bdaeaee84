/**
 * The `thrift` npm package (a devDependency) as a peer: code generated with `thrift --gen js:node`
 * (the system peer 'thrift') into a temp dir (its requires resolve through a node_modules link),
 * in-memory transports for encode/decode, and heddle values turned into its generated objects.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ThriftDocument, ThriftType } from '../../../src-ts/thrift/index.js';

const require = createRequire(import.meta.url);
const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

/* eslint-disable @typescript-eslint/no-explicit-any -- the generated classes are untyped */
type GeneratedTypes = Record<string, any>;

/** Code generated for one IDL file, loaded; call `dispose` to remove the temp dir. */
export interface NpmThriftModule {
  types: GeneratedTypes;
  thrift: any;
  dispose(): void;
}

/** Generates `thrift --gen js:node` code for `idl` (file `<module>.thrift`) and loads it. */
export function generateNpmThrift(idl: string, module: string): NpmThriftModule {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-js-'));
  const file = join(dir, `${module}.thrift`);
  writeFileSync(file, idl);
  execFileSync('thrift', ['--gen', 'js:node', '-out', dir, file]);
  symlinkSync(NODE_MODULES, join(dir, 'node_modules'));
  const types = require(join(dir, `${module}_types.js`)) as GeneratedTypes;
  return { types, thrift: require(join(NODE_MODULES, 'thrift')), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

function protocolClass(thrift: any, protocol: 'binary' | 'compact'): any {
  return protocol === 'binary' ? thrift.TBinaryProtocol : thrift.TCompactProtocol;
}

/** Encodes a generated object with the package's own protocol over a buffered transport. */
export function npmEncode(peer: NpmThriftModule, object: any, protocol: 'binary' | 'compact'): Uint8Array {
  let out: Buffer | undefined;
  const transport = new peer.thrift.TBufferedTransport(undefined, (bytes: Buffer) => {
    out = bytes;
  });
  object.write(new (protocolClass(peer.thrift, protocol))(transport));
  transport.flush();
  return new Uint8Array(out ?? Buffer.alloc(0));
}

/** Decodes bytes into a new instance of generated class `name`. */
export function npmDecode(peer: NpmThriftModule, name: string, bytes: Uint8Array, protocol: 'binary' | 'compact'): any {
  const transport = new peer.thrift.TFramedTransport(Buffer.from(bytes));
  const object = new peer.types[name]();
  object.read(new (protocolClass(peer.thrift, protocol))(transport));
  return object;
}

/** A heddle value of `type` as the package represents it (Int64, Buffer, keyed objects, classes). */
export function toNpm(peer: NpmThriftModule, doc: ThriftDocument, type: ThriftType, value: unknown): unknown {
  switch (type.kind) {
    case 'base':
      if (type.name === 'i64') return peer.thrift.fromBigInt(value as bigint);
      if (type.name === 'binary') return Buffer.from(value as Uint8Array);
      return value;
    case 'enum':
      return value;
    case 'list':
    case 'set':
      return (value as unknown[]).map((item) => toNpm(peer, doc, type.element, item));
    case 'map': {
      const object: Record<string, unknown> = {};
      for (const [k, v] of value as Map<unknown, unknown>) object[String(k)] = toNpm(peer, doc, type.value, v);
      return object;
    }
    case 'struct': {
      const struct = doc.struct(type.key);
      const args: Record<string, unknown> = {};
      for (const field of struct.fields) {
        const fieldValue = (value as Record<string, unknown>)[field.name];
        if (fieldValue !== undefined) args[field.name] = toNpm(peer, doc, field.type, fieldValue);
      }
      return new peer.types[struct.name](args);
    }
  }
}
