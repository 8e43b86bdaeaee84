/**
 * The syntax tree of one Thrift file, as the parser builds it: names are not yet resolved, so a
 * type written `shared.Point` is still `{ kind: 'named', name: 'shared.Point' }`. The resolver
 * (resolve.ts) turns the trees of a file and its includes into a {@link ThriftModel}.
 */
import type { Annotations, BaseTypeName, Requiredness } from '../model.js';

/** A position in the file the node came from. */
export interface Pos {
  line: number;
  column: number;
}

export type TypeNode =
  | { kind: 'base'; name: BaseTypeName; annotations?: Annotations; pos: Pos }
  | { kind: 'list' | 'set'; element: TypeNode; annotations?: Annotations; pos: Pos }
  | { kind: 'map'; key: TypeNode; value: TypeNode; annotations?: Annotations; pos: Pos }
  /** A typedef, enum, struct, union or exception name, maybe prefixed by an include. */
  | { kind: 'named'; name: string; pos: Pos };

export type ConstNode =
  | { kind: 'int'; value: bigint; pos: Pos }
  | { kind: 'double'; value: number; pos: Pos }
  | { kind: 'string'; value: string; pos: Pos }
  /** A reference to a const or an enum value: `MAX`, `shared.MAX`, `Color.RED`. */
  | { kind: 'ident'; name: string; pos: Pos }
  | { kind: 'list'; items: ConstNode[]; pos: Pos }
  | { kind: 'map'; entries: Array<[ConstNode, ConstNode]>; pos: Pos };

export interface FieldNode {
  id: number;
  implicitId: boolean;
  name: string;
  type: TypeNode;
  requiredness: Requiredness;
  default?: ConstNode;
  annotations: Annotations;
  doc?: string;
  pos: Pos;
}

interface DefinitionBase {
  name: string;
  doc?: string;
  pos: Pos;
}

export interface ConstDefNode extends DefinitionBase {
  kind: 'const';
  type: TypeNode;
  value: ConstNode;
}

export interface TypedefNode extends DefinitionBase {
  kind: 'typedef';
  type: TypeNode;
  annotations: Annotations;
}

export interface EnumValueNode {
  name: string;
  value: number;
  annotations: Annotations;
  doc?: string;
  pos: Pos;
}

export interface EnumNode extends DefinitionBase {
  kind: 'enum';
  values: EnumValueNode[];
  annotations: Annotations;
}

export interface StructNode extends DefinitionBase {
  kind: 'struct' | 'union' | 'exception';
  fields: FieldNode[];
  annotations: Annotations;
}

export interface FunctionNode {
  name: string;
  oneway: boolean;
  /** undefined for `void`. */
  returnType?: TypeNode;
  args: FieldNode[];
  throws: FieldNode[];
  annotations: Annotations;
  doc?: string;
  pos: Pos;
}

export interface ServiceNode extends DefinitionBase {
  kind: 'service';
  extends?: { name: string; pos: Pos };
  functions: FunctionNode[];
  annotations: Annotations;
}

export type DefinitionNode = ConstDefNode | TypedefNode | EnumNode | StructNode | ServiceNode;

export interface IncludeNode {
  /** The path as written between the quotes. */
  path: string;
  pos: Pos;
}

export interface FileNode {
  filename: string;
  namespaces: Record<string, string>;
  namespaceAnnotations: Record<string, Annotations>;
  includes: IncludeNode[];
  cppIncludes: string[];
  definitions: DefinitionNode[];
  doc?: string;
}
