import {
  emptyMessage,
  FieldLabel,
  FieldType,
  type DescriptorProto,
  type FieldDescriptorProto,
  type FieldLabelNumber,
  type FieldTypeNumber,
} from '../descriptor/descriptor-proto.js';
import { parseDefaultValue } from './parse-default.js';
import { parseMessageBody } from './parse-message.js';
import { addPendingOption, concatenatedString, parseOptionAssignment } from './parse-option.js';
import { parseType, type ParseContext } from './parse-context.js';
import type { Position } from './parsed-file.js';

/** Where a field statement sits and what it may be. */
export interface FieldSite {
  /** The list the field is appended to: a message's `field` or a scope's `extension`. */
  fields: FieldDescriptorProto[];
  /** Where group and map-entry message types go: the enclosing scope's nested types. */
  messages: DescriptorProto[];
  /** Set when the field is inside a oneof. */
  oneofIndex?: number;
  /** Set when the field is inside `extend X { ... }`. */
  extendee?: string;
  extendeePos?: Position;
}

const LABELS: Readonly<Record<string, FieldLabelNumber>> = {
  optional: FieldLabel.OPTIONAL,
  required: FieldLabel.REQUIRED,
  repeated: FieldLabel.REPEATED,
};

/** Parses one field (label, type, name, number, options, and a group body or `;`). */
export function parseField(ctx: ParseContext, site: FieldSite): void {
  const { ts } = ctx;
  const field: FieldDescriptorProto = {};
  const labelPos = ts.pos;
  if (site.oneofIndex === undefined && ts.current.kind === 'identifier' && LABELS[ts.current.text] !== undefined) {
    const label = LABELS[ts.next().text]!;
    field.label = label;
    if (label === FieldLabel.OPTIONAL && ctx.syntax === 'proto3') field.proto3_optional = true;
    ts.record(field, 'label', labelPos);
  }
  if (site.extendee !== undefined) {
    field.extendee = site.extendee;
    ts.record(field, 'extendee', site.extendeePos!);
  }
  if (site.oneofIndex !== undefined) {
    field.label = FieldLabel.OPTIONAL;
    field.oneof_index = site.oneofIndex;
  }
  site.fields.push(field);

  const typePos = ts.pos;
  ts.record(field, 'type', typePos);
  ts.record(field, 'other', typePos);
  let map: { key: { type?: number; typeName?: string }; value: { type?: number; typeName?: string } } | undefined;
  let typeParsed = false;
  if (ts.lookingAt('map') && ts.following.kind === 'symbol' && ts.following.text === '<') {
    ts.next();
    if (site.oneofIndex !== undefined) ts.fail('Map fields are not allowed in oneofs.');
    if (field.label !== undefined) ts.fail('Field labels (required/optional/repeated) are not allowed on map fields.');
    if (site.extendee !== undefined) ts.fail('Map fields are not allowed to be extensions.');
    field.label = FieldLabel.REPEATED;
    ts.expect('<');
    const key = parseType(ctx);
    ts.expect(',');
    const value = parseType(ctx);
    ts.expect('>');
    map = { key, value };
    typeParsed = true;
  } else {
    if (field.label === undefined && ctx.syntax === 'proto3') field.label = FieldLabel.OPTIONAL;
    if (field.label === undefined) ts.fail('Expected "required", "optional", or "repeated".');
  }
  if (!typeParsed) {
    const { type, typeName } = parseType(ctx);
    if (type !== undefined) field.type = type as FieldTypeNumber;
    else field.type_name = typeName!;
  }

  const nameToken = ts.current;
  ts.record(field, 'name', nameToken);
  field.name = ts.identifier('Expected field name.').text;
  ts.expect('=', 'Missing field number.');
  ts.record(field, 'number', ts.pos);
  field.number = ts.int32('Expected field number.').value;

  if (ts.lookingAt('[')) parseFieldOptions(ctx, field);

  if (field.type === FieldType.GROUP) {
    const group = emptyMessage(field.name);
    ts.record(group, 'name', nameToken);
    const first = field.name.charCodeAt(0);
    if (first < 65 || first > 90) ts.failAt(nameToken, 'Group names must start with a capital letter.');
    field.name = field.name.toLowerCase();
    field.type_name = group.name!;
    site.messages.push(group);
    if (!ts.lookingAt('{')) ts.fail('Missing group body.');
    parseMessageBody(ctx, group);
  } else {
    ts.endOfStatement();
  }

  if (map !== undefined) site.messages.push(mapEntry(ctx, field, map.key, map.value, nameToken));
}

function parseFieldOptions(ctx: ParseContext, field: FieldDescriptorProto): void {
  const { ts } = ctx;
  ts.expect('[');
  do {
    if (ts.lookingAt('default')) {
      if (field.default_value !== undefined) ts.fail('Already set option "default".');
      ts.next();
      ts.expect('=');
      ts.record(field, 'default', ts.pos);
      field.default_value = parseDefaultValue(ctx, field);
    } else if (ts.lookingAt('json_name')) {
      if (field.json_name !== undefined) ts.fail('Already set option "json_name".');
      if (field.extendee !== undefined) ts.fail('option json_name is not allowed on extension fields.');
      ts.next();
      ts.expect('=');
      if (ts.current.kind !== 'string') ts.fail('Expected string.');
      field.json_name = new TextDecoder().decode(concatenatedString(ts));
    } else {
      addPendingOption(ctx.options, field, 'FieldOptions', parseOptionAssignment(ts));
    }
  } while (ts.tryConsume(','));
  ts.expect(']');
}

/** The synthetic `XxxEntry` message protoc generates for a map field. */
function mapEntry(
  ctx: ParseContext,
  field: FieldDescriptorProto,
  key: { type?: number; typeName?: string },
  value: { type?: number; typeName?: string },
  namePos: Position,
): DescriptorProto {
  const entry = emptyMessage(mapEntryName(field.name!));
  field.type_name = entry.name!;
  entry.options = { map_entry: true };
  const typePos = ctx.ts.positions.get(field)?.type ?? namePos;
  for (const [name, number, t] of [['key', 1, key], ['value', 2, value]] as const) {
    const entryField: FieldDescriptorProto = { name, number, label: FieldLabel.OPTIONAL };
    if (t.type !== undefined) entryField.type = t.type as FieldTypeNumber;
    else entryField.type_name = t.typeName!;
    ctx.ts.record(entryField, 'type', typePos);
    ctx.ts.record(entryField, 'name', namePos);
    ctx.ts.record(entryField, 'number', namePos);
    entry.field.push(entryField);
  }
  ctx.ts.record(entry, 'name', namePos);
  return entry;
}

/** protoc's map entry naming: `map_field` → `MapFieldEntry`. */
export function mapEntryName(fieldName: string): string {
  let result = '';
  let capNext = true;
  for (const ch of fieldName) {
    if (ch === '_') capNext = true;
    else if (capNext) {
      result += ch >= 'a' && ch <= 'z' ? ch.toUpperCase() : ch;
      capNext = false;
    } else result += ch;
  }
  return result + 'Entry';
}
