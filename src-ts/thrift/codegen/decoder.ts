/**
 * Generates a struct decoder: `function decode_X(r, depth)` reading fields into locals (a switch
 * on the field id; unknown ids and unexpected wire types are skipped), then checking required
 * fields and unions, filling IDL defaults, and building the object with its fields in
 * declaration order, so decoded objects of a type share one shape in the common case.
 */
import type { FieldDef, StructDef, ThriftType } from '../model.js';
import { constExpression } from './const-value.js';
import type { GenerationContext } from './context.js';
import { constructorName, NameTable, propertyAssign } from './identifiers.js';
import { levelPaths, pathLevels } from './paths.js';
import type { SourceWriter } from './source-writer.js';
import { keyForm, typeLabel } from './type-info.js';
import { typedArrayOf } from './typed-lists.js';
import { emitTypedListRead } from './typed-list-code.js';

/** Emits the decoder of `struct` as function `name`. */
export function emitStructDecoder(out: SourceWriter, name: string, struct: StructDef, ctx: GenerationContext): void {
  const fields = struct.fields;
  const names = new NameTable();
  const locals = fields.map((f) => names.unique(`f_${f.name}`));
  const levels = pathLevels(fields.map((f) => f.type));
  out.comment(`Decodes ${struct.kind} ${struct.key} (${ctx.options.protocol}).`);
  out.open(`function ${name}(r, depth) {`);
  out.line('if (depth > MAX_DEPTH) throw depthLimit(r.pos, MAX_DEPTH);');
  const access = ctx.decoding.access;
  out.line(`${access.declare} buf = r.buf;`, `${access.declare} end = r.end;`, 'let pos = r.pos;');
  out.line('let type = 0, id = 0, len = 0, field = 0;');
  if (levels > 0) {
    out.line(levelPaths.declare(levels));
    out.line(`let ${Array.from({ length: levels }, (_, i) => `n${i + 1} = 0`).join(', ')};`);
  }
  out.line(...ctx.decoding.structLocals);
  if (locals.length > 0) out.line(`let ${locals.join(', ')};`);
  out.open('try {');
  out.open('for (;;) {');
  out.line('field = 0;');
  out.line(...ctx.decoding.fieldHeader);
  out.open('switch (id) {');
  fields.forEach((field, index) => emitFieldCase(out, field, index, locals[index]!, ctx));
  out.close();
  out.line('field = -1;');
  out.line(ctx.decoding.skipField, ...access.reload);
  out.close();
  out.middle('} catch (e) {');
  levelPaths.emitCatch(out, fields, true);
  out.close();
  emitChecksAndDefaults(out, struct, locals, ctx);
  out.line('r.pos = pos;');
  emitResult(out, struct, locals, ctx.options.unset === 'null', ctx);
  out.close();
  out.line('');
}

function emitFieldCase(out: SourceWriter, field: FieldDef, index: number, local: string, ctx: GenerationContext): void {
  out.open(`case ${field.id}: // ${typeLabel(field.type)} ${field.name}`);
  out.open(`if (${ctx.decoding.fieldTypeTest(field.type)}) {`);
  out.line(`field = ${index + 1};`);
  const fromHeader = field.type.kind === 'base' && field.type.name === 'bool' ? ctx.decoding.boolFromHeader : undefined;
  if (fromHeader !== undefined) out.line(`${local} = ${fromHeader};`);
  else emitRead(out, field.type, local, 0, false, ctx);
  out.line('continue;');
  out.close();
  out.line('break;');
  out.close('');
}

/** Reads a value of `type` into `target`, nested `level` containers deep; `asKey` for a map's keys (see DecodeDialect.readValue). */
function emitRead(out: SourceWriter, type: ThriftType, target: string, level: number, checked: boolean, ctx: GenerationContext, asKey: boolean | 'name' = false): void {
  switch (type.kind) {
    case 'struct':
      out.line('r.pos = pos;', `${target} = ${ctx.decoderOf(type.key)}(r, depth + ${level + 1});`, 'pos = r.pos;', ...ctx.decoding.access.reload);
      return;
    case 'list':
    case 'set':
      emitList(out, type, target, level + 1, ctx);
      return;
    case 'map':
      emitMap(out, type, target, level + 1, ctx);
      return;
    default:
      out.line(...ctx.decoding.readValue(type, target, checked, asKey));
  }
}

