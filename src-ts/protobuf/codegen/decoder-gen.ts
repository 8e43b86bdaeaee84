import { constructorName } from '../../thrift/codegen/identifiers.js';
import { MapShapes } from '../../values/map-objects.js';
import { is64Bit, type FieldInfo, type FieldKind, type MessageInfo, type ScalarType } from '../descriptor/type-info.js';
import type { CodecModule } from './codec-module.js';
import { HIGH, LOW } from './int64-word.js';
import { anyToObjectHook } from './object-any.js';
import { property, type SourceBuilder } from './source-builder.js';
import { pjDefaultValue, pjEnumNames, pjZeroValue } from './object-defaults.js';

/**
 * Emits one decoder per message type: `d<i>(buf, pos, end, depth, m, endTag)` reads the fields in
 * buf[pos, end) into `m` (a new object when undefined, else merging into it as protobuf merges a
 * repeated message field) and returns it. For a group, `endTag` is the tag that closes it; the
 * decoder stops there and leaves the position after it in `cursor.pos`.
 *
 * The generated loop switches on the whole tag, so a field arriving with an unexpected wire type
 * is treated as unknown, as protobuf's own parsers do. Every read stays within `end` or is caught
 * by the `pos > end` check after the loop; lengths are checked against `end` before use.
 */
export function emitDecoders(mod: CodecModule, out: SourceBuilder): void {
  for (const message of mod.messages) emitDecoder(mod, message, out);
}

/** The wire type a field's values use when not packed. */
export function wireType(kind: FieldKind): number {
  if (kind.kind === 'enum') return 0;
  if (kind.kind === 'map') return 2;
  if (kind.kind === 'message') return kind.group ? 3 : 2;
  switch (kind.scalar) {
    case 'double': case 'fixed64': case 'sfixed64': return 1;
    case 'float': case 'fixed32': case 'sfixed32': return 5;
    case 'string': case 'bytes': return 2;
    default: return 0;
  }
}

/** True for repeated fields whose values may come packed (numeric scalars and enums). */
export function isPackable(field: FieldInfo): boolean {
  return field.repeated && (field.kind === 'enum' || (field.kind === 'scalar' && field.scalar !== 'string' && field.scalar !== 'bytes'));
}

/** The TypedArray a repeated numeric field decodes into with `typedArrays`, if any. */
export function typedArrayName(field: FieldInfo): string | undefined {
  if (field.kind !== 'scalar' || !field.repeated) return undefined;
  switch (field.scalar) {
    case 'double': return 'Float64Array';
    case 'float': return 'Float32Array';
    case 'int32': case 'sint32': case 'sfixed32': return 'Int32Array';
    case 'uint32': case 'fixed32': return 'Uint32Array';
    case 'int64': case 'sint64': case 'sfixed64': return 'BigInt64Array';
    case 'uint64': case 'fixed64': return 'BigUint64Array';
    default: return undefined;
  }
}

/** Each map field's MapShapes in a codec module, bound as one of its constants. */
const mapShapesOf = new WeakMap<CodecModule, Map<FieldInfo, string>>();

function mapShapes(mod: CodecModule, field: FieldInfo): string {
  let fields = mapShapesOf.get(mod);
  if (fields === undefined) mapShapesOf.set(mod, (fields = new Map()));
  let name = fields.get(field);
  if (name === undefined) fields.set(field, (name = mod.constant(new MapShapes())));
  return name;
}

