import fc from 'fast-check';
import { describe, expect, test, vi } from 'vitest';
import { MapShapes } from '../../src-ts/values/map-objects.js';
import { HeddleError } from '../../src-ts/errors.js';
import { everything, fixtureDoc, PROTOCOLS } from './fixtures.js';

const doc = fixtureDoc();

/** Runs `fn` and returns the HeddleError it throws. */
function thrown(fn: () => unknown): HeddleError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HeddleError) return error;
    throw error;
  }
  throw new Error('expected a HeddleError');
}

describe.each(PROTOCOLS)('%s', (protocol) => {
  test('defaults fill fields absent on the wire, as fresh values', () => {
    const codec = doc.codec('Defaults', { protocol });
    const bytes = codec.encode({ needed: 1 });
    const first = codec.decode(bytes);
    expect(first).toStrictEqual({
      a: 5,
      s: 'hi',
      l: [1, 2],
      m: new Map([['x', 1]]),
      c: 2,
      big: 9007199254740993n,
      t: true,
      d: 2,
      inner: { a: 3 },
      bin: first.bin,
      tags: ['p'],
      needed: 1,
    });
    expect(Array.from(first.bin)).toEqual([97, 98, 99]);
    first.l.push(3);
    expect(codec.decode(bytes).l).toEqual([1, 2]);
  });

  test('encode writes only the fields that are set, never the defaults', () => {
    const codec = doc.codec('Defaults', { protocol });
    const narrow = doc.codec('Narrow', { protocol });
    expect(codec.encode({ needed: 1 }).length).toBeLessThan(12);
    expect(narrow.decode(narrow.encode({ must: 'x' }))).toStrictEqual({ must: 'x' });
  });

  test('a missing required field is ERR_REQUIRED_FIELD on encode', () => {
    const error = thrown(() => doc.codec('Everything', { protocol }).encode({ flag: true }));
    expect(error.code).toBe('ERR_REQUIRED_FIELD');
    expect(error.path).toBe('Everything.must');
  });

  test('a missing required field is ERR_REQUIRED_FIELD on decode, also when it has a default', () => {
    const inner = doc.codec('Inner', { protocol }).encode({ a: 1 });
    const error = thrown(() => doc.codec('Narrow', { protocol }).decode(inner));
    expect(error.code).toBe('ERR_REQUIRED_FIELD');
    expect(error.path).toBe('Narrow.must');
    expect(error.offset).toBe(inner.length);
    const withDefault = thrown(() => doc.codec('Defaults', { protocol }).decode(inner));
    expect(withDefault.code).toBe('ERR_REQUIRED_FIELD');
    expect(withDefault.path).toBe('Defaults.needed');
  });

  test('a required field nested in a list names its path', () => {
    const codec = doc.codec('Everything', { protocol });
    const error = thrown(() => codec.encode({ must: 'x', nested: [[], [{ a: 1 }, { b: 'no a' }, { a: 'bad' }]] }));
    expect(error.code).toBe('ERR_BAD_VALUE');
    expect(error.path).toBe('Everything.nested[1][2].a');
  });

  test('unions: exactly one field both ways', () => {
    const codec = doc.codec('Choice', { protocol });
    expect(codec.decode(codec.encode({ text: 'hi' }))).toStrictEqual({ text: 'hi' });
    expect(codec.decode(codec.encode({ inner: { a: 1 }, number: undefined }))).toStrictEqual({ inner: { a: 1 } });
    expect(thrown(() => codec.encode({})).code).toBe('ERR_BAD_VALUE');
    const two = thrown(() => codec.encode({ number: 1, text: 'x' }));
    expect(two.code).toBe('ERR_BAD_VALUE');
    expect(two.message).toContain('exactly one field');
    const inner = doc.codec('Inner', { protocol });
    // An Inner {a: 1, b: 'x'} has field 1 (i32) and 2 (string), as a Choice with two fields set.
    expect(thrown(() => codec.decode(inner.encode({ a: 1, b: 'x' }))).code).toBe('ERR_BAD_VALUE');
    expect(thrown(() => codec.decode(inner.encode({})))).toMatchObject({ code: 'ERR_BAD_VALUE', path: 'Choice' });
  });

  test('exceptions encode like structs', () => {
    const codec = doc.codec('Oops', { protocol });
    expect(codec.decode(codec.encode({ code: 7, message: 'nope' }))).toStrictEqual({ code: 7, message: 'nope' });
  });

  test('unknown fields of every type are skipped, nested ones too', () => {
    const bytes = doc.codec('Everything', { protocol }).encode(everything());
    expect(doc.codec('Narrow', { protocol }).decode(bytes)).toStrictEqual({ must: 'required' });
    const tree = doc.codec('Tree', { protocol }).encode({ label: 'x', children: [{ label: 'y', children: [] }] });
    expect(doc.codec('Inner', { protocol }).decode(tree)).toStrictEqual({});
  });

  test('a known field id with another wire type is skipped, as Apache Thrift does', () => {
    // Inner.b is field 2 (string); Everything's field 2 is a byte.
    const bytes = doc.codec('Everything', { protocol }).encode({ tiny: 4, must: 'm' });
    expect(doc.codec('Inner', { protocol }).decode(bytes)).toStrictEqual({});
  });

  test('null means unset', () => {
    const codec = doc.codec('Inner', { protocol });
    expect(codec.decode(codec.encode({ a: 1, b: null }))).toStrictEqual({ a: 1 });
  });

  test('values of the wrong type or range are ERR_BAD_VALUE with their path', () => {
    const codec = doc.codec('Everything', { protocol });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ flag: 1 }, 'Everything.flag'],
      [{ tiny: 128 }, 'Everything.tiny'],
      [{ small: 1.5 }, 'Everything.small'],
      [{ medium: 2 ** 31 }, 'Everything.medium'],
      [{ large: 1 }, 'Everything.large'],
      [{ large: 2n ** 63n }, 'Everything.large'],
      [{ real: '1' }, 'Everything.real'],
      [{ text: 5 }, 'Everything.text'],
      [{ text: 'a\ud800b' }, 'Everything.text'],
      [{ blob: [1, 2] }, 'Everything.blob'],
      [{ id: 'not-a-uuid' }, 'Everything.id'],
      [{ ints: [1, '2'] }, 'Everything.ints[1]'],
      [{ ints: 'abc' }, 'Everything.ints'],
      [{ counts: new Map([['a', 1]]) }, 'Everything.counts[0].value'],
      [{ index: new Map([['k', []]]) }, 'Everything.index[0].key'],
      [{ index: { x: [] } }, 'Everything.index[0].key'],
      [{ inner: 'x' }, 'Everything.inner'],
      [{ palette: new Map([[1, [1, 70000]]]) }, 'Everything.palette[0].value[1]'],
      [{ choice: { number: 1, text: 't' } }, 'Everything.choice'],
    ];
    for (const [value, path] of cases) {
      const error = thrown(() => codec.encode({ must: 'm', ...value }));
      expect.soft(error.code, path).toBe('ERR_BAD_VALUE');
      expect.soft(error.path).toBe(path);
    }
  });

  test('long strings and large values grow the buffer', () => {
    const codec = doc.codec('Everything', { protocol });
    const text = 'ü'.repeat(100_000) + 'x'.repeat(70_000);
    const ints = Array.from({ length: 50_000 }, (_, i) => i * 7919);
    const value = codec.decode(codec.encode({ must: text, ints }));
    expect(value.must).toBe(text);
    expect(value.ints).toEqual(ints);
  });

  test("i64: 'number' and 'string'", () => {
    const asNumber = doc.codec('Everything', { protocol, i64: 'number' });
    const asString = doc.codec('Everything', { protocol, i64: 'string' });
    const bytes = doc.codec('Everything', { protocol }).encode({ must: 'm', large: 2n ** 53n - 1n, longs: [-5n] });
    expect(asNumber.decode(bytes)).toMatchObject({ large: 2 ** 53 - 1, longs: [-5] });
    expect(asString.decode(bytes)).toMatchObject({ large: '9007199254740991', longs: ['-5'] });
    expect(asString.decode(asString.encode({ must: 'm', large: '-9223372036854775808' })).large).toBe('-9223372036854775808');
    const unsafe = doc.codec('Everything', { protocol }).encode({ must: 'm', large: 2n ** 53n });
    const error = thrown(() => asNumber.decode(unsafe));
    expect(error.code).toBe('ERR_BAD_VALUE');
    expect(error.path).toBe('Everything.large');
    expect(thrown(() => asNumber.encode({ must: 'm', large: 2 ** 53 })).code).toBe('ERR_BAD_VALUE');
    expect(thrown(() => asString.encode({ must: 'm', large: '12a' })).code).toBe('ERR_BAD_VALUE');
    expect(thrown(() => asString.encode({ must: 'm', large: '9223372036854775808' })).code).toBe('ERR_BAD_VALUE');
  });

  test("map: 'object' and set: 'set'", () => {
    const codec = doc.codec('Everything', { protocol, map: 'object', set: 'set' });
    const value = codec.decode(doc.codec('Everything', { protocol }).encode(everything()));
    expect(value.counts).toStrictEqual({ x: 1n, y: -(2n ** 63n) });
    expect(value.index).toStrictEqual({ '1': ['one'], '-2': [] });
    expect(value.weights).toStrictEqual({ true: 0.5, false: -2 });
    expect(value.names).toStrictEqual(new Set(['a', 'b']));
    expect(value.palette).toStrictEqual({ '1': new Set([1, -2, 32767]) });
    // Encoders take both forms whatever the option says.
    const plain = doc.codec('Everything', { protocol });
    expect(plain.encode({ ...everything(), counts: { x: 1n, y: -(2n ** 63n) }, names: new Set(['a', 'b']) })).toEqual(
      plain.encode(everything()),
    );
    expect(codec.encode(value)).toEqual(plain.encode(everything()));
  });

  test("map: 'object' builds the objects assignment would, decode after decode of a stream", () => {
    // Repeated key sequences are built from compiled literals (MapShapes), the first ones by stores.
    const plain = doc.codec('Everything', { protocol });
    const key = fc.oneof(fc.constantFrom('x', '__proto__', '0', '7', '4294967295', '1000000000000', 'toString'), fc.string({ maxLength: 3 }));
    const message = fc.record({
      counts: fc.uniqueArray(fc.tuple(key, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), { selector: ([k]) => k, maxLength: 6 }),
      index: fc.uniqueArray(fc.tuple(fc.integer(), fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 })), { selector: ([k]) => k, maxLength: 6 }),
    });
    const reference = (entries: [string | number, unknown][]) => {
      const object: Record<string, unknown> = {};
      for (const [k, v] of entries) Object.defineProperty(object, String(k), { value: v, enumerable: true, writable: true, configurable: true });
      return Object.entries(object);
    };
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(2), { minLength: 10, maxLength: 10 }), (messages, picks) => {
        // A codec of its own per run: a map field compiles 32 literals in its life, and a shared
        // codec would have spent them in the first runs.
        const codec = fixtureDoc().codec('Everything', { protocol, map: 'object' });
        for (const pick of picks) {
          const m = messages[pick % messages.length]!;
          const value = codec.decode(plain.encode({ must: 'm', counts: new Map(m.counts), index: new Map(m.index) }));
          expect(Object.getPrototypeOf(value.counts)).toBe(Object.prototype);
          expect(Object.entries(value.counts)).toEqual(reference(m.counts));
          expect(Object.entries(value.index)).toEqual(reference(m.index));
        }
      }),
      { numRuns: 200 },
    );
  });

  test("map: 'object' stores maps of known keys in new combinations as they are read, the objects assignment would build", () => {
    // Product attributes: a small set of keys in ever new combinations, where a field's maps are
    // stored entry by entry (MapShapes.direct); the reference is the Map the general path decodes.
    const plain = doc.codec('Everything', { protocol });
    const key = fc.constantFrom('颜色', '尺码', '容量', 'Color', 'Size', '__proto__', '7');
    const message = fc.record({
      counts: fc.uniqueArray(fc.tuple(key, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), { selector: ([k]) => k, maxLength: 5 }),
      index: fc.uniqueArray(fc.tuple(fc.integer({ min: -3, max: 3 }), fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 })), { selector: ([k]) => k, maxLength: 4 }),
    });
    const assigned = (map: Map<unknown, unknown>) => {
      const object: Record<string, unknown> = {};
      for (const [k, v] of map) Object.defineProperty(object, String(k), { value: v, enumerable: true, writable: true, configurable: true });
      return Object.entries(object);
    };
    const stored = vi.spyOn(MapShapes.prototype, 'storedDirectly');
    try {
      fc.assert(
        fc.property(fc.array(message, { minLength: 100, maxLength: 100 }), (messages) => {
          const codec = fixtureDoc().codec('Everything', { protocol, map: 'object' });
          for (const m of messages) {
            const bytes = plain.encode({ must: 'm', counts: new Map(m.counts), index: new Map(m.index) });
            const general = plain.decode(bytes);
            const value = codec.decode(bytes);
            expect(Object.getPrototypeOf(value.counts)).toBe(Object.prototype);
            expect(Object.entries(value.counts)).toEqual(assigned(general.counts as Map<unknown, unknown>));
            expect(Object.entries(value.index)).toEqual(assigned(general.index as Map<unknown, unknown>));
          }
        }),
        { numRuns: 10 },
      );
      expect(stored.mock.calls.length).toBeGreaterThan(100);
    } finally {
      stored.mockRestore();
    }
  });

  test("map: 'object' defines '__proto__' as an own key", () => {
    const codec = doc.codec('Everything', { protocol, map: 'object' });
    const bytes = doc.codec('Everything', { protocol }).encode({ must: 'm', counts: new Map([['__proto__', 1n]]) });
    const value = codec.decode(bytes);
    expect(Object.getPrototypeOf(value.counts)).toBe(Object.prototype);
    expect(Object.keys(value.counts)).toEqual(['__proto__']);
  });

  test('maxDepth limits nesting both ways', () => {
    const deep = { label: '0', children: [] as unknown[] };
    let node = deep;
    // Each level is a struct and a list: 20 levels nest 40 deep.
    for (let i = 1; i < 20; i++) {
      const child = { label: String(i), children: [] as unknown[] };
      node.children.push(child);
      node = child;
    }
    const ok = doc.codec('Tree', { protocol });
    const bytes = ok.encode(deep);
    const shallow = doc.codec('Tree', { protocol, maxDepth: 20 });
    expect(thrown(() => shallow.decode(bytes)).code).toBe('ERR_DEPTH_LIMIT');
    expect(thrown(() => shallow.encode(deep)).code).toBe('ERR_DEPTH_LIMIT');
    const cyclic: { label: string; children: unknown[] } = { label: 'loop', children: [] };
    cyclic.children.push(cyclic);
    expect(thrown(() => ok.encode(cyclic)).code).toBe('ERR_DEPTH_LIMIT');
  });

  test('maxSize limits input and output', () => {
    const codec = doc.codec('Everything', { protocol, maxSize: 100 });
    const error = thrown(() => codec.encode({ must: 'x'.repeat(200) }));
    expect(error.code).toBe('ERR_SIZE_LIMIT');
    const big = doc.codec('Everything', { protocol }).encode({ must: 'x'.repeat(200) });
    expect(thrown(() => codec.decode(big)).code).toBe('ERR_SIZE_LIMIT');
  });

  test('trailing bytes are ERR_BAD_VALUE', () => {
    const codec = doc.codec('Inner', { protocol });
    const bytes = codec.encode({ a: 1 });
    const error = thrown(() => codec.decode(Uint8Array.of(...bytes, 0)));
    expect(error).toMatchObject({ code: 'ERR_BAD_VALUE', offset: bytes.length });
  });
});

