/**
 * Turns the syntax trees of a root file and its includes into a {@link ThriftModel}: every type
 * reference resolved (through typedefs and include prefixes), consts and defaults evaluated,
 * services linked to their bases, and the compiler's semantic checks applied.
 */
import type {
  ConstDef,
  EnumDef,
  EnumValueDef,
  FieldDef,
  FunctionDef,
  ServiceDef,
  SourceLocation,
  StructDef,
  ThriftFileModel,
  ThriftModel,
  TypedefDef,
} from '../model.js';
import type { FieldNode, FunctionNode, Pos, ServiceNode, StructNode, TypedefNode } from './ast.js';
import { ConstEvaluator } from './consts.js';
import { article, Scope, type Declared } from './scope.js';
import type { SourceFile } from './source-file.js';

/** Builds the model of `files` (the root first). Includes must already be located and acyclic. */
export function resolveModel(files: SourceFile[]): ThriftModel {
  return new Resolver(files).run();
}

class Resolver {
  private readonly scope: Scope;
  private readonly model: ThriftModel;
  /** Fields waiting for their default value, evaluated once every const is known. */
  private readonly defaults: Array<{ file: number; node: FieldNode; field: FieldDef; owner: string }> = [];

  constructor(private readonly files: SourceFile[]) {
    this.scope = new Scope(files);
    const fileModels = files.map(fileModel);
    this.model = {
      root: fileModels[0]!,
      files: fileModels,
      structs: new Map(),
      enums: new Map(),
      consts: new Map(),
      typedefs: new Map(),
      services: new Map(),
    };
  }

  run(): ThriftModel {
    for (let i = 0; i < this.files.length; i++) this.declareTypes(i);
    // Bases of services and consts of included files must be known first, so services and
    // consts are resolved includes first; the model lists them in file order, like the rest.
    const order = includesFirst(this.files);
    const services = new Map<string, ServiceDef>();
    for (const i of order) this.declareServices(i, services);
    const consts = new ConstEvaluator(
      this.scope,
      (key) => this.model.structs.get(key),
      (key) => this.model.enums.get(key),
    );
    const constDefs = new Map<string, ConstDef>();
    for (const i of order) this.evaluateConsts(i, consts, constDefs);
    for (let i = 0; i < this.files.length; i++) {
      for (const { key, node } of this.scope.declared(i)) {
        if (node.kind === 'service') this.model.services.set(key, services.get(key)!);
        else if (node.kind === 'const') this.model.consts.set(key, constDefs.get(key)!);
      }
    }
    for (const { file, node, field, owner } of this.defaults) {
      field.default = consts.evaluate(node.default!, field.type, { file, pos: node.pos, what: `the default of ${owner}.${node.name}` });
    }
    return this.model;
  }

  private evaluateConsts(i: number, consts: ConstEvaluator, out: Map<string, ConstDef>): void {
    for (const d of this.scope.declared(i)) {
      if (d.node.kind !== 'const') continue;
      const type = this.scope.resolveType(i, d.node.type);
      const value = consts.evaluate(d.node.value, type, { file: i, pos: d.node.pos, what: `const ${d.node.name}` });
      consts.define(d.node, type, value);
      out.set(d.key, withDoc<ConstDef>({ key: d.key, name: d.node.name, type, value, loc: this.loc(i, d.node.pos) }, d.node.doc));
    }
  }

  /** Enums, typedefs and structs of file `i`; struct field types need every file's types declared. */
  private declareTypes(i: number): void {
    for (const d of this.scope.declared(i)) {
      const node = d.node;
      switch (node.kind) {
        case 'enum': {
          const def: EnumDef = {
            key: d.key,
            name: node.name,
            values: node.values.map((v) => withDoc<EnumValueDef>({ name: v.name, value: v.value, annotations: v.annotations, loc: this.loc(i, v.pos) }, v.doc)),
            annotations: node.annotations,
            loc: this.loc(i, node.pos),
          };
          this.model.enums.set(d.key, withDoc(def, node.doc));
          break;
        }
        case 'typedef':
          this.model.typedefs.set(
            d.key,
            withDoc<TypedefDef>(
              { key: d.key, name: node.name, type: this.scope.resolveTypedef(d as Declared<TypedefNode>), annotations: node.annotations, loc: this.loc(i, node.pos) },
              node.doc,
            ),
          );
          break;
        case 'struct':
        case 'union':
        case 'exception':
          this.model.structs.set(d.key, this.struct(i, d.key, node));
          break;
      }
    }
  }

  private struct(i: number, key: string, node: StructNode): StructDef {
    const def: StructDef = {
      kind: node.kind,
      key,
      name: node.name,
      fields: node.fields.map((f) => this.field(i, f, node.name)),
      annotations: node.annotations,
      loc: this.loc(i, node.pos),
    };
    return withDoc(def, node.doc);
  }

