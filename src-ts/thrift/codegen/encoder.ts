/**
 * Generates a struct encoder: `function encode_X(w, v, depth)` writing the fields of `v` that are
 * set (not undefined or null) in IDL declaration order, with room made before each write, value
 * checks, required fields and unions enforced, and a catch that adds the field path to errors.
 */
import type { FieldDef, StructDef, ThriftType } from '../model.js';
import type { GenerationContext } from './context.js';
import { fieldRead } from './identifiers.js';
import { levelPaths, pathLevels } from './paths.js';
import type { SourceWriter } from './source-writer.js';
import { keyForm, typeLabel } from './type-info.js';
import { emitTypedListWrite } from './typed-list-code.js';
import { typedArrayFormOf } from './typed-lists.js';

function ensure(out: SourceWriter, bytes: string | number): void {
  out.line(`if (pos + ${bytes} > buf.length) buf = w.grow(pos, ${bytes});`);
}

/** Emits the encoder of `struct` as function `name`. */
export function emitStructEncoder(out: SourceWriter, name: string, struct: StructDef, ctx: GenerationContext): void {
  const fields = ctx.options.fieldOrder === 'id' ? [...struct.fields].sort((a, b) => a.id - b.id) : struct.fields;
  out.comment(`Encodes ${struct.kind} ${struct.key} (${ctx.options.protocol}, fields in ${ctx.options.fieldOrder} order).`);
  out.open(`function ${name}(w, v, depth) {`);
  out.line('if (depth > MAX_DEPTH) throw depthLimit(undefined, MAX_DEPTH);');
  out.line(`if (typeof v !== 'object' || v === null) throw wrongValue(${JSON.stringify(`${struct.kind} ${struct.name} as an object`)}, v);`);
  out.line('let buf = w.buf;', 'let pos = w.pos;', 'let field = 0;');
  const levels = pathLevels(fields.map((f) => f.type));
  if (levels > 0) out.line(levelPaths.declare(levels));
  out.line(...ctx.encoding.structLocals);
  if (struct.kind === 'union') out.line('let count = 0;');
  out.open('try {');
  out.line('let x;');
  fields.forEach((_, index) => emitField(out, fields, index, struct, ctx));
  if (struct.kind === 'union') {
    out.line('field = 0;');
    out.line(
      `if (count !== 1) throw badValue(undefined, 'union ${struct.name} needs exactly one field set, got ' + count);`,
    );
  }
  const stop = ctx.encoding.stop;
  ensure(out, stop.size);
  out.line(...stop.code);
  out.middle('} catch (e) {');
  levelPaths.emitCatch(out, fields);
  out.close();
  out.line('w.pos = pos;');
  out.close();
  out.line('');
}

function emitField(out: SourceWriter, fields: readonly FieldDef[], index: number, struct: StructDef, ctx: GenerationContext): void {
  const field = fields[index]!;
  out.comment(`${field.id}: ${field.requiredness === 'default' ? '' : field.requiredness + ' '}${typeLabel(field.type)} ${field.name}`);
  out.line(`x = ${fieldRead('v', field.name)};`);
  out.open('if (x != null) {');
  out.line(`field = ${index + 1};`);
  if (struct.kind === 'union') out.line('count++;');
  const merged = field.type.kind === 'base' && field.type.name === 'bool' ? ctx.encoding.boolField(fields, index, 'x') : undefined;
  if (merged !== undefined) {
    ensure(out, merged.size);
    out.line(...merged.code);
  } else {
    const header = ctx.encoding.fieldHeader(fields, index);
    const value = ctx.encoding.fixedValue(field.type, 'x');
    ensure(out, header.size + (value?.size ?? 0));
    out.line(...header.code);
    if (value !== undefined) out.line(...value.code);
    else emitValue(out, field.type, 'x', 0, ctx);
  }
  if (field.requiredness === 'required') {
    out.middle('} else {');
    out.line(`field = ${index + 1};`, `throw requiredField(undefined, ${JSON.stringify(field.name)});`);
  }
  out.close();
}

/** Writes `value` of `type`, nested `level` containers deep, making room as needed. */
function emitValue(out: SourceWriter, type: ThriftType, value: string, level: number, ctx: GenerationContext): void {
  const fixed = ctx.encoding.fixedValue(type, value);
  if (fixed !== undefined) {
    ensure(out, fixed.size);
    out.line(...fixed.code);
    return;
  }
  switch (type.kind) {
    case 'struct':
      out.line('w.pos = pos;', `${ctx.encoderOf(type.key)}(w, ${value}, depth + ${level + 1});`, 'pos = w.pos;', 'buf = w.buf;');
      return;
    case 'list':
    case 'set':
      emitList(out, type, value, level + 1, ctx);
      return;
    case 'map':
      emitMap(out, type, value, level + 1, ctx);
      return;
    default:
      out.line(...ctx.encoding.growingValue(type, value));
  }
}

/** A fixed-size element write without its own room check, when the element type allows it. */
function fixedElement(type: ThriftType, value: string, ctx: GenerationContext) {
  return ctx.encoding.fixedValue(type, value);
}

