/**
 * TypeScript declarations for a Protobuf root, in the value mapping of heddle's default codec
 * conventions under the given options: proto3 implicit-presence scalars, repeated fields and maps
 * always present; message, `optional` and proto2 fields optional; each oneof as "at most one
 * member"; enums as objects of their values; per service a method map with streaming kinds.
 * Well-known types are the plain messages heddle's codecs make of them.
 */
import { jsonName } from '../protobuf/descriptor/json-name.js';
import { is64Bit, type EnumInfo, type FieldInfo, type FieldKind, type MessageInfo, type ScalarType } from '../protobuf/descriptor/type-info.js';
import { resolveCodecOptions, type CodecOptions } from '../protobuf/codegen/codec-options.js';
import type { Root } from '../protobuf/root.js';
import { docComment, header, propertyKey, typeName } from './writer.js';
import { streamingKind } from '../rpc/protobuf-binding.js';

/** The options that change the shape of decoded Protobuf values. */
export type ProtobufTypeOptions = Pick<CodecOptions, 'int64' | 'keepCase' | 'typedArrays'>;

const TYPED: Partial<Record<ScalarType, string>> = {
  double: 'Float64Array', float: 'Float32Array', int32: 'Int32Array', sint32: 'Int32Array', sfixed32: 'Int32Array',
  uint32: 'Uint32Array', fixed32: 'Uint32Array', int64: 'BigInt64Array', sint64: 'BigInt64Array', sfixed64: 'BigInt64Array',
  uint64: 'BigUint64Array', fixed64: 'BigUint64Array',
};

