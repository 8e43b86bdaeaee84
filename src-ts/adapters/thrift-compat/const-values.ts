/**
 * IDL constants and field defaults as gen-nodejs values: i64 as node-int64 objects, binary as
 * Buffer, maps as plain objects, sets and lists as arrays, structs as instances of their classes.
 */
import type { ConstValue, ThriftModel, ThriftType } from '../../thrift/model.js';
import { nodeInt64Of } from '../../thrift/runtime/node-int64.js';

/** Makes an instance of a struct's class from its field values (types-module.ts supplies it). */
export type StructFactory = (key: string, fields: Record<string, unknown>) => unknown;

/** The JS value of `value` as a constant of `type`; a fresh object each call. */
export function constToValue(type: ThriftType, value: ConstValue, model: ThriftModel, makeStruct: StructFactory): unknown {
  // Types arrive with typedefs resolved, and enum constants as their numbers (thrift/idl/resolve.ts).
  const resolved = type;
  switch (resolved.kind) {
    case 'base':
      return baseValue(resolved.name, value);
    case 'enum':
      return value.kind === 'int' ? Number(value.value) : undefined;
    case 'list':
    case 'set':
      return value.kind === 'list' ? value.items.map((item) => constToValue(resolved.element, item, model, makeStruct)) : [];
    case 'map': {
      const out: Record<string, unknown> = {};
      if (value.kind === 'map') {
        // The Thrift compiler keeps constant maps sorted by key, so generated objects list keys in that order.
        const entries = value.entries.map(([k, v]) => [String(keyText(k)), v] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        for (const [k, v] of entries) out[k] = constToValue(resolved.value, v, model, makeStruct);
      }
      return out;
    }
    case 'struct': {
      const fields: Record<string, unknown> = {};
      const def = model.structs.get(resolved.key);
      if (value.kind === 'map' && def !== undefined) {
        for (const [k, v] of value.entries) {
          const field = def.fields.find((f) => f.name === keyText(k));
          if (field !== undefined) fields[field.name] = constToValue(field.type, v, model, makeStruct);
        }
      }
      return makeStruct(resolved.key, fields);
    }
  }
}

function keyText(value: ConstValue): string | number {
  if (value.kind === 'string') return value.value;
  if (value.kind === 'int') return value.value.toString();
  if (value.kind === 'double') return value.value;
  return JSON.stringify(value);
}

function baseValue(name: string, value: ConstValue): unknown {
  const n = value.kind === 'int' ? value.value : undefined;
  switch (name) {
    case 'bool':
      return n === undefined ? Boolean(value.kind === 'string' && value.value === 'true') : n !== 0n;
    case 'i64':
      return nodeInt64Of(n === undefined ? '0' : n.toString());
    case 'double':
      return value.kind === 'double' ? value.value : Number(n ?? 0);
    case 'string':
    case 'uuid':
      return value.kind === 'string' ? value.value : String(n);
    case 'binary':
      return Buffer.from(value.kind === 'string' ? value.value : '', 'utf8');
    default:
      return Number(n ?? 0);
  }
}
