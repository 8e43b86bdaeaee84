import {
  emptyMessage,
  type DescriptorProto,
  type ExtensionRange,
  type FieldDescriptorProto,
  type OneofDescriptorProto,
  type ReservedRange,
} from '../descriptor/descriptor-proto.js';
import { parseEnum } from './parse-enum.js';
import { parseField } from './parse-field.js';
import { addPendingOption, concatenatedString, parseOptionAssignment, parseOptionStatement } from './parse-option.js';
import { parseBlock, parseTypeName, type ParseContext } from './parse-context.js';

/** Stands for `max` in a range until the message's options say which maximum applies. */
export const MAX_SENTINEL = -1;
/** The largest field number, 2^29 - 1. */
export const MAX_FIELD_NUMBER = 536870911;

/** Parses `message Name { ... }` and appends it to `into`. */
export function parseMessage(ctx: ParseContext, into: DescriptorProto[]): void {
  const { ts } = ctx;
  ts.expect('message');
  const nameToken = ts.current;
  const message = emptyMessage(ts.identifier('Expected message name.').text);
  ts.record(message, 'name', nameToken);
  into.push(message);
  parseMessageBody(ctx, message);
}

/** Parses a message's `{ ... }` body (also used for group bodies) and applies protoc's
 * post-processing: `max` in ranges, and synthetic oneofs for proto3 `optional` fields. */
export function parseMessageBody(ctx: ParseContext, message: DescriptorProto): void {
  parseBlock(ctx, 'message', () => parseMessageStatement(ctx, message));
  const max = isMessageSetWireFormat(ctx, message) ? 0x7fffffff : MAX_FIELD_NUMBER + 1;
  for (const range of [...message.extension_range, ...message.reserved_range]) {
    if (range.end === MAX_SENTINEL) range.end = max;
  }
  if (ctx.syntax === 'proto3') addSyntheticOneofs(message);
}

function parseMessageStatement(ctx: ParseContext, message: DescriptorProto): void {
  const { ts } = ctx;
  if (ts.tryConsume(';')) return;
  if (ts.lookingAt('message')) return parseMessage(ctx, message.nested_type);
  if (ts.lookingAt('enum')) return parseEnum(ctx, message.enum_type);
  if (ts.lookingAt('extensions')) return parseExtensions(ctx, message);
  if (ts.lookingAt('reserved')) return parseReserved(ctx, message);
  if (ts.lookingAt('extend')) return parseExtend(ctx, message.extension, message.nested_type);
  if (ts.lookingAt('option')) return parseOptionStatement(ts, ctx.options, message, 'MessageOptions');
  if (ts.lookingAt('oneof')) return parseOneof(ctx, message);
  parseField(ctx, { fields: message.field, messages: message.nested_type });
}

function parseOneof(ctx: ParseContext, message: DescriptorProto): void {
  const { ts } = ctx;
  ts.expect('oneof');
  const oneofIndex = message.oneof_decl.length;
  const nameToken = ts.current;
  const oneof: OneofDescriptorProto = { name: ts.identifier('Expected oneof name.').text };
  ts.record(oneof, 'name', nameToken);
  message.oneof_decl.push(oneof);
  ts.expect('{');
  // Like protoc, the body is parsed as at least one statement, so `oneof o {}` fails on `}`.
  do {
    if (ts.atEnd) ts.fail("Reached end of input in oneof definition (missing '}').");
    if (ts.lookingAt('option')) {
      parseOptionStatement(ts, ctx.options, oneof, 'OneofOptions');
      continue;
    }
    if (ts.lookingAt('required') || ts.lookingAt('optional') || ts.lookingAt('repeated')) {
      ts.fail('Fields in oneofs must not have labels (required / optional / repeated).');
    }
    parseField(ctx, { fields: message.field, messages: message.nested_type, oneofIndex });
  } while (!ts.tryConsume('}'));
}

/** `extend Type { fields }`: the fields go to `extensions`, group types to `messages`. */
export function parseExtend(ctx: ParseContext, extensions: FieldDescriptorProto[], messages: DescriptorProto[]): void {
  const { ts } = ctx;
  ts.expect('extend');
  const extendeePos = ts.pos;
  const extendee = parseTypeName(ctx, 'Expected type name.');
  parseBlock(ctx, 'extend', () => {
    if (ts.tryConsume(';')) return;
    parseField(ctx, { fields: extensions, messages, extendee, extendeePos });
  });
}

function parseExtensions(ctx: ParseContext, message: DescriptorProto): void {
  const { ts } = ctx;
  ts.expect('extensions');
  const ranges: ExtensionRange[] = [];
  do {
    const range: ExtensionRange = parseRange(ctx, 'Expected field number range.');
    ranges.push(range);
    message.extension_range.push(range);
  } while (ts.tryConsume(','));
  if (ts.lookingAt('[')) {
    ts.next();
    // One set of options applies to every range of the statement.
    const shared = {};
    do addPendingOption(ctx.options, shared, 'ExtensionRangeOptions', parseOptionAssignment(ts));
    while (ts.tryConsume(','));
    ts.expect(']');
    const pending = ctx.options.get(shared)!;
    ctx.options.delete(shared);
    for (const range of ranges) ctx.options.set(range, { kind: pending.kind, list: [...pending.list] });
  }
  ts.endOfStatement();
}

function parseReserved(ctx: ParseContext, message: DescriptorProto): void {
  const { ts } = ctx;
  ts.expect('reserved');
  if (ts.current.kind === 'string') {
    do {
      if (ts.current.kind !== 'string') ts.fail('Expected field name.');
      message.reserved_name.push(new TextDecoder().decode(concatenatedString(ts)));
    } while (ts.tryConsume(','));
  } else {
    do message.reserved_range.push(parseRange(ctx, 'Expected field name or number range.'));
    while (ts.tryConsume(','));
  }
  ts.endOfStatement();
}

/** `n`, `n to m` or `n to max` as a half-open range [start, end); `max` is a sentinel for now. */
function parseRange(ctx: ParseContext, message: string): ReservedRange {
  const { ts } = ctx;
  const startPos = ts.pos;
  const start = ts.int32(message).value;
  let end = start + 1;
  if (ts.tryConsume('to')) end = ts.tryConsume('max') ? MAX_SENTINEL : ts.int32('Expected integer.').value + 1;
  const range: ReservedRange = { start, end };
  ts.record(range, 'number', startPos);
  return range;
}

/** protoc decides `max` by a literal `option message_set_wire_format = true;` in the body. */
function isMessageSetWireFormat(ctx: ParseContext, message: DescriptorProto): boolean {
  const pending = ctx.options.get(message);
  return pending !== undefined && pending.list.some((o) =>
    o.name.length === 1 && o.name[0]!.name === 'message_set_wire_format' && !o.name[0]!.isExtension &&
    o.value.kind === 'identifier' && o.value.text === 'true');
}

/** Each proto3 `optional` field gets a oneof of its own, named `_field`, after the real oneofs. */
function addSyntheticOneofs(message: DescriptorProto): void {
  const names = new Set<string>();
  for (const f of message.field) names.add(f.name!);
  for (const o of message.oneof_decl) names.add(o.name!);
  for (const field of message.field) {
    if (field.proto3_optional !== true) continue;
    let name = field.name!.startsWith('_') ? field.name! : '_' + field.name!;
    while (names.has(name)) name = 'X' + name;
    names.add(name);
    field.oneof_index = message.oneof_decl.length;
    message.oneof_decl.push({ name });
  }
}