function emitDecoder(mod: CodecModule, message: MessageInfo, out: SourceBuilder): void {
  const i = mod.index(message);
  const isGroup = mod.groups.has(message);
  const typed = (f: FieldInfo): string | undefined => (mod.options.typedArrays ? typedArrayName(f) : undefined);
  const names: Record<number, readonly [string, boolean]> = {};
  for (const f of message.fields) names[f.number] = [mod.propertyName(f), f.repeated];
  const namesConst = mod.constant(names);
  const defaults = mod.pj === undefined ? defaultsPrototype(mod, message) : undefined;
  const oneofIndex = new Map<string, number>();
  message.oneofs.forEach((o, k) => oneofIndex.set(o.name, k));

  out.line(`// ${message.fullName}`);
  emitMessageConstructor(mod, message, i, defaults, typed, out);
  out.block(`function d${i}(buf, pos, end, depth, m, endTag) {`, () => {
    out.line(`if (depth > ${mod.options.maxDepth}) throw tooDeep(pos);`);
    const maps = message.fields.filter((f) => f.kind === 'map');
    // A map decoded into a message of its own is built whole at the end; merged into a message the
    // caller passed, its entries are stored into the object that is there.
    if (maps.length > 0) out.line('const fresh = m === undefined;');
    out.line(`if (m === undefined) m = new M${i}();`);
    out.line('let tag = 0, start = pos, len = 0, v;');
    message.oneofs.forEach((_, k) => out.line(`let o${k} = 0;`));
    for (const f of message.fields) if (typed(f) !== undefined) out.line(`let acc${f.number};`);
    for (const f of maps) out.line(`let keys${f.number}, values${f.number}, map${f.number};`);
    if (isGroup) out.line('let closed = false;');
    out.block('try {', () => {
      out.block('while (pos < end) {', () => {
        out.line('start = pos;', 'tag = buf[pos++];');
        out.line('if (tag > 127) { tag = readTag(buf, pos - 1, end); pos = cursor.pos; }');
        if (isGroup) out.line('if (tag === endTag) { closed = true; break; }');
        out.block('switch (tag) {', () => {
          for (const field of message.fields) {
            emitFieldCases(mod, message, field, out, typed(field), oneofIndex);
          }
          out.block('default:', () => {
            out.line('if ((tag & 7) === 4) throw strayEndGroup(start, tag);');
            out.line('if (tag >>> 3 === 0) throw badFieldNumber(start);');
            out.line(`pos = skipField(buf, pos, end, tag, ${mod.options.maxDepth} - depth, start);`);
            if (mod.options.keepUnknown) out.line('(m.$unknown ??= []).push(copyBytes(buf, start, pos));');
          }, '');
        });
      });
      out.line('if (pos > end) throw truncated(start);');
      // The group itself is unfinished, not its last field: no field in the path.
      if (isGroup) out.line('if (endTag !== -1 && !closed) { tag = 0; throw truncated(pos); }');
    }, `} catch (e) { throw fieldFault(e, tag, ${namesConst}, m); }`);
    for (const f of message.fields) {
      if (typed(f) === undefined) continue;
      const p = property('m', mod.propertyName(f));
      out.line(`if (acc${f.number} !== undefined) ${p} = concatTyped(${p}, acc${f.number});`);
    }
    for (const f of maps) {
      const p = property('m', mod.propertyName(f));
      const shapes = mapShapes(mod, f);
      const target = mod.pj === undefined ? p : `${p} ?? {}`;
      out.line(`if (map${f.number} !== undefined) { ${p} = map${f.number}; ${shapes}.storedDirectly(); }`);
      out.line(`else if (keys${f.number} !== undefined) ${p} = fresh ? ${shapes}.build(keys${f.number}, values${f.number}) : storeEntries(${target}, keys${f.number}, values${f.number});`);
    }
    for (const f of message.fields) {
      if (!f.required) continue;
      const name = mod.propertyName(f);
      out.line(`if (!hasOwn(m, ${JSON.stringify(name)})) throw missingRequired(${JSON.stringify(name)});`);
    }
    if (isGroup) out.line('cursor.pos = pos;');
    if (mod.pj?.json && message.fullName === 'google.protobuf.Any' && mod.lookup !== undefined) {
      out.line(`return ${mod.constant(anyToObjectHook(mod.lookup))}(m);`);
    } else out.line('return m;');
  });
}

/**
 * The constructor a decoder makes its message with, named after the message: the fields' initial
 * values in field order,
 * prototype `Object.prototype` (or the proto2 defaults), so the objects are the plain objects a
 * literal would make. Not a literal, because V8 tracks an allocation site per literal and, once
 * enough of a site's objects outlive a scavenge (an application keeping decoded messages), makes
 * every later object of the site in old space: decoding realistic orders went 2.4x slower with
 * 2,000 decoded orders kept alive. Constructors, and `new Array()` for lists, have no such site.
 */
