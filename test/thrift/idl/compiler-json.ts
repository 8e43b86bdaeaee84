/**
 * Renders one file of a heddle model in the shape `thrift --gen json` (Apache Thrift 0.17) writes,
 * so the compiler's output can be compared with heddle's model as a whole. Where the compiler's
 * JSON loses information (enums appear as i32, base-type annotations are not printed), heddle's
 * side is rendered the same lossy way.
 */
import type { ConstValue, FieldDef, FunctionDef, StructDef, ThriftFileModel, ThriftModel, ThriftType } from '../../../src-ts/thrift/model.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function renderFile(model: ThriftModel, file: ThriftFileModel): Record<string, Json> {
  const r = new Renderer(model, file);
  const defs = file.definitions;
  const out: Record<string, Json> = { name: file.prefix };
  if (file.doc !== undefined) out.doc = file.doc;
  out.namespaces = { ...file.namespaces };
  out.includes = file.includes.map((path) => {
    const base = path.slice(path.lastIndexOf('/') + 1);
    return base.slice(0, base.lastIndexOf('.') < 0 ? undefined : base.lastIndexOf('.'));
  });
  out.enums = defs.filter((k) => model.enums.has(k)).map((k) => r.enumDef(k));
  out.typedefs = defs.filter((k) => model.typedefs.has(k)).map((k) => r.typedef(k));
  out.structs = defs.filter((k) => model.structs.has(k)).map((k) => r.struct(model.structs.get(k)!));
  out.constants = defs.filter((k) => model.consts.has(k)).map((k) => r.constant(k));
  out.services = defs.filter((k) => model.services.has(k)).map((k) => r.service(k));
  return out;
}

/** The compiler's JSON with what heddle keeps differently normalized: docs without the final newline. */
export function normalizeCompilerJson(json: Json): Json {
  if (Array.isArray(json)) return json.map(normalizeCompilerJson);
  if (json !== null && typeof json === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(json)) out[k] = k === 'doc' && typeof v === 'string' ? v.replace(/\n$/, '') : normalizeCompilerJson(v);
    return out;
  }
  return json;
}

class Renderer {
  constructor(
    private readonly model: ThriftModel,
    private readonly file: ThriftFileModel,
  ) {}

  enumDef(key: string): Json {
    const e = this.model.enums.get(key)!;
    return withExtras({ name: e.name }, e.doc, e.annotations, {
      members: e.values.map((v) => (v.doc === undefined ? { name: v.name, value: v.value } : { name: v.name, value: v.value, doc: v.doc })),
    });
  }

  typedef(key: string): Json {
    const t = this.model.typedefs.get(key)!;
    return withExtras({ name: t.name, typeId: this.typeId(t.type), ...this.typeSpec('type', t.type) }, t.doc, t.annotations);
  }

  struct(s: StructDef): Json {
    return withExtras({ name: s.name }, s.doc, s.annotations, {
      isException: s.kind === 'exception',
      isUnion: s.kind === 'union',
      fields: s.fields.map((f) => this.field(f)),
    });
  }

  constant(key: string): Json {
    const c = this.model.consts.get(key)!;
    const out: Record<string, Json> = { name: c.name, typeId: this.typeId(c.type), ...this.typeSpec('type', c.type) };
    if (c.doc !== undefined) out.doc = c.doc;
    out.value = constJson(c.value);
    return out;
  }

  service(key: string): Json {
    const s = this.model.services.get(key)!;
    const out: Record<string, Json> = { name: s.name };
    if (s.extends !== undefined) out.extends = this.qualified(s.extends);
    return withExtras(out, s.doc, s.annotations, { functions: s.functions.map((f) => this.fn(f)) });
  }

  private fn(f: FunctionDef): Json {
    const out: Record<string, Json> = { name: f.name };
    if (f.returnType === undefined) out.returnTypeId = 'void';
    else Object.assign(out, { returnTypeId: this.typeId(f.returnType), ...this.typeSpec('returnType', f.returnType) });
    out.oneway = f.oneway;
    return withExtras(out, f.doc, f.annotations, {
      arguments: f.args.map((a) => this.field(a)),
      exceptions: f.throws.map((t) => this.field(t)),
    });
  }

  private field(f: FieldDef): Json {
    const out = withExtras({ key: f.id, name: f.name, typeId: this.typeId(f.type), ...this.typeSpec('type', f.type) }, f.doc, f.annotations);
    out.required = f.requiredness === 'default' ? 'req_out' : f.requiredness;
    if (f.default !== undefined) out.default = constJson(f.default);
    return out;
  }

  private typeId(t: ThriftType): string {
    switch (t.kind) {
      case 'base':
        return t.name;
      case 'enum':
        return 'i32';
      case 'struct': {
        const kind = this.model.structs.get(t.key)!.kind;
        return kind;
      }
      default:
        return t.kind;
    }
  }

  /** `{ [name]: {...} }` for struct and container types; nothing for base types and enums. */
  private typeSpec(name: string, t: ThriftType): Record<string, Json> {
    if (t.kind === 'base' || t.kind === 'enum') return {};
    const spec: Record<string, Json> = { typeId: this.typeId(t) };
    // The compiler prints the annotations of the type object: a struct's own, a container's.
    const annotations = t.kind === 'struct' ? this.model.structs.get(t.key)!.annotations : t.annotations;
    if (annotations !== undefined && Object.keys(annotations).length > 0) spec.annotations = { ...annotations };
    if (t.kind === 'struct') spec.class = this.qualified(t.key);
    else if (t.kind === 'map') Object.assign(spec, { keyTypeId: this.typeId(t.key), valueTypeId: this.typeId(t.value), ...this.typeSpec('keyType', t.key), ...this.typeSpec('valueType', t.value) });
    else Object.assign(spec, { elemTypeId: this.typeId(t.element), ...this.typeSpec('elemType', t.element) });
    return { [name]: spec };
  }

  /** `Name` for a definition of the file being rendered, `prefix.Name` for an included one. */
  private qualified(key: string): string {
    return key.startsWith(`${this.file.prefix}.`) ? key.slice(this.file.prefix.length + 1) : key;
  }
}

function withExtras(out: Record<string, Json>, doc: string | undefined, annotations: Record<string, string>, rest: Record<string, Json> = {}): Record<string, Json> {
  if (doc !== undefined) out.doc = doc;
  if (Object.keys(annotations).length > 0) out.annotations = { ...annotations };
  return Object.assign(out, rest);
}

/** Values as the compiler prints them; map keys forced to strings. */
function constJson(v: ConstValue): Json {
  switch (v.kind) {
    case 'int':
      return Number(v.value);
    case 'double':
      // An integer written for a double prints exactly; a fraction prints with 15 digits.
      return Number.isInteger(v.value) ? v.value : Number(v.value.toPrecision(15));
    case 'string':
      return v.value;
    case 'list':
      return v.items.map(constJson);
    case 'map': {
      const out: Record<string, Json> = {};
      for (const [k, val] of v.entries) out[String(constJson(k))] = constJson(val);
      return out;
    }
  }
}