function emitList(out: SourceWriter, type: ThriftType & { kind: 'list' | 'set' }, target: string, level: number, ctx: GenerationContext): void {
  const items = `a${level}`;
  const n = `n${level}`;
  const i = `i${level}`;
  const element = `e${level}`;
  out.open('{');
  out.line(`if (depth + ${level} > MAX_DEPTH) throw depthLimit(pos, MAX_DEPTH);`);
  out.line(...ctx.decoding.listHeader(level, type.element));
  const typed = typedArrayOf(type, ctx.options);
  if (typed !== undefined) {
    emitTypedListRead(out, typed, target, level, ctx);
    out.close();
    return;
  }
  const asSet = type.kind === 'set' && ctx.options.set === 'set';
  if (!asSet && isBulkNodeInt64List(type.element, ctx)) {
    // The count check covered n * 8 bytes: the elements are copied in one go.
    out.line(`${target} = readI64ListBinaryNodeInt64(buf, pos, ${n});`, `pos += ${n} * 8;`);
    out.close();
    return;
  }
  out.line(`const ${items} = ${asSet ? 'new Set()' : sizedArray(n)};`);
  out.line(`p${level} = 0;`);
  out.open(`for (${i} = 0; ${i} < ${n}; ${i}++) {`);
  out.line(`let ${element};`);
  emitRead(out, type.element, element, level, ctx.decoding.fixedWidth(type.element) !== undefined, ctx);
  out.line(asSet ? `${items}.add(${element});` : `${items}[${i}] = ${element};`);
  out.close();
  out.line(`${i} = -1;`);
  out.line(`${target} = ${items};`);
  out.close();
}

/** Binary i64 elements as node-int64 objects, from input in place: read as a block. */
function isBulkNodeInt64List(element: ThriftType, ctx: GenerationContext): boolean {
  const { protocol, i64 } = ctx.options;
  return protocol === 'binary' && i64 === 'node-int64' && !ctx.decoding.access.segmented && element.kind === 'base' && element.name === 'i64';
}

/**
 * Counts up to this many elements get an array of their length up front; `push` from `[]` grows
 * it to 17, 41, 77, 131, ... slots, copying each time and leaving slack for the GC to carry. A
 * larger count, which the input's bytes back but its elements may not (they can fail to decode),
 * grows as it fills.
 */
const PRESIZED_MAX = 1024;

/** An array for the `n` elements of a container, filled in index order. */
function sizedArray(n: string): string {
  return `(${n} <= ${PRESIZED_MAX} ? new Array(${n}) : new Array())`;
}

function emitMap(out: SourceWriter, type: ThriftType & { kind: 'map' }, target: string, level: number, ctx: GenerationContext): void {
  const map = `m${level}`;
  const n = `n${level}`;
  const i = `i${level}`;
  const key = `k${level}`;
  const val = `v${level}`;
  const form = keyForm(type.key);
  const asObject = ctx.options.map === 'object' && form !== undefined;
  const checked = ctx.decoding.fixedWidth(type.key) !== undefined && ctx.decoding.fixedWidth(type.value) !== undefined;
  out.open('{');
  out.line(`if (depth + ${level} > MAX_DEPTH) throw depthLimit(pos, MAX_DEPTH);`);
  out.line(...ctx.decoding.mapHeader(level, type.key, type.value));
  // An object is built whole from its keys and values once all are read (see MapShapes), or,
  // while the field's maps keep missing on known keys (MapShapes.direct, read once a map), stored
  // entry by entry as they are read.
  const names = `mk${level}`;
  const values = `mv${level}`;
  const direct = `direct${level}`;
  const shapes = asObject ? ctx.moduleConstant('mapShapes', 'new MapShapes()') : '';
  if (asObject) {
    out.line(`const ${direct} = ${shapes}.direct;`);
    out.line(`const ${map} = ${direct} ? ${shapes}.object() : undefined;`);
    out.line(`const ${names} = ${direct} ? undefined : ${sizedArray(n)}, ${values} = ${direct} ? undefined : ${sizedArray(n)};`);
  } else out.line(`const ${map} = new Map();`);
  out.open(`for (${i} = 0; ${i} < ${n}; ${i}++) {`);
  out.line(`let ${key}, ${val};`);
  out.line(`p${level} = 1;`);
  // An object's i64 keys are read as their names straight away, with no i64 value made first
  // (i64 'number' keeps its check that every value is safe).
  const asName = asObject && form === 'i64' && ctx.options.i64 !== 'number';
  emitRead(out, type.key, key, level, checked, ctx, asName ? 'name' : true);
  out.line(`p${level} = 2;`);
  emitRead(out, type.value, val, level, checked, ctx);
  if (!asObject) out.line(`${map}.set(${key}, ${val});`);
  else {
    const name = form === 'string' || asName ? key : `String(${key})`;
    // Only a string key can be "__proto__", which plain assignment would take as the prototype.
    const store = form === 'string' ? `if (${key} === "__proto__") defineOwn(${map}, ${key}, ${val}); else ${map}[${key}] = ${val};` : `${map}[${name}] = ${val};`;
    out.line(`if (${direct}) { ${store} } else { ${names}[${i}] = ${name}; ${values}[${i}] = ${val}; }`);
  }
  out.close();
  out.line(`${i} = -1;`);
  if (asObject) out.line(`if (${direct}) { ${target} = ${map}; ${shapes}.storedDirectly(); } else ${target} = ${shapes}.build(${names}, ${values});`);
  else out.line(`${target} = ${map};`);
  out.close();
}

