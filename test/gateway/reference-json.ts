/**
 * A reference JSON rendering of heddle's decoded Thrift values under Kitex's JSON generic
 * conventions, written with JSON.stringify and Buffer's base64: what `codec.toJSON` must produce
 * byte for byte, and what `codec.fromJSON` must turn back into `codec.encode`'s bytes.
 */
import type { StructDef, ThriftDocument, ThriftType } from '../../src-ts/thrift/index.js';

/**
 * Variations a JSON body may take that must transcode to the same bytes: whitespace around every
 * token, every non-ASCII character as a \u escape (surrogate pairs for astral ones), and an
 * unknown member of every JSON kind at the start of each object.
 */
export interface Variation {
  loose?: boolean;
  escapeAll?: boolean;
  unknown?: boolean;
}

let variation: Variation = {};

export function referenceJson(doc: ThriftDocument, struct: StructDef, value: Record<string, unknown>, i64 = 'number', vary: Variation = {}): string {
  variation = vary;
  try {
    return renderStruct(doc, struct, value, i64);
  } finally {
    variation = {};
  }
}

function renderStruct(doc: ThriftDocument, struct: StructDef, value: Record<string, unknown>, i64: string): string {
  const parts: string[] = [];
  if (variation.unknown) parts.push(`"zz_unknown":{"a":[1,-2.5e3,"\\u00e9\\"",null,true,{}],"b":{"c":[]}}`);
  for (const f of struct.fields) {
    const v = value[f.name];
    if (v === undefined || v === null) continue;
    parts.push(`${str(f.name)}${colon()}${render(doc, f.type, v, i64)}`);
  }
  return `{${parts.join(comma())}}`;
}

const comma = (): string => (variation.loose ? ' ,\n\t' : ',');
const colon = (): string => (variation.loose ? ' :\r\n ' : ':');

/** JSON.stringify of a string, with every non-ASCII UTF-16 unit escaped when asked. */
function str(s: string): string {
  const json = JSON.stringify(s);
  return variation.escapeAll ? json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

function render(doc: ThriftDocument, type: ThriftType, v: unknown, i64: string): string {
  switch (type.kind) {
    case 'base':
      switch (type.name) {
        case 'i64':
          return i64 === 'string' ? `"${String(v)}"` : String(v);
        case 'binary':
          return JSON.stringify(Buffer.from(v as Uint8Array).toString('base64'));
        case 'string':
          return str(v as string);
        default:
          return JSON.stringify(v);
      }
    case 'enum':
      return String(v);
    case 'list':
    case 'set':
      return `[${Array.from(v as Iterable<unknown>, (x) => render(doc, type.element, x, i64)).join(comma())}]`;
    case 'map': {
      const entries = v instanceof Map ? [...v] : Object.entries(v as object);
      return `{${entries.map(([k, x]) => `${str(keyText(type.key, k))}${colon()}${render(doc, type.value, x, i64)}`).join(comma())}}`;
    }
    case 'struct':
      return renderStruct(doc, doc.structByKey(type.key), v as Record<string, unknown>, i64);
  }
}

function keyText(type: ThriftType, k: unknown): string {
  if (type.kind === 'base' && type.name === 'binary') return Buffer.from(k as Uint8Array).toString('base64');
  return String(k);
}
