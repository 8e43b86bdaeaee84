import type { ParsedFile } from '../parser/parsed-file.js';
import { formatDouble, formatFloat } from './default-value.js';
import { FieldType, type DescriptorProto, type FieldDescriptorProto, type FileDescriptorProto } from './descriptor-proto.js';
import { interpretOptions } from './interpret-options.js';
import { jsonName } from './json-name.js';
import { buildFile } from './link-build.js';
import { LinkContext } from './link-context.js';
import { crossLinkFile } from './link-cross.js';
import { validateFile } from './link-validate.js';
import type { DescriptorPool } from './pool.js';

/**
 * Links a parsed file into `pool` as protoc's DescriptorBuilder does: its imports must already be
 * in the pool. On success the file's descriptor is complete (names resolved to `.full.Name`,
 * options interpreted, `json_name` on every field, defaults in canonical form) and its names are
 * in the pool. On failure the pool is left as it was and the HeddleError carries file:line:column.
 */
export function linkFile(pool: DescriptorPool, parsed: ParsedFile): FileDescriptorProto {
  const file = parsed.proto;
  const seen = new Set<string>();
  file.dependency.forEach((dependency, i) => {
    const where = parsed.importPositions[i];
    if (seen.has(dependency)) {
      new LinkContext(pool, parsed).failAt(where, `Import "${dependency}" was listed twice.`);
    }
    seen.add(dependency);
    if (!pool.files.has(dependency)) {
      new LinkContext(pool, parsed).failAt(where, `Import "${dependency}" was not found or had errors.`, 'ERR_UNKNOWN_TYPE');
    }
  });
  const ctx = new LinkContext(pool, parsed);
  try {
    buildFile(ctx);
    crossLinkFile(ctx);
    interpretOptions(ctx);
    validateFile(ctx);
  } catch (error) {
    for (const [name, entry] of pool.symbols) if (entry.file === file.name) pool.symbols.delete(name);
    throw error;
  }
  finishFile(file);
  registerExtensions(pool, file);
  pool.files.set(file.name!, file);
  return file;
}

/** What protoc adds when it writes a descriptor: json_name everywhere, canonical defaults. */
function finishFile(file: FileDescriptorProto): void {
  const finishField = (field: FieldDescriptorProto): void => {
    field.json_name ??= jsonName(field.name!);
    if (field.default_value !== undefined) field.default_value = canonicalDefault(field);
  };
  const finishMessage = (message: DescriptorProto): void => {
    message.field.forEach(finishField);
    message.extension.forEach(finishField);
    message.nested_type.forEach(finishMessage);
  };
  file.message_type.forEach(finishMessage);
  file.extension.forEach(finishField);
}

function canonicalDefault(field: FieldDescriptorProto): string {
  const text = field.default_value!;
  switch (field.type) {
    case FieldType.DOUBLE:
      return formatDouble(parseFloatText(text));
    case FieldType.FLOAT:
      return formatFloat(Math.fround(parseFloatText(text)));
    case FieldType.INT32:
    case FieldType.INT64:
    case FieldType.SINT32:
    case FieldType.SINT64:
    case FieldType.SFIXED32:
    case FieldType.SFIXED64:
    case FieldType.UINT32:
    case FieldType.UINT64:
    case FieldType.FIXED32:
    case FieldType.FIXED64:
      return BigInt(text).toString();
    default:
      return text;
  }
}

/** Reads protoc's float text (`inf`, `-inf`, `nan`, decimal). */
export function parseFloatText(text: string): number {
  const unsigned = text.replace(/^-/, '');
  const sign = text.startsWith('-') ? -1 : 1;
  if (unsigned === 'inf' || unsigned === 'infinity') return sign * Infinity;
  if (unsigned === 'nan') return NaN;
  return Number(text);
}

function registerExtensions(pool: DescriptorPool, file: FileDescriptorProto): void {
  const scope = file.package ?? '';
  const register = (field: FieldDescriptorProto, owner: string): void => {
    const extendee = field.extendee!.slice(1);
    let byNumber = pool.extensionsByExtendee.get(extendee);
    if (byNumber === undefined) {
      byNumber = new Map();
      pool.extensionsByExtendee.set(extendee, byNumber);
    }
    const fullName = owner === '' ? field.name! : `${owner}.${field.name}`;
    const entry = pool.symbols.get(fullName);
    if (entry?.kind === 'field' && !byNumber.has(field.number!)) byNumber.set(field.number!, entry);
  };
  const visit = (message: DescriptorProto, owner: string): void => {
    const fullName = owner === '' ? message.name! : `${owner}.${message.name}`;
    for (const extension of message.extension) register(extension, fullName);
    for (const nested of message.nested_type) visit(nested, fullName);
  };
  for (const extension of file.extension) register(extension, scope);
  for (const message of file.message_type) visit(message, scope);
}
