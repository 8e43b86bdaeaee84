/**
 * IDL constants and field defaults as gen-nodejs values: i64 as node-int64 objects, binary as
 * Buffer, maps as plain objects, sets and lists as arrays, structs as instances of their classes.
 */
import type { ConstValue, ThriftModel, ThriftType } from '../../thrift/model.js';
import { nodeInt64Of } from '../../thrift/runtime/node-int64.js';

/** What constant values are made in: the model, struct classes (types-module.ts), the i64 form. */
export interface ConstContext {
  readonly model: ThriftModel;
  /** An instance of a struct's class from its field values. */
  readonly instance: (key: string, fields: Record<string, unknown>) => unknown;
  readonly i64: I64Form;
}

/** The JS form of i64 values in compat modules (node-int64 objects, as gen-nodejs, by default). */
export type I64Form = 'node-int64' | 'bigint' | 'number' | 'string';

/** The JS value of `value` as a constant of `type`; a fresh object each call. */
export function constToValue(type: ThriftType, value: ConstValue, ctx: ConstContext): unknown {
  const { model } = ctx;
  // Types arrive with typedefs resolved, and enum constants as their numbers (thrift/idl/resolve.ts).
  const resolved = type;
  switch (resolved.kind) {
    case 'base':
      return baseValue(resolved.name, value, ctx.i64);
    case 'enum':
      return value.kind === 'int' ? Number(value.value) : undefined;
    case 'list':
    case 'set':
      return value.kind === 'list' ? value.items.map((item) => constToValue(resolved.element, item, ctx)) : [];
    case 'map': {
      const out: Record<string, unknown> = {};
      if (value.kind === 'map') {
        // The Thrift compiler keeps constant maps sorted by key, so generated objects list keys in that order.
        const entries = value.entries.map(([k, v]) => [String(keyText(k)), v] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        for (const [k, v] of entries) out[k] = constToValue(resolved.value, v, ctx);
      }
      return out;
    }
    case 'struct': {
      const fields: Record<string, unknown> = {};
      const def = model.structs.get(resolved.key);
      if (value.kind === 'map' && def !== undefined) {
        for (const [k, v] of value.entries) {
          const field = def.fields.find((f) => f.name === keyText(k));
          if (field !== undefined) fields[field.name] = constToValue(field.type, v, ctx);
        }
      }
      return ctx.instance(resolved.key, fields);
    }
  }
}

function keyText(value: ConstValue): string | number {
  if (value.kind === 'string') return value.value;
  if (value.kind === 'int') return value.value.toString();
  if (value.kind === 'double') return value.value;
  return JSON.stringify(value);
}

function baseValue(name: string, value: ConstValue, i64: I64Form): unknown {
  const n = value.kind === 'int' ? value.value : undefined;
  switch (name) {
    case 'bool':
      return n === undefined ? Boolean(value.kind === 'string' && value.value === 'true') : n !== 0n;
    case 'i64': {
      const big = n ?? 0n;
      return i64 === 'node-int64' ? nodeInt64Of(big) : i64 === 'bigint' ? big : i64 === 'number' ? Number(big) : big.toString();
    }
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
