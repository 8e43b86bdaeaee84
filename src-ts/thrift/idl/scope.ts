/**
 * Name lookup across files. A file sees its own definitions by bare name and the definitions of
 * the files it includes directly as `prefix.Name`, exactly as in the Apache compiler (a file
 * included by an include is not visible without its own `include`). Types resolve through
 * typedefs here, once per typedef.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { ThriftType } from '../model.js';
import type { ConstDefNode, DefinitionNode, EnumNode, Pos, ServiceNode, TypeNode, TypedefNode } from './ast.js';
import type { SourceFile } from './source-file.js';

export type TypeDefinitionNode = Exclude<DefinitionNode, ConstDefNode | ServiceNode>;

/** A definition together with the file it was declared in. */
export interface Declared<T extends DefinitionNode = DefinitionNode> {
  node: T;
  file: number;
  key: string;
}

interface FileTables {
  /** Typedefs, enums, structs, unions, exceptions: one namespace with services in Thrift. */
  types: Map<string, Declared<TypeDefinitionNode>>;
  services: Map<string, Declared<ServiceNode>>;
  consts: Map<string, Declared<ConstDefNode>>;
  /** Every definition, in declaration order. */
  all: Declared[];
}

/** Types nesting deeper than this (through containers and typedefs) are refused. */
export const MAX_TYPE_DEPTH = 100;
/** Typedefs of typedefs are followed this far, which also bounds the resolver's recursion. */
const MAX_TYPEDEF_CHAIN = 1000;

export class Scope {
  private readonly tables: FileTables[];
  private readonly typedefs = new Map<TypedefNode, ThriftType | 'resolving'>();
  /** Nesting depth of each resolved container type (base, enum and struct types are 1). */
  private readonly depths = new WeakMap<ThriftType, number>();
  /** Typedefs being resolved right now, one inside the other. */
  private activeTypedefs = 0;

  constructor(readonly files: SourceFile[]) {
    this.tables = files.map((f, i) => this.declare(f, i));
  }

  /** Every definition of file `i`, in declaration order. */
  declared(i: number): readonly Declared[] {
    return this.tables[i]!.all;
  }

  private declare(file: SourceFile, index: number): FileTables {
    const tables: FileTables = { types: new Map(), services: new Map(), consts: new Map(), all: [] };
    for (const node of file.node.definitions) {
      const declared = { node, file: index, key: `${file.prefix}.${node.name}` };
      if (node.kind === 'const') {
        const previous = tables.consts.get(node.name);
        if (previous !== undefined) throw this.redefined(index, node, previous.node);
        tables.consts.set(node.name, declared as Declared<ConstDefNode>);
      } else {
        const previous = tables.types.get(node.name) ?? tables.services.get(node.name);
        if (previous !== undefined) throw this.redefined(index, node, previous.node);
        if (node.kind === 'service') tables.services.set(node.name, declared as Declared<ServiceNode>);
        else tables.types.set(node.name, declared as Declared<TypeDefinitionNode>);
      }
      tables.all.push(declared);
    }
    return tables;
  }

  private redefined(file: number, node: DefinitionNode, previous: DefinitionNode): HeddleError {
    const what = node.kind === 'const' ? 'const' : 'type';
    return this.error(
      file,
      node.pos,
      `${what} '${node.name}' is already defined at ${previous.pos.line}:${previous.pos.column} (as ${article(previous.kind)} ${previous.kind})`,
    );
  }

  /**
   * Splits `prefix.Name` into the file it names and the local name; a name without a dot is
   * the file's own. Undefined when the prefix is not an include of `file`.
   */
  private qualified(file: number, name: string): { file: number; local: string } | undefined {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return { file, local: name };
    const target = this.files[file]!.includes.get(name.slice(0, dot));
    return target === undefined ? undefined : { file: target, local: name.slice(dot + 1) };
  }

  findType(file: number, name: string): Declared<TypeDefinitionNode> | undefined {
    const q = this.qualified(file, name);
    return q && this.tables[q.file]!.types.get(q.local);
  }

  findService(file: number, name: string): Declared<ServiceNode> | undefined {
    const q = this.qualified(file, name);
    return q && this.tables[q.file]!.services.get(q.local);
  }

  findConst(file: number, name: string): Declared<ConstDefNode> | undefined {
    const q = this.qualified(file, name);
    return q && this.tables[q.file]!.consts.get(q.local);
  }

  /** `Enum.VALUE` or `prefix.Enum.VALUE`. */
  findEnumValue(file: number, name: string): { def: Declared<EnumNode>; value: number } | undefined {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return undefined;
    const def = this.findType(file, name.slice(0, dot));
    if (def === undefined || def.node.kind !== 'enum') return undefined;
    const valueName = name.slice(dot + 1);
    const value = def.node.values.find((v) => v.name === valueName);
    return value && { def: def as Declared<EnumNode>, value: value.value };
  }

