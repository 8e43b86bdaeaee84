/**
 * A reference JSON rendering of heddle's decoded Thrift values under Kitex's JSON generic
 * conventions, written with JSON.stringify and Buffer's base64: what `codec.toJSON` must produce
 * byte for byte, and what `codec.fromJSON` must turn back into `codec.encode`'s bytes.
 */
import type { StructDef, ThriftDocument, ThriftType } from '../../src-ts/thrift/index.js';

export function referenceJson(doc: ThriftDocument, struct: StructDef, value: Record<string, unknown>, i64 = 'number'): string {
  const parts: string[] = [];
  for (const f of struct.fields) {
    const v = value[f.name];
    if (v === undefined || v === null) continue;
    parts.push(`${JSON.stringify(f.name)}:${render(doc, f.type, v, i64)}`);
  }
  return `{${parts.join(',')}}`;
}

function render(doc: ThriftDocument, type: ThriftType, v: unknown, i64: string): string {
  switch (type.kind) {
    case 'base':
      switch (type.name) {
        case 'i64':
          return i64 === 'string' ? `"${String(v)}"` : String(v);
        case 'binary':
          return JSON.stringify(Buffer.from(v as Uint8Array).toString('base64'));
        default:
          return JSON.stringify(v);
      }
    case 'enum':
      return String(v);
    case 'list':
    case 'set':
      return `[${Array.from(v as Iterable<unknown>, (x) => render(doc, type.element, x, i64)).join(',')}]`;
    case 'map': {
      const entries = v instanceof Map ? [...v] : Object.entries(v as object);
      return `{${entries.map(([k, x]) => `${JSON.stringify(keyText(type.key, k))}:${render(doc, type.value, x, i64)}`).join(',')}}`;
    }
    case 'struct':
      return referenceJson(doc, doc.structByKey(type.key), v as Record<string, unknown>, i64);
  }
}

function keyText(type: ThriftType, k: unknown): string {
  if (type.kind === 'base' && type.name === 'binary') return Buffer.from(k as Uint8Array).toString('base64');
  return String(k);
}
