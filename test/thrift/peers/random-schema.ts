/**
 * A property-based corpus for the peer tests: random IDL-shaped schemas (structs, unions and
 * exceptions with every field type, nested containers, optional/required fields, enums,
 * recursion through list<Self>) as IDL text, and random values for them in heddle's mapping.
 */
import fc from 'fast-check';
import type { BaseTypeName, ThriftType } from '../../../src-ts/thrift/model.js';

/** What a peer can represent, which bounds what the corpus generates. */
export interface PeerLimits {
  /** Types allowed as map keys. */
  readonly mapKeys: ReadonlyArray<BaseTypeName | 'enum'>;
  /** Types allowed as set elements. */
  readonly setElements: ReadonlyArray<BaseTypeName | 'enum'>;
  /** Most elements in a generated set value (1 where the peer reorders sets). */
  readonly maxSetSize: number;
  /** Most entries in a generated map value (1 where the peer reorders maps). */
  readonly maxMapSize: number;
  /** False where the peer cannot write the double -0 (it then writes +0). */
  readonly negativeZero: boolean;
}

export interface RandomField {
  id: number;
  name: string;
  requiredness: 'required' | 'optional' | 'default';
  type: ThriftType;
}

export interface RandomStruct {
  kind: 'struct' | 'union' | 'exception';
  name: string;
  fields: RandomField[];
}

export interface RandomSchema {
  /** IDL file name; its base name is the key prefix (`corpus.S0`). */
  filename: string;
  structs: RandomStruct[];
  idl: string;
}

const PREFIX = 'corpus';
const ENUM = { kind: 'enum', key: `${PREFIX}.E0` } as const;
const ENUM_VALUES = [0, 1, 5, 100, -3];
const SCALARS: BaseTypeName[] = ['bool', 'i8', 'i16', 'i32', 'i64', 'double', 'string', 'binary'];

function base(name: BaseTypeName): ThriftType {
  return { kind: 'base', name };
}

function keyType(name: BaseTypeName | 'enum'): ThriftType {
  return name === 'enum' ? ENUM : base(name);
}

/** A field type for struct number `index`, which may use structs before it and itself in a list. */
function typeArbitrary(index: number, limits: PeerLimits, depth: number): fc.Arbitrary<ThriftType> {
  const leaves: fc.Arbitrary<ThriftType>[] = [fc.constantFrom(...SCALARS).map(base), fc.constant(ENUM)];
  if (index > 0) leaves.push(fc.integer({ min: 0, max: index - 1 }).map((k) => ({ kind: 'struct', key: `${PREFIX}.S${k}` }) as ThriftType));
  const leaf = fc.oneof(...leaves);
  if (depth >= 2) return leaf;
  const inner = typeArbitrary(index, limits, depth + 1);
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 2, arbitrary: inner.map((element) => ({ kind: 'list', element }) as ThriftType) },
    { weight: 1, arbitrary: fc.constantFrom(...limits.setElements).map((e) => ({ kind: 'set', element: keyType(e) }) as ThriftType) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...limits.mapKeys), inner)
        .map(([key, value]) => ({ kind: 'map', key: keyType(key), value }) as ThriftType),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'list', element: { kind: 'struct', key: `${PREFIX}.S${index}` } } as ThriftType) },
  );
}

function structArbitrary(index: number, limits: PeerLimits): fc.Arbitrary<RandomStruct> {
  const field = fc.record({
    type: typeArbitrary(index, limits, 0),
    requiredness: fc.constantFrom('required', 'optional', 'default', 'default') as fc.Arbitrary<RandomField['requiredness']>,
  });
  const ids = fc.uniqueArray(fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 32767 })), { minLength: 1, maxLength: 8 });
  return fc
    .tuple(fc.constantFrom('struct', 'struct', 'struct', 'union', 'exception') as fc.Arbitrary<RandomStruct['kind']>, ids)
    .chain(([kind, fieldIds]) =>
      fc.tuple(...fieldIds.map(() => field)).map((specs) => ({
        kind,
        name: `S${index}`,
        fields: specs.map((spec, i) => {
          const id = fieldIds[i]!;
          // Unions have no required fields; a self-reference must be optional to keep values finite.
          const selfList = spec.type.kind === 'list' && spec.type.element.kind === 'struct' && spec.type.element.key === `${PREFIX}.S${index}`;
          const requiredness = kind === 'union' ? 'default' : selfList && spec.requiredness === 'required' ? 'optional' : spec.requiredness;
          return { id, name: `f${id}`, requiredness, type: spec.type };
        }),
      })),
    );
}

function typeText(type: ThriftType): string {
  switch (type.kind) {
    case 'base':
      return type.name;
    case 'enum':
    case 'struct':
      return type.key.slice(PREFIX.length + 1);
    case 'list':
      return `list<${typeText(type.element)}>`;
    case 'set':
      return `set<${typeText(type.element)}>`;
    case 'map':
      return `map<${typeText(type.key)}, ${typeText(type.value)}>`;
  }
}

