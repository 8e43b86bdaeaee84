import type { OptionsKind } from '../parser/parsed-file.js';
import type { DescriptorProto, EnumDescriptorProto, FileDescriptorProto } from './descriptor-proto.js';
import { qualify } from './link-context.js';

/** Calls `visit` for every element of a file that can carry options, with its options message
 * kind and the full name options on it are resolved relative to (as protoc scopes them). */
export function forEachOptionsHolder(
  file: FileDescriptorProto,
  visit: (element: { options?: Record<string, unknown> }, kind: OptionsKind, relativeTo: string) => void,
): void {
  const scope = file.package ?? '';
  visit(file, 'FileOptions', qualify(scope, 'dummy'));
  const visitEnum = (enumType: EnumDescriptorProto, outer: string): void => {
    visit(enumType, 'EnumOptions', qualify(outer, enumType.name!));
    for (const value of enumType.value) visit(value, 'EnumValueOptions', qualify(outer, value.name!));
  };
  const visitMessage = (message: DescriptorProto, outer: string): void => {
    const fullName = qualify(outer, message.name!);
    visit(message, 'MessageOptions', fullName);
    for (const field of message.field) visit(field, 'FieldOptions', qualify(fullName, field.name!));
    for (const oneof of message.oneof_decl) visit(oneof, 'OneofOptions', qualify(fullName, oneof.name!));
    for (const range of message.extension_range) visit(range, 'ExtensionRangeOptions', fullName);
    for (const nested of message.nested_type) visitMessage(nested, fullName);
    for (const enumType of message.enum_type) visitEnum(enumType, fullName);
    for (const extension of message.extension) visit(extension, 'FieldOptions', qualify(fullName, extension.name!));
  };
  for (const message of file.message_type) visitMessage(message, scope);
  for (const enumType of file.enum_type) visitEnum(enumType, scope);
  for (const extension of file.extension) visit(extension, 'FieldOptions', qualify(scope, extension.name!));
  for (const service of file.service) {
    const fullName = qualify(scope, service.name!);
    visit(service, 'ServiceOptions', fullName);
    for (const method of service.method) visit(method, 'MethodOptions', qualify(fullName, method.name!));
  }
}
