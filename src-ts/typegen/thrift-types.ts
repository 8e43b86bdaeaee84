/**
 * TypeScript declarations for a Thrift document, in the value mapping of the codec options they
 * are generated for: structs and exceptions as interfaces (required fields required, the rest
 * optional), unions as "exactly one member", enums as objects of their values, consts, and per
 * service a method map for `rpc.createClient<S>()` / `rpc.createServer<S>()`.
 */
import { ErrorCode, HeddleError } from '../errors.js';
import { resolveCodecOptions, type CodecOptions } from '../thrift/codec-options.js';
import type { ThriftDocument } from '../thrift/document.js';
import type { ConstValue, FieldDef, StructDef, ThriftModel, ThriftType } from '../thrift/model.js';
import { docComment, exactlyOne, header, propertyKey, typeName } from './writer.js';

/** The options that change the shape of decoded Thrift values. */
export type ThriftTypeOptions = Pick<CodecOptions, 'i64' | 'map' | 'set' | 'typedArrays' | 'binary' | 'unset'>;

const TYPED_LISTS: Partial<Record<string, string>> = { double: 'Float64Array', i32: 'Int32Array', i16: 'Int16Array', i8: 'Int8Array' };

/** TypeScript source declaring every type, const and service of `doc` (its includes too). */
export function thriftTypes(doc: ThriftDocument, options: ThriftTypeOptions = {}, sources: readonly string[] = [doc.model.root.filename]): string {
  // The codec's own defaults and checks, so the declarations describe what that codec decodes.
  const { i64, map, set, typedArrays, binary, unset } = resolveCodecOptions(options);
  if (i64 === 'node-int64') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, "heddle types: i64 'node-int64' has no declarations here; use bigint, string or number");
  const o = { i64, map, set, typedArrays, binary, unset };
  const model = doc.model;
  const name = (key: string): string => {
    const dot = key.indexOf('.');
    return typeName(key.slice(0, dot) === model.root.prefix ? key.slice(dot + 1) : key.replace('.', '_'));
  };
  const type = (t: ThriftType): string => {
    switch (t.kind) {
      case 'base':
        switch (t.name) {
          case 'bool': return 'boolean';
          case 'i64': return o.i64;
          case 'string': case 'uuid': return 'string';
          case 'binary': return o.binary;
          default: return 'number';
        }
      case 'list': {
        const typed = o.typedArrays && t.element.kind === 'base' ? (t.element.name === 'i64' ? (o.i64 === 'bigint' ? 'BigInt64Array' : undefined) : TYPED_LISTS[t.element.name]) : undefined;
        return typed ?? `Array<${type(t.element)}>`;
      }
      case 'set':
        return o.set === 'set' ? `Set<${type(t.element)}>` : `Array<${type(t.element)}>`;
      case 'map':
        return o.map === 'object' ? `Record<string, ${type(t.value)}>` : `Map<${type(t.key)}, ${type(t.value)}>`;
      case 'enum':
      case 'struct':
        return name(t.key);
    }
  };
  const field = (f: FieldDef): string => {
    const required = f.requiredness === 'required';
    const t = type(f.type);
    const prop = propertyKey(f.name);
    if (required) return `${prop}: ${t}`;
    return o.unset === 'null' ? `${prop}: ${t} | null` : `${prop}?: ${t}`;
  };

  let out = header(sources, `i64 ${o.i64}, map ${o.map}, set ${o.set}, typedArrays ${o.typedArrays}, binary ${o.binary}, unset ${o.unset}`);
  for (const file of model.files) {
    for (const key of file.definitions) {
      const e = model.enums.get(key);
      if (e !== undefined) {
        out += `\n${docComment(e.doc)}export const ${name(key)} = {\n${e.values.map((v) => `  ${propertyKey(v.name)}: ${v.value},`).join('\n')}\n} as const;\n`;
        // Thrift enums are i32 on the wire and decoders keep any value: open, like protobuf's.
        out += `/** A value of enum ${e.name}; decoders keep numbers the IDL does not name. */\nexport type ${name(key)} = (typeof ${name(key)})[keyof typeof ${name(key)}] | (number & {});\n`;
      }
      const s = model.structs.get(key);
      if (s !== undefined) out += `\n${structDecl(s, name(key), field, type, o.unset === 'null' ? 'null' : 'never')}`;
      const td = model.typedefs.get(key);
      if (td !== undefined) out += `\n${docComment(td.doc)}export type ${name(key)} = ${type(td.type)};\n`;
      const c = model.consts.get(key);
      if (c !== undefined) out += `\n${docComment(c.doc)}export const ${name(key)}: ${type(c.type)} = ${constValue(c.value, c.type, model, o, type)};\n`;
      const svc = model.services.get(key);
      if (svc !== undefined) {
        const base = svc.extends === undefined ? '' : ` extends ${name(svc.extends)}`;
        out += `\n${docComment(svc.doc)}/** Methods of service ${svc.name}, for rpc.createClient<${name(key)}>() and rpc.createServer<${name(key)}>(). */\nexport interface ${name(key)}${base} {\n`;
        for (const fn of svc.functions) {
          const args = fn.args.length === 0 ? '{}' : `{ ${fn.args.map(field).join('; ')} }`;
          const result = fn.returnType === undefined ? 'undefined' : type(fn.returnType);
          const throws = fn.throws.length === 0 ? 'never' : fn.throws.map((t) => type(t.type)).join(' | ');
          out += `${docComment(fn.doc, '  ')}  ${propertyKey(fn.name)}: { request: ${args}; response: ${result}; streaming: 'unary'; oneway: ${fn.oneway}; throws: ${throws} };\n`;
        }
        out += '}\n';
      }
    }
  }
  return out;
}

