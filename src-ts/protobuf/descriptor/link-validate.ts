import { FieldLabel, FieldType, type DescriptorProto, type EnumDescriptorProto, type FieldDescriptorProto } from './descriptor-proto.js';
import { isPackableType } from './link-cross.js';
import { qualify, type LinkContext } from './link-context.js';
import { jsonName } from './json-name.js';
import { mapEntryName } from '../parser/parse-field.js';

const MAX_FIELD_NUMBER = 536870911;
const INT32_MAX = 0x7fffffff;
/** proto3 files may only extend descriptor.proto's options messages (custom options). */
const PROTO3_EXTENDEES = new Set([
  'FileOptions', 'MessageOptions', 'FieldOptions', 'EnumOptions', 'EnumValueOptions', 'ServiceOptions',
  'MethodOptions', 'OneofOptions', 'ExtensionRangeOptions',
].map((n) => `google.protobuf.${n}`));

/**
 * The last linking pass, protoc's "validate options": checks that need interpreted options and
 * resolved types, then the proto3 rules.
 */
export function validateFile(ctx: LinkContext): void {
  const scope = ctx.file.package ?? '';
  for (const message of ctx.file.message_type) validateMessage(ctx, message, qualify(scope, message.name!));
  for (const enumType of ctx.file.enum_type) validateEnum(ctx, enumType, scope);
  for (const extension of ctx.file.extension) validateField(ctx, extension, undefined);
  if (ctx.syntax === 'proto3') {
    for (const extension of ctx.file.extension) validateProto3Field(ctx, extension, undefined);
    for (const message of ctx.file.message_type) validateProto3Message(ctx, message, qualify(scope, message.name!));
    for (const enumType of ctx.file.enum_type) validateProto3Enum(ctx, enumType);
  }
}

function validateMessage(ctx: LinkContext, message: DescriptorProto, fullName: string): void {
  for (const field of message.field) validateField(ctx, field, message);
  for (const nested of message.nested_type) validateMessage(ctx, nested, qualify(fullName, nested.name!));
  for (const enumType of message.enum_type) validateEnum(ctx, enumType, fullName);
  for (const extension of message.extension) validateField(ctx, extension, undefined);
  const max = message.options?.message_set_wire_format === true ? INT32_MAX : MAX_FIELD_NUMBER;
  for (const range of message.extension_range) {
    if (range.end! > max + 1) ctx.fail(range, 'number', `Extension numbers cannot be greater than ${max}.`);
  }
}

function validateField(ctx: LinkContext, field: FieldDescriptorProto, container: DescriptorProto | undefined): void {
  const options = field.options ?? {};
  if ((options.lazy === true || options.unverified_lazy === true) && field.type !== FieldType.MESSAGE) {
    ctx.fail(field, 'type', '[lazy = true] can only be specified for submessage fields.');
  }
  if (options.packed === true && !(field.label === FieldLabel.REPEATED && isPackableType(field.type))) {
    ctx.fail(field, 'type', '[packed = true] can only be specified for repeated primitive fields.');
  }
  const extendee = field.extendee === undefined ? container : ctx.pool.message(field.extendee.slice(1));
  if (extendee?.options?.message_set_wire_format === true) {
    if (field.extendee === undefined) ctx.fail(field, 'name', 'MessageSets cannot have fields, only extensions.');
    if (field.label !== FieldLabel.OPTIONAL || field.type !== FieldType.MESSAGE) {
      ctx.fail(field, 'type', 'Extensions of MessageSets must be optional messages.');
    }
  }
  const entry = field.type === FieldType.MESSAGE ? ctx.pool.message(field.type_name!.slice(1)) : undefined;
  if (entry?.options?.map_entry === true) validateMapEntry(ctx, field, entry, container);
  validateJsType(ctx, field);
  if (field.extendee !== undefined && field.json_name !== undefined && field.json_name !== jsonName(field.name!)) {
    ctx.fail(field, 'name', 'option json_name is not allowed on extension fields.');
  }
}