function emitList(out: SourceWriter, type: ThriftType & { kind: 'list' | 'set' }, value: string, level: number, ctx: GenerationContext): void {
  const items = `a${level}`;
  out.open('{');
  out.line(`if (depth + ${level} > MAX_DEPTH) throw depthLimit(undefined, MAX_DEPTH);`);
  if (type.kind === 'set') {
    out.line(`let ${items} = ${value};`);
    out.line(`if (${items} instanceof Set) ${items} = Array.from(${items});`);
    out.line(`else if (!Array.isArray(${items})) throw wrongValue('an array or a Set', ${items});`);
    emitElements(out, type, items, level, ctx);
    out.close();
    return;
  }
  out.line(`const ${items} = ${value};`);
  const typed = typedArrayFormOf(type, ctx.options);
  const kernel = typed !== undefined && emitTypedListWrite(out, typed, items, (count) => ctx.encoding.listHeader(type.element, count), ctx);
  if (kernel) out.middle('} else {');
  const accepted = typed === undefined ? '' : ` && !(${items} instanceof ${typed.arrayType})`;
  const expected = typed === undefined ? 'an array' : `an array or a ${typed.arrayType}`;
  out.line(`if (!Array.isArray(${items})${accepted}) throw wrongValue(${JSON.stringify(expected)}, ${items});`);
  emitElements(out, type, items, level, ctx);
  if (kernel) out.close();
  out.close();
}

/** The header and element loop of a list or set held in `items`. */
function emitElements(out: SourceWriter, type: ThriftType & { kind: 'list' | 'set' }, items: string, level: number, ctx: GenerationContext): void {
  const n = `n${level}`;
  const i = `i${level}`;
  const element = `e${level}`;
  out.line(`const ${n} = ${items}.length;`);
  const header = ctx.encoding.listHeader(type.element, n);
  const fixed = fixedElement(type.element, element, ctx);
  ensure(out, fixed === undefined ? header.size : `${header.size} + ${n} * ${fixed.size}`);
  out.line(...header.code);
  out.line(`p${level} = 0;`);
  out.open(`for (${i} = 0; ${i} < ${n}; ${i}++) {`);
  out.line(`const ${element} = ${items}[${i}];`);
  if (fixed !== undefined) out.line(...fixed.code);
  else emitValue(out, type.element, element, level, ctx);
  out.close();
  out.line(`${i} = -1;`);
}

/** The expression turning property name `name` back into a key of `type` (map: 'object' form). */
function keyFromName(type: ThriftType, name: string, ctx: GenerationContext): string {
  switch (keyForm(type)) {
    case 'integer':
      return `integerKey(${name})`;
    case 'i64':
      // node-int64 keys go through bigint: exact beyond 2^53, and its writer takes bigints.
      return ctx.options.i64 === 'bigint' || ctx.options.i64 === 'node-int64' ? `bigintKey(${name})` : ctx.options.i64 === 'string' ? name : `integerKey(${name})`;
    case 'double':
      return `doubleKey(${name})`;
    case 'bool':
      return `boolKey(${name})`;
    default:
      return name;
  }
}

function emitMap(out: SourceWriter, type: ThriftType & { kind: 'map' }, value: string, level: number, ctx: GenerationContext): void {
  const map = `m${level}`;
  const n = `n${level}`;
  const i = `i${level}`;
  const key = `k${level}`;
  const val = `v${level}`;
  const header = ctx.encoding.mapHeader(type.key, type.value, n);
  const fixedKey = fixedElement(type.key, key, ctx);
  const fixedValue = fixedElement(type.value, val, ctx);
  const room = fixedKey !== undefined && fixedValue !== undefined ? `${header.size} + ${n} * ${fixedKey.size + fixedValue.size}` : header.size;
  const entry = (): void => {
    if (fixedKey !== undefined && fixedValue !== undefined) {
      out.line(...fixedKey.code, `p${level} = 2;`, ...fixedValue.code);
      return;
    }
    emitValue(out, type.key, key, level, ctx);
    out.line(`p${level} = 2;`);
    emitValue(out, type.value, val, level, ctx);
  };
  out.open('{');
  out.line(`if (depth + ${level} > MAX_DEPTH) throw depthLimit(undefined, MAX_DEPTH);`);
  out.line(`const ${map} = ${value};`);
  out.open(`if (${map} instanceof Map) {`);
  out.line(`const ${n} = ${map}.size;`);
  ensure(out, room);
  out.line(...header.code);
  out.line(`${i} = 0;`);
  out.open(`for (const [${key}, ${val}] of ${map}) {`);
  out.line(`p${level} = 1;`);
  entry();
  out.line(`${i}++;`);
  out.close();
  if (keyForm(type.key) !== undefined) {
    out.middle(`} else if (isPlainObject(${map})) {`);
    out.line(`const names${level} = Object.keys(${map});`);
    out.line(`const ${n} = names${level}.length;`);
    ensure(out, room);
    out.line(...header.code);
    out.open(`for (${i} = 0; ${i} < ${n}; ${i}++) {`);
    out.line(`const name${level} = names${level}[${i}];`);
    out.line(`p${level} = 1;`);
    out.line(`const ${key} = ${keyFromName(type.key, `name${level}`, ctx)};`);
    out.line(`const ${val} = ${map}[name${level}];`);
    entry();
    out.close();
    out.middle('} else {');
    out.line(`throw wrongValue('a Map or a plain object', ${map});`);
  } else {
    out.middle('} else {');
    out.line(`throw wrongValue('a Map', ${map});`);
  }
  out.close();
  out.line(`${i} = -1;`);
  out.close();
}
