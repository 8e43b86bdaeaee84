import type { EnumDescriptorProto, EnumReservedRange, EnumValueDescriptorProto } from '../descriptor/descriptor-proto.js';
import { addPendingOption, concatenatedString, parseOptionAssignment, parseOptionStatement } from './parse-option.js';
import { parseBlock, type ParseContext } from './parse-context.js';

const INT32_MAX = 0x7fffffff;

/** Parses `enum Name { ... }` and appends it to `into`. */
export function parseEnum(ctx: ParseContext, into: EnumDescriptorProto[]): void {
  const { ts } = ctx;
  ts.expect('enum');
  const nameToken = ts.current;
  const enumType: EnumDescriptorProto = {
    name: ts.identifier('Expected enum name.').text, value: [], reserved_range: [], reserved_name: [],
  };
  ts.record(enumType, 'name', nameToken);
  into.push(enumType);
  parseBlock(ctx, 'enum', () => {
    if (ts.tryConsume(';')) return;
    if (ts.lookingAt('option')) return parseOptionStatement(ts, ctx.options, enumType, 'EnumOptions');
    if (ts.lookingAt('reserved')) return parseEnumReserved(ctx, enumType);
    parseEnumValue(ctx, enumType);
  });
  checkAllowAlias(ctx, enumType);
}

/** protoc's parser rejects `allow_alias` that has no effect, at the token after the enum. */
function checkAllowAlias(ctx: ParseContext, enumType: EnumDescriptorProto): void {
  const option = ctx.options.get(enumType)?.list.find((o) =>
    o.name.length === 1 && !o.name[0]!.isExtension && o.name[0]!.name === 'allow_alias');
  if (option === undefined) return;
  const allow = option.value.kind === 'identifier' && option.value.text === 'true';
  if (!allow) {
    ctx.ts.fail(`"${enumType.name}" declares 'option allow_alias = false;' which has no effect. Please remove the declaration.`);
  }
  const numbers = new Set(enumType.value.map((v) => v.number));
  if (numbers.size === enumType.value.length) {
    ctx.ts.fail(`"${enumType.name}" declares support for enum aliases but no enum values share field numbers. Please remove the unnecessary 'option allow_alias = true;' declaration.`);
  }
}

function parseEnumValue(ctx: ParseContext, enumType: EnumDescriptorProto): void {
  const { ts } = ctx;
  const nameToken = ts.current;
  const value: EnumValueDescriptorProto = { name: ts.identifier('Expected enum constant name.').text };
  ts.record(value, 'name', nameToken);
  ts.expect('=', 'Missing numeric value for enum constant.');
  ts.record(value, 'number', ts.pos);
  value.number = signedInt32(ctx, 'Expected integer.');
  enumType.value.push(value);
  if (ts.tryConsume('[')) {
    do addPendingOption(ctx.options, value, 'EnumValueOptions', parseOptionAssignment(ts));
    while (ts.tryConsume(','));
    ts.expect(']');
  }
  ts.endOfStatement();
}

function parseEnumReserved(ctx: ParseContext, enumType: EnumDescriptorProto): void {
  const { ts } = ctx;
  ts.expect('reserved');
  if (ts.current.kind === 'string') {
    do {
      if (ts.current.kind !== 'string') ts.fail('Expected enum value.');
      enumType.reserved_name.push(new TextDecoder().decode(concatenatedString(ts)));
    } while (ts.tryConsume(','));
  } else {
    do {
      const startPos = ts.pos;
      const start = signedInt32(ctx, 'Expected enum value or number range.');
      let end = start;
      if (ts.tryConsume('to')) end = ts.tryConsume('max') ? INT32_MAX : signedInt32(ctx, 'Expected integer.');
      const range: EnumReservedRange = { start, end };
      ts.record(range, 'number', startPos);
      enumType.reserved_range.push(range);
    } while (ts.tryConsume(','));
  }
  ts.endOfStatement();
}

/** An optionally negative integer in int32 range. */
function signedInt32(ctx: ParseContext, message: string): number {
  const { ts } = ctx;
  const negative = ts.tryConsume('-');
  if (ts.current.kind !== 'integer') ts.fail(message);
  const magnitude = ts.integerValue(ts.current, BigInt(INT32_MAX) + (negative ? 1n : 0n));
  ts.next();
  return Number(negative ? -magnitude : magnitude);
}
