/**
 * Random Thrift schemas and values for the field-path tests, and the reference operations on
 * decoded values that peek, patch and project must agree with: reading, setting and masking by
 * path on plain objects, arrays and Maps.
 */
import fc from 'fast-check';

/** A type as IDL text and an arbitrary of its values (as heddle's default mapping takes them). */
interface TypeGen {
  idl: string;
  arb: fc.Arbitrary<unknown>;
}

const I64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const TEXT = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('标题', '商品 SKU-1', 'mixed 中文 text', ''));

const LEAVES: TypeGen[] = [
  { idl: 'bool', arb: fc.boolean() },
  { idl: 'i8', arb: fc.integer({ min: -128, max: 127 }) },
  { idl: 'i16', arb: fc.integer({ min: -32768, max: 32767 }) },
  { idl: 'i32', arb: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
  { idl: 'i64', arb: I64 },
  { idl: 'double', arb: fc.double({ noNaN: true }) },
  { idl: 'string', arb: TEXT },
  { idl: 'binary', arb: fc.uint8Array({ maxLength: 12 }) },
  { idl: 'Level', arb: fc.constantFrom(0, 1, 9) },
];

const MAP_KEYS: TypeGen[] = [
  { idl: 'string', arb: fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('zh', 'en', '中')) },
  { idl: 'i32', arb: fc.integer({ min: -1000, max: 1000 }) },
  { idl: 'i64', arb: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }) },
];

export interface RandomSchema {
  idl: string;
  /** The root struct's name. */
  root: string;
  arb: fc.Arbitrary<Record<string, unknown>>;
}

/**
 * `structs` structs T0..Tn-1, each field of a leaf, container or earlier struct type, with field
 * ids in increasing but gapped order (some gaps over 15, for Compact's long headers); the last is
 * the root.
 */
export function randomSchema(seed: number, structs: number): RandomSchema {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const choose = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const made: TypeGen[] = [];
  const lines = ['enum Level { LOW = 0, HIGH = 1, TOP = 9 }'];
  const typeAt = (level: number): TypeGen => {
    const roll = next();
    if (level < 2 && roll < 0.15) {
      const element = typeAt(level + 1);
      return { idl: `list<${element.idl}>`, arb: fc.array(element.arb, { maxLength: 6 }) };
    }
    if (level < 2 && roll < 0.2) {
      const element = choose(LEAVES);
      return { idl: `set<${element.idl}>`, arb: fc.array(element.arb, { maxLength: 4 }) };
    }
    if (level < 2 && roll < 0.32) {
      const key = choose(MAP_KEYS);
      const value = typeAt(level + 1);
      return { idl: `map<${key.idl}, ${value.idl}>`, arb: fc.array(fc.tuple(key.arb, value.arb), { maxLength: 5 }).map((entries) => new Map(entries)) };
    }
    if (made.length > 0 && roll < 0.45) return choose(made);
    return choose(LEAVES);
  };
  for (let s = 0; s < structs; s++) {
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    const requiredKeys: string[] = [];
    const fields: string[] = [];
    let id = 0;
    const count = 2 + Math.floor(next() * 6);
    for (let f = 0; f < count; f++) {
      id += next() < 0.2 ? 16 + Math.floor(next() * 30) : 1 + Math.floor(next() * 3);
      const type = typeAt(0);
      const required = next() < 0.15;
      const name = `${String.fromCharCode(97 + f)}${s}`;
      fields.push(`  ${id}: ${required ? 'required' : 'optional'} ${type.idl} ${name}`);
      shape[name] = type.arb;
      if (required) requiredKeys.push(name);
    }
    lines.push(`struct T${s} {\n${fields.join('\n')}\n}`);
    made.push({ idl: `T${s}`, arb: fc.record(shape, { requiredKeys }) });
  }
  return { idl: lines.join('\n'), root: `T${structs - 1}`, arb: made[made.length - 1]!.arb as fc.Arbitrary<Record<string, unknown>> };
}

/** One step of a path over decoded values: a struct field name, a list index or a map key. */
export type Step = { field: string } | { index: number } | { key: string | number | bigint };

const isStruct = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Uint8Array);