function emitMessageConstructor(
  mod: CodecModule,
  message: MessageInfo,
  i: number,
  defaults: object | undefined,
  typed: (f: FieldInfo) => string | undefined,
  out: SourceBuilder,
): void {
  const stores = message.fields.flatMap((f) => {
    const value = mod.pj === undefined ? initialValue(mod, f, typed(f)) : pjInitialValue(mod, message, f);
    if (value === undefined) return [];
    const name = mod.propertyName(f);
    // An own property even under this name, as a literal's computed key would make it.
    return [name === '__proto__' ? `defineOwn(this, "__proto__", ${value});` : `this[${JSON.stringify(name)}] = ${value};`];
  });
  const body = stores.join(' ');
  const prototype = defaults === undefined ? '' : `, ${mod.constant(defaults)}`;
  out.line(`const M${i} = plainConstructor(function ${constructorName(message.fullName.slice(message.fullName.lastIndexOf(".") + 1), body)}() { ${body} }${prototype});`);
}

/** The initial value of a field in a freshly decoded message, or undefined if it starts absent. */
function initialValue(mod: CodecModule, field: FieldInfo, typedName: string | undefined): string | undefined {
  if (field.kind === 'map') return 'newObject()';
  // Empty TypedArrays cannot change, so one per kind is shared instead of allocated per message.
  if (field.repeated) return typedName !== undefined ? `EMPTY_${typedName.toUpperCase()}` : 'new Array()';
  if (field.presence !== 'implicit') return undefined;
  if (field.kind === 'enum') return '0';
  if (field.kind !== 'scalar') return undefined;
  return zeroValue(mod, field.scalar);
}

/**
 * The initial value of a field under the protobufjs profile: only what its options ask for
 * (`arrays`, `objects`, `defaults`); oneof members and proto3 `optional` fields start absent.
 */
function pjInitialValue(mod: CodecModule, message: MessageInfo, field: FieldInfo): string | undefined {
  const pj = mod.pj!;
  if (field.kind === 'map') return pj.objects || pj.defaults ? 'newObject()' : undefined;
  if (field.repeated) return pj.arrays || pj.defaults ? 'new Array()' : undefined;
  if (!pj.defaults || mod.oneofProperty(message, field) !== undefined || field.extension !== undefined) return undefined;
  if (field.kind === 'message') return 'null';
  return mod.constant(pjDefaultValue(mod, field));
}

/** The zero value of a scalar type as JavaScript source. */
export function zeroValue(mod: CodecModule, scalar: ScalarType): string {
  if (is64Bit(scalar)) return mod.options.int64 === 'bigint' ? '0n' : mod.options.int64 === 'string' ? '"0"' : '0';
  if (scalar === 'bool') return 'false';
  if (scalar === 'string') return '""';
  if (scalar === 'bytes') return 'EMPTY_BYTES';
  return '0';
}

/**
 * proto2 `[default = ...]` values live on the prototype of decoded messages: reading an unset
 * field gives its default, while own properties still say what was on the wire.
 */
function defaultsPrototype(mod: CodecModule, message: MessageInfo): object | undefined {
  const withDefaults = message.fields.filter((f) => f.defaultValue !== undefined && !f.repeated);
  if (withDefaults.length === 0) return undefined;
  const proto: Record<string, unknown> = {};
  for (const f of withDefaults) {
    let value = f.defaultValue;
    if (typeof value === 'bigint') value = mod.options.int64 === 'string' ? value.toString() : mod.options.int64 === 'number' ? Number(value) : value;
    proto[mod.propertyName(f)] = value;
  }
  return proto;
}