function structDecl(s: StructDef, tsName: string, field: (f: FieldDef) => string, type: (t: ThriftType) => string, unsetType: 'never' | 'null'): string {
  const doc = docComment(s.doc) || `/** ${s.kind} ${s.name} */\n`;
  if (s.kind === 'union') {
    // Decoders produce exactly one member (the others absent, or null with unset 'null'); encoders
    // reject zero or several.
    return `${doc}export type ${tsName} =\n  | ${exactlyOne(s.fields.map((f) => [propertyKey(f.name), type(f.type)] as const), unsetType)};\n`;
  }
  return `${doc}export interface ${tsName} {\n${s.fields.map((f) => `${docComment(f.doc, '  ')}  ${field(f)};\n`).join('')}}\n`;
}

/** A const's value as a TypeScript expression of its mapped type. */
function constValue(v: ConstValue, t: ThriftType, model: ThriftModel, o: { i64: string; map: string; set: string; binary: string; typedArrays: boolean }, type: (t: ThriftType) => string): string {
  switch (t.kind) {
    case 'base':
      if (v.kind === 'int') {
        if (t.name === 'i64') return o.i64 === 'bigint' ? `${v.value}n` : o.i64 === 'string' ? JSON.stringify(String(v.value)) : String(v.value);
        return t.name === 'bool' ? String(v.value !== 0n) : String(v.value);
      }
      if (v.kind === 'double') return Number.isFinite(v.value) ? String(v.value) : v.value > 0 ? 'Infinity' : Number.isNaN(v.value) ? 'NaN' : '-Infinity';
      if (v.kind === 'string') return t.name === 'binary' ? `${o.binary === 'Buffer' ? 'Buffer.from' : 'new TextEncoder().encode'}(${JSON.stringify(v.value)})` : JSON.stringify(v.value);
      break;
    case 'enum':
      if (v.kind === 'int') return String(v.value);
      break;
    case 'list':
    case 'set': {
      const items = v.kind === 'list' ? v.items.map((i) => constValue(i, t.element, model, o, type)) : [];
      const list = type(t);
      if (list.endsWith('Array') && !list.startsWith('Array')) return `new ${list}([${items.join(', ')}])`;
      return t.kind === 'set' && o.set === 'set' ? `new Set([${items.join(', ')}])` : `[${items.join(', ')}]`;
    }
    case 'map': {
      const entries = v.kind === 'map' ? v.entries.map(([k, x]) => [constValue(k, t.key, model, o, type), constValue(x, t.value, model, o, type)] as const) : [];
      if (o.map === 'object') return `{ ${entries.map(([k, x]) => `[String(${k})]: ${x}`).join(', ')} }`;
      return `new Map<${type(t.key)}, ${type(t.value)}>([${entries.map(([k, x]) => `[${k}, ${x}]`).join(', ')}])`;
    }
    case 'struct': {
      const struct = model.structs.get(t.key)!;
      const entries = v.kind === 'map' ? v.entries : [];
      const props = entries.map(([k, x]) => {
        const fname = k.kind === 'string' ? k.value : '';
        const f = struct.fields.find((g) => g.name === fname)!;
        return `${propertyKey(fname)}: ${constValue(x, f.type, model, o, type)}`;
      });
      return `{ ${props.join(', ')} }`;
    }
  }
  return 'undefined as never';
}
