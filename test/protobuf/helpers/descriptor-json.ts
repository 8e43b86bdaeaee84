import { createFileRegistry, fromBinary, toJson } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { FileDescriptorProto } from '../../../src-ts/protobuf/index.js';

/**
 * Descriptors in one comparable form: protobuf JSON with proto field names and enum numbers, as
 * @bufbuild/protobuf prints protoc's FileDescriptorSet, and as heddle's model converts.
 */
export type DescriptorJson = Record<string, unknown>;

/** protoc's FileDescriptorSet, decoded by @bufbuild/protobuf, one JSON object per file. */
export function protocFilesJson(set: Uint8Array): Map<string, DescriptorJson> {
  const message = fromBinary(FileDescriptorSetSchema, set);
  // A registry of the set's own files makes custom options (extensions) print as "[name]" keys.
  const registry = createFileRegistry(message);
  const json = toJson(FileDescriptorSetSchema, message, { useProtoFieldName: true, enumAsInteger: true, registry }) as {
    file: DescriptorJson[];
  };
  return new Map(json.file.map((f) => [f.name as string, stripSourceInfo(f)]));
}

function stripSourceInfo(file: DescriptorJson): DescriptorJson {
  const { source_code_info: _ignored, ...rest } = file;
  return rest;
}

/** heddle's descriptor of one file in the same JSON form. */
export function heddleFileJson(file: FileDescriptorProto): DescriptorJson {
  return stripSourceInfo(toProtoJson(file) as DescriptorJson);
}

function toProtoJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Infinity) return 'Infinity';
    if (value === -Infinity) return '-Infinity';
    return value;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toProtoJson);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || (Array.isArray(item) && item.length === 0)) continue;
      out[key] = toProtoJson(item);
    }
    return out;
  }
  return value;
}
