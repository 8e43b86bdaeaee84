// Map objects built from a compiled literal are the objects entry-by-entry stores would build:
// same own properties, same order, same values, ordinary prototype, whatever the keys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPILES_PER_FIELD, DIRECT_MAPS_BETWEEN_CHECKS, KNOWN_MISSES_BEFORE_DIRECT, MapShapes, MAX_LITERAL_KEY_CHARS, MAX_LITERAL_KEYS, MISSES_BEFORE_DICTIONARY, storeEntries } from '../../src-ts/values/map-objects.js';

/** What assigning the entries one by one gives, as ordered [key, descriptor] pairs. */
function described(object: object): [PropertyKey, PropertyDescriptor | undefined][] {
  return Reflect.ownKeys(object).map((key) => [key, Object.getOwnPropertyDescriptor(object, key)]);
}

function expectSameMap(actual: Record<string, unknown>, keys: string[], values: unknown[]): void {
  const expected = storeEntries({}, keys, values);
  expect(Object.getPrototypeOf(actual)).toBe(Object.prototype);
  expect(described(actual)).toEqual(described(expected));
}

const awkwardKeys = [
  'a', 'b', '', '0', '1', '10', '4294967294', '4294967295', '1000000000000', '-1', '01', '1.5', 'constructor',
  'toString', 'hasOwnProperty', '__proto__', '"', '\\', '"}; globalThis.heddleInjected = 1; ({"', '\u2028', '\ud800', 'é',
];

