/**
 * Protobuf for heddle: a .proto parser that matches protoc, FileDescriptorSet loading, and codecs
 * generated at run time per message type and options.
 *
 * ```ts
 * const root = protobuf.parse(source, { filename: 'edge.proto' });
 * const codec = root.codec('edge.v1.Shipment', { int64: 'bigint' });
 * const bytes = codec.encode({ id: 7n });
 * ```
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { HeddleError } from '../errors.js';
import { readDescriptorSet } from './descriptor/descriptor-set-reader.js';
import { loadProtoFile } from './descriptor/file-loader.js';
import { DescriptorPool } from './descriptor/pool.js';
import { Root } from './root.js';

export { Root } from './root.js';
export type { MethodInfo, ServiceInfo } from './root.js';
export type { Codec } from './codegen/codec.js';
export type { CodecOptions } from './codegen/codec-options.js';
export type { EnumInfo, FieldInfo, MessageInfo, ScalarType } from './descriptor/type-info.js';
export type * from './descriptor/descriptor-proto.js';
export { FieldType, FieldLabel } from './descriptor/descriptor-proto.js';

/** Options of {@link parse}. */
export interface ParseOptions {
  /** The name of the source in errors and in its descriptor; default `input.proto`. */
  filename?: string;
  /** Sources of imported files by import path. The well-known types are built in. */
  imports?: Record<string, string>;
}

/**
 * Parses and links a .proto source and its imports. Throws HeddleError ERR_IDL_SYNTAX (or
 * ERR_UNKNOWN_TYPE for names and imports that do not resolve) with file:line:column where protoc
 * would reject the file.
 */
export function parse(source: string, options: ParseOptions = {}): Root {
  if (typeof source !== 'string') throw new HeddleError('ERR_INVALID_ARGUMENT', 'parse expects .proto source text');
  const filename = options.filename ?? 'input.proto';
  const imports = options.imports ?? {};
  const pool = new DescriptorPool();
  const file = loadProtoFile(pool, filename, source, (name) => (Object.hasOwn(imports, name) ? imports[name] : undefined));
  return new Root(pool, [file]);
}

/** Options of {@link load}. */
export interface LoadOptions {
  /** Directories imports are searched in, in order (protoc's `-I`); default: the file's directory. */
  includeDirs?: string[];
}

/**
 * Reads a .proto file and its imports from disk. The file's descriptor name is its path relative
 * to the include directory that contains it, as protoc names it.
 */
export function load(filename: string, options: LoadOptions = {}): Root {
  const includeDirs = (options.includeDirs ?? [dirname(filename)]).map((dir) => resolve(dir));
  const absolute = resolve(filename);
  let name: string | undefined;
  let text: string | undefined;
  for (const dir of includeDirs) {
    if (absolute.startsWith(dir + sep)) {
      name = relative(dir, absolute).split(sep).join('/');
      text = readSource(absolute);
      break;
    }
  }
  if (name === undefined && !isAbsolute(filename)) {
    for (const dir of includeDirs) {
      const candidate = readSource(join(dir, filename), true);
      if (candidate !== undefined) {
        name = filename.split(sep).join('/');
        text = candidate;
        break;
      }
    }
  }
  if (name === undefined || text === undefined) {
    throw new HeddleError('ERR_INVALID_ARGUMENT', `${filename} is not in any include directory (${includeDirs.join(', ')})`);
  }
  const pool = new DescriptorPool();
  const file = loadProtoFile(pool, name, text, (importPath) => {
    for (const dir of includeDirs) {
      const found = readSource(join(dir, importPath), true);
      if (found !== undefined) return found;
    }
    return undefined;
  });
  return new Root(pool, [file]);
}

function readSource(path: string, optional = false): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HeddleError('ERR_INVALID_ARGUMENT', `cannot read ${path}`, { cause: error });
  }
}

/**
 * Loads a serialized FileDescriptorSet, as `protoc --descriptor_set_out --include_imports` or
 * `buf build -o` write it. Files are checked as protoc checks them; custom options are decoded.
 * Well-known types the set imports but does not contain are taken from the built-in copies.
 */
export function fromDescriptorSet(bytes: Uint8Array): Root {
  return readDescriptorSet(bytes);
}
