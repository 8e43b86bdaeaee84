/**
 * The flat per-type descriptor table the Thrift JSON transcoders walk: one {@link StructDesc} per
 * struct reached from the codec's type, built once per codec (and cached on it), with each field's
 * JSON name, wire type ids, and the wire bytes of its IDL default precomputed.
 *
 * JSON names follow Kitex's JSON generic convention: the IDL field name, unless the field carries a
 * `go.tag` annotation with a `json:"name"` tag or an `api.key` annotation (in that order).
 */
import type { ConstValue, FieldDef, StructDef, ThriftType } from '../../thrift/model.js';
import { binaryTypeOf, compactTypeOf } from '../../thrift/wire-types.js';

/**
 * Value kinds the transcoders switch on: Binary type ids, plus BINARY for `binary` strings. A
 * const enum, so the compiled switches compare with literals instead of loading properties.
 */
export const enum Kind {
  BOOL = 2,
  I8 = 3,
  DOUBLE = 4,
  I16 = 6,
  I32 = 8,
  I64 = 10,
  STRING = 11,
  STRUCT = 12,
  MAP = 13,
  SET = 14,
  LIST = 15,
  UUID = 16,
  BINARY = 100,
}

export interface TypeDesc {
  kind: number;
  /** Binary protocol type id. */
  wire: number;
  /** Compact protocol type id (bools as BOOLEAN_TRUE, as in collection headers). */
  compact: number;
  /** list/set element */
  elem?: TypeDesc;
  /** map key and value */
  key?: TypeDesc;
  value?: TypeDesc;
  /** struct; filled after construction so recursive types resolve. */
  struct?: StructDesc;
}

export interface FieldDesc {
  index: number;
  id: number;
  name: string;
  jsonName: string;
  /** UTF-8 of `jsonName`, for matching keys without making strings. */
  jsonNameBytes: Uint8Array;
  /** `"jsonName":` as UTF-8, what toJSON writes before the value. */
  keyBytes: Uint8Array;
  type: TypeDesc;
  required: boolean;
  optional: boolean;
  /** The IDL default (an optional field's is written only under the fill options). */
  default?: ConstValue;
}

export interface StructDesc {
  name: string;
  isUnion: boolean;
  fields: FieldDesc[];
  byId: Map<number, FieldDesc>;
  /** Fields by the byte length of their JSON name. */
  byLength: Map<number, FieldDesc[]>;
  byName: Map<string, FieldDesc>;
  /** True when some field is required or has a default: the end of the struct must look back. */
  needsEndCheck: boolean;
}

const encoder = new TextEncoder();

/** Builds the descriptor of `root` and of every struct it reaches. */
export function buildDescriptor(root: StructDef, structByKey: (key: string) => StructDef): StructDesc {
  const built = new Map<string, StructDesc>();
  const structOf = (def: StructDef): StructDesc => {
    let desc = built.get(def.key);
    if (desc !== undefined) return desc;
    desc = {
      name: def.name,
      isUnion: def.kind === 'union',
      fields: [],
      byId: new Map(),
      byLength: new Map(),
      byName: new Map(),
      needsEndCheck: false,
    };
    built.set(def.key, desc);
    def.fields.forEach((field, index) => addField(desc!, field, index));
    return desc;
  };
  const typeOf = (type: ThriftType): TypeDesc => {
    const desc: TypeDesc = { kind: binaryTypeOf(type), wire: binaryTypeOf(type), compact: compactTypeOf(type) };
    if (type.kind === 'base' && type.name === 'binary') desc.kind = Kind.BINARY;
    else if (type.kind === 'list' || type.kind === 'set') desc.elem = typeOf(type.element);
    else if (type.kind === 'map') {
      desc.key = typeOf(type.key);
      desc.value = typeOf(type.value);
    } else if (type.kind === 'struct') pending.push([desc, type.key]); // resolved below, so recursive structs terminate
    return desc;
  };
  const pending: Array<[TypeDesc, string]> = [];
  const addField = (desc: StructDesc, field: FieldDef, index: number): void => {
    const jsonName = jsonNameOf(field);
    const jsonNameBytes = encoder.encode(jsonName);
    const f: FieldDesc = {
      index,
      id: field.id,
      name: field.name,
      jsonName,
      jsonNameBytes,
      keyBytes: encoder.encode(`${JSON.stringify(jsonName)}:`),
      type: typeOf(field.type),
      required: field.requiredness === 'required',
      optional: field.requiredness === 'optional',
    };
    if (field.default !== undefined) f.default = field.default;
    if (f.required || (f.default !== undefined && !f.optional)) desc.needsEndCheck = true;
    desc.fields.push(f);
    desc.byId.set(f.id, f);
    desc.byName.set(jsonName, f);
    const same = desc.byLength.get(jsonNameBytes.length);
    if (same === undefined) desc.byLength.set(jsonNameBytes.length, [f]);
    else same.push(f);
  };
  const result = structOf(root);
  while (pending.length > 0) {
    const [desc, key] = pending.pop()!;
    desc.struct = structOf(structByKey(key));
  }
  return result;
}

/** Kitex's JSON name of a field: `go.tag` json name, else `api.key`, else the IDL name. */
export function jsonNameOf(field: FieldDef): string {
  const tag = field.annotations['go.tag'];
  if (tag !== undefined) {
    const match = /json:"([^",]*)/.exec(tag);
    if (match !== null && match[1] !== '' && match[1] !== '-') return match[1]!;
  }
  const key = field.annotations['api.key'];
  if (key !== undefined && key !== '') return key;
  return field.name;
}
