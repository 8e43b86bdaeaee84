import fc from 'fast-check';
import type { ScalarType } from '../../../src-ts/protobuf/index.js';

/**
 * Random .proto schemas and values for differential tests: every scalar type, enums, nested and
 * recursive messages, repeated (packed and not), maps of every key type, oneofs, proto3
 * `optional`, proto2 required fields and groups.
 */

export type FieldShape =
  | { kind: 'scalar'; scalar: ScalarType }
  | { kind: 'enum' }
  | { kind: 'message'; target: number }
  | { kind: 'group' }
  | { kind: 'map'; key: ScalarType; value: { kind: 'scalar'; scalar: ScalarType } | { kind: 'enum' } | { kind: 'message'; target: number } };

export interface FieldSpec {
  name: string;
  number: number;
  shape: FieldShape;
  label: 'implicit' | 'optional' | 'repeated' | 'required';
  packed?: boolean;
  oneof?: string;
}

export interface MessageSpec {
  name: string;
  fields: FieldSpec[];
}

export interface SchemaSpec {
  syntax: 'proto2' | 'proto3';
  messages: MessageSpec[];
  enumValues: number[];
}

const SCALARS: ScalarType[] = [
  'double', 'float', 'int64', 'uint64', 'int32', 'fixed64', 'fixed32', 'bool', 'string', 'bytes', 'uint32',
  'sfixed32', 'sfixed64', 'sint32', 'sint64',
];
const MAP_KEYS: ScalarType[] = ['int64', 'uint64', 'int32', 'fixed64', 'fixed32', 'bool', 'string', 'uint32', 'sfixed32', 'sfixed64', 'sint32', 'sint64'];
const PACKABLE = (s: ScalarType): boolean => s !== 'string' && s !== 'bytes';

const shapeArb = (syntax: SchemaSpec['syntax'], messageCount: number): fc.Arbitrary<FieldShape> => {
  const options: Array<fc.WeightedArbitrary<FieldShape>> = [
    { weight: 8, arbitrary: fc.constantFrom(...SCALARS).map((scalar) => ({ kind: 'scalar', scalar }) as FieldShape) },
    { weight: 2, arbitrary: fc.constant({ kind: 'enum' } as FieldShape) },
    { weight: 2, arbitrary: fc.nat(messageCount - 1).map((target) => ({ kind: 'message', target }) as FieldShape) },
    {
      weight: 2,
      arbitrary: fc.record({
        key: fc.constantFrom(...MAP_KEYS),
        value: fc.oneof(
          fc.constantFrom(...SCALARS).map((scalar) => ({ kind: 'scalar', scalar }) as const),
          fc.constant({ kind: 'enum' } as const),
          fc.nat(messageCount - 1).map((target) => ({ kind: 'message', target }) as const),
        ),
      }).map(({ key, value }) => ({ kind: 'map', key, value }) as FieldShape),
    },
  ];
  if (syntax === 'proto2') options.push({ weight: 1, arbitrary: fc.constant({ kind: 'group' } as FieldShape) });
  return fc.oneof(...options);
};

const fieldArb = (syntax: SchemaSpec['syntax'], messageCount: number): fc.Arbitrary<Omit<FieldSpec, 'name' | 'number'>> =>
  shapeArb(syntax, messageCount).chain((shape) => {
    if (shape.kind === 'map') return fc.constant({ shape, label: 'repeated' as const });
    // Required message fields would force unbounded nesting, so only scalars and enums are required.
    const canRequire = shape.kind === 'scalar' || shape.kind === 'enum';
    const labels: Array<FieldSpec['label']> = syntax === 'proto3'
      ? ['implicit', 'optional', 'repeated']
      : canRequire ? ['optional', 'repeated', 'required'] : ['optional', 'repeated'];
    return fc.record({
      shape: fc.constant(shape),
      label: fc.constantFrom(...labels),
      packed: fc.constantFrom(undefined, true, false),
    }).map((f) => {
      const packable = (shape.kind === 'scalar' && PACKABLE(shape.scalar)) || shape.kind === 'enum';
      const label = syntax === 'proto3' && shape.kind === 'message' && f.label === 'implicit' ? 'optional' : f.label;
      return { shape, label, ...(f.label === 'repeated' && packable && f.packed !== undefined ? { packed: f.packed } : {}) };
    });
  });