  /** The model type of a type written in `file`, with typedefs resolved. */
  resolveType(file: number, node: TypeNode): ThriftType {
    let type: ThriftType;
    switch (node.kind) {
      case 'named':
        return this.resolveNamed(file, node.name, node.pos);
      case 'base':
        type = { kind: 'base', name: node.name };
        break;
      case 'list':
      case 'set': {
        const element = this.resolveType(file, node.element);
        type = { kind: node.kind, element };
        this.setDepth(type, 1 + this.depth(element), file, node.pos);
        break;
      }
      case 'map': {
        const key = this.resolveType(file, node.key);
        const value = this.resolveType(file, node.value);
        type = { kind: 'map', key, value };
        this.setDepth(type, 1 + Math.max(this.depth(key), this.depth(value)), file, node.pos);
        break;
      }
    }
    if (node.annotations !== undefined) type.annotations = node.annotations;
    return type;
  }

  private depth(type: ThriftType): number {
    return this.depths.get(type) ?? 1;
  }

  /** Records a container's depth; typedefs can build types deeper than any one line writes. */
  private setDepth(type: ThriftType, depth: number, file: number, pos: Pos): void {
    if (depth > MAX_TYPE_DEPTH) throw this.error(file, pos, `type nests deeper than ${MAX_TYPE_DEPTH} levels (through typedefs)`);
    this.depths.set(type, depth);
  }

  private resolveNamed(file: number, name: string, pos: Pos): ThriftType {
    const def = this.findType(file, name);
    if (def === undefined) throw this.unknown(file, name, pos, 'type');
    switch (def.node.kind) {
      case 'enum':
        return { kind: 'enum', key: def.key };
      case 'typedef':
        return this.resolveTypedef(def as Declared<TypedefNode>, file, pos);
      default:
        return { kind: 'struct', key: def.key };
    }
  }

  /** A typedef's target, resolved once; a typedef that reaches itself is an error. */
  resolveTypedef(def: Declared<TypedefNode>, fromFile = def.file, fromPos = def.node.pos): ThriftType {
    const known = this.typedefs.get(def.node);
    if (known === 'resolving') {
      throw this.error(fromFile, fromPos, `typedef ${def.node.name} refers to itself through a chain of typedefs`);
    }
    if (known !== undefined) return known;
    if (this.activeTypedefs >= MAX_TYPEDEF_CHAIN) {
      throw this.error(fromFile, fromPos, `typedef ${def.node.name} is reached through more than ${MAX_TYPEDEF_CHAIN} typedefs of typedefs`);
    }
    this.typedefs.set(def.node, 'resolving');
    this.activeTypedefs++;
    try {
      const type = this.resolveType(def.file, def.node.type);
      this.typedefs.set(def.node, type);
      return type;
    } finally {
      this.activeTypedefs--;
    }
  }

  /** ERR_UNKNOWN_TYPE for a name that does not resolve, with a hint when one is at hand. */
  unknown(file: number, name: string, pos: Pos, what: 'type' | 'service' | 'const or enum value'): HeddleError {
    let hint = '';
    const dot = name.lastIndexOf('.');
    const includes = this.files[file]!.includes;
    if (dot >= 0 && what !== 'const or enum value' && !includes.has(name.slice(0, dot))) {
      hint = includes.size === 0 ? ` (this file includes no file '${name.slice(0, dot)}')` : ` (no include has the prefix '${name.slice(0, dot)}'; includes: ${[...includes.keys()].join(', ')})`;
    } else if (what === 'type' && this.findService(file, name) !== undefined) {
      hint = ' (it is a service, not a type)';
    } else if (what === 'service' && this.findType(file, name) !== undefined) {
      hint = ` (it is ${article(this.findType(file, name)!.node.kind)} ${this.findType(file, name)!.node.kind}, not a service)`;
    } else if (dot < 0) {
      for (const [prefix, target] of includes) {
        const t = this.tables[target]!;
        if ((what === 'type' ? t.types : what === 'service' ? t.services : t.consts).has(name)) {
          hint = ` (did you mean '${prefix}.${name}'?)`;
          break;
        }
      }
    }
    return new HeddleError(ErrorCode.ERR_UNKNOWN_TYPE, `unknown ${what} '${name}'${hint}`, this.where(file, pos));
  }

  error(file: number, pos: Pos, message: string): HeddleError {
    return new HeddleError(ErrorCode.ERR_IDL_SYNTAX, message, this.where(file, pos));
  }

  where(file: number, pos: Pos): { file: string; line: number; column: number } {
    return { file: this.files[file]!.node.filename, line: pos.line, column: pos.column };
  }
}

export function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