/** The IDL text of a schema. */
export function idlText(structs: readonly RandomStruct[]): string {
  const lines = ['namespace py corpus', '', `enum E0 { ${ENUM_VALUES.map((v, i) => `V${i} = ${v}`).join(', ')} }`, ''];
  for (const struct of structs) {
    lines.push(`${struct.kind} ${struct.name} {`);
    for (const f of struct.fields) {
      const req = f.requiredness === 'default' ? '' : `${f.requiredness} `;
      lines.push(`  ${f.id}: ${req}${typeText(f.type)} ${f.name}`);
    }
    lines.push('}', '');
  }
  return lines.join('\n');
}

/** A schema of `count` structs. */
export function schemaArbitrary(count: number, limits: PeerLimits): fc.Arbitrary<RandomSchema> {
  return fc
    .tuple(...Array.from({ length: count }, (_, k) => structArbitrary(k, limits)))
    .map((structs) => ({ filename: `${PREFIX}.thrift`, structs, idl: idlText(structs) }));
}

function keyIdentity(value: unknown): string {
  if (value instanceof Uint8Array) return `b:${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'number' && value === 0) return 'n:0';
  return `${typeof value}:${String(value)}`;
}

const text = fc.oneof(fc.string({ maxLength: 24 }), fc.string({ unit: 'binary', maxLength: 6 }));

function scalarArbitrary(name: BaseTypeName, limits: PeerLimits): fc.Arbitrary<unknown> {
  switch (name) {
    case 'bool':
      return fc.boolean();
    case 'i8':
      return fc.integer({ min: -128, max: 127 });
    case 'i16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'i32':
      return fc.oneof(fc.integer({ min: -100, max: 100 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    case 'i64':
      return fc.oneof(fc.bigInt({ min: -1000n, max: 1000n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
    case 'double':
      return limits.negativeZero ? fc.double({ noNaN: true }) : fc.double({ noNaN: true }).map((d) => (d === 0 ? 0 : d));
    case 'string':
      return text;
    case 'binary':
      return fc.uint8Array({ maxLength: 12 });
    case 'uuid':
      return fc.uuid();
  }
}

/** Random values of one struct of `schema`, in heddle's default mapping (bigint, Map, arrays). */
export function valueArbitrary(schema: RandomSchema, structName: string, limits: PeerLimits): fc.Arbitrary<Record<string, unknown>> {
  const byKey = new Map(schema.structs.map((s) => [`${PREFIX}.${s.name}`, s]));
  const ofType = (type: ThriftType, budget: number): fc.Arbitrary<unknown> => {
    switch (type.kind) {
      case 'base':
        return scalarArbitrary(type.name, limits);
      case 'enum':
        return fc.oneof(fc.constantFrom(...ENUM_VALUES), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
      case 'struct':
        return ofStruct(byKey.get(type.key)!, budget - 1);
      case 'list':
        // Containers run empty when the budget is spent: that is what ends list<Self>.
        return budget <= 0 ? fc.constant([]) : fc.array(ofType(type.element, budget - 1), { maxLength: 4 });
      case 'set':
        return budget <= 0
          ? fc.constant([])
          : fc.uniqueArray(ofType(type.element, budget - 1), { maxLength: limits.maxSetSize, selector: keyIdentity });
      case 'map':
        if (budget <= 0) return fc.constant(null).map(() => new Map());
        return fc
          .uniqueArray(fc.tuple(ofType(type.key, budget - 1), ofType(type.value, budget - 1)), {
            maxLength: limits.maxMapSize,
            selector: (entry) => keyIdentity(entry[0]),
          })
          .map((entries) => new Map(entries));
    }
  };
  const ofStruct = (struct: RandomStruct, budget: number): fc.Arbitrary<Record<string, unknown>> => {
    const entries = struct.fields.map((f) => {
      const value = ofType(f.type, budget);
      const present = f.requiredness === 'required' ? fc.constant(true) : fc.boolean();
      return fc.tuple(present, value).map(([isSet, v]) => (isSet ? ([f.name, v] as const) : undefined));
    });
    return fc.tuple(...entries).chain((pairs) => {
      const set = pairs.filter((p) => p !== undefined);
      if (struct.kind !== 'union') return fc.constant(Object.fromEntries(set));
      // A union carries exactly one field.
      return fc.nat({ max: struct.fields.length - 1 }).chain((i) => {
        const f = struct.fields[i]!;
        return ofType(f.type, budget).map((v) => ({ [f.name]: v }));
      });
    });
  };
  return ofStruct(byKey.get(`${PREFIX}.${structName}`)!, 3);
}
