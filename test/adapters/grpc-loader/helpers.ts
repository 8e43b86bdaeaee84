import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import protobufjs from 'protobufjs';

export const PROTOS = join(dirname(fileURLToPath(import.meta.url)), 'protos');

/** The option sets users pass, by a short name; includeDirs is added where a proto needs it. */
export const OPTION_SETS: Record<string, Record<string, unknown>> = {
  legacy: { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
  nest: { keepCase: true, defaults: true, enums: String },
  none: {},
  shapes: { longs: Number, bytes: String, arrays: true, objects: true },
  json: { json: true, longs: BigInt },
};

/**
 * proto-loader's maps with 64-bit keys use protobufjs's 8-character hash strings as keys; heddle
 * uses the decimal form (on purpose). This rewrites the hash keys of the named map fields, at any
 * depth, so the two can be compared.
 */
export function decimalMapKeys(value: unknown, fields: ReadonlySet<string>, unsigned: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => decimalMapKeys(v, fields, unsigned));
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || (value as { __isLong__?: boolean }).__isLong__) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (fields.has(key) && v !== null && typeof v === 'object') {
      out[key] = Object.fromEntries(Object.entries(v).map(([k, inner]) => [
        protobufjs.util.LongBits.fromHash(k).toLong(unsigned.has(key)).toString(),
        decimalMapKeys(inner, fields, unsigned),
      ]));
    } else out[key] = decimalMapKeys(v, fields, unsigned);
  }
  return out;
}

/** stress.proto's maps with 64-bit keys, by property name under `keepCase`: all, and the unsigned ones. */
export function int64KeyedMaps(keepCase: boolean): { all: ReadonlySet<string>; unsigned: ReadonlySet<string> } {
  const n = (name: string) => (keepCase ? name : name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
  return { all: new Set([n('names_by_big_id'), n('items_by_id')]), unsigned: new Set([n('items_by_id')]) };
}