function emitFieldCases(
  mod: CodecModule,
  message: MessageInfo,
  field: FieldInfo,
  out: SourceBuilder,
  typedName: string | undefined,
  oneofIndex: Map<string, number>,
): void {
  const p = property('m', mod.propertyName(field));
  const tagOf = (wt: number): number => ((field.number << 3) | wt) >>> 0;
  const native = tagOf(wireType(field));

  if (field.kind === 'map') {
    out.block(`case ${native}: {`, () => {
      emitMapEntry(mod, field, out);
      out.line('break;');
    });
    return;
  }
  if (field.kind === 'message') {
    const d = `d${mod.index(field.message())}`;
    out.block(`case ${native}: {`, () => {
      if (field.group) {
        const endTag = tagOf(4);
        if (field.repeated) out.line(`${list(mod, p)}.push(${d}(buf, pos, end, depth + 1, undefined, ${endTag}));`);
        else {
          emitOneofSwitch(mod, message, field, out, oneofIndex);
          out.line(`${p} = ${d}(buf, pos, end, depth + 1, ${merged(mod, p)}, ${endTag});`);
        }
        out.line('pos = cursor.pos;');
      } else {
        emitLength(out);
        if (field.repeated) out.line(`${list(mod, p)}.push(${d}(buf, pos, pos + len, depth + 1, undefined, -1));`);
        else {
          emitOneofSwitch(mod, message, field, out, oneofIndex);
          out.line(`${p} = ${d}(buf, pos, pos + len, depth + 1, ${merged(mod, p)}, -1);`);
        }
        out.line('pos += len;');
      }
      out.line('break;');
    });
    return;
  }

  // Scalars and enums.
  out.block(`case ${native}: {`, () => {
    emitRead(mod, field, out);
    emitStore(mod, message, field, p, out, typedName, oneofIndex);
    out.line('break;');
  });
  if (isPackable(field)) {
    out.block(`case ${tagOf(2)}: {`, () => {
      emitLength(out);
      emitPacked(mod, field, p, out, typedName);
      out.line('break;');
    });
  }
}

/** A repeated field's array to push onto: under the protobufjs profile it may not exist yet. */
function list(mod: CodecModule, p: string): string {
  return mod.pj === undefined ? p : `(${p} ??= new Array())`;
}

/** A message field's value to merge into: under the protobufjs profile `defaults` makes it null. */
function merged(mod: CodecModule, p: string): string {
  return mod.pj?.defaults ? `${p} || undefined` : p;
}

/** Reads a length prefix into `len` and checks it against the bytes left before `limit`. */
function emitLength(out: SourceBuilder, limit = 'end'): void {
  out.line('len = buf[pos++];');
  out.line('if (len > 127) { len = readLength(buf, pos - 1); pos = cursor.pos; }');
  // Written as !(<=) so an undefined length (input ended) fails too.
  out.line(`if (!(len <= ${limit} - pos)) throw truncated(start);`);
}

/** Reads one value of a scalar or enum field into `v`. */
function emitRead(mod: CodecModule, field: FieldInfo & { kind: 'scalar' | 'enum' }, out: SourceBuilder, limit = 'end'): void {
  if (mod.pj !== undefined && emitProfileRead(mod, field, out, limit)) return;
  emitWireRead(mod, field, out, limit);
}

/**
 * Reads under the protobufjs profile where its forms differ from heddle's: Long or rounded
 * 64-bit integers, Buffer/base64/array bytes, enum names, json's non-finite floats. Returns
 * false where the value is read as heddle reads it.
 */
function emitProfileRead(mod: CodecModule, field: FieldInfo & { kind: 'scalar' | 'enum' }, out: SourceBuilder, limit: string): boolean {
  const pj = mod.pj!;
  if (field.kind === 'enum') {
    emitWireRead(mod, field, out, limit);
    if (pj.enums === 'string') out.line(`{ const name = ${mod.constant(pjEnumNames(field.enum))}[v]; if (name !== undefined) v = name; }`);
    return true;
  }
  const scalar = field.scalar;
  if (is64Bit(scalar) && (pj.longs === 'long' || pj.longs === 'number')) {
    const long = pj.longs === 'long' ? mod.constant(pj.Long) : '';
    if (scalar === 'fixed64' || scalar === 'sfixed64') {
      const signed = scalar === 'sfixed64';
      out.line(long !== '' ? `v = readFixedLong(buf, pos, ${signed}, ${long});` : `v = readFixedRounded(buf, pos, ${signed});`, 'pos += 8;');
    } else {
      out.line(long !== '' ? `v = readVarintLong(buf, pos, "${scalar}", ${long});` : `v = readVarintRounded(buf, pos, "${scalar}");`, 'pos = cursor.pos;');
    }
    return true;
  }
  if (scalar === 'bytes') {
    emitLength(out, limit);
    const reader = pj.bytes === 'buffer' ? 'readBuffer' : pj.bytes === 'base64' ? 'readBase64' : 'readByteArray';
    out.line(`v = ${reader}(buf, pos, pos + len);`, 'pos += len;');
    return true;
  }
  if (pj.json && (scalar === 'double' || scalar === 'float')) {
    emitWireRead(mod, field, out, limit);
    out.line('if (v - v !== 0) v = String(v);');
    return true;
  }
  return false;
}

