/**
 * The types @grpc/proto-loader exports, with the same names and shapes, so code typed against
 * proto-loader (proto-loader-gen-types output included) compiles against heddle/grpc-loader.
 */

/** Serializes a message object to its Protobuf bytes. */
export interface Serialize<T> {
  (value: T): Buffer;
}

/** Deserializes Protobuf bytes to a message object. */
export interface Deserialize<T> {
  (bytes: Buffer): T;
}

/** What message and enum definitions have in common. */
export interface ProtobufTypeDefinition {
  format: string;
  /** The type's descriptor (DescriptorProto or EnumDescriptorProto) as an object. */
  type: object;
  /** Every loaded file as a serialized FileDescriptorProto, dependencies first. */
  fileDescriptorProtos: Buffer[];
}

export interface MessageTypeDefinition<InputType = object, OutputType = object> extends ProtobufTypeDefinition {
  format: 'Protocol Buffer 3 DescriptorProto';
  serialize: Serialize<InputType>;
  deserialize: Deserialize<OutputType>;
}

export interface EnumTypeDefinition extends ProtobufTypeDefinition {
  format: 'Protocol Buffer 3 EnumDescriptorProto';
}

export enum IdempotencyLevel {
  IDEMPOTENCY_UNKNOWN = 'IDEMPOTENCY_UNKNOWN',
  NO_SIDE_EFFECTS = 'NO_SIDE_EFFECTS',
  IDEMPOTENT = 'IDEMPOTENT',
}

export interface NamePart {
  name_part: string;
  is_extension: boolean;
}

export interface UninterpretedOption {
  name?: NamePart[];
  identifier_value?: string;
  positive_int_value?: number;
  negative_int_value?: number;
  double_value?: number;
  string_value?: string;
  aggregate_value?: string;
}

/** A method's options: the standard ones, then custom ones as `(full.name)` keys. */
export interface MethodOptions {
  deprecated: boolean;
  idempotency_level: IdempotencyLevel;
  uninterpreted_option: UninterpretedOption[];
  [k: string]: unknown;
}

export interface MethodDefinition<RequestType, ResponseType, OutputRequestType = RequestType, OutputResponseType = ResponseType> {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize: Serialize<RequestType>;
  responseSerialize: Serialize<ResponseType>;
  requestDeserialize: Deserialize<OutputRequestType>;
  responseDeserialize: Deserialize<OutputResponseType>;
  originalName?: string;
  requestType: MessageTypeDefinition<RequestType, OutputRequestType>;
  responseType: MessageTypeDefinition<ResponseType, OutputResponseType>;
  options: MethodOptions;
}

export interface ServiceDefinition {
  [index: string]: MethodDefinition<object, object>;
}

export type AnyDefinition = ServiceDefinition | MessageTypeDefinition<object, object> | EnumTypeDefinition;

/** A key per fully qualified service, message and enum that is not nested in a message. */
export interface PackageDefinition {
  [index: string]: AnyDefinition;
}

/**
 * The `@type` property of a google.protobuf.Any value, for use with generated types:
 * `MessageType & AnyExtension`.
 */
export interface AnyExtension {
  '@type': string;
}

/** True when `obj` is an Any value unpacked by the `json` option (or ready to be packed). */
export function isAnyExtension(obj: object): obj is AnyExtension {
  return '@type' in obj && typeof (obj as { '@type': unknown })['@type'] === 'string';
}

/** A `long` package instance, as the default `longs` form decodes 64-bit integers. */
export interface LongValue {
  low: number;
  high: number;
  unsigned: boolean;
  toString(radix?: number): string;
  toNumber(): number;
  toBigInt?(): bigint;
}

/**
 * The `long` package's class, typed by the members heddle and common proto-loader code use (the
 * package itself stays an optional peer, so its own declarations are not required to compile).
 */
export interface LongConstructor {
  new (low: number, high?: number, unsigned?: boolean): LongValue;
  fromBits(low: number, high: number, unsigned?: boolean): LongValue;
  fromInt(value: number, unsigned?: boolean): LongValue;
  fromNumber(value: number, unsigned?: boolean): LongValue;
  fromString(text: string, unsigned?: boolean, radix?: number): LongValue;
  fromValue(value: LongValue | number | string | { low: number; high: number; unsigned: boolean }, unsigned?: boolean): LongValue;
  isLong(value: unknown): value is LongValue;
}