/** A random schema: 1-3 messages with 1-8 fields each, some grouped into a oneof. */
export const schemaArb: fc.Arbitrary<SchemaSpec> = fc.constantFrom('proto2' as const, 'proto3' as const).chain((syntax) =>
  fc.integer({ min: 1, max: 3 }).chain((messageCount) =>
    fc.record({
      syntax: fc.constant(syntax),
      // Zero first: proto3 needs it, and so does an enum used as a map value.
      enumValues: fc.uniqueArray(fc.integer({ min: -5, max: 50 }), { maxLength: 3 }).map((values) => [0, ...values.filter((v) => v !== 0)]),
      messages: fc.array(
        fc.tuple(fc.array(fieldArb(syntax, messageCount), { minLength: 1, maxLength: 8 }), fc.nat(3)),
        { minLength: messageCount, maxLength: messageCount },
      ).map((list) => list.map(([fields, oneofSize], m) => {
        let number = 0;
        const specs: FieldSpec[] = fields.map((f, i) => ({ ...f, name: `f${i}_${f.shape.kind}`, number: (number += 1 + (i % 3) * 7) }));
        // The first fields that can be oneof members (singular, not maps or required) form a oneof.
        const candidates = specs.filter((f) => f.shape.kind !== 'map' && f.label !== 'repeated' && f.label !== 'required');
        for (const f of candidates.slice(0, oneofSize >= 2 ? oneofSize : 0)) {
          f.oneof = 'choice';
          f.label = 'optional';
        }
        return { name: `M${m}`, fields: specs };
      })),
    }),
  ),
);

function typeName(shape: FieldShape | Exclude<Extract<FieldShape, { kind: 'map' }>['value'], never>): string {
  if (shape.kind === 'scalar') return shape.scalar;
  if (shape.kind === 'enum') return 'E';
  if (shape.kind === 'message') return `M${shape.target}`;
  return 'int32';
}

/** The .proto source of a schema, package `rnd`. */
export function renderSchema(schema: SchemaSpec): string {
  const lines = [`syntax = "${schema.syntax}";`, 'package rnd;', 'enum E {'];
  schema.enumValues.forEach((v, i) => lines.push(`  E_${i} = ${v};`));
  lines.push('}');
  for (const message of schema.messages) {
    lines.push(`message ${message.name} {`);
    const inOneof = message.fields.filter((f) => f.oneof !== undefined);
    for (const f of message.fields) {
      if (f.oneof !== undefined) {
        if (f !== inOneof[0]) continue;
        lines.push('  oneof choice {');
        for (const member of inOneof) lines.push(`    ${fieldLine(schema, member, true)}`);
        lines.push('  }');
        continue;
      }
      lines.push(`  ${fieldLine(schema, f, false)}`);
    }
    lines.push('}');
  }
  return lines.join('\n') + '\n';
}

function fieldLine(schema: SchemaSpec, f: FieldSpec, inOneof: boolean): string {
  const label = inOneof || f.label === 'implicit' ? '' : `${f.label} `;
  const options = f.packed === undefined ? '' : ` [packed = ${f.packed}]`;
  if (f.shape.kind === 'map') return `map<${f.shape.key}, ${typeName(f.shape.value)}> ${f.name} = ${f.number};`;
  if (f.shape.kind === 'group') {
    const groupName = `G${f.number}`;
    return `${label}group ${groupName} = ${f.number} { optional int32 a = 1; optional string b = 2; }`;
  }
  void schema;
  return `${label}${typeName(f.shape)} ${f.name} = ${f.number}${options};`;
}

