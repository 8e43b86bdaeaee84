import type { OptionLiteral, OptionsKind, Position, UninterpretedOption } from '../parser/parsed-file.js';
import { FieldLabel, FieldType, type DescriptorProto, type FieldDescriptorProto, type OptionsValue } from './descriptor-proto.js';
import type { LinkContext } from './link-context.js';
import { forEachOptionsHolder } from './options-walk.js';
import { parseTextFormatMessage, TextFormatError } from './text-format-value.js';

/**
 * Turns the options the parser kept as written into values of their options message
 * (FieldOptions, ...), as protoc's OptionInterpreter does: standard options by field name, custom
 * options (extensions) found by scoped name lookup and stored under `[full.name]`.
 */
export function interpretOptions(ctx: LinkContext): void {
  const pending = ctx.parsed.options;
  if (pending.size === 0) return;
  forEachOptionsHolder(ctx.file, (element, _kind, relativeTo) => {
    const entry = pending.get(element);
    if (entry === undefined) return;
    const options: OptionsValue = element.options ?? {};
    for (const option of entry.list) interpretOne(ctx, entry.kind, option, options, relativeTo);
    element.options = options;
  });
}

function interpretOne(
  ctx: LinkContext,
  kind: OptionsKind,
  option: UninterpretedOption,
  options: OptionsValue,
  relativeTo: string,
): void {
  const optionsTypeName = `google.protobuf.${kind}`;
  let messageType = ctx.pool.message(optionsTypeName);
  let messageName = optionsTypeName;
  if (messageType === undefined) ctx.failAt(option.pos, `${optionsTypeName} is not available to interpret options.`);
  if (option.name[0]!.name === 'uninterpreted_option' && !option.name[0]!.isExtension) {
    ctx.failAt(option.pos, 'Option must not use reserved name "uninterpreted_option".');
  }
  let target = options;
  let debugName = '';
  option.name.forEach((part, i) => {
    debugName += (debugName === '' ? '' : '.') + (part.isExtension ? `(${part.name})` : part.name);
    const { field, key } = findOptionField(ctx, part, messageType!, messageName, relativeTo, debugName, option.pos);
    if (i === option.name.length - 1) {
      setOptionValue(ctx, field, key, target, option, debugName);
      return;
    }
    if (field.type !== FieldType.MESSAGE && field.type !== FieldType.GROUP) {
      ctx.failAt(part.pos, `Option "${debugName}" is an atomic type, not a message.`);
    }
    if (field.label === FieldLabel.REPEATED) {
      ctx.failAt(part.pos, `Option field "${debugName}" is a repeated message. Repeated message options must be initialized using an aggregate value.`);
    }
    const existing = target[key];
    const child = (existing ?? {}) as OptionsValue;
    target[key] = child;
    target = child;
    messageName = field.type_name!.slice(1);
    messageType = ctx.pool.message(messageName)!;
  });
}

function findOptionField(
  ctx: LinkContext,
  part: { name: string; isExtension: boolean },
  messageType: DescriptorProto,
  messageName: string,
  relativeTo: string,
  debugName: string,
  pos: Position,
): { field: FieldDescriptorProto; key: string } {
  if (!part.isExtension) {
    const field = messageType.field.find((f) => f.name === part.name);
    if (field === undefined) {
      ctx.failAt(pos, `Option "${debugName}" unknown. Ensure that your proto definition file imports the proto which defines the option.`);
    }
    return { field, key: field.name! };
  }
  const found = ctx.lookup(part.name, relativeTo);
  if (found.entry?.kind !== 'field') {
    if (found.resolvedTo !== undefined) {
      ctx.failAt(pos, `Option "${debugName}" is resolved to "(${found.resolvedTo})", which is not defined. The innermost scope is searched first in name resolution. Consider using a leading '.'(i.e., "(.${debugName.slice(1)}") to start from the outermost scope.`);
    }
    ctx.failAt(pos, `Option "${debugName}" unknown. Ensure that your proto definition file imports the proto which defines the option.`);
  }
  if (found.entry.node.extendee !== '.' + messageName) {
    ctx.failAt(pos, `Option field "${debugName}" is not a field or extension of message "${messageType.name}".`);
  }
  return { field: found.entry.node, key: `[${found.entry.fullName}]` };
}