describe('MapShapes', () => {
  it('builds the same object as stores, on the miss, the compile and the hits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...awkwardKeys), fc.string({ maxLength: 6 })), { maxLength: 20 }),
        fc.array(fc.anything(), { minLength: 20, maxLength: 20 }),
        (keys, values) => {
          const shapes = new MapShapes();
          for (let round = 0; round < 4; round++) {
            // A fresh copy of the keys each time, as a decoder gives.
            expectSameMap(shapes.build([...keys], values.slice(0, keys.length)), keys, values.slice(0, keys.length));
          }
          expect(shapes.compiled).toBe(keys.length === 0 || keys.includes('__proto__') ? 0 : 1);
        },
      ),
      { numRuns: 500 },
    );
    expect((globalThis as { heddleInjected?: number }).heddleInjected).toBeUndefined();
  });

  it('compiles a key sequence the second time running it misses, and hits after that', () => {
    const shapes = new MapShapes();
    const keys = ['1000000000000', '1000000000001', '1000000000000'];
    expectSameMap(shapes.build([...keys], [1, 2, 3]), keys, [1, 2, 3]);
    expect(shapes.compiled).toBe(0);
    expectSameMap(shapes.build([...keys], [4, 5, 6]), keys, [4, 5, 6]);
    expect(shapes.compiled).toBe(1);
    const hit = shapes.build([...keys], [7, 8, 9]);
    expect(shapes.compiled).toBe(1);
    // A later duplicate wins, at the first one's place.
    expect(Object.entries(hit)).toEqual([['1000000000000', 9], ['1000000000001', 8]]);
  });

  it('keeps a few alternating key sets compiled', () => {
    const shapes = new MapShapes();
    const sets = [['a'], ['b', 'c'], ['d'], ['e', 'f', 'g']];
    for (const keys of sets) for (let i = 0; i < 2; i++) shapes.build([...keys], keys.map(() => i));
    expect(shapes.compiled).toBe(4);
    for (let round = 0; round < 3; round++) {
      for (const keys of sets) expectSameMap(shapes.build([...keys], keys.map(() => round)), keys, keys.map(() => round));
    }
    expect(shapes.compiled).toBe(4);
  });

  it('compiles key sequences that alternate, not only ones that repeat back to back', () => {
    const shapes = new MapShapes();
    for (let i = 0; i < 6; i++) expectSameMap(shapes.build(i % 2 ? ['x'] : ['y', 'z'], [i, i]), i % 2 ? ['x'] : ['y', 'z'], [i, i]);
    expect(shapes.compiled).toBe(2);
    expect(shapes.unrepeating).toBe(false);
  });

  it('builds maps whose keys never repeat in dictionary mode, the same objects as stores give', () => {
    const shapes = new MapShapes();
    for (let i = 0; i < 3 * MISSES_BEFORE_DICTIONARY; i++) {
      const keys = [`id${i}`, String(1000000000000 + i), String(i), '__proto__', `id${i}`];
      const values = [1, 2, 3, { polluted: true }, 5];
      expectSameMap(shapes.build([...keys], values), keys, values);
      expect(shapes.unrepeating).toBe(i + 1 >= MISSES_BEFORE_DICTIONARY);
    }
    expect(shapes.compiled).toBe(0);
    // Keys that come back make the field an ordinary one again.
    shapes.build(['again'], [1]);
    shapes.build(['again'], [2]);
    expect(shapes.unrepeating).toBe(false);
    expect(shapes.compiled).toBe(1);
  });

  it('stores new combinations of known keys into plain objects, not dictionary mode', () => {
    // Product attributes: 1-4 keys of a small set, in any order; sequences miss, keys do not.
    const shapes = new MapShapes();
    const keys = ['颜色', '尺码', '容量', '版本', 'Color', 'Size'];
    for (const key of keys) shapes.build([key], [0]);
    let combination = 0;
    for (let a = 0; a < keys.length; a++) {
      for (let b = 0; b < keys.length; b++) {
        if (a === b) continue;
        const picked = [keys[a]!, keys[b]!, keys[(a + b) % keys.length]!];
        const values = [combination, combination + 1, combination + 2];
        expectSameMap(shapes.build([...picked], values), picked, values);
        expect(shapes.unrepeating).toBe(false);
        combination++;
      }
    }
    // A run of maps with keys never seen before still turns the field to dictionary mode.
    for (let i = 0; i < MISSES_BEFORE_DICTIONARY; i++) shapes.build([`new${i}`, '颜色'], [i, i]);
    expect(shapes.unrepeating).toBe(true);
  });

  it('turns direct stores on after maps keep missing on known keys, off again after a check interval', () => {
    const shapes = new MapShapes();
    const keys = ['颜色', '尺码', '容量', '版本', 'Color', 'Size'];
    for (const key of keys) shapes.build([key], [0]);
    // Each sequence new (a miss), each key known.
    const combination = (n: number) => [keys[n % 6]!, keys[(n + 1 + Math.floor(n / 6)) % 6]!, keys[(n + 3) % 6]!];
    for (let n = 0; n < KNOWN_MISSES_BEFORE_DIRECT - 1; n++) shapes.build(combination(n), [1, 2, 3]);
    expect(shapes.direct).toBe(false);
    shapes.build(combination(KNOWN_MISSES_BEFORE_DIRECT), [1, 2, 3]);
    expect(shapes.direct).toBe(true);
    expect(shapes.object()).toEqual({});
    expect(Object.getPrototypeOf(shapes.object())).toBe(Object.prototype);
    for (let n = 0; n < DIRECT_MAPS_BETWEEN_CHECKS - 1; n++) shapes.storedDirectly();
    expect(shapes.direct).toBe(true);
    shapes.storedDirectly();
    expect(shapes.direct).toBe(false);
    // A key never seen breaks the run: the count starts again.
    for (let n = 0; n < KNOWN_MISSES_BEFORE_DIRECT - 1; n++) shapes.build(combination(n + 10), [1, 2, 3]);
    shapes.build(['unseen', '颜色'], [1, 2]);
    shapes.build(combination(20), [1, 2, 3]);
    expect(shapes.direct).toBe(false);
  });

  it('does not turn direct stores on while key sequences repeat (literals hit)', () => {
    const shapes = new MapShapes();
    for (let n = 0; n < 100; n++) shapes.build(n % 2 === 0 ? ['a', 'b'] : ['c'], [n, n]);
    expect(shapes.direct).toBe(false);
    expect(shapes.compiled).toBe(2);
  });

  it('stops compiling once a field has spent its budget, and stays correct', () => {
    const shapes = new MapShapes();
    for (let set = 0; set < COMPILES_PER_FIELD * 3; set++) {
      const keys = [`k${set}`, 'x'];
      shapes.build([...keys], [set, 0]);
      expectSameMap(shapes.build([...keys], [set, 1]), keys, [set, 1]);
    }
    expect(shapes.compiled).toBe(COMPILES_PER_FIELD);
  });

  it('never compiles a __proto__ key, which stays an own property', () => {
    const shapes = new MapShapes();
    for (let i = 0; i < 4; i++) {
      const built = shapes.build(['x', '__proto__'], [1, { polluted: true }]);
      expect(Object.getPrototypeOf(built)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(built, '__proto__')?.value).toEqual({ polluted: true });
    }
    expect(shapes.compiled).toBe(0);
  });

  it(`keeps nothing of keys longer than ${MAX_LITERAL_KEY_CHARS} chars in all, and compiles nothing`, () => {
    // A field keeps its candidates and literals for good: huge keys must not be among them.
    const shapes = new MapShapes();
    const keys = ['a'.repeat(MAX_LITERAL_KEY_CHARS), 'b'];
    for (let i = 0; i < 3; i++) expectSameMap(shapes.build([...keys], [i, i]), keys, [i, i]);
    expect(shapes.compiled).toBe(0);
    const fits = ['a'.repeat(MAX_LITERAL_KEY_CHARS - 1), 'b'];
    for (let i = 0; i < 3; i++) expectSameMap(shapes.build([...fits], [i, i]), fits, [i, i]);
    expect(shapes.compiled).toBe(1);
  });

  it('builds an empty map as a fresh {} without using up a shape or counting a miss', () => {
    const shapes = new MapShapes();
    const empties = Array.from({ length: 10 }, () => shapes.build([], []));
    expect(new Set(empties).size).toBe(10);
    for (const empty of empties) expectSameMap(empty, [], []);
    expect(shapes.compiled).toBe(0);
    expect(shapes.unrepeating).toBe(false);
  });

  it(`stores maps of more than ${MAX_LITERAL_KEYS} keys without compiling`, () => {
    const shapes = new MapShapes();
    const keys = Array.from({ length: MAX_LITERAL_KEYS + 1 }, (_, i) => `key${i}`);
    for (let i = 0; i < 3; i++) expectSameMap(shapes.build([...keys], keys), keys, keys);
    expect(shapes.compiled).toBe(0);
  });
});
