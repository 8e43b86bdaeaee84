import { unescapeBytes } from './default-value.js';
import { FieldLabel, FieldType, type DescriptorProto, type FieldDescriptorProto } from './descriptor-proto.js';
import { parseFloatText } from './link-file.js';
import type { DescriptorPool } from './pool.js';

/** Scalar field types by their .proto names. */
export type ScalarType =
  | 'double' | 'float' | 'int64' | 'uint64' | 'int32' | 'fixed64' | 'fixed32' | 'bool' | 'string' | 'bytes'
  | 'uint32' | 'sfixed32' | 'sfixed64' | 'sint32' | 'sint64';

const SCALAR_BY_TYPE: Partial<Record<number, ScalarType>> = {
  [FieldType.DOUBLE]: 'double', [FieldType.FLOAT]: 'float', [FieldType.INT64]: 'int64', [FieldType.UINT64]: 'uint64',
  [FieldType.INT32]: 'int32', [FieldType.FIXED64]: 'fixed64', [FieldType.FIXED32]: 'fixed32', [FieldType.BOOL]: 'bool',
  [FieldType.STRING]: 'string', [FieldType.BYTES]: 'bytes', [FieldType.UINT32]: 'uint32', [FieldType.SFIXED32]: 'sfixed32',
  [FieldType.SFIXED64]: 'sfixed64', [FieldType.SINT32]: 'sint32', [FieldType.SINT64]: 'sint64',
};

/** An enum as the codecs need it. */
export interface EnumInfo {
  fullName: string;
  /** Value names by number; aliases keep the first name. */
  names: ReadonlyMap<number, string>;
  /** Numbers by value name. */
  numbers: ReadonlyMap<string, number>;
  /** proto2 enums are closed: unknown numbers are not field values (they go to unknown fields). */
  closed: boolean;
}

/** What a field holds. `map` fields hold key/value pairs; their entry type is not exposed. */
export type FieldKind =
  | { kind: 'scalar'; scalar: ScalarType }
  | { kind: 'enum'; enum: EnumInfo }
  | { kind: 'message'; message: () => MessageInfo; group: boolean }
  | { kind: 'map'; key: ScalarType; value: Exclude<FieldKind, { kind: 'map' }> };

/** A field or extension as the codecs need it. */
export type FieldInfo = FieldKind & {
  /** The .proto name (`sku_id`); the property name is chosen by the codec options. */
  name: string;
  /** protoc's json name (`skuId`). */
  jsonName: string;
  number: number;
  repeated: boolean;
  required: boolean;
  /** Encoded packed (repeated scalars and enums only). Decoding accepts both forms. */
  packed: boolean;
  /** `implicit`: proto3 singular scalars without `optional`; absent means the zero value. */
  presence: 'implicit' | 'explicit' | 'repeated';
  /** The oneof this field belongs to (real oneofs only, not proto3 `optional`'s synthetic ones). */
  oneof?: string;
  /** For extensions: the full name, which is also the property key `[full.name]`. */
  extension?: string;
  /** proto2 `[default = ...]` as a value of the field's type (bigint for 64-bit integers). */
  defaultValue?: unknown;
  /** proto3 requires valid UTF-8 in `string` fields; proto2 does not. */
  strictUtf8: boolean;
};

/** A message type as the codecs need it. */
export interface MessageInfo {
  fullName: string;
  proto: DescriptorProto;
  syntax: 'proto2' | 'proto3';
  /** Fields and known extensions, by field number. */
  fields: FieldInfo[];
  /** Real oneofs, with their member field names. */
  oneofs: Array<{ name: string; fields: string[] }>;
  mapEntry: boolean;
}

/** Builds and caches MessageInfo/EnumInfo from a linked pool. */
export class TypeRegistry {
  private readonly messages = new Map<string, MessageInfo>();
  private readonly enums = new Map<string, EnumInfo>();

  constructor(private readonly pool: DescriptorPool) {}

  /** The message type by full name (no leading dot), or undefined. */
  message(fullName: string): MessageInfo | undefined {
    const cached = this.messages.get(fullName);
    if (cached !== undefined) return cached;
    const entry = this.pool.symbols.get(fullName);
    if (entry?.kind !== 'message') return undefined;
    const proto = entry.node;
    const info: MessageInfo = {
      fullName,
      proto,
      syntax: entry.syntax,
      fields: [],
      oneofs: [],
      mapEntry: proto.options?.map_entry === true,
    };
    this.messages.set(fullName, info);
    for (const field of proto.field) info.fields.push(this.field(field, entry.syntax, proto, undefined));
    for (const extension of this.pool.extensionsByExtendee.get(fullName)?.values() ?? []) {
      const syntax = this.pool.files.get(extension.file)?.syntax === 'proto3' ? 'proto3' : 'proto2';
      info.fields.push(this.field(extension.node, syntax, undefined, extension.fullName));
    }
    info.fields.sort((a, b) => a.number - b.number);
    proto.oneof_decl.forEach((oneof, index) => {
      const members = proto.field.filter((f) => f.oneof_index === index);
      if (members.length === 1 && members[0]!.proto3_optional === true) return;
      info.oneofs.push({ name: oneof.name!, fields: members.map((f) => f.name!) });
    });
    return info;
  }

