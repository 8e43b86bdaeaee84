/**
 * Evaluation of const values and field defaults against their declared types, with the
 * compiler's rules: a reference names a const declared earlier (in the same file, or in an
 * included one) or an enum value `Enum.VALUE`; an enum-typed value is `Enum.VALUE` or an integer
 * that one of its values has; a struct value is a map from field names; a double accepts an
 * integer. Beyond the compiler, integers must fit the declared width, a reference to a list or
 * map const is substituted (0.17 fails on it at generation time), and container shapes must match.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { ConstValue, EnumDef, StructDef, ThriftType } from '../model.js';
import type { ConstDefNode, ConstNode, Pos } from './ast.js';
import { MAX_TYPE_DEPTH, type Scope } from './scope.js';

const INT_RANGES: Record<string, [bigint, bigint]> = {
  i8: [-(2n ** 7n), 2n ** 7n - 1n],
  i16: [-(2n ** 15n), 2n ** 15n - 1n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
};

const UUID = /^\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$/;

/** Where a value is being evaluated: its file, and what to call it in messages. */
export interface ConstSite {
  file: number;
  /** Source position of the const or field the value belongs to; references must precede it. */
  pos: Pos;
  /** `const MAX`, `the default of Point.x`. */
  what: string;
}

export class ConstEvaluator {
  /** Values of the consts evaluated so far, with their types. */
  private readonly values = new Map<ConstDefNode, { value: ConstValue; type: ThriftType }>();

  constructor(
    private readonly scope: Scope,
    private readonly lookupStruct: (key: string) => StructDef | undefined,
    private readonly lookupEnum: (key: string) => EnumDef | undefined,
  ) {}

  /** Records an evaluated const so later references can use it. */
  define(node: ConstDefNode, type: ThriftType, value: ConstValue): void {
    this.values.set(node, { value, type });
  }

  evaluate(node: ConstNode, type: ThriftType, site: ConstSite): ConstValue {
    if (node.kind === 'ident') return this.reference(node.name, node.pos, type, site);
    switch (type.kind) {
      case 'base':
        return this.base(node, type.name, site);
      case 'enum': {
        if (node.kind !== 'int') throw this.mismatch(site, node, `enum ${type.key}`);
        this.checkEnumValue(node.value, type.key, node.pos, site);
        return { kind: 'int', value: node.value };
      }
      case 'list':
      case 'set': {
        if (node.kind !== 'list') throw this.mismatch(site, node, `${type.kind} (written [a, b])`);
        return { kind: 'list', items: node.items.map((item) => this.evaluate(item, type.element, site)) };
      }
      case 'map': {
        if (node.kind !== 'map') throw this.mismatch(site, node, 'map (written {k: v})');
        return {
          kind: 'map',
          entries: node.entries.map(([k, v]) => [this.evaluate(k, type.key, site), this.evaluate(v, type.value, site)]),
        };
      }
      case 'struct': {
        if (node.kind !== 'map') throw this.mismatch(site, node, `struct ${type.key} (written {"field": value})`);
        const def = this.lookupStruct(type.key)!;
        return {
          kind: 'map',
          entries: node.entries.map(([k, v]) => {
            if (k.kind !== 'string') throw this.mismatch(site, k, `a field name of ${def.kind} ${def.name} (a string)`);
            const field = def.fields.find((f) => f.name === k.value);
            if (field === undefined) throw this.scope.error(site.file, k.pos, `${site.what}: ${def.kind} ${def.name} has no field '${k.value}'`);
            return [{ kind: 'string', value: k.value }, this.evaluate(v, field.type, site)];
          }),
        };
      }
    }
  }

  private base(node: ConstNode, name: string, site: ConstSite): ConstValue {
    switch (name) {
      case 'string':
      case 'binary':
        if (node.kind !== 'string') throw this.mismatch(site, node, name);
        return { kind: 'string', value: node.value };
      case 'uuid':
        if (node.kind !== 'string' || !UUID.test(node.value)) throw this.mismatch(site, node, 'uuid (a string like "00112233-4455-6677-8899-aabbccddeeff")');
        return { kind: 'string', value: node.value };
      case 'double':
        if (node.kind === 'int') return { kind: 'double', value: Number(node.value) };
        if (node.kind !== 'double') throw this.mismatch(site, node, 'double');
        return { kind: 'double', value: node.value };
      default:
        if (node.kind !== 'int') throw this.mismatch(site, node, name);
        this.checkRange(node.value, name, node.pos, site);
        return { kind: 'int', value: node.value };
    }
  }

  /** A name in value position: a const declared before `site`, or an enum value. */
  private reference(name: string, pos: Pos, type: ThriftType, site: ConstSite): ConstValue {
    const enumValue = this.scope.findEnumValue(site.file, name);
    if (enumValue !== undefined) {
      if (type.kind === 'enum' && type.key !== enumValue.def.key) {
        throw this.scope.error(site.file, pos, `${site.what}: ${name} is a value of enum ${enumValue.def.key}, not of ${type.key}`);
      }
      return this.convert({ kind: 'int', value: BigInt(enumValue.value) }, type, name, pos, site);
    }
    const def = this.scope.findConst(site.file, name);
    if (def === undefined) throw this.unknownReference(name, pos, type, site);
    const known = this.values.get(def.node);
    const sameFile = def.file === site.file;
    if (sameFile && def.node.pos.line === site.pos.line && def.node.pos.column === site.pos.column) {
      throw this.scope.error(site.file, pos, `${site.what} refers to itself`);
    }
    if (known === undefined || (sameFile && !before(def.node.pos, site.pos))) {
      throw this.scope.error(
        site.file,
        pos,
        `${site.what} refers to const ${name}, which is declared later (at ${def.node.pos.line}:${def.node.pos.column}): declare it first`,
      );
    }
    return this.convert(known.value, type, name, pos, site);
  }