/** The property name heddle gives a field (group fields are named after the lowercased group). */
export function propertyOf(f: FieldSpec, jsonName: (name: string) => string): string {
  return f.shape.kind === 'group' ? `g${f.number}` : jsonName(f.name);
}

const INT32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const UINT32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const INT64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const UINT64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

/** A value of a scalar type as heddle represents it (int64 as bigint). */
export function scalarArb(scalar: ScalarType): fc.Arbitrary<unknown> {
  switch (scalar) {
    case 'double': return fc.double();
    case 'float': return fc.float();
    case 'int64': case 'sint64': case 'sfixed64': return INT64;
    case 'uint64': case 'fixed64': return UINT64;
    case 'int32': case 'sint32': case 'sfixed32': return INT32;
    case 'uint32': case 'fixed32': return UINT32;
    case 'bool': return fc.boolean();
    case 'string': return fc.string({ unit: 'grapheme', maxLength: 20 });
    case 'bytes': return fc.uint8Array({ maxLength: 20 });
  }
}

function mapKeyArb(key: ScalarType): fc.Arbitrary<string> {
  if (key === 'bool') return fc.constantFrom('true', 'false');
  // __proto__ is a JS hazard with a unit test of its own; bridging it to bufbuild is not the point.
  return scalarArb(key).map((k) => String(k)).filter((k) => k !== '__proto__');
}

/** A random value of message `index` in heddle's shape, nesting at most `depth` more levels. */
export function valueArb(schema: SchemaSpec, index: number, depth = 2): fc.Arbitrary<Record<string, unknown>> {
  const message = schema.messages[index]!;
  const entries: Array<[string, fc.Arbitrary<unknown>, boolean]> = [];
  const enumArb = schema.syntax === 'proto2' ? fc.constantFrom(...schema.enumValues) : fc.oneof(fc.constantFrom(...schema.enumValues), INT32);
  const single = (shape: FieldShape | Extract<FieldShape, { kind: 'map' }>['value']): fc.Arbitrary<unknown> | undefined => {
    if (shape.kind === 'scalar') return scalarArb(shape.scalar);
    if (shape.kind === 'enum') return enumArb;
    if (shape.kind === 'group') return fc.record({ a: INT32, b: fc.string({ maxLength: 5 }) }, { requiredKeys: [] });
    if (shape.kind === 'message') return depth > 0 ? fc.constant(undefined).chain(() => valueArb(schema, shape.target, depth - 1)) : undefined;
    return undefined;
  };
  const jsonName = (name: string): string => name.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
  for (const f of message.fields) {
    const prop = propertyOf(f, jsonName);
    if (f.shape.kind === 'map') {
      const value = single(f.shape.value);
      if (value === undefined) continue;
      entries.push([prop, fc.dictionary(mapKeyArb(f.shape.key), value, { maxKeys: 3 }), false]);
      continue;
    }
    const one = single(f.shape);
    if (one === undefined) continue;
    if (f.label === 'repeated') entries.push([prop, fc.array(one, { maxLength: 4 }), false]);
    else entries.push([prop, one, f.label === 'required']);
  }
  const oneofProps = message.fields.filter((f) => f.oneof !== undefined).map((f) => propertyOf(f, jsonName));
  const record = fc.record(Object.fromEntries(entries.map(([k, a]) => [k, a])), {
    requiredKeys: entries.filter(([, , required]) => required).map(([k]) => k),
  }) as fc.Arbitrary<Record<string, unknown>>;
  // At most one oneof member: keep a random one of those generated.
  return fc.tuple(record, fc.nat()).map(([value, pick]) => {
    const present = oneofProps.filter((p) => value[p] !== undefined);
    present.forEach((p, i) => { if (i !== pick % Math.max(present.length, 1)) delete value[p]; });
    return value;
  });
}
