/**
 * Plain objects for decoded maps, built from their keys and values in one step.
 *
 * Storing entry after entry into `{}` is the slow part of decoding a map into an object: every
 * store with a computed key goes through V8's generic keyed-store path, and a key that reads as an
 * integer but is not an array index (an int64 key such as "1000000000000") leaves the inline path
 * for the runtime, about 130 ns a store on Node 20. An object literal with the same keys costs
 * about 30 ns for ten entries, whatever the keys. Maps in a stream of messages usually carry the
 * same keys in the same order message after message (field names of a JSON-like blob, ids of a
 * fixed set), so a decoder that has seen a key sequence twice running compiles a literal for it
 * and builds later maps with those keys by calling it. Other maps get the stores.
 */

/** Longest key sequence compiled into a literal; longer maps are stored entry by entry. */
export const MAX_LITERAL_KEYS = 64;
/** Literals kept per map field: enough for a few alternating key sets. */
const SHAPES_PER_FIELD = 4;
/**
 * Literals compiled per map field over its life. Each costs tens of microseconds; a field whose
 * keys change all the time stops compiling once the budget is spent and keeps the ones it has.
 */
export const COMPILES_PER_FIELD = 32;

type Make = (values: readonly unknown[]) => Record<string, unknown>;

interface Shape {
  readonly keys: readonly string[];
  readonly make: Make;
}

/** The key sequences one map field has been seen with, and a literal for each that repeated. */
export class MapShapes {
  private readonly shapes: Shape[] = [];
  /** The last key sequence that missed: compiled when the next miss has the same keys. */
  private candidate: readonly string[] | undefined;
  private compilesLeft = COMPILES_PER_FIELD;

  /** How many key sequences have been compiled into literals so far. */
  get compiled(): number {
    return COMPILES_PER_FIELD - this.compilesLeft;
  }

  /**
   * A new object with `keys[i]` → `values[i]` for every i, later duplicates replacing earlier
   * ones, in the property order assigning them one by one would give. `keys` and `values` are the
   * caller's to give away: a sequence that repeats is kept.
   */
  build(keys: readonly string[], values: readonly unknown[]): Record<string, unknown> {
    const shapes = this.shapes;
    for (let s = 0; s < shapes.length; s++) {
      const shape = shapes[s]!;
      if (sameKeys(shape.keys, keys)) return shape.make(values);
    }
    const candidate = this.candidate;
    if (candidate !== undefined && sameKeys(candidate, keys) && this.compilesLeft > 0) {
      this.candidate = undefined;
      this.compilesLeft--;
      const shape = { keys, make: compileLiteral(keys) };
      if (shapes.length === SHAPES_PER_FIELD) shapes.pop();
      shapes.unshift(shape);
      return shape.make(values);
    }
    if (keys.length <= MAX_LITERAL_KEYS && !keys.includes('__proto__')) this.candidate = keys;
    return storeEntries({}, keys, values);
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  // Keys decoded through the short-string cache are the same string objects, so this is mostly
  // a pointer compare.
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `function (v) { return { "k0": v[0], "k1": v[1], ... }; }`. Keys are JSON string literals,
 * which are JavaScript string literals, so no key can change what the source means; `__proto__`
 * (which a literal would take as the prototype) never gets here.
 */
function compileLiteral(keys: readonly string[]): Make {
  const entries = keys.map((key, i) => `${JSON.stringify(key)}: v[${i}]`);
  return new Function('v', `"use strict"; return { ${entries.join(', ')} };`) as Make;
}

/**
 * Assigns `keys[i]` → `values[i]` into `target` and returns it. A `__proto__` key is defined as an
 * own data property rather than assigned, so it cannot change the prototype.
 */
export function storeEntries(target: Record<string, unknown>, keys: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === '__proto__') {
      Object.defineProperty(target, key, { value: values[i], enumerable: true, writable: true, configurable: true });
    } else {
      target[key] = values[i];
    }
  }
  return target;
}