  /** Checks an already evaluated value (from a reference) against the type it lands in. */
  private convert(value: ConstValue, type: ThriftType, name: string, pos: Pos, site: ConstSite, depth = 0): ConstValue {
    // Consts built from consts can nest without limit (recursive structs); the codecs cannot.
    if (depth > MAX_TYPE_DEPTH) throw this.scope.error(site.file, pos, `${site.what}: ${name} nests deeper than ${MAX_TYPE_DEPTH} levels`);
    const fail = (expected: string) =>
      this.scope.error(site.file, pos, `${site.what}: ${name} is ${describeValue(value)}, but ${expected} is expected here`);
    switch (type.kind) {
      case 'base':
        if (type.name === 'double') {
          if (value.kind === 'int') return { kind: 'double', value: Number(value.value) };
          if (value.kind === 'double') return value;
          throw fail('a double');
        }
        if (type.name === 'string' || type.name === 'binary' || type.name === 'uuid') {
          if (value.kind !== 'string' || (type.name === 'uuid' && !UUID.test(value.value))) throw fail(`a ${type.name}`);
          return value;
        }
        if (value.kind !== 'int') throw fail(`an integer (${type.name})`);
        this.checkRange(value.value, type.name, pos, site);
        return value;
      case 'enum':
        if (value.kind !== 'int') throw fail(`a value of enum ${type.key}`);
        this.checkEnumValue(value.value, type.key, pos, site);
        return value;
      case 'list':
      case 'set':
        if (value.kind !== 'list') throw fail(`a ${type.kind}`);
        return { kind: 'list', items: value.items.map((v) => this.convert(v, type.element, name, pos, site, depth + 1)) };
      case 'map':
        if (value.kind !== 'map') throw fail('a map');
        return {
          kind: 'map',
          entries: value.entries.map(([k, v]) => [this.convert(k, type.key, name, pos, site, depth + 1), this.convert(v, type.value, name, pos, site, depth + 1)]),
        };
      case 'struct': {
        if (value.kind !== 'map') throw fail(`struct ${type.key}`);
        const def = this.lookupStruct(type.key)!;
        return {
          kind: 'map',
          entries: value.entries.map(([k, v]) => {
            const field = k.kind === 'string' ? def.fields.find((f) => f.name === k.value) : undefined;
            if (field === undefined) throw fail(`struct ${type.key}`);
            return [k, this.convert(v, field.type, name, pos, site, depth + 1)];
          }),
        };
      }
    }
  }

  private checkRange(value: bigint, typeName: string, pos: Pos, site: ConstSite): void {
    const range = INT_RANGES[typeName];
    if (range !== undefined && (value < range[0] || value > range[1])) {
      throw this.scope.error(site.file, pos, `${site.what}: ${value} does not fit in ${typeName} (${range[0]}..${range[1]})`);
    }
  }

  private checkEnumValue(value: bigint, key: string, pos: Pos, site: ConstSite): void {
    if (!this.lookupEnum(key)!.values.some((v) => BigInt(v.value) === value)) {
      throw this.scope.error(site.file, pos, `${site.what}: enum ${key} has no value ${value}`);
    }
  }

  private unknownReference(name: string, pos: Pos, type: ThriftType, site: ConstSite) {
    const dot = name.lastIndexOf('.');
    if (dot < 0 && type.kind === 'enum') {
      const def = this.lookupEnum(type.key)!;
      if (def.values.some((v) => v.name === name)) {
        const message = `unknown const or enum value '${name}' (enum values are written qualified: ${def.name}.${name})`;
        return new HeddleError(ErrorCode.ERR_UNKNOWN_TYPE, message, this.scope.where(site.file, pos));
      }
    }
    if (dot >= 0) {
      const owner = this.scope.findType(site.file, name.slice(0, dot));
      if (owner?.node.kind === 'enum') {
        const names = owner.node.values.map((v) => v.name).join(', ');
        return this.scope.error(site.file, pos, `${site.what}: enum ${owner.node.name} has no value '${name.slice(dot + 1)}' (it has ${names || 'no values'})`);
      }
    }
    return this.scope.unknown(site.file, name, pos, 'const or enum value');
  }

  private mismatch(site: ConstSite, node: ConstNode, expected: string) {
    return this.scope.error(site.file, node.pos, `${site.what}: expected ${expected}, found ${describeNode(node)}`);
  }
}

function before(a: Pos, b: Pos): boolean {
  return a.line < b.line || (a.line === b.line && a.column < b.column);
}

function describeNode(node: ConstNode): string {
  switch (node.kind) {
    case 'int':
      return `integer ${node.value}`;
    case 'double':
      return `double ${node.value}`;
    case 'string':
      return `string ${JSON.stringify(node.value)}`;
    case 'ident':
      return `'${node.name}'`;
    case 'list':
      return 'a list';
    case 'map':
      return 'a map';
  }
}

function describeValue(value: ConstValue): string {
  switch (value.kind) {
    case 'int':
      return `the integer ${value.value}`;
    case 'double':
      return `the double ${value.value}`;
    case 'string':
      return `the string ${JSON.stringify(value.value)}`;
    default:
      return `a ${value.kind}`;
  }
}