  /** The enum by full name (no leading dot), or undefined. */
  enum(fullName: string): EnumInfo | undefined {
    const cached = this.enums.get(fullName);
    if (cached !== undefined) return cached;
    const entry = this.pool.symbols.get(fullName);
    if (entry?.kind !== 'enum') return undefined;
    const names = new Map<number, string>();
    const numbers = new Map<string, number>();
    for (const value of entry.node.value) {
      if (!names.has(value.number!)) names.set(value.number!, value.name!);
      numbers.set(value.name!, value.number!);
    }
    const info: EnumInfo = { fullName, names, numbers, closed: entry.syntax === 'proto2' };
    this.enums.set(fullName, info);
    return info;
  }

  private field(
    field: FieldDescriptorProto,
    syntax: 'proto2' | 'proto3',
    container: DescriptorProto | undefined,
    extension: string | undefined,
  ): FieldInfo {
    const repeated = field.label === FieldLabel.REPEATED;
    const kind = this.kind(field);
    const base = {
      name: field.name!,
      jsonName: field.json_name ?? field.name!,
      number: field.number!,
      repeated,
      required: field.label === FieldLabel.REQUIRED,
      packed: false,
      presence: 'explicit' as FieldInfo['presence'],
      strictUtf8: syntax === 'proto3',
    };
    const info = { ...kind, ...base } as FieldInfo;
    if (info.kind === 'message' && !info.group && repeated) {
      const entry = info.message();
      if (entry.mapEntry) {
        const [key, value] = entry.proto.field;
        return { ...base, presence: 'repeated', kind: 'map', key: SCALAR_BY_TYPE[key!.type!]!, value: this.kind(value!) };
      }
    }
    if (repeated) {
      info.presence = 'repeated';
      const packable = info.kind === 'scalar' ? info.scalar !== 'string' && info.scalar !== 'bytes' : info.kind === 'enum';
      const explicit = field.options?.packed;
      info.packed = packable && (explicit === true || (explicit === undefined && syntax === 'proto3'));
    } else if (syntax === 'proto3' && extension === undefined && field.proto3_optional !== true &&
      field.oneof_index === undefined && info.kind !== 'message') {
      info.presence = 'implicit';
    }
    if (container !== undefined && field.oneof_index !== undefined && field.proto3_optional !== true) {
      info.oneof = container.oneof_decl[field.oneof_index]!.name!;
    }
    if (extension !== undefined) info.extension = extension;
    if (field.default_value !== undefined) info.defaultValue = this.defaultValue(info, field.default_value);
    return info;
  }

  private kind(field: FieldDescriptorProto): Exclude<FieldKind, { kind: 'map' }> {
    const scalar = SCALAR_BY_TYPE[field.type!];
    if (scalar !== undefined) return { kind: 'scalar', scalar };
    const typeName = field.type_name!.slice(1);
    if (field.type === FieldType.ENUM) return { kind: 'enum', enum: this.enum(typeName)! };
    let resolved: MessageInfo | undefined;
    return {
      kind: 'message',
      group: field.type === FieldType.GROUP,
      message: () => (resolved ??= this.message(typeName)!),
    };
  }

  private defaultValue(info: FieldInfo, text: string): unknown {
    if (info.kind === 'enum') return info.enum.numbers.get(text);
    if (info.kind !== 'scalar') return undefined;
    switch (info.scalar) {
      case 'double':
        return parseFloatText(text);
      case 'float':
        return Math.fround(parseFloatText(text));
      case 'int64':
      case 'uint64':
      case 'sint64':
      case 'fixed64':
      case 'sfixed64':
        return BigInt(text);
      case 'bool':
        return text === 'true';
      case 'string':
        return text;
      case 'bytes':
        return unescapeBytes(text);
      default:
        return Number(text);
    }
  }
}

/** True when a scalar type is a 64-bit integer. */
export function is64Bit(scalar: ScalarType): boolean {
  return scalar === 'int64' || scalar === 'uint64' || scalar === 'sint64' || scalar === 'fixed64' || scalar === 'sfixed64';
}
