/**
 * heddle's descriptor model: the messages of google/protobuf/descriptor.proto as heddle's own
 * codec decodes them with `keepCase: true, int64: 'bigint'`. The parser builds these objects, a
 * FileDescriptorSet from protoc or buf decodes into them, and they encode back into one, so a
 * schema has one representation whichever way it came in.
 *
 * Shape rules (those of every proto2 message heddle decodes): repeated fields are always arrays,
 * singular fields are absent when unset.
 */

/** Decoded options message (FileOptions, FieldOptions, ...). Standard options by their
 * descriptor.proto field name (`java_package`, `packed`); custom options, which are extensions,
 * by their full name in brackets (`[acme.v1.sensitive]`). Enum values are numbers. */
export type OptionsValue = Record<string, unknown>;

/** `FieldDescriptorProto.Type`. */
export const FieldType = {
  DOUBLE: 1, FLOAT: 2, INT64: 3, UINT64: 4, INT32: 5, FIXED64: 6, FIXED32: 7, BOOL: 8, STRING: 9,
  GROUP: 10, MESSAGE: 11, BYTES: 12, UINT32: 13, ENUM: 14, SFIXED32: 15, SFIXED64: 16, SINT32: 17,
  SINT64: 18,
} as const;
/** A `FieldDescriptorProto.Type` number. */
export type FieldTypeNumber = (typeof FieldType)[keyof typeof FieldType];

/** `FieldDescriptorProto.Label`. */
export const FieldLabel = { OPTIONAL: 1, REQUIRED: 2, REPEATED: 3 } as const;
/** A `FieldDescriptorProto.Label` number. */
export type FieldLabelNumber = (typeof FieldLabel)[keyof typeof FieldLabel];

/** A set of .proto files, as `protoc --descriptor_set_out` writes it. */
export interface FileDescriptorSet {
  file: FileDescriptorProto[];
}

/** One .proto file. */
export interface FileDescriptorProto {
  name?: string;
  package?: string;
  dependency: string[];
  public_dependency: number[];
  weak_dependency: number[];
  message_type: DescriptorProto[];
  enum_type: EnumDescriptorProto[];
  service: ServiceDescriptorProto[];
  extension: FieldDescriptorProto[];
  options?: OptionsValue;
  source_code_info?: Record<string, unknown>;
  /** "proto2" (or absent, which means proto2) or "proto3". */
  syntax?: string;
}

/** One message type. */
export interface DescriptorProto {
  name?: string;
  field: FieldDescriptorProto[];
  extension: FieldDescriptorProto[];
  nested_type: DescriptorProto[];
  enum_type: EnumDescriptorProto[];
  extension_range: ExtensionRange[];
  oneof_decl: OneofDescriptorProto[];
  options?: OptionsValue;
  reserved_range: ReservedRange[];
  reserved_name: string[];
}

/** `DescriptorProto.ExtensionRange`: [start, end), end exclusive. */
export interface ExtensionRange {
  start?: number;
  end?: number;
  options?: OptionsValue;
}

/** `DescriptorProto.ReservedRange`: [start, end), end exclusive. */
export interface ReservedRange {
  start?: number;
  end?: number;
}

/** One field or extension. */
export interface FieldDescriptorProto {
  name?: string;
  number?: number;
  label?: FieldLabelNumber;
  type?: FieldTypeNumber;
  /** Fully qualified with a leading dot once resolved, e.g. `.acme.v1.Item`. */
  type_name?: string;
  /** For extensions: the fully qualified message being extended. */
  extendee?: string;
  /** proto2 `[default = ...]` in protoc's text form (see default-value.ts). */
  default_value?: string;
  oneof_index?: number;
  json_name?: string;
  options?: OptionsValue;
  /** Set on proto3 `optional` fields, which sit in a synthetic oneof of their own. */
  proto3_optional?: boolean;
}

/** One oneof. */
export interface OneofDescriptorProto {
  name?: string;
  options?: OptionsValue;
}

/** One enum. */
export interface EnumDescriptorProto {
  name?: string;
  value: EnumValueDescriptorProto[];
  options?: OptionsValue;
  reserved_range: EnumReservedRange[];
  reserved_name: string[];
}

/** `EnumDescriptorProto.EnumReservedRange`: [start, end], end inclusive. */
export interface EnumReservedRange {
  start?: number;
  end?: number;
}

/** One enum value. */
export interface EnumValueDescriptorProto {
  name?: string;
  number?: number;
  options?: OptionsValue;
}

/** One service. */
export interface ServiceDescriptorProto {
  name?: string;
  method: MethodDescriptorProto[];
  options?: OptionsValue;
}

/** One RPC method. */
export interface MethodDescriptorProto {
  name?: string;
  input_type?: string;
  output_type?: string;
  options?: OptionsValue;
  client_streaming?: boolean;
  server_streaming?: boolean;
}

/** An empty FileDescriptorProto with every repeated field present. */
export function emptyFile(name: string): FileDescriptorProto {
  return {
    name, dependency: [], public_dependency: [], weak_dependency: [], message_type: [], enum_type: [],
    service: [], extension: [],
  };
}

/** An empty DescriptorProto with every repeated field present. */
export function emptyMessage(name: string): DescriptorProto {
  return {
    name, field: [], extension: [], nested_type: [], enum_type: [], extension_range: [], oneof_decl: [],
    reserved_range: [], reserved_name: [],
  };
}