/** Reads one value as it is on the wire, 64-bit integers in the `int64` option's form. */
function emitWireRead(mod: CodecModule, field: FieldInfo & { kind: 'scalar' | 'enum' }, out: SourceBuilder, limit: string): void {
  const scalar: ScalarType = field.kind === 'enum' ? 'int32' : field.scalar;
  const mode = mod.options.int64;
  const varint32 = (suffix = ''): void => {
    out.line('v = buf[pos++];', `if (v > 127) { v = readVarint32(buf, pos - 1)${suffix}; pos = cursor.pos; }`);
  };
  switch (scalar) {
    case 'int32':
      return varint32();
    case 'uint32':
      return varint32(' >>> 0');
    case 'sint32':
      varint32();
      out.line('v = (v >>> 1) ^ -(v & 1);');
      return;
    case 'bool':
      out.line('v = buf[pos++];', 'if (v > 127) { v = readBool(buf, pos - 1); pos = cursor.pos; } else v = v !== 0;');
      return;
    case 'int64':
    case 'uint64':
      if (mode === 'bigint') {
        const reader = scalar === 'int64' ? 'readInt64Bigint' : 'readUint64Bigint';
        // Two- and three-byte values (prices, counts, small ids) are assembled here and made a
        // bigint through the scratch word: the call, the cursor writes and the generic loop of the
        // reader cost more than the bigint (100 such values: about 1.1 us inline, 2.7 us called).
        // Bytes past the field are read as the reader reads them; the caller's end check catches them.
        out.line('v = buf[pos];');
        out.line(`if (v < 128) { v = SMALL_BIGINTS[v]; pos++; }`);
        out.line(`else if (buf[pos + 1] < 128) { word32[${LOW}] = (v & 127) | (buf[pos + 1] << 7); word32[${HIGH}] = 0; v = word64[0]; pos += 2; }`);
        out.line(`else if (buf[pos + 2] < 128) { word32[${LOW}] = (v & 127) | ((buf[pos + 1] & 127) << 7) | (buf[pos + 2] << 14); word32[${HIGH}] = 0; v = word64[0]; pos += 3; }`);
        out.line(`else { v = ${reader}(buf, pos); pos = cursor.pos; }`);
      } else if (mode === 'number') {
        out.line('v = buf[pos];', `if (v < 128) pos++; else { v = readInt64Number(buf, pos, "${scalar}"); pos = cursor.pos; }`);
      } else {
        // One-byte values (counts, flags, small ids) skip the call: their text is a constant.
        out.line('v = buf[pos];', `if (v < 128) { v = SMALL_DECIMALS[v]; pos++; } else { v = readInt64String(buf, pos, "${scalar}"); pos = cursor.pos; }`);
      }
      return;
    case 'sint64':
      if (mode === 'bigint') out.line('v = readSint64Bigint(buf, pos);');
      else if (mode === 'number') out.line('v = readInt64Number(buf, pos, "sint64");');
      else out.line('v = readInt64String(buf, pos, "sint64");');
      out.line('pos = cursor.pos;');
      return;
    case 'fixed32':
      out.line('v = (buf[pos] | buf[pos + 1] << 8 | buf[pos + 2] << 16 | buf[pos + 3] << 24) >>> 0;', 'pos += 4;');
      return;
    case 'sfixed32':
      out.line('v = buf[pos] | buf[pos + 1] << 8 | buf[pos + 2] << 16 | buf[pos + 3] << 24;', 'pos += 4;');
      return;
    case 'fixed64':
    case 'sfixed64':
      out.line(`v = readFixed64As(buf, pos, ${scalar === 'sfixed64'}, "${mode}");`, 'pos += 8;');
      return;
    case 'double':
      out.line('v = readDouble(buf, pos);', 'pos += 8;');
      return;
    case 'float':
      out.line('v = readFloat(buf, pos);', 'pos += 4;');
      return;
    case 'string':
    case 'bytes':
      emitLength(out, limit);
      // A view made by the Uint8Array constructor, not subarray, which goes through Buffer's species.
      if (scalar === 'bytes') out.line(mod.options.bytes === 'view' ? 'v = new Uint8Array(buf.buffer, buf.byteOffset + pos, len);' : 'v = copyBytes(buf, pos, pos + len);');
      else out.line(`v = ${stringReader(field)}(buf, pos, pos + len);`);
      out.line('pos += len;');
      return;
  }
}

