import type {
  DescriptorProto,
  EnumDescriptorProto,
  EnumValueDescriptorProto,
  FieldDescriptorProto,
  FileDescriptorProto,
  MethodDescriptorProto,
  OneofDescriptorProto,
  ServiceDescriptorProto,
} from './descriptor-proto.js';

/** What a fully qualified name in the pool stands for. */
export type SymbolEntry =
  | { kind: 'package'; fullName: string; file: string }
  | { kind: 'message'; fullName: string; file: string; node: DescriptorProto; syntax: 'proto2' | 'proto3' }
  | { kind: 'enum'; fullName: string; file: string; node: EnumDescriptorProto; syntax: 'proto2' | 'proto3' }
  | { kind: 'enumValue'; fullName: string; file: string; node: EnumValueDescriptorProto; enumName: string }
  | { kind: 'field'; fullName: string; file: string; node: FieldDescriptorProto; extension: boolean; scope: string }
  | { kind: 'oneof'; fullName: string; file: string; node: OneofDescriptorProto }
  | { kind: 'service'; fullName: string; file: string; node: ServiceDescriptorProto }
  | { kind: 'method'; fullName: string; file: string; node: MethodDescriptorProto };

/** Kinds that can contain other names, so `A.b` may be looked up inside `A`. */
export function isAggregate(entry: SymbolEntry): boolean {
  return entry.kind === 'message' || entry.kind === 'package' || entry.kind === 'enum' || entry.kind === 'service';
}

/** Kinds a field type can name. */
export function isType(entry: SymbolEntry): boolean {
  return entry.kind === 'message' || entry.kind === 'enum';
}

/**
 * Every linked file and every name they define, as protoc's DescriptorPool holds them. Files are
 * added already linked (see link-file.ts); later files see earlier ones through their imports.
 */
export class DescriptorPool {
  /** Linked files by name, in the order they were added (dependencies first). */
  readonly files = new Map<string, FileDescriptorProto>();
  /** Every defined name: packages, types, fields, enum values, services, methods. */
  readonly symbols = new Map<string, SymbolEntry>();
  /** Extensions by extendee full name, then field number. */
  readonly extensionsByExtendee = new Map<string, Map<number, SymbolEntry & { kind: 'field' }>>();

  /** Files visible from `file`: itself, its imports, and what those re-export by `import public`. */
  visibleFiles(file: FileDescriptorProto): Set<string> {
    const visible = new Set<string>([file.name!]);
    const addPublic = (name: string): void => {
      const dep = this.files.get(name);
      if (dep === undefined) return;
      for (const index of dep.public_dependency) {
        const publicName = dep.dependency[index];
        if (publicName !== undefined && !visible.has(publicName)) {
          visible.add(publicName);
          addPublic(publicName);
        }
      }
    };
    for (const name of file.dependency) {
      visible.add(name);
      addPublic(name);
    }
    return visible;
  }

  /** The message type named `fullName` (no leading dot), if there is one. */
  message(fullName: string): DescriptorProto | undefined {
    const entry = this.symbols.get(fullName);
    return entry?.kind === 'message' ? entry.node : undefined;
  }
}
