import fc from 'fast-check';
import type { FieldInfo, MessageInfo, ScalarType } from '../../../src-ts/protobuf/index.js';
import { jsonName } from '../../../src-ts/protobuf/descriptor/json-name.js';
import { scalarArb } from './random-schema.js';

/**
 * Random values of any message type heddle knows, in heddle's default shape (camelCase names,
 * int64 as bigint, extensions as `[full.name]`), nesting at most `depth` more levels.
 */
export function messageValueArb(message: MessageInfo, depth: number, options: { maps?: boolean } = {}): fc.Arbitrary<Record<string, unknown>> {
  const entries: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const field of message.fields) {
    if (field.kind === 'map' && options.maps === false) continue;
    const arb = fieldArb(field, depth, options);
    if (arb === undefined) continue;
    const name = propertyName(field);
    entries[name] = arb;
    if (field.required) required.push(name);
  }
  const oneofs = message.oneofs.map((o) => o.fields.map((f) => jsonName(f)));
  return fc.tuple(fc.record(entries, { requiredKeys: required }), fc.nat()).map(([value, pick]) => {
    for (const members of oneofs) {
      const present = members.filter((m) => value[m] !== undefined);
      present.forEach((m, i) => { if (i !== pick % present.length) delete value[m]; });
    }
    return value as Record<string, unknown>;
  });
}

/** The property heddle uses for a field with default options. */
export function propertyName(field: FieldInfo): string {
  return field.extension !== undefined ? `[${field.extension}]` : jsonName(field.name);
}

function fieldArb(field: FieldInfo, depth: number, options: { maps?: boolean }): fc.Arbitrary<unknown> | undefined {
  const single = singleArb(field, depth, options);
  if (single === undefined) return undefined;
  if (field.kind === 'map') {
    const key = field.key === 'bool' ? fc.constantFrom('true', 'false') : scalarArb(field.key).map(String);
    return fc.dictionary(key.filter((k) => k !== '__proto__'), single, { maxKeys: 3 });
  }
  return field.repeated ? fc.array(single, { maxLength: 4 }) : single;
}

function singleArb(field: FieldInfo, depth: number, options: { maps?: boolean }): fc.Arbitrary<unknown> | undefined {
  const kind = field.kind === 'map' ? field.value : field;
  if (kind.kind === 'scalar') return scalarArb(kind.scalar as ScalarType);
  if (kind.kind === 'enum') {
    const known = fc.constantFrom(...kind.enum.names.keys());
    return kind.enum.closed ? known : fc.oneof(known, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
  }
  if (depth <= 0) return undefined;
  return fc.constant(undefined).chain(() => messageValueArb(kind.message(), depth - 1, options));
}