/** TypeScript source declaring the messages, enums and services of `root`'s files and what they use. */
export function protobufTypes(root: Root, options: ProtobufTypeOptions = {}, sources: readonly string[] = root.files.map((f) => f.name!)): string {
  // The codec's own defaults and checks, so the declarations describe what that codec decodes.
  const { int64, keepCase, typedArrays } = resolveCodecOptions(options);
  const o = { int64, keepCase, typedArrays };
  // Every message and enum the requested files declare, and everything those reach.
  const messages = new Map<string, MessageInfo>();
  const enums = new Map<string, EnumInfo>();
  const visitKind = (k: Exclude<FieldKind, { kind: 'map' }>): void => {
    if (k.kind === 'enum') enums.set(k.enum.fullName, k.enum);
    if (k.kind === 'message') visit(k.message());
  };
  const visit = (m: MessageInfo): void => {
    if (messages.has(m.fullName) || m.mapEntry) return;
    messages.set(m.fullName, m);
    for (const f of m.fields) visitKind(f.kind === 'map' ? f.value : f);
  };
  const services: Array<ReturnType<Root['lookupService']>> = [];
  for (const file of root.files) {
    const pkg = file.package ? `${file.package}.` : '';
    const walk = (prefix: string, list: NonNullable<typeof file.message_type>): void => {
      for (const m of list) {
        const full = `${prefix}${m.name}`;
        if (m.options?.map_entry !== true) visit(root.lookupMessage(full));
        walk(`${full}.`, m.nested_type);
        for (const e of m.enum_type) enums.set(`${full}.${e.name}`, root.lookupEnum(`${full}.${e.name}`));
      }
    };
    walk(pkg, file.message_type);
    for (const e of file.enum_type) enums.set(`${pkg}${e.name}`, root.lookupEnum(`${pkg}${e.name}`));
    for (const s of file.service) services.push(root.lookupService(`${pkg}${s.name}`));
  }
  // Short names (without the package, nested names joined by _) unless two types would share one.
  const all = [...messages.keys(), ...enums.keys(), ...services.map((s) => s.fullName)];
  const short = (full: string): string => {
    const pkg = root.pool.symbols.get(full)?.file !== undefined ? root.pool.files.get(root.pool.symbols.get(full)!.file)?.package ?? '' : '';
    return (pkg ? full.slice(pkg.length + 1) : full).replace(/\./g, '_');
  };
  const counts = new Map<string, number>();
  for (const full of all) counts.set(short(full), (counts.get(short(full)) ?? 0) + 1);
  const name = (full: string): string => typeName(counts.get(short(full))! > 1 ? full.replace(/\./g, '_') : short(full));

  const scalar = (s: ScalarType): string => (is64Bit(s) ? o.int64 : s === 'bool' ? 'boolean' : s === 'string' ? 'string' : s === 'bytes' ? 'Uint8Array' : 'number');
  const single = (k: Exclude<FieldKind, { kind: 'map' }>): string => (k.kind === 'scalar' ? scalar(k.scalar) : k.kind === 'enum' ? name(k.enum.fullName) : name(k.message().fullName));
  const fieldType = (f: FieldInfo): string => {
    if (f.kind === 'map') return `Record<string, ${single(f.value)}>`;
    if (f.repeated) {
      // 64-bit lists decode into BigInt64Array/BigUint64Array whatever int64 says.
      const typed = o.typedArrays && f.kind === 'scalar' ? TYPED[f.scalar] : undefined;
      return typed ?? `Array<${single(f)}>`;
    }
    return single(f);
  };
  const prop = (f: FieldInfo): string => (f.extension !== undefined ? JSON.stringify(`[${f.extension}]`) : propertyKey(o.keepCase ? f.name : jsonName(f.name)));

  let out = header(sources, `int64 ${o.int64}, keepCase ${o.keepCase}, typedArrays ${o.typedArrays}`);
  for (const [full, e] of enums) {
    out += `\nexport const ${name(full)} = {\n${[...e.numbers].map(([n, v]) => `  ${propertyKey(n)}: ${v},`).join('\n')}\n} as const;\n`;
    const values = `(typeof ${name(full)})[keyof typeof ${name(full)}]`;
    out += e.closed
      ? `/** enum ${full} (closed: unknown numbers are not field values). */\nexport type ${name(full)} = ${values};\n`
      : `/** enum ${full} (open: decoders keep numbers the .proto does not name). */\nexport type ${name(full)} = ${values} | (number & {});\n`;
  }
  for (const [full, m] of messages) {
    const plain = m.fields.filter((f) => f.oneof === undefined);
    const body = plain.map((f) => {
      const always = f.presence === 'implicit' || f.presence === 'repeated' || f.required;
      return `  ${prop(f)}${always ? '' : '?'}: ${fieldType(f)};\n`;
    });
    const doc = docComment(undefined) || `/** message ${full} */\n`;
    if (m.oneofs.length === 0) {
      out += `\n${doc}export interface ${name(full)} {\n${body.join('')}}\n`;
      continue;
    }
    // A oneof is at most one member set: a union per oneof, each member excluding the others.
    const groups = m.oneofs.map((group) => {
      const members = group.fields.map((fname) => m.fields.find((f) => f.name === fname)!);
      const none = `{ ${members.map((f) => `${prop(f)}?: never`).join('; ')} }`;
      const each = members.map((f) => `{ ${[`${prop(f)}: ${fieldType(f)}`, ...members.filter((g) => g !== f).map((g) => `${prop(g)}?: never`)].join('; ')} }`);
      return `(\n  | ${[...each, none].join('\n  | ')}\n)`;
    });
    out += `\n${doc}export type ${name(full)} = {\n${body.join('')}} & ${groups.join(' & ')};\n`;
  }
  for (const s of services) {
    out += `\n/** Methods of service ${s.fullName}, for rpc.createClient<${name(s.fullName)}>() and rpc.createServer<${name(s.fullName)}>(). */\nexport interface ${name(s.fullName)} {\n`;
    for (const m of s.methods) {
      const streaming = streamingKind(m);
      out += `  ${propertyKey(m.name)}: { request: ${name(m.inputType)}; response: ${name(m.outputType)}; streaming: '${streaming}'; oneway: false; throws: never };\n`;
    }
    out += '}\n';
  }
  return out;
}