  private field(i: number, node: FieldNode, owner: string): FieldDef {
    const field = withDoc<FieldDef>(
      {
        id: node.id,
        implicitId: node.implicitId,
        name: node.name,
        type: this.scope.resolveType(i, node.type),
        requiredness: node.requiredness,
        annotations: node.annotations,
        loc: this.loc(i, node.pos),
      },
      node.doc,
    );
    if (node.default !== undefined) this.defaults.push({ file: i, node, field, owner });
    return field;
  }

  private declareServices(i: number, services: Map<string, ServiceDef>): void {
    for (const d of this.scope.declared(i)) {
      if (d.node.kind === 'service') services.set(d.key, this.service(i, d as Declared<ServiceNode>, services));
    }
  }

  private service(i: number, d: Declared<ServiceNode>, services: Map<string, ServiceDef>): ServiceDef {
    const node = d.node;
    const def: ServiceDef = {
      key: d.key,
      name: node.name,
      functions: node.functions.map((f) => this.function(i, f, node.name)),
      annotations: node.annotations,
      loc: this.loc(i, node.pos),
    };
    if (node.extends !== undefined) {
      const base = this.baseService(i, node, services);
      def.extends = base.key;
      for (const fn of node.functions) {
        const inherited = inheritedFunction(services, base.key, fn.name);
        if (inherited !== undefined) {
          throw this.scope.error(i, fn.pos, `function ${fn.name} of service ${node.name} is already defined in its base service ${inherited}`);
        }
      }
    }
    return withDoc(def, node.doc);
  }

  /** The base of `extends`: declared before the service (the compiler resolves it while parsing). */
  private baseService(i: number, node: ServiceNode, services: Map<string, ServiceDef>): Declared<ServiceNode> {
    const ext = node.extends!;
    const base = this.scope.findService(i, ext.name);
    if (base === undefined) throw this.scope.unknown(i, ext.name, ext.pos, 'service');
    if (!services.has(base.key)) {
      const p = base.node.pos;
      throw this.scope.error(i, ext.pos, `service ${node.name} extends ${ext.name}, which is declared later (at ${p.line}:${p.column}): declare the base service first`);
    }
    return base;
  }

  private function(i: number, node: FunctionNode, service: string): FunctionDef {
    const owner = `${service}.${node.name}`;
    const fn: FunctionDef = {
      name: node.name,
      oneway: node.oneway,
      args: node.args.map((a) => this.field(i, a, owner)),
      throws: node.throws.map((t) => this.field(i, t, owner)),
      annotations: node.annotations,
      loc: this.loc(i, node.pos),
    };
    for (const [k, t] of fn.throws.entries()) {
      const struct = t.type.kind === 'struct' ? this.model.structs.get(t.type.key) : undefined;
      if (struct?.kind !== 'exception') {
        const kind = struct?.kind ?? t.type.kind;
        const what = `${article(kind)} ${kind}`;
        throw this.scope.error(i, node.throws[k]!.pos, `the throws clause of ${owner} lists '${t.name}' of ${what} type: only exceptions can be thrown`);
      }
    }
    if (node.returnType !== undefined) fn.returnType = this.scope.resolveType(i, node.returnType);
    return withDoc(fn, node.doc);
  }

  private loc(i: number, pos: Pos): SourceLocation {
    return { file: this.files[i]!.node.filename, line: pos.line, column: pos.column };
  }
}

/** The key of the service in the `extends` chain starting at `serviceKey` that defines `name`. */
function inheritedFunction(services: Map<string, ServiceDef>, serviceKey: string | undefined, name: string): string | undefined {
  for (let key = serviceKey; key !== undefined; key = services.get(key)!.extends) {
    if (services.get(key)!.functions.some((f) => f.name === name)) return key;
  }
  return undefined;
}

function fileModel(f: SourceFile): ThriftFileModel {
  const n = f.node;
  const m: ThriftFileModel = {
    filename: n.filename,
    prefix: f.prefix,
    namespaces: n.namespaces,
    includes: n.includes.map((inc) => inc.path),
    cppIncludes: n.cppIncludes,
    definitions: n.definitions.map((d) => `${f.prefix}.${d.name}`),
  };
  if (Object.keys(n.namespaceAnnotations).length > 0) m.namespaceAnnotations = n.namespaceAnnotations;
  if (f.path !== undefined) m.path = f.path;
  if (n.doc !== undefined) m.doc = n.doc;
  return m;
}

/** File indexes in an order where every file comes after the files it includes. */
function includesFirst(files: SourceFile[]): number[] {
  const order: number[] = [];
  const seen = new Set<number>();
  const visit = (i: number) => {
    if (seen.has(i)) return;
    seen.add(i);
    for (const target of files[i]!.includes.values()) visit(target);
    order.push(i);
  };
  for (let i = 0; i < files.length; i++) visit(i);
  return order;
}

function withDoc<T extends { doc?: string }>(def: T, doc: string | undefined): T {
  if (doc !== undefined) def.doc = doc;
  return def;
}