/** proto3 strings must be valid UTF-8; proto2 strings may not be, and decode with U+FFFD. */
function stringReader(field: FieldInfo): string {
  return field.strictUtf8 === false ? 'readStringLenient' : 'readStringStrict';
}

/** Stores `v` into the field: assignment, push, or (closed enums) unknown-value handling. */
function emitStore(
  mod: CodecModule,
  message: MessageInfo,
  field: FieldInfo & { kind: 'scalar' | 'enum' },
  p: string,
  out: SourceBuilder,
  typedName: string | undefined,
  oneofIndex: Map<string, number>,
): void {
  const store = (): void => {
    if (field.repeated) {
      if (typedName !== undefined) out.line(`(acc${field.number} ??= []).push(v);`);
      else out.line(`${list(mod, p)}.push(v);`);
    } else {
      emitOneofSwitch(mod, message, field, out, oneofIndex);
      out.line(`${p} = v;`);
    }
  };
  if (field.kind === 'enum' && field.enum.closed && mod.pj === undefined) {
    const known = mod.constant(new Set(field.enum.names.keys()));
    out.block(`if (${known}.has(v)) {`, store, '}');
    if (mod.options.keepUnknown) out.line('else (m.$unknown ??= []).push(copyBytes(buf, start, pos));');
    return;
  }
  store();
}

function emitOneofSwitch(
  mod: CodecModule,
  message: MessageInfo,
  field: FieldInfo,
  out: SourceBuilder,
  oneofIndex: Map<string, number>,
): void {
  if (mod.pj?.oneofs) {
    const virtual = mod.oneofProperty(message, field);
    if (virtual !== undefined) out.line(`${property('m', virtual)} = ${JSON.stringify(mod.propertyName(field))};`);
  }
  if (field.oneof === undefined) return;
  const k = oneofIndex.get(field.oneof)!;
  const oneof = message.oneofs[k]!;
  const members = mod.constant(oneof.fields.map((name) => mod.propertyName(message.fields.find((f) => f.name === name)!)));
  out.line(`if (o${k} !== ${field.number}) { o${k} = ${field.number}; clearOneof(m, ${members}, ${JSON.stringify(mod.propertyName(field))}); }`);
}

/** Fixed-width scalars whose packed runs decode to plain arrays through a kernel when long. */
const ARRAY_KERNEL_SCALARS: ReadonlySet<ScalarType> = new Set(['double', 'float', 'fixed32', 'sfixed32']);
/** Below this many elements, reading each value in the loop costs less than a kernel call. */
const ARRAY_KERNEL_MIN_ELEMENTS = 16;

