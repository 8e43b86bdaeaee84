/**
 * The resolved model of a set of Thrift IDL files: what the parser produces and the codecs
 * consume. Typedefs are resolved away in field types (kept in `typedefs` for reference), includes
 * are resolved, and every named type reference points at a definition by its key.
 *
 * Keys: a definition declared in file `shared.thrift` has the key `shared.Name`. Lookups from
 * the API (`doc.codec('Name')`) accept a bare name for definitions of the root file and
 * `prefix.Name` for included ones, as Thrift source would write them.
 */

/** Where a definition was written. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Annotations `(key = "value", flag)` as written; a bare key maps to "1" as Apache Thrift does. */
export type Annotations = Record<string, string>;

export type BaseTypeName = 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'uuid';

/**
 * A field or element type. `byte` is normalised to `i8`; typedefs are resolved. Base and
 * container types carry the annotations written on them (`list<i32> (cpp.template = "x")`),
 * when there are any; a type reached through a typedef carries the annotations of the typedef's
 * target type.
 */
export type ThriftType = (
  | { kind: 'base'; name: BaseTypeName }
  | { kind: 'list'; element: ThriftType }
  | { kind: 'set'; element: ThriftType }
  | { kind: 'map'; key: ThriftType; value: ThriftType }
  | { kind: 'enum'; key: string }
  /** struct, union or exception; look the key up in `model.structs`. */
  | { kind: 'struct'; key: string }
) & { annotations?: Annotations };

/**
 * A constant value as written, with references to consts and enum values already substituted.
 * `true`/`false` are ints 1/0 (as in Apache Thrift); enum values are ints; a value of a `double`
 * type is always `double`, even when written as an integer; a struct value is a `map` keyed by
 * field-name strings.
 */
export type ConstValue =
  | { kind: 'int'; value: bigint }
  | { kind: 'double'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'list'; items: ConstValue[] }
  | { kind: 'map'; entries: Array<[ConstValue, ConstValue]> };

export type Requiredness = 'required' | 'optional' | 'default';

export interface FieldDef {
  id: number;
  /** True when the IDL gave no id and the parser assigned a negative one, as Apache Thrift does. */
  implicitId: boolean;
  name: string;
  type: ThriftType;
  requiredness: Requiredness;
  default?: ConstValue;
  annotations: Annotations;
  doc?: string;
  loc: SourceLocation;
}

export interface StructDef {
  kind: 'struct' | 'union' | 'exception';
  key: string;
  name: string;
  /** Fields in declaration order: the order encoders write them in. */
  fields: FieldDef[];
  annotations: Annotations;
  doc?: string;
  loc: SourceLocation;
}

export interface EnumValueDef {
  name: string;
  value: number;
  annotations: Annotations;
  doc?: string;
  loc?: SourceLocation;
}

export interface EnumDef {
  key: string;
  name: string;
  values: EnumValueDef[];
  annotations: Annotations;
  doc?: string;
  loc: SourceLocation;
}

export interface ConstDef {
  key: string;
  name: string;
  type: ThriftType;
  value: ConstValue;
  doc?: string;
  loc: SourceLocation;
}

export interface TypedefDef {
  key: string;
  name: string;
  type: ThriftType;
  annotations: Annotations;
  doc?: string;
  loc: SourceLocation;
}

export interface FunctionDef {
  name: string;
  oneway: boolean;
  /** undefined for `void`. */
  returnType?: ThriftType;
  args: FieldDef[];
  throws: FieldDef[];
  annotations: Annotations;
  doc?: string;
  loc: SourceLocation;
}

export interface ServiceDef {
  key: string;
  name: string;
  /** Key of the base service, when the service `extends` one. */
  extends?: string;
  /** This service's own functions, in declaration order (inherited ones are on the base). */
  functions: FunctionDef[];
  annotations: Annotations;
  doc?: string;
  loc: SourceLocation;
}

export interface ThriftFileModel {
  /** The path or name the file was loaded under. */
  filename: string;
  /** The include prefix other files use for this file: its base name without `.thrift`. */
  prefix: string;
  /** `namespace <scope> <name>` lines, scope → name. */
  namespaces: Record<string, string>;
  /** Annotations written on `namespace` lines (`namespace go x (a = "b")`), by scope. */
  namespaceAnnotations?: Record<string, Annotations>;
  /** The absolute path the file was read from, when it came from disk. */
  path?: string;
  /** Include paths as written, in order. */
  includes: string[];
  cppIncludes: string[];
  /** Keys of the definitions this file declares, in declaration order. Consts have a namespace of
   * their own, so a const and a type may share a name, and then a key: look each up in its map. */
  definitions: string[];
  doc?: string;
}

export interface ThriftModel {
  /** The file `parse`/`load` was called on. */
  root: ThriftFileModel;
  /** Every file, the root first, then includes in the order they were resolved. */
  files: ThriftFileModel[];
  structs: Map<string, StructDef>;
  enums: Map<string, EnumDef>;
  consts: Map<string, ConstDef>;
  typedefs: Map<string, TypedefDef>;
  services: Map<string, ServiceDef>;
}
