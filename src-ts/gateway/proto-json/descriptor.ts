/**
 * The flat per-type table both Protobuf JSON transcoders walk: for each message, its fields by
 * number and by both JSON names (json_name and the .proto name, as bytes for comparison in place),
 * with the wire type, kind and presence each needs. Built lazily per message type, once per root.
 */
import type { EnumInfo, FieldInfo, FieldKind, MessageInfo, ScalarType } from '../../protobuf/descriptor/type-info.js';

/** Value kinds; scalars first, in an order that groups them by wire form. */
export const enum PKind {
  INT32, SINT32, SFIXED32, UINT32, FIXED32,
  INT64, SINT64, SFIXED64, UINT64, FIXED64,
  BOOL, FLOAT, DOUBLE, STRING, BYTES, ENUM, MESSAGE, GROUP,
}

/** Protobuf wire types. */
export const enum Wire { VARINT = 0, I64 = 1, LEN = 2, SGROUP = 3, EGROUP = 4, I32 = 5 }

/** Well-known types with a JSON form of their own. */
export const enum Wkt {
  NONE, ANY, TIMESTAMP, DURATION, FIELD_MASK, STRUCT, VALUE, LIST_VALUE,
  /** google.protobuf.*Value wrappers: JSON is the scalar of field 1. */
  WRAPPER,
}

export interface PEnum {
  fullName: string;
  names: ReadonlyMap<number, string>;
  numbers: ReadonlyMap<string, number>;
  closed: boolean;
  /** google.protobuf.NullValue: JSON `null` on both sides. */
  isNullValue: boolean;
}

export interface PField {
  /** Position in {@link PMessage.fields}. */
  index: number;
  number: number;
  /** The .proto name, which is also what error paths show. */
  name: string;
  jsonName: string;
  /** `"jsonName":` as UTF-8, written before the value on output. */
  jsonKey: Uint8Array;
  /** `"name":`, written instead under toJSON's `useProtoFieldName`. */
  protoKey: Uint8Array;
  kind: PKind;
  /** Wire type of one (unpacked) value. */
  wire: Wire;
  repeated: boolean;
  /** Written packed by fromJSON (either form is read by toJSON). */
  packed: boolean;
  /** proto3 singular field without `optional`: absent when zero. */
  implicit: boolean;
  required: boolean;
  /** Index of the real oneof it belongs to, or -1. */
  oneof: number;
  enumType: PEnum | undefined;
  /** The message type (message, group, and the value of a message map). */
  message: (() => PMessage) | undefined;
  /** For maps: the entry's key (number 1) and value (number 2). */
  mapKey: PField | undefined;
  mapValue: PField | undefined;
}

export interface PMessage {
  fullName: string;
  /** By field number. */
  fields: PField[];
  /** Field by number, for the wire side. */
  byNumber: Map<number, PField>;
  /** Field by either JSON name, for the JSON side. */
  byName: Map<string, PField>;
  /** Names by their UTF-8 length, for comparing keys in place. */
  byLength: Map<number, Array<{ bytes: Uint8Array; field: PField }>>;
  oneofCount: number;
  wkt: Wkt;
  /** Any field is proto2 `required`. */
  hasRequired: boolean;
  /**
   * Where the extensions start in {@link fields}: the fields before are the message's own, by
   * number; the rest are the extensions the root knows for it, named `[full.name]` on both sides
   * as ProtoJSON names them. Equal to `fields.length` when there are none.
   */
  extensionStart: number;
}

const utf8 = new TextEncoder();

type ValueKind = Exclude<FieldKind, { kind: 'map' }>;
type ValueShape = Pick<PField, 'kind' | 'wire' | 'enumType' | 'message'>;

/**
 * A field with every property set, always in the same order: the transcoders read fields in
 * their hottest loops, and one object shape keeps those reads monomorphic.
 */
function fieldOf(
  number: number, name: string, jsonName: string, repeated: boolean, packed: boolean, implicit: boolean, required: boolean,
  oneof: number, shape: ValueShape,
): PField {
  return {
    index: number - 1,
    number,
    name,
    jsonName,
    jsonKey: utf8.encode(`${JSON.stringify(jsonName)}:`),
    protoKey: utf8.encode(`${JSON.stringify(name)}:`),
    kind: shape.kind,
    wire: shape.wire,
    repeated,
    packed,
    implicit,
    required,
    oneof,
    enumType: shape.enumType,
    message: shape.message,
    mapKey: undefined,
    mapValue: undefined,
  };
}

const SCALAR_KIND: Record<ScalarType, PKind> = {
  int32: PKind.INT32, sint32: PKind.SINT32, sfixed32: PKind.SFIXED32, uint32: PKind.UINT32, fixed32: PKind.FIXED32,
  int64: PKind.INT64, sint64: PKind.SINT64, sfixed64: PKind.SFIXED64, uint64: PKind.UINT64, fixed64: PKind.FIXED64,
  bool: PKind.BOOL, float: PKind.FLOAT, double: PKind.DOUBLE, string: PKind.STRING, bytes: PKind.BYTES,
};

/** Wire type of one value of each kind. */
export function wireOf(kind: PKind): Wire {
  switch (kind) {
    case PKind.SFIXED32: case PKind.FIXED32: case PKind.FLOAT: return Wire.I32;
    case PKind.SFIXED64: case PKind.FIXED64: case PKind.DOUBLE: return Wire.I64;
    case PKind.STRING: case PKind.BYTES: case PKind.MESSAGE: return Wire.LEN;
    case PKind.GROUP: return Wire.SGROUP;
    default: return Wire.VARINT;
  }
}

