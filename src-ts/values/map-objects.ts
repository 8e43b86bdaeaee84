/**
 * Plain objects for decoded maps, built from their keys and values in one step.
 *
 * Storing entry after entry into `{}` is the slow part of decoding a map into an object: every
 * store with a computed key goes through V8's generic keyed-store path, and a key that reads as an
 * integer but is not an array index (an int64 key such as "1000000000000") leaves the inline path
 * for the runtime, about 130 ns a store on Node 20. An object literal with the same keys costs
 * about 30 ns for ten entries, whatever the keys. Maps in a stream of messages usually carry the
 * same keys in the same order message after message (field names of a JSON-like blob, ids of a
 * fixed set), so a decoder that sees a key sequence come back compiles a literal for it and builds
 * later maps with those keys by calling it.
 *
 * Maps whose keys never come back (ids, hashes) are the other extreme: each key new to V8 adds a
 * hidden-class transition to the empty object's, about 450 ns a store once thousands exist. A
 * field whose maps keep missing gets them built in dictionary mode instead, where a new key is a
 * hash-table entry (measured 10 such keys: 4.1-5.0 us into `{}`, 0.7-1.6 us in dictionary mode).
 * Between the two sit maps whose keys come from a small set in ever new combinations (product
 * attributes: 1-4 of 颜色, 尺码, 容量, Color, Size... in any order): their sequences miss, but
 * their keys are known, so the hidden classes stores go through are few and exist already;
 * dictionary mode there cost 3x plain stores (427 against 130 ns a map of 1-4 such keys), so a
 * miss whose keys the field has all seen before stores into `{}` and counts as no miss.
 *
 * For those maps, collecting the entries into two arrays and looking them up among the shapes and
 * candidates is most of the cost: on the realistic orders' attributes (bench/realistic), 511 ns a
 * map over reading its strings, against 213 ns storing each entry into `{}` as it is read. A field
 * whose maps keep missing on known keys therefore turns {@link MapShapes.direct} on: a decoder
 * that reads it (Protobuf's) stores a fresh message's entries straight into {@link MapShapes.object}
 * and reports each such map with {@link MapShapes.storedDirectly}; after
 * {@link DIRECT_MAPS_BETWEEN_CHECKS} of them the field collects again, so build() sees whether its
 * keys have started repeating (or stopped being known) and picks anew.
 */

/** Longest key sequence compiled into a literal; longer maps are stored entry by entry. */
export const MAX_LITERAL_KEYS = 64;
/**
 * Most characters, all keys together, of a sequence kept as a candidate or compiled: what a field
 * keeps for good is a few of these (keys and literal source), however large the maps decoded.
 */
export const MAX_LITERAL_KEY_CHARS = 1024;
/** Literals kept per map field: enough for a few alternating key sets. */
const SHAPES_PER_FIELD = 4;
/** Recent missed key sequences kept per field; one that comes back is compiled. */
const CANDIDATES_PER_FIELD = 4;
/**
 * Literals compiled per map field over its life. Each costs tens of microseconds; a field whose
 * keys change all the time stops compiling once the budget is spent and keeps the ones it has.
 */
export const COMPILES_PER_FIELD = 32;
/** Misses in a row after which a field's maps are built in dictionary mode. */
export const MISSES_BEFORE_DICTIONARY = 4;
/** Distinct keys a field remembers; keys beyond them are all taken as new. */
export const KNOWN_KEYS_PER_FIELD = 256;
/** Keys longer than this are never remembered, so what a field keeps stays small. */
const KNOWN_KEY_MAX_CHARS = 64;
/** Builds in a row that missed on keys all known after which a field's maps are stored directly. */
export const KNOWN_MISSES_BEFORE_DIRECT = 4;
/** Maps stored directly before a field collects entries again to look at its keys anew. */
export const DIRECT_MAPS_BETWEEN_CHECKS = 64;

type Make = (values: readonly unknown[]) => Record<string, unknown>;

interface Shape {
  readonly keys: readonly string[];
  readonly make: Make;
}

/** The key sequences one map field has been seen with, and a literal for each that repeated. */
export class MapShapes {
  private readonly shapes: Shape[] = [];
  /** Key sequences of recent misses, newest first. */
  private readonly candidates: (readonly string[])[] = [];
  private compilesLeft = COMPILES_PER_FIELD;
  /** Builds in a row whose keys were not seen lately. */
  private misses = 0;
  /** Keys this field's maps have had (up to KNOWN_KEYS_PER_FIELD). */
  private readonly knownKeys = new Set<string>();
  /** Builds in a row that missed on keys all known. */
  private knownMisses = 0;
  /** Maps left to store directly before the field collects again. */
  private directLeft = 0;
  /**
   * Whether a decoder should store this field's entries straight into {@link object} as it reads
   * them (then call {@link storedDirectly}) rather than collect them for {@link build}: on while
   * its maps keep missing on known keys, where a literal would not be found and plain stores are
   * what build() would do anyway.
   */
  direct = false;

  /** The object a directly stored map starts as: an ordinary `{}`, the keys being known ones. */
  object(): Record<string, unknown> {
    return newObject();
  }

  /** Counts a map stored directly; after DIRECT_MAPS_BETWEEN_CHECKS the field collects again. */
  storedDirectly(): void {
    if (--this.directLeft <= 0) this.direct = false;
  }

  /** How many key sequences have been compiled into literals so far. */
  get compiled(): number {
    return COMPILES_PER_FIELD - this.compilesLeft;
  }

  /** Whether maps of this field are being built in dictionary mode, their keys not repeating. */
  get unrepeating(): boolean {
    return this.misses >= MISSES_BEFORE_DICTIONARY;
  }