/** A packed run of `len` bytes at `pos`. */
function emitPacked(
  mod: CodecModule,
  field: FieldInfo & { kind: 'scalar' | 'enum' },
  p: string,
  out: SourceBuilder,
  typedName: string | undefined,
): void {
  const scalar: ScalarType = field.kind === 'enum' ? 'int32' : field.scalar;
  const width = fixedWidth(scalar);
  if (width !== 0) out.line(`if (len % ${width} !== 0) throw badPackedLength(start, len, ${width});`);
  if (typedName !== undefined) {
    out.line(`if (acc${field.number} !== undefined) { ${p} = concatTyped(${p}, acc${field.number}); acc${field.number} = undefined; }`);
    out.line(`${p} = concatTyped(${p}, ${packedKernelCall(scalar as TypedScalar, width)});`);
    out.line('pos += len;');
    return;
  }
  // The profile's json option turns non-finite floats into strings, one by one.
  if (ARRAY_KERNEL_SCALARS.has(scalar) && !(mod.pj?.json && (scalar === 'double' || scalar === 'float'))) {
    // A long run of number-valued fixed-width elements: one kernel call, then a fill by index.
    out.block(`if (len >= ${ARRAY_KERNEL_MIN_ELEMENTS * width}) {`, () => {
      out.line(`${p} = appendNumbers(${mod.pj === undefined ? p : `${p} ?? []`}, ${packedKernelCall(scalar as TypedScalar, width)});`, 'pos += len;', 'break;');
    });
  }
  out.line('const limit = pos + len;', `const list = ${list(mod, p)};`);
  out.block('while (pos < limit) {', () => {
    emitRead(mod, field, out);
    if (field.kind === 'enum' && field.enum.closed && mod.pj === undefined) {
      const known = mod.constant(new Set(field.enum.names.keys()));
      out.line(`if (${known}.has(v)) list.push(v);`);
      if (mod.options.keepUnknown) out.line('else (m.$unknown ??= []).push(unknownVarint(' + field.number + ', v));');
    } else {
      out.line('list.push(v);');
    }
  });
  out.line('if (pos !== limit) throw truncated(start);');
}

function fixedWidth(scalar: ScalarType): number {
  switch (scalar) {
    case 'double': case 'fixed64': case 'sfixed64': return 8;
    case 'float': case 'fixed32': case 'sfixed32': return 4;
    default: return 0;
  }
}

/** Scalars that decode into TypedArrays. */
type TypedScalar = Exclude<ScalarType, 'bool' | 'string' | 'bytes'>;

/** The kernel call that decodes a whole packed run into a TypedArray. */
function packedKernelCall(scalar: TypedScalar, width: number): string {
  const count = `len / ${width}`;
  switch (scalar) {
    case 'double': return `decodeFloat64LE(buf, pos, ${count})`;
    case 'float': return `decodeFloat32LE(buf, pos, ${count})`;
    case 'fixed32': return `decodeUint32LE(buf, pos, ${count})`;
    case 'sfixed32': return `decodeInt32LE(buf, pos, ${count})`;
    case 'fixed64': return `decodeUint64LE(buf, pos, ${count})`;
    case 'sfixed64': return `decodeInt64LE(buf, pos, ${count})`;
    case 'int32': return 'decodePackedVarint32(buf, pos, pos + len, false)';
    case 'sint32': return 'decodePackedVarint32(buf, pos, pos + len, true)';
    case 'uint32': return 'asUint32(decodePackedVarint32(buf, pos, pos + len, false))';
    case 'int64': return 'decodePackedVarint64(buf, pos, pos + len, false)';
    case 'sint64': return 'decodePackedVarint64(buf, pos, pos + len, true)';
    case 'uint64': return 'decodePackedUint64(buf, pos, pos + len)';
  }
}