/** Every path in a decoded value (fields, indexes, map keys), up to `limit` of them. */
export function pathsOf(value: unknown, limit = 60): Step[][] {
  const out: Step[][] = [];
  const visit = (v: unknown, prefix: Step[]): void => {
    if (out.length >= limit) return;
    if (prefix.length > 0) out.push(prefix);
    if (isStruct(v)) for (const [name, field] of Object.entries(v)) visit(field, [...prefix, { field: name }]);
    else if (Array.isArray(v)) v.forEach((e, i) => visit(e, [...prefix, { index: i }]));
    else if (v instanceof Map) for (const [k, e] of v) visit(e, [...prefix, { key: k as string | number | bigint }]);
  };
  visit(value, []);
  return out;
}

/** The text form of `steps`, as codec.path takes it. */
export function pathText(steps: Step[]): string {
  let text = '';
  for (const step of steps) {
    if ('field' in step) text += text === '' ? step.field : `.${step.field}`;
    else if ('index' in step) text += step.index % 2 === 0 ? `[${step.index}]` : `.${step.index}`; // both forms
    else text += typeof step.key === 'string' ? `[${JSON.stringify(step.key)}]` : `[${step.key}]`;
  }
  return text;
}

/** The value at `steps`, or undefined. */
export function getAt(value: unknown, steps: Step[]): unknown {
  let v = value;
  for (const step of steps) {
    if (v === undefined) return undefined;
    if ('field' in step) v = isStruct(v) ? v[step.field] : undefined;
    else if ('index' in step) v = Array.isArray(v) ? v[step.index] : undefined;
    else v = v instanceof Map ? v.get(step.key) : undefined;
  }
  return v;
}

/**
 * A deep copy of `root` with `steps` set to `value` (removed when undefined), creating absent
 * structs and map entries on the way; false when an index is out of range.
 */
export function setAt(root: unknown, steps: Step[], value: unknown): unknown {
  const copy = structuredClone(root);
  let v: any = copy;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const last = i === steps.length - 1;
    const following = steps[i + 1] ?? {};
    const make = (): unknown => ('key' in following ? new Map() : 'index' in following ? [] : {});
    if ('field' in step) {
      if (last) {
        if (value === undefined) delete v[step.field];
        else v[step.field] = value;
      } else v = v[step.field] ??= make();
    } else if ('index' in step) {
      if (step.index >= v.length) return false;
      if (last) v[step.index] = value;
      else v = v[step.index];
    } else {
      if (last) v.set(step.key, value);
      else {
        if (!v.has(step.key)) v.set(step.key, make());
        v = v.get(step.key);
      }
    }
  }
  return copy;
}

/** A mask tree: field name → true (whole) or a nested mask. */
export type MaskTree = Map<string, true | MaskTree>;

/** The field-name-only mask path of `steps`: indexes and keys become `*`, trailing ones dropped (the whole container). */
export function maskPath(steps: Step[]): string {
  const names = steps.map((step) => ('field' in step ? step.field : '*'));
  while (names[names.length - 1] === '*') names.pop();
  return names.join('.');
}

/** Merges mask paths as project does: a shorter path keeps the whole field. */
export function maskTree(paths: string[]): MaskTree {
  const root: MaskTree = new Map();
  for (const path of paths) {
    const names = path.split('.').filter((n) => n !== '*');
    let node = root;
    for (let i = 0; i < names.length; i++) {
      const existing = node.get(names[i]!);
      if (i === names.length - 1) {
        node.set(names[i]!, true);
        break;
      }
      if (existing === true) break;
      const child: MaskTree = existing ?? new Map();
      node.set(names[i]!, child);
      node = child;
    }
  }
  return root;
}

/** `value` masked by `tree`, keeping fields named `required` whole, crossing arrays and map values. */
export function applyMask(value: unknown, tree: MaskTree, required: (name: string) => boolean): unknown {
  if (Array.isArray(value)) return value.map((e) => applyMask(e, tree, required));
  if (value instanceof Map) return new Map([...value].map(([k, e]) => [k, applyMask(e, tree, required)]));
  if (!isStruct(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    const sub = tree.get(name);
    if (sub === true || (sub === undefined && required(name))) out[name] = field;
    else if (sub !== undefined) out[name] = applyMask(field, sub, required);
  }
  return out;
}