function emitChecksAndDefaults(out: SourceWriter, struct: StructDef, locals: readonly string[], ctx: GenerationContext): void {
  struct.fields.forEach((field, index) => {
    if (field.requiredness !== 'required') return;
    out.line(
      `if (${locals[index]} === undefined) throw withPath(requiredField(pos, ${JSON.stringify(field.name)}), ${JSON.stringify(`.${field.name}`)});`,
    );
  });
  if (struct.kind === 'union') {
    const count = locals.map((local) => `(${local} === undefined ? 0 : 1)`).join(' + ') || '0';
    out.line(`const count = ${count};`);
    out.line(`if (count !== 1) throw badValue(pos, 'union ${struct.name} needs exactly one field set, got ' + count);`);
    return;
  }
  struct.fields.forEach((field, index) => {
    if (field.default === undefined) return;
    const value = constExpression(field.type, field.default, field.loc, { options: ctx.options, lookupStruct: (key) => ctx.lookupStruct(key) });
    out.line(`if (${locals[index]} === undefined) ${locals[index]} = ${value};`);
  });
}

/** Whether a field's local is always set once checks and defaults ran. */
function alwaysPresent(struct: StructDef, field: FieldDef): boolean {
  return struct.kind !== 'union' && (field.requiredness === 'required' || field.default !== undefined);
}

/**
 * Returns the object; with `unsetAsNull` every field is there, `null` when unset (gen-nodejs's shape).
 * The object is made by a constructor whose prototype is `Object.prototype` (the plain object a
 * literal would make), or by {@link newObject} when some fields may be absent. Not by a literal:
 * V8 keeps an allocation site per literal and, once enough of a site's objects outlive a
 * scavenge (an application keeping decoded structs), makes all later ones directly in old space,
 * where each short-lived one costs mark-compact time (realistic decodes went 2.4x slower).
 */
function emitResult(out: SourceWriter, struct: StructDef, locals: readonly string[], unsetAsNull: boolean, ctx: GenerationContext): void {
  const fields = struct.fields;
  const params = fields.map((_, i) => `v${i}`);
  const stores = fields.map((f, i) => propertyAssign('this', f.name, params[i]!)).join(' ');
  // Made only where a return uses it (a union with a field unset never does); each path below uses it once.
  const whole = () => {
    const make = ctx.moduleConstant('Struct', `plainConstructor(function ${constructorName(struct.name, stores)}(${params.join(', ')}) { ${stores} })`);
    return `new ${make}(${locals.join(', ')})`;
  };
  const maybeAbsent = fields.map((f, i) => (alwaysPresent(struct, f) ? undefined : locals[i])).filter((l) => l !== undefined);
  if (unsetAsNull) for (const local of maybeAbsent) out.line(`if (${local} === undefined) ${local} = null;`);
  if (maybeAbsent.length === 0 || unsetAsNull) {
    out.line(`return ${whole()};`);
    return;
  }
  if (struct.kind !== 'union') {
    out.line(`if (${maybeAbsent.map((l) => `${l} !== undefined`).join(' && ')}) return ${whole()};`);
  }
  out.line('const o = newObject();');
  fields.forEach((field, index) => {
    const assign = propertyAssign('o', field.name, locals[index]!);
    out.line(alwaysPresent(struct, field) ? assign : `if (${locals[index]} !== undefined) ${assign}`);
  });
  out.line('return o;');
}
