import type { FieldInfo, MessageInfo } from '../../../src-ts/protobuf/index.js';
import { propertyName } from './value-arb.js';

/**
 * Writes a heddle value in protobuf text format, the input of `protoc --encode` and of Python's
 * text_format.Parse. Strings and bytes are written as octal escapes of their UTF-8 bytes, numbers
 * so that they parse back to the same value.
 */
export function toTextFormat(message: MessageInfo, value: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const field of message.fields) {
    const v = value[propertyName(field)];
    if (v === undefined) continue;
    const name = fieldName(field);
    if (field.kind === 'map') {
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        lines.push(`${name} { key: ${mapKey(field, k)} value${valueText({ ...field.value } as FieldInfo, item)} }`);
      }
    } else if (field.repeated) {
      for (const item of Array.from(v as ArrayLike<unknown>)) lines.push(`${name}${valueText(field, item)}`);
    } else {
      lines.push(`${name}${valueText(field, v)}`);
    }
  }
  return lines.join('\n');
}

function fieldName(field: FieldInfo): string {
  if (field.extension !== undefined) return `[${field.extension}]`;
  // Text format names a group field by its type name.
  if (field.kind === 'message' && field.group) return field.message().fullName.split('.').pop()!;
  return field.name;
}

function mapKey(field: FieldInfo & { kind: 'map' }, key: string): string {
  return field.key === 'string' ? quote(new TextEncoder().encode(key)) : key;
}

/** `: value` for scalars, ` { ... }` for messages. */
function valueText(field: FieldInfo, v: unknown): string {
  if (field.kind === 'message') return ` { ${toTextFormat(field.message(), v as Record<string, unknown>).replace(/\n/g, ' ')} }`;
  if (field.kind === 'enum') return `: ${v as number}`;
  if (field.kind !== 'scalar') throw new Error('unexpected field kind');
  switch (field.scalar) {
    case 'string':
      return `: ${quote(new TextEncoder().encode(v as string))}`;
    case 'bytes':
      return `: ${quote(v as Uint8Array)}`;
    case 'double':
    case 'float': {
      const n = v as number;
      if (Number.isNaN(n)) return ': nan';
      if (n === Infinity) return ': inf';
      if (n === -Infinity) return ': -inf';
      return `: ${Object.is(n, -0) ? '-0' : String(n)}`;
    }
    default:
      return `: ${String(v)}`;
  }
}

function quote(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) out += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`;
  return out + '"';
}
