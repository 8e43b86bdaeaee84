/** Facts about IDL types that both generators need: labels for comments and messages, key forms. */
import type { ThriftType } from '../model.js';

/** The type as IDL would write it, e.g. `list<OrderItem>`, for comments and error messages. */
export function typeLabel(type: ThriftType): string {
  switch (type.kind) {
    case 'base':
      return type.name;
    case 'list':
      return `list<${typeLabel(type.element)}>`;
    case 'set':
      return `set<${typeLabel(type.element)}>`;
    case 'map':
      return `map<${typeLabel(type.key)}, ${typeLabel(type.value)}>`;
    case 'enum':
    case 'struct':
      return type.key;
  }
}

/** How a map key is written as an object property name in `map: 'object'` mode. */
export type KeyForm = 'string' | 'integer' | 'i64' | 'double' | 'bool';

/** The property-name form of a key type, or undefined when it has none (binary, structs, containers). */
export function keyForm(type: ThriftType): KeyForm | undefined {
  if (type.kind === 'enum') return 'integer';
  if (type.kind !== 'base') return undefined;
  switch (type.name) {
    case 'string':
    case 'uuid':
      return 'string';
    case 'i8':
    case 'i16':
    case 'i32':
      return 'integer';
    case 'i64':
      return 'i64';
    case 'double':
      return 'double';
    case 'bool':
      return 'bool';
    default:
      return undefined;
  }
}

/** How many container levels deep a type goes (0 for scalars and structs). */
export function containerDepth(type: ThriftType): number {
  switch (type.kind) {
    case 'list':
    case 'set':
      return 1 + containerDepth(type.element);
    case 'map':
      return 1 + Math.max(containerDepth(type.key), containerDepth(type.value));
    default:
      return 0;
  }
}