describe('encoded outputs', () => {
  test('stay intact across later encodes, failed encodes and buffer growth', () => {
    const codec = doc.codec('Everything');
    const outputs: Array<[Uint8Array, string]> = [];
    for (let i = 0; i < 3000; i++) {
      const value = { must: `m${i}`.repeat(1 + (i % 50)), ints: Array.from({ length: i % 300 }, (_, k) => k + i) };
      const bytes = codec.encode(value);
      outputs.push([bytes, Buffer.from(bytes).toString('hex')]);
      if (i % 7 === 0) expect(() => codec.encode({ must: 'x', ints: [1, 'bad'] })).toThrow();
      if (i % 500 === 0) codec.encode({ must: 'y'.repeat(300_000) });
    }
    const changed = outputs.filter(([bytes, hex]) => Buffer.from(bytes).toString('hex') !== hex);
    expect(changed).toHaveLength(0);
    expect(codec.decode(outputs[1234]![0]).must).toBe('m1234'.repeat(1 + (1234 % 50)));
  });
});

describe('codec options and cache', () => {
  test('the same options give the same codec', () => {
    expect(doc.codec('Inner')).toBe(doc.codec('Inner', { protocol: 'binary', i64: 'bigint' }));
    expect(doc.codec('Inner')).not.toBe(doc.codec('Inner', { protocol: 'compact' }));
  });

  test('bad options and unknown types are errors', () => {
    expect(thrown(() => doc.codec('Inner', { protocol: 'json' as never })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => doc.codec('Inner', { maxDepth: 0 })).code).toBe('ERR_INVALID_ARGUMENT');
    expect(thrown(() => doc.codec('Nope')).code).toBe('ERR_UNKNOWN_TYPE');
    expect(doc.codec('fixture.Inner')).toBe(doc.codec('Inner'));
  });
});

describe('decoding a reused input', () => {
  test.each(PROTOCOLS)('%s: an input overwritten with another message decodes to the new strings', (protocol) => {
    const codec = fixtureDoc().codec('Everything', { protocol });
    const message = (tag: string) => ({ ...everything(), text: `${tag} text long enough for a window`, names: [`${tag} name one, long enough`, `${tag} name two, long enough`] });
    const first = codec.encode(message('AAAA')).slice();
    expect(codec.decode(first)).toMatchObject(message('AAAA'));
    first.set(codec.encode(message('BBBB')));
    expect(codec.decode(first)).toMatchObject(message('BBBB'));
  });
});
