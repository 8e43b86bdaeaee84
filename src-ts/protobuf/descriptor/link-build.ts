import type {
  DescriptorProto,
  EnumDescriptorProto,
  FieldDescriptorProto,
  ServiceDescriptorProto,
} from './descriptor-proto.js';
import { qualify, type LinkContext } from './link-context.js';

const MAX_FIELD_NUMBER = 536870911;
const FIRST_RESERVED_NUMBER = 19000;
const LAST_RESERVED_NUMBER = 19999;

/**
 * The first linking pass, protoc's "build": defines every name of the file and checks what needs
 * no other type: duplicate names, field number ranges, reserved numbers and names, extension
 * ranges. Runs in protoc's order so the first error reported is the one protoc reports first.
 */
export function buildFile(ctx: LinkContext): void {
  const file = ctx.file;
  const scope = file.package ?? '';
  if (scope !== '') ctx.addPackage(scope);
  for (const message of file.message_type) buildMessage(ctx, message, scope);
  for (const enumType of file.enum_type) buildEnum(ctx, enumType, scope);
  for (const service of file.service) buildService(ctx, service, scope);
  for (const extension of file.extension) buildField(ctx, extension, scope, true);
}

function buildMessage(ctx: LinkContext, message: DescriptorProto, scope: string): void {
  const fullName = qualify(scope, message.name!);
  ctx.addSymbol({ kind: 'message', fullName, file: ctx.file.name!, node: message, syntax: ctx.syntax }, message);
  for (const oneof of message.oneof_decl) {
    ctx.addSymbol({ kind: 'oneof', fullName: qualify(fullName, oneof.name!), file: ctx.file.name!, node: oneof }, oneof);
  }
  for (const field of message.field) buildField(ctx, field, fullName, false);
  for (const nested of message.nested_type) buildMessage(ctx, nested, fullName);
  for (const enumType of message.enum_type) buildEnum(ctx, enumType, fullName);
  for (const range of message.extension_range) {
    if (range.start! <= 0) ctx.fail(range, 'number', 'Extension numbers must be positive integers.');
    if (range.end! <= range.start!) ctx.fail(range, 'number', 'Extension range end number must be greater than start number.');
  }
  for (const extension of message.extension) buildField(ctx, extension, fullName, true);
  for (const range of message.reserved_range) {
    if (range.end! <= range.start!) ctx.fail(range, 'number', 'Reserved range end number must be greater than start number.');
  }

  message.reserved_range.forEach((r1, i) => {
    for (const r2 of message.reserved_range.slice(i + 1)) {
      if (r1.end! > r2.start! && r2.end! > r1.start!) {
        ctx.fail(r1, 'number',
          `Reserved range ${r2.start} to ${r2.end! - 1} overlaps with already-defined range ${r1.start} to ${r1.end! - 1}.`);
      }
    }
  });
  const reservedNames = new Set(message.reserved_name);
  for (const field of message.field) {
    for (const range of message.extension_range) {
      if (range.start! <= field.number! && field.number! < range.end!) {
        ctx.fail(range, 'number',
          `Extension range ${range.start} to ${range.end! - 1} includes field "${field.name}" (${field.number}).`);
      }
    }
    for (const range of message.reserved_range) {
      if (range.start! <= field.number! && field.number! < range.end!) {
        ctx.fail(field, 'number', `Field "${field.name}" uses reserved number ${field.number}.`);
      }
    }
    if (reservedNames.has(field.name!)) ctx.fail(field, 'name', `Field name "${field.name}" is reserved.`);
  }
  message.extension_range.forEach((r1, i) => {
    for (const r2 of message.reserved_range) {
      if (r1.end! > r2.start! && r2.end! > r1.start!) {
        ctx.fail(r1, 'number',
          `Extension range ${r1.start} to ${r1.end! - 1} overlaps with reserved range ${r2.start} to ${r2.end! - 1}.`);
      }
    }
    for (const r2 of message.extension_range.slice(i + 1)) {
      if (r1.end! > r2.start! && r2.end! > r1.start!) {
        ctx.fail(r1, 'number',
          `Extension range ${r2.start} to ${r2.end! - 1} overlaps with already-defined range ${r1.start} to ${r1.end! - 1}.`);
      }
    }
  });
}

function buildField(ctx: LinkContext, field: FieldDescriptorProto, scope: string, isExtension: boolean): void {
  const number = field.number!;
  if (number <= 0) ctx.fail(field, 'number', 'Field numbers must be positive integers.');
  if (!isExtension && number > MAX_FIELD_NUMBER) {
    ctx.fail(field, 'number', `Field numbers cannot be greater than ${MAX_FIELD_NUMBER}.`);
  }
  if (number >= FIRST_RESERVED_NUMBER && number <= LAST_RESERVED_NUMBER) {
    ctx.fail(field, 'number',
      `Field numbers ${FIRST_RESERVED_NUMBER} through ${LAST_RESERVED_NUMBER} are reserved for the protocol buffer library implementation.`);
  }
  ctx.addSymbol({
    kind: 'field', fullName: qualify(scope, field.name!), file: ctx.file.name!, node: field, extension: isExtension, scope,
  }, field);
}

function buildEnum(ctx: LinkContext, enumType: EnumDescriptorProto, scope: string): void {
  const fullName = qualify(scope, enumType.name!);
  ctx.addSymbol({ kind: 'enum', fullName, file: ctx.file.name!, node: enumType, syntax: ctx.syntax }, enumType);
  if (enumType.value.length === 0) ctx.fail(enumType, 'name', 'Enums must contain at least one value.');
  for (const value of enumType.value) {
    // Enum values are siblings of their enum, in C++ scoping style.
    ctx.addSymbol({
      kind: 'enumValue', fullName: qualify(scope, value.name!), file: ctx.file.name!, node: value, enumName: fullName,
    }, value);
  }
  for (const range of enumType.reserved_range) {
    if (range.end! < range.start!) ctx.fail(range, 'number', 'Reserved range end number must be greater than start number.');
  }
  const reservedNames = new Set(enumType.reserved_name);
  for (const value of enumType.value) {
    for (const range of enumType.reserved_range) {
      if (range.start! <= value.number! && value.number! <= range.end!) {
        ctx.fail(value, 'number', `Enum value "${value.name}" uses reserved number ${value.number}.`);
      }
    }
    if (reservedNames.has(value.name!)) ctx.fail(value, 'name', `Enum value "${value.name}" is reserved.`);
  }
  enumType.reserved_range.forEach((r1, i) => {
    for (const r2 of enumType.reserved_range.slice(i + 1)) {
      if (r1.end! >= r2.start! && r2.end! >= r1.start!) {
        ctx.fail(r1, 'number', `Reserved range ${r2.start} to ${r2.end} overlaps with already-defined range ${r1.start} to ${r1.end}.`);
      }
    }
  });
}

function buildService(ctx: LinkContext, service: ServiceDescriptorProto, scope: string): void {
  const fullName = qualify(scope, service.name!);
  ctx.addSymbol({ kind: 'service', fullName, file: ctx.file.name!, node: service }, service);
  for (const method of service.method) {
    ctx.addSymbol({ kind: 'method', fullName: qualify(fullName, method.name!), file: ctx.file.name!, node: method }, method);
  }
}
