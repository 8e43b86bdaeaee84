import { FieldType, type DescriptorProto, type FieldDescriptorProto, type FieldTypeNumber, type ServiceDescriptorProto } from './descriptor-proto.js';
import { qualify, type LinkContext } from './link-context.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The second linking pass, protoc's "cross-link": resolves every type name to `.full.Name`, sets
 * field types the parser could not know (message or enum), checks defaults against enums, field
 * numbers for clashes and oneof layout.
 */
export function crossLinkFile(ctx: LinkContext): void {
  const scope = ctx.file.package ?? '';
  const numbers = new Map<string, Map<number, string>>();
  for (const message of ctx.file.message_type) crossLinkMessage(ctx, message, qualify(scope, message.name!), numbers);
  for (const extension of ctx.file.extension) crossLinkField(ctx, extension, scope, undefined, numbers);
  for (const service of ctx.file.service) crossLinkService(ctx, service, qualify(scope, service.name!));
}

function crossLinkMessage(
  ctx: LinkContext,
  message: DescriptorProto,
  fullName: string,
  numbers: Map<string, Map<number, string>>,
): void {
  for (const nested of message.nested_type) crossLinkMessage(ctx, nested, qualify(fullName, nested.name!), numbers);
  for (const field of message.field) crossLinkField(ctx, field, fullName, fullName, numbers);
  for (const extension of message.extension) crossLinkField(ctx, extension, fullName, undefined, numbers);

  const counts = new Array<number>(message.oneof_decl.length).fill(0);
  message.field.forEach((field, i) => {
    if (field.oneof_index === undefined) return;
    if (counts[field.oneof_index]! > 0 && message.field[i - 1]!.oneof_index !== field.oneof_index) {
      ctx.fail(field, 'name',
        `Fields in the same oneof must be defined consecutively. "${field.name}" cannot be defined before the completion of the "${message.oneof_decl[field.oneof_index]!.name}" oneof definition.`);
    }
    counts[field.oneof_index]!++;
  });
  message.oneof_decl.forEach((oneof, i) => {
    if (counts[i] === 0) ctx.fail(oneof, 'name', 'Oneof must have at least one field.');
  });
}

function crossLinkField(
  ctx: LinkContext,
  field: FieldDescriptorProto,
  scope: string,
  containingType: string | undefined,
  numbers: Map<string, Map<number, string>>,
): void {
  const fullName = qualify(scope, field.name!);
  let owner = containingType;
  if (field.extendee !== undefined) {
    const found = ctx.lookup(field.extendee, fullName);
    if (found.entry === undefined) ctx.failNotDefined(field, 'extendee', field.extendee, found);
    if (found.entry.kind !== 'message') ctx.fail(field, 'extendee', `"${field.extendee}" is not a message type.`);
    owner = found.entry.fullName;
    field.extendee = '.' + owner;
    const inRange = found.entry.node.extension_range.some((r) => r.start! <= field.number! && field.number! < r.end!);
    if (!inRange) ctx.fail(field, 'number', `"${owner}" does not declare ${field.number} as an extension number.`);
  }

  if (field.type_name !== undefined) {
    const written = field.type_name;
    const found = ctx.lookup(written, fullName, 'types');
    if (found.entry === undefined) ctx.failNotDefined(field, 'type', written, found);
    const entry = found.entry;
    if (field.type === undefined) {
      if (entry.kind === 'message') field.type = FieldType.MESSAGE;
      else if (entry.kind === 'enum') field.type = FieldType.ENUM;
      else ctx.fail(field, 'type', `"${written}" is not a type.`);
    }
    if (field.type === FieldType.MESSAGE || field.type === FieldType.GROUP) {
      if (entry.kind !== 'message') ctx.fail(field, 'type', `"${written}" is not a message type.`);
      if (field.default_value !== undefined) ctx.fail(field, 'default', "Messages can't have default values.");
    } else if (field.type === FieldType.ENUM) {
      if (entry.kind !== 'enum') ctx.fail(field, 'type', `"${written}" is not an enum type.`);
      if (field.default_value !== undefined) {
        if (!IDENTIFIER.test(field.default_value)) {
          ctx.fail(field, 'default', 'Default value for an enum field must be an identifier.');
        }
        const value = ctx.lookup(field.default_value, entry.fullName).entry;
        if (value?.kind !== 'enumValue' || value.enumName !== entry.fullName) {
          ctx.fail(field, 'default', `Enum type "${entry.fullName}" has no value named "${field.default_value}".`);
        }
      }
    } else {
      ctx.fail(field, 'type', 'Field with primitive type has type_name.');
    }
    field.type_name = '.' + entry.fullName;
  }

  if (owner === undefined) return;
  let used = numbers.get(owner);
  if (used === undefined) {
    used = new Map();
    numbers.set(owner, used);
  }
  const previous = used.get(field.number!);
  if (previous !== undefined) {
    if (field.extendee !== undefined) {
      ctx.fail(field, 'number', `Extension number ${field.number} has already been used in "${owner}" by extension "${previous}".`);
    }
    ctx.fail(field, 'number', `Field number ${field.number} has already been used in "${owner}" by field "${previous}".`);
  }
  used.set(field.number!, field.extendee !== undefined ? fullName : field.name!);
}

function crossLinkService(ctx: LinkContext, service: ServiceDescriptorProto, fullName: string): void {
  for (const method of service.method) {
    const methodName = qualify(fullName, method.name!);
    for (const part of ['input_type', 'output_type'] as const) {
      const written = method[part]!;
      const found = ctx.lookup(written, methodName);
      if (found.entry === undefined) ctx.failNotDefined(method, part, written, found);
      if (found.entry.kind !== 'message') ctx.fail(method, part, `"${written}" is not a message type.`);
      method[part] = '.' + found.entry.fullName;
    }
  }
}

/** True for types that can be packed: every scalar but string and bytes, and enums. */
export function isPackableType(type: FieldTypeNumber | undefined): boolean {
  return type !== undefined && type !== FieldType.STRING && type !== FieldType.BYTES &&
    type !== FieldType.MESSAGE && type !== FieldType.GROUP;
}