/** A map entry: key (field 1) and value (field 2), each defaulting when absent. */
function emitMapEntry(mod: CodecModule, field: FieldInfo & { kind: 'map' }, out: SourceBuilder): void {
  emitLength(out);
  out.line('const limit = pos + len;');
  const keyInfo = { kind: 'scalar', scalar: field.key, repeated: false, strictUtf8: field.strictUtf8 } as FieldInfo & { kind: 'scalar' };
  const valueInfo = { ...field.value, repeated: false, strictUtf8: field.strictUtf8 } as FieldInfo;
  const keyZero = field.key === 'string' ? '""' : field.key === 'bool' ? 'false' : '0';
  out.line(`let key = ${keyZero}, value;`);
  out.block('while (pos < limit) {', () => {
    out.line('const entryStart = pos;', 'let entryTag = buf[pos++];');
    out.line('if (entryTag > 127) { entryTag = readTag(buf, pos - 1, limit); pos = cursor.pos; }');
    out.block('switch (entryTag) {', () => {
      out.block(`case ${(1 << 3) | wireType(keyInfo)}:`, () => {
        emitMapKeyRead(mod, field.key, keyInfo, out);
        out.line('key = v;', 'break;');
      }, '');
      out.block(`case ${(2 << 3) | wireType(valueInfo)}:`, () => {
        if (valueInfo.kind === 'message') {
          emitLength(out, 'limit');
          out.line(`value = d${mod.index(valueInfo.message())}(buf, pos, pos + len, depth + 1, undefined, -1);`, 'pos += len;');
        } else {
          emitRead(mod, valueInfo as FieldInfo & { kind: 'scalar' | 'enum' }, out, 'limit');
          out.line('value = v;');
        }
        out.line('break;');
      }, '');
      out.block('default:', () => {
        out.line('if ((entryTag & 7) === 4) throw strayEndGroup(entryStart, entryTag);');
        out.line('if (entryTag >>> 3 === 0) throw badFieldNumber(entryStart);');
        out.line(`pos = skipField(buf, pos, limit, entryTag, ${mod.options.maxDepth} - depth, entryStart);`);
      }, '');
    });
  });
  out.line('if (pos !== limit) throw truncated(start);');
  const valueZero = valueInfo.kind === 'message'
    ? `d${mod.index(valueInfo.message())}(buf, 0, 0, depth + 1, undefined, -1)`
    : mod.pj !== undefined ? mod.constant(pjZeroValue(mod, valueInfo as FieldInfo & { kind: 'scalar' | 'enum' }))
    : valueInfo.kind === 'enum' ? '0' : zeroValue(mod, (valueInfo as { scalar: ScalarType }).scalar);
  out.line(`if (value === undefined) value = ${valueZero};`);
  const keyText = field.key === 'string' ? 'key' : field.key === 'bool' ? '(key ? "true" : "false")' : 'String(key)';
  // Entries are collected and the object built after the message's last field (see emitDecoder),
  // or, in a fresh message while the field's MapShapes says so, stored as they come into the
  // object it gives (maps missing on known keys: see MapShapes.direct). The choice is made at the
  // first entry and kept for the message: a nested message of the same type may switch the
  // field's mode between two entries, and entries must keep their order.
  const n = field.number;
  const shapes = mapShapes(mod, field);
  const store = keyText === 'key'
    ? `if (key === "__proto__") defineOwn(map${n}, key, value); else map${n}[key] = value;`
    : `map${n}[${keyText}] = value;`; // a number or bool as text is never "__proto__"
  const collect = `{ if (keys${n} === undefined && (map${n} !== undefined || (fresh && ${shapes}.direct))) { map${n} ??= ${shapes}.object(); ${store} } else { (keys${n} ??= []).push(${keyText}); (values${n} ??= []).push(value); } }`;
  if (valueInfo.kind === 'enum' && valueInfo.enum.closed && mod.pj === undefined) {
    const known = mod.constant(new Set(valueInfo.enum.names.keys()));
    out.line(`if (${known}.has(value)) ${collect}`);
    if (mod.options.keepUnknown) out.line('else (m.$unknown ??= []).push(copyBytes(buf, start, pos));');
  } else {
    out.line(collect);
  }
}

/** Map keys are read in a form that converts to the string key losslessly. */
function emitMapKeyRead(mod: CodecModule, key: ScalarType, keyInfo: FieldInfo & { kind: 'scalar' }, out: SourceBuilder): void {
  switch (key) {
    case 'int64':
    case 'uint64':
    case 'sint64':
      out.line(`v = readInt64String(buf, pos, "${key}");`, 'pos = cursor.pos;');
      return;
    case 'fixed64':
    case 'sfixed64':
      out.line(`v = readFixed64As(buf, pos, ${key === 'sfixed64'}, "string");`, 'pos += 8;');
      return;
    default:
      emitRead(mod, keyInfo, out, 'limit');
  }
}