const WKT_BY_NAME: Record<string, Wkt> = {
  'google.protobuf.Any': Wkt.ANY,
  'google.protobuf.Timestamp': Wkt.TIMESTAMP,
  'google.protobuf.Duration': Wkt.DURATION,
  'google.protobuf.FieldMask': Wkt.FIELD_MASK,
  'google.protobuf.Struct': Wkt.STRUCT,
  'google.protobuf.Value': Wkt.VALUE,
  'google.protobuf.ListValue': Wkt.LIST_VALUE,
  'google.protobuf.DoubleValue': Wkt.WRAPPER,
  'google.protobuf.FloatValue': Wkt.WRAPPER,
  'google.protobuf.Int64Value': Wkt.WRAPPER,
  'google.protobuf.UInt64Value': Wkt.WRAPPER,
  'google.protobuf.Int32Value': Wkt.WRAPPER,
  'google.protobuf.UInt32Value': Wkt.WRAPPER,
  'google.protobuf.BoolValue': Wkt.WRAPPER,
  'google.protobuf.StringValue': Wkt.WRAPPER,
  'google.protobuf.BytesValue': Wkt.WRAPPER,
};

/** Builds tables on demand and caches them, so that recursive types resolve lazily. */
export class ProtoJsonTables {
  private readonly messages = new Map<string, PMessage>();
  private readonly enums = new Map<string, PEnum>();

  /** `resolve` finds message types by full name (for Any's registry); undefined when unknown. */
  constructor(private readonly resolve: (fullName: string) => MessageInfo | undefined) {}

  /** The table of a message type found by full name (Any's `@type`), or undefined. */
  byName(fullName: string): PMessage | undefined {
    const cached = this.messages.get(fullName);
    if (cached !== undefined) return cached;
    const info = this.resolve(fullName);
    return info === undefined ? undefined : this.message(info);
  }

  message(info: MessageInfo): PMessage {
    const cached = this.messages.get(info.fullName);
    if (cached !== undefined) return cached;
    const desc: PMessage = {
      fullName: info.fullName,
      fields: [],
      byNumber: new Map(),
      byName: new Map(),
      byLength: new Map(),
      oneofCount: info.oneofs.length,
      wkt: WKT_BY_NAME[info.fullName] ?? Wkt.NONE,
      hasRequired: false,
      extensionStart: 0,
    };
    this.messages.set(info.fullName, desc);
    const oneofIndex = new Map<string, number>();
    info.oneofs.forEach((o, i) => oneofIndex.set(o.name, i));
    const own = info.fields.filter((f) => f.extension === undefined);
    const extensions = info.fields.filter((f) => f.extension !== undefined);
    for (const f of own) this.add(desc, this.field(f, desc.fields.length, f.oneof === undefined ? -1 : oneofIndex.get(f.oneof)!));
    desc.extensionStart = desc.fields.length;
    for (const f of extensions) {
      const field = this.field(f, desc.fields.length, -1);
      // ProtoJSON's one name for an extension, under either naming option: "[full.name]".
      const key = `[${f.extension}]`;
      field.name = field.jsonName = key;
      field.jsonKey = field.protoKey = utf8.encode(`${JSON.stringify(key)}:`);
      this.add(desc, field);
    }
    return desc;
  }

  private add(desc: PMessage, field: PField): void {
    desc.fields.push(field);
    desc.byNumber.set(field.number, field);
    if (field.required) desc.hasRequired = true;
    for (const name of new Set([field.jsonName, field.name])) {
      desc.byName.set(name, field);
      const bytes = utf8.encode(name);
      let list = desc.byLength.get(bytes.length);
      if (list === undefined) desc.byLength.set(bytes.length, (list = []));
      list.push({ bytes, field });
    }
  }

  private field(f: FieldInfo, index: number, oneof: number): PField {
    if (f.kind === 'map') {
      const mapKey = fieldOf(1, 'key', 'key', false, false, false, false, -1, this.kindOf({ kind: 'scalar', scalar: f.key }));
      const mapValue = fieldOf(2, 'value', 'value', false, false, false, false, -1, this.kindOf(f.value));
      const field = fieldOf(f.number, f.name, f.jsonName, true, false, false, f.required, -1, { kind: PKind.MESSAGE, wire: Wire.LEN, enumType: undefined, message: undefined });
      field.index = index;
      field.mapKey = mapKey;
      field.mapValue = mapValue;
      return field;
    }
    const field = fieldOf(f.number, f.name, f.jsonName, f.repeated, f.packed, f.presence === 'implicit', f.required, oneof, this.kindOf(f));
    field.index = index;
    return field;
  }

  private kindOf(f: ValueKind): ValueShape {
    switch (f.kind) {
      case 'scalar': {
        const kind = SCALAR_KIND[f.scalar];
        return { kind, wire: wireOf(kind), enumType: undefined, message: undefined };
      }
      case 'enum':
        return { kind: PKind.ENUM, wire: Wire.VARINT, enumType: this.enumOf(f.enum), message: undefined };
      case 'message': {
        const kind = f.group ? PKind.GROUP : PKind.MESSAGE;
        let resolved: PMessage | undefined;
        const target = f.message;
        return { kind, wire: wireOf(kind), enumType: undefined, message: () => (resolved ??= this.message(target())) };
      }
    }
  }

  private enumOf(info: EnumInfo): PEnum {
    let e = this.enums.get(info.fullName);
    if (e === undefined) {
      e = { fullName: info.fullName, names: info.names, numbers: info.numbers, closed: info.closed, isNullValue: info.fullName === 'google.protobuf.NullValue' };
      this.enums.set(info.fullName, e);
    }
    return e;
  }
}