  /**
   * A new object with `keys[i]` → `values[i]` for every i, later duplicates replacing earlier
   * ones, in the property order assigning them one by one would give. `keys` and `values` are the
   * caller's to give away: the keys of a miss are kept as a candidate, and compiled if they come
   * back, when they are few and short enough.
   */
  build(keys: readonly string[], values: readonly unknown[]): Record<string, unknown> {
    if (keys.length === 0) return newObject();
    const shapes = this.shapes;
    for (let s = 0; s < shapes.length; s++) {
      const shape = shapes[s]!;
      if (sameKeys(shape.keys, keys)) {
        this.misses = 0;
        this.knownMisses = 0;
        return shape.make(values);
      }
    }
    const candidates = this.candidates;
    for (let c = 0; c < candidates.length; c++) {
      if (!sameKeys(candidates[c]!, keys)) continue;
      this.misses = 0;
      this.knownMisses = 0;
      // Seen lately, so its hidden classes exist and plain stores are cheap when nothing compiles.
      if (this.compilesLeft === 0) return storeEntries(newObject(), keys, values);
      candidates.splice(c, 1);
      this.compilesLeft--;
      const shape = { keys, make: compileLiteral(keys) };
      if (shapes.length === SHAPES_PER_FIELD) shapes.pop();
      shapes.unshift(shape);
      return shape.make(values);
    }
    if (compilable(keys)) {
      if (candidates.length === CANDIDATES_PER_FIELD) candidates.pop();
      candidates.unshift(keys);
    }
    if (learnKeys(this.knownKeys, keys)) {
      this.misses = 0;
      if (++this.knownMisses >= KNOWN_MISSES_BEFORE_DIRECT) {
        this.knownMisses = 0;
        this.direct = true;
        this.directLeft = DIRECT_MAPS_BETWEEN_CHECKS;
      }
      return storeEntries(newObject(), keys, values);
    }
    this.knownMisses = 0;
    this.misses++;
    return storeEntries(this.misses >= MISSES_BEFORE_DICTIONARY ? dictionaryObject() : newObject(), keys, values);
  }
}

/**
 * Whether every key of `keys` was known to `known` before; remembers the new ones while there is
 * room. Only run on a miss.
 */
function learnKeys(known: Set<string>, keys: readonly string[]): boolean {
  let allKnown = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (known.has(key)) continue;
    allKnown = false;
    if (known.size < KNOWN_KEYS_PER_FIELD && key.length <= KNOWN_KEY_MAX_CHARS) known.add(key);
  }
  return allKnown;
}

/**
 * An empty ordinary object in V8's dictionary mode: deleting a property other than the last one
 * added moves an object there, and new keys then become hash-table entries rather than hidden
 * classes. It behaves like any `{}`.
 */
function dictionaryObject(): Record<string, unknown> {
  const object = newObject();
  object.dictionaryFirst = 0;
  object.dictionaryLast = 0;
  delete object.dictionaryFirst;
  delete object.dictionaryLast;
  return object;
}

/** Few and short enough keys, none of them `__proto__` (which a literal takes as the prototype). */
function compilable(keys: readonly string[]): boolean {
  if (keys.length > MAX_LITERAL_KEYS) return false;
  let chars = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    chars += key.length;
    if (key === '__proto__') return false;
  }
  return chars <= MAX_LITERAL_KEY_CHARS;
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
 * `(v) => new Shape(v)` with `function Shape(v) { this["k0"] = v[0]; this["k1"] = v[1]; ... }`,
 * whose prototype is `Object.prototype`: the same plain object a literal would make, without the
 * literal's allocation site (see {@link newObject}). Keys are JSON string literals, which are
 * JavaScript string literals, so no key can change what the source means; `__proto__` never gets
 * here.
 */
function compileLiteral(keys: readonly string[]): Make {
  const stores = keys.map((key, i) => `this[${JSON.stringify(key)}] = v[${i}];`);
  return new Function(`"use strict"; function Shape(v) { ${stores.join(' ')} } Shape.prototype = Object.prototype; return (v) => new Shape(v);`)() as Make;
}

/**
 * Gives `constructor` the prototype its objects should have (`Object.prototype` by default, so
 * they are the plain objects a literal makes) and returns it: generated decoders make their
 * messages with `new` on such constructors rather than with literals (see {@link newObject}).
 */
export function plainConstructor<F extends Function>(constructor: F, prototype: object = Object.prototype): F {
  (constructor as unknown as { prototype: object }).prototype = prototype;
  return constructor;
}

/** Makes an empty plain object; {@link newObject}'s constructor. */
function PlainObject(): void {}
PlainObject.prototype = Object.prototype;

/**
 * An empty ordinary object, as `{}` makes, by a constructor rather than a literal. V8 keeps an
 * allocation site per literal and, once enough of a site's objects outlive a scavenge (an
 * application keeping decoded values), makes every later object of that site directly in old
 * space, where short-lived ones cost a mark-compact each: decoding went 2.4x slower that way.
 * Objects made by constructors have no such site.
 */
export function newObject(): Record<string, unknown> {
  return new (PlainObject as unknown as new () => Record<string, unknown>)();
}

/**
 * Assigns `keys[i]` → `values[i]` into `target` and returns it. A `__proto__` key is defined as an
 * own data property rather than assigned, so it cannot change the prototype.
 */
export function storeEntries(target: Record<string, unknown>, keys: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === '__proto__') defineOwn(target, key, values[i]);
    else target[key] = values[i];
  }
  return target;
}

/** Defines an own enumerable property; used for keys such as `__proto__` that plain assignment would misread. */
export function defineOwn(object: object, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