function setOptionValue(
  ctx: LinkContext,
  field: FieldDescriptorProto,
  key: string,
  target: OptionsValue,
  option: UninterpretedOption,
  debugName: string,
): void {
  const repeated = field.label === FieldLabel.REPEATED;
  if (!repeated && key in target) ctx.failAt(option.pos, `Option "${debugName}" was already set.`);
  const value = optionValue(ctx, field, option.value, option.valuePos);
  if (repeated) ((target[key] ??= []) as unknown[]).push(value);
  else target[key] = value;
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT32_MAX = 2n ** 32n - 1n;

/** protoc's SetOptionValue: checks a literal against the option field's type and converts it. */
function optionValue(ctx: LinkContext, field: FieldDescriptorProto, literal: OptionLiteral, pos: Position): unknown {
  // Only error messages need the option's full name, and finding it scans the pool.
  const name = (): string => optionFieldName(ctx, field);
  const fail = (message: string): never => ctx.failAt(pos, message);
  const integer = (min: bigint, max: bigint, what: string, unsigned: boolean): bigint => {
    if (literal.kind !== 'integer' || (unsigned && literal.value < 0n)) {
      fail(unsigned
        ? `Value must be non-negative integer for ${what} option "${name()}".`
        : `Value must be integer for ${what} option "${name()}".`);
    }
    const value = (literal as { value: bigint }).value;
    if (value < min || value > max) fail(`Value out of range for ${what} option "${name()}".`);
    return value;
  };
  switch (field.type) {
    case FieldType.INT32:
    case FieldType.SINT32:
    case FieldType.SFIXED32:
      return Number(integer(INT32_MIN, INT32_MAX, 'int32', false));
    case FieldType.INT64:
    case FieldType.SINT64:
    case FieldType.SFIXED64:
      return integer(INT64_MIN, INT64_MAX, 'int64', false);
    case FieldType.UINT32:
    case FieldType.FIXED32:
      return Number(integer(0n, UINT32_MAX, 'uint32', true));
    case FieldType.UINT64:
    case FieldType.FIXED64:
      return integer(0n, 2n ** 64n - 1n, 'uint64', true);
    case FieldType.FLOAT:
    case FieldType.DOUBLE: {
      let value: number;
      if (literal.kind === 'float') value = literal.value;
      else if (literal.kind === 'integer') value = Number(literal.value);
      // protoc 3.21 takes no identifiers (inf, nan) here, only in aggregate values.
      else return fail(`Value must be number for ${field.type === FieldType.FLOAT ? 'float' : 'double'} option "${name()}".`);
      return field.type === FieldType.FLOAT ? Math.fround(value) : value;
    }
    case FieldType.BOOL:
      if (literal.kind !== 'identifier') return fail(`Value must be identifier for boolean option "${name()}".`);
      if (literal.text === 'true') return true;
      if (literal.text === 'false') return false;
      return fail(`Value must be "true" or "false" for boolean option "${name()}".`);
    case FieldType.ENUM: {
      if (literal.kind !== 'identifier') return fail(`Value must be identifier for enum-valued option "${name()}".`);
      const enumName = field.type_name!.slice(1);
      const dot = enumName.lastIndexOf('.');
      const valueEntry = ctx.pool.symbols.get(dot < 0 ? literal.text : `${enumName.slice(0, dot)}.${literal.text}`);
      if (valueEntry?.kind === 'enumValue' && valueEntry.enumName !== enumName) {
        return fail(`Enum type "${enumName}" has no value named "${literal.text}" for option "${name()}". This appears to be a value from a sibling type.`);
      }
      if (valueEntry?.kind !== 'enumValue') {
        return fail(`Enum type "${enumName}" has no value named "${literal.text}" for option "${name()}".`);
      }
      return valueEntry.node.number!;
    }
    case FieldType.STRING:
      if (literal.kind !== 'string') return fail(`Value must be quoted string for string option "${name()}".`);
      return new TextDecoder().decode(literal.bytes);
    case FieldType.BYTES:
      if (literal.kind !== 'string') return fail(`Value must be quoted string for string option "${name()}".`);
      return literal.bytes;
    default: {
      if (literal.kind !== 'aggregate') {
        return fail(`Option "${name()}" is a message. To set the entire message, use syntax like "${field.name} = { <proto text format> }". To set fields within it, use syntax like "${field.name}.foo = value".`);
      }
      try {
        return parseTextFormatMessage(ctx, literal.tokens, field.type_name!.slice(1), field.name!);
      } catch (error) {
        if (!(error instanceof TextFormatError)) throw error;
        return fail(`Error while parsing option value for "${field.name}": ${error.message}`);
      }
    }
  }
}

/** The full name protoc prints for an option field: `google.protobuf.FieldOptions.packed`. */
function optionFieldName(ctx: LinkContext, field: FieldDescriptorProto): string {
  for (const entry of ctx.pool.symbols.values()) {
    if (entry.kind === 'field' && entry.node === field) return entry.fullName;
  }
  return field.name!;
}
