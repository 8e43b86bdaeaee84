import { FieldType, type FieldDescriptorProto } from '../descriptor/descriptor-proto.js';
import { escapeBytes, formatDouble } from '../descriptor/default-value.js';
import { concatenatedString } from './parse-option.js';
import type { ParseContext } from './parse-context.js';

const INT32_MAX = 0x7fffffffn;
const INT64_MAX = (1n << 63n) - 1n;
const UINT32_MAX = 0xffffffffn;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * Parses the value of `[default = ...]` into protoc's text form for `default_value`. A field whose
 * type is still a name is parsed as an enum (an identifier), as protoc does; the linker reports
 * it if the name turns out to be a message.
 */
export function parseDefaultValue(ctx: ParseContext, field: FieldDescriptorProto): string {
  const { ts } = ctx;
  switch (field.type ?? FieldType.ENUM) {
    case FieldType.INT32:
    case FieldType.SINT32:
    case FieldType.SFIXED32:
    case FieldType.INT64:
    case FieldType.SINT64:
    case FieldType.SFIXED64: {
      const is32 = field.type === FieldType.INT32 || field.type === FieldType.SINT32 || field.type === FieldType.SFIXED32;
      const negative = ts.tryConsume('-');
      const max = (is32 ? INT32_MAX : INT64_MAX) + (negative ? 1n : 0n);
      return (negative ? '-' : '') + integer(ctx, max).toString();
    }
    case FieldType.UINT32:
    case FieldType.FIXED32:
    case FieldType.UINT64:
    case FieldType.FIXED64: {
      if (ts.tryConsume('-')) ts.fail("Unsigned field can't have negative default value.");
      const is32 = field.type === FieldType.UINT32 || field.type === FieldType.FIXED32;
      return integer(ctx, is32 ? UINT32_MAX : UINT64_MAX).toString();
    }
    case FieldType.FLOAT:
    case FieldType.DOUBLE: {
      const negative = ts.tryConsume('-');
      return (negative ? '-' : '') + formatDouble(number(ctx));
    }
    case FieldType.BOOL:
      if (ts.tryConsume('true')) return 'true';
      if (ts.tryConsume('false')) return 'false';
      return ts.fail('Expected "true" or "false".');
    case FieldType.STRING:
      if (ts.current.kind !== 'string') ts.fail('Expected string for field default value.');
      return new TextDecoder().decode(concatenatedString(ts));
    case FieldType.BYTES:
      if (ts.current.kind !== 'string') ts.fail('Expected string.');
      return escapeBytes(concatenatedString(ts));
    case FieldType.ENUM:
      return ts.identifier('Expected enum identifier for field default value.').text;
    default:
      return ts.fail("Messages can't have default values.");
  }
}

function integer(ctx: ParseContext, max: bigint): bigint {
  const { ts } = ctx;
  if (ts.current.kind !== 'integer') ts.fail('Expected integer for field default value.');
  const value = ts.integerValue(ts.current, max);
  ts.next();
  return value;
}

/** protoc's ConsumeNumber: a float or integer literal, or `inf` / `nan`. */
function number(ctx: ParseContext): number {
  const { ts } = ctx;
  const token = ts.current;
  if (token.kind === 'float') {
    ts.next();
    return Number(token.text);
  }
  if (token.kind === 'integer') {
    const value = ts.integerValue(token, UINT64_MAX);
    ts.next();
    return Number(value);
  }
  if (token.kind === 'identifier' && (token.text === 'inf' || token.text === 'nan')) {
    ts.next();
    return token.text === 'inf' ? Infinity : NaN;
  }
  return ts.fail('Expected number.');
}