function validateMapEntry(
  ctx: LinkContext,
  field: FieldDescriptorProto,
  entry: DescriptorProto,
  container: DescriptorProto | undefined,
): void {
  const [key, value] = entry.field;
  const wellFormed = entry.extension.length === 0 && field.label === FieldLabel.REPEATED &&
    entry.extension_range.length === 0 && entry.nested_type.length === 0 && entry.enum_type.length === 0 &&
    entry.field.length === 2 && entry.name === mapEntryName(field.name!) &&
    container !== undefined && container.nested_type.includes(entry) &&
    key!.label === FieldLabel.OPTIONAL && key!.number === 1 && key!.name === 'key' &&
    value!.label === FieldLabel.OPTIONAL && value!.number === 2 && value!.name === 'value';
  if (!wellFormed) {
    ctx.fail(field, 'other', 'map_entry should not be set explicitly. Use map<KeyType, ValueType> instead.');
  }
  switch (key!.type) {
    case FieldType.ENUM:
      ctx.fail(field, 'type', 'Key in map fields cannot be enum types.');
    case FieldType.FLOAT:
    case FieldType.DOUBLE:
    case FieldType.MESSAGE:
    case FieldType.GROUP:
    case FieldType.BYTES:
      ctx.fail(field, 'type', 'Key in map fields cannot be float/double, bytes or message types.');
  }
  if (value!.type === FieldType.ENUM) {
    const valueEnum = ctx.pool.symbols.get(value!.type_name!.slice(1));
    if (valueEnum?.kind === 'enum' && valueEnum.node.value[0]?.number !== 0) {
      ctx.fail(field, 'type', 'Enum value in map must define 0 as the first value.');
    }
  }
}

const JS_NORMAL = 0;
function validateJsType(ctx: LinkContext, field: FieldDescriptorProto): void {
  const jstype = field.options?.jstype;
  if (jstype === undefined || jstype === JS_NORMAL) return;
  const is64 = field.type === FieldType.INT64 || field.type === FieldType.UINT64 || field.type === FieldType.SINT64 ||
    field.type === FieldType.FIXED64 || field.type === FieldType.SFIXED64;
  if (!is64) ctx.fail(field, 'type', 'jstype is only allowed on int64, uint64, sint64, fixed64 or sfixed64 fields.');
}

function validateEnum(ctx: LinkContext, enumType: EnumDescriptorProto, scope: string): void {
  if (enumType.options?.allow_alias === true) return;
  const used = new Map<number, string>();
  for (const value of enumType.value) {
    const first = used.get(value.number!);
    if (first !== undefined) {
      ctx.fail(value, 'number',
        `"${qualify(scope, value.name!)}" uses the same enum value as "${first}". If this is intended, set 'option allow_alias = true;' to the enum definition.`);
    }
    used.set(value.number!, qualify(scope, value.name!));
  }
}

function validateProto3Message(ctx: LinkContext, message: DescriptorProto, fullName: string): void {
  for (const nested of message.nested_type) validateProto3Message(ctx, nested, qualify(fullName, nested.name!));
  for (const enumType of message.enum_type) validateProto3Enum(ctx, enumType);
  for (const field of message.field) validateProto3Field(ctx, field, fullName);
  for (const extension of message.extension) validateProto3Field(ctx, extension, fullName);
  if (message.extension_range.length > 0) {
    ctx.fail(message.extension_range[0]!, 'number', 'Extension ranges are not allowed in proto3.');
  }
  if (message.options?.message_set_wire_format === true) ctx.fail(message, 'name', 'MessageSet is not supported in proto3.');
  const byLowercase = new Map<string, string>();
  for (const field of message.field) {
    const key = field.name!.replace(/_/g, '').toLowerCase();
    const other = byLowercase.get(key);
    if (other !== undefined) {
      ctx.fail(field, 'name',
        `The JSON camel-case name of field "${field.name}" conflicts with field "${other}". This is not allowed in proto3.`);
    }
    byLowercase.set(key, field.name!);
  }
}

function validateProto3Field(ctx: LinkContext, field: FieldDescriptorProto, containingType: string | undefined): void {
  if (field.extendee !== undefined && !PROTO3_EXTENDEES.has(field.extendee.slice(1))) {
    ctx.fail(field, 'extendee', 'Extensions in proto3 are only allowed for defining options.');
  }
  if (field.label === FieldLabel.REQUIRED) ctx.fail(field, 'type', 'Required fields are not allowed in proto3.');
  if (field.default_value !== undefined) ctx.fail(field, 'default', 'Explicit default values are not allowed in proto3.');
  if (field.type === FieldType.ENUM) {
    const enumEntry = ctx.pool.symbols.get(field.type_name!.slice(1));
    if (enumEntry?.kind === 'enum' && enumEntry.syntax !== 'proto3') {
      const owner = field.extendee?.slice(1) ?? containingType ?? '';
      ctx.fail(field, 'type',
        `Enum type "${enumEntry.fullName}" is not a proto3 enum, but is used in "${owner}" which is a proto3 message type.`);
    }
  }
  if (field.type === FieldType.GROUP) ctx.fail(field, 'type', 'Groups are not supported in proto3 syntax.');
}

function validateProto3Enum(ctx: LinkContext, enumType: EnumDescriptorProto): void {
  const first = enumType.value[0];
  if (first !== undefined && first.number !== 0) ctx.fail(first, 'number', 'The first enum value must be zero in proto3.');
}
