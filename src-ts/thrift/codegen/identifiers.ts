/**
 * Names in generated code: IDL names become readable JS identifiers and property accesses, with
 * the unusual ones (dots, reserved words, `__proto__`) handled safely.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false ' +
    'finally for function if import in instanceof new null return super switch this throw true try ' +
    'typeof var void while with yield let static implements interface package private protected public ' +
    'await arguments eval undefined NaN Infinity').split(' '),
);

/**
 * Reads field `name` of a value being encoded. Names Object.prototype also has (`constructor`,
 * `toString`, `__proto__`...) are read only as own properties, so a plain object without them
 * does not pick up the inherited function.
 */
export function fieldRead(object: string, name: string): string {
  if (name in Object.prototype) return `(Object.hasOwn(${object}, ${JSON.stringify(name)}) ? ${object}[${JSON.stringify(name)}] : undefined)`;
  return propertyRead(object, name);
}

/** `obj.name`, or `obj["name"]` when the name is not a plain identifier. */
export function propertyRead(object: string, name: string): string {
  return IDENTIFIER.test(name) ? `${object}.${name}` : `${object}[${JSON.stringify(name)}]`;
}

/**
 * A key in an object literal that always defines an own property: a computed key for
 * `__proto__`, which as a plain literal key would set the prototype instead.
 */
export function literalKey(name: string): string {
  if (name === '__proto__') return '["__proto__"]';
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** A statement adding own property `name` to `object`, safe for `__proto__`. */
export function propertyAssign(object: string, name: string, value: string): string {
  if (name === '__proto__') return `defineOwn(${object}, "__proto__", ${value});`;
  return `${propertyRead(object, name)} = ${value};`;
}

/** An identifier made from an IDL name (dots and other characters become `_`). */
export function sanitize(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_$]/g, '_');
  if (!/^[A-Za-z_$]/.test(id)) id = `_${id}`;
  return RESERVED.has(id) ? `${id}_` : id;
}

/**
 * A name for a generated constructor (Thrift and Protobuf decoders): the IDL type's, as
 * {@link sanitize} makes it, so heap snapshots and profiles show it, with `_` appended while it is
 * a word of `body`, where the function's own name would shadow it.
 */
export function constructorName(typeName: string, body: string): string {
  let name = sanitize(typeName);
  const word = (candidate: string) => new RegExp(`(^|[^A-Za-z0-9_$])${candidate.replace(/\$/g, '\\$')}($|[^A-Za-z0-9_$])`);
  while (word(name).test(body)) name += '_';
  return name;
}

/** Hands out identifiers that are unique within one generated module. */
export class NameTable {
  private readonly used = new Set<string>();

  /** `base`, or `base_2`, `base_3`... when taken. */
  unique(base: string): string {
    let name = sanitize(base);
    for (let i = 2; this.used.has(name); i++) name = `${sanitize(base)}_${i}`;
    this.used.add(name);
    return name;
  }
}
