// The JSON reader and writer of `heddle call`: integers past 2^53 exact both ways, JSON.parse's
// answers everywhere else, and errors that say where.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../../src-ts/cli/json-text.js';

describe('parseJson', () => {
  it('keeps integer literals past the safe range as bigints, digit for digit', () => {
    expect(parseJson('{"a":9223372036854775807,"b":-9007199254740993,"c":9007199254740991,"d":1e3,"e":1.5}')).toEqual({
      a: 9223372036854775807n,
      b: -9007199254740993n,
      c: 9007199254740991,
      d: 1000,
      e: 1.5,
    });
  });

  it('agrees with JSON.parse on any JSON without big integers', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = JSON.stringify(value);
        // JSON.parse itself rounds big integer literals; those are the one place the two differ.
        fc.pre(!/\d{16,}/.test(text));
        expect(parseJson(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('makes __proto__ an own property, never the prototype', () => {
    const parsed = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the offset of what is not JSON', () => {
    expect(() => parseJson('{"a":1,}')).toThrow('request JSON: expected a property name at offset 7');
    expect(() => parseJson('[1 2]')).toThrow("request JSON: expected ',' or ']' at offset 3");
    expect(() => parseJson('"\\x"')).toThrow('request JSON: bad escape \\x at offset 3');
    expect(() => parseJson('{} x')).toThrow('request JSON: unexpected text after the JSON value at offset 3');
    expect(() => parseJson('[01]')).toThrow("request JSON: expected ',' or ']' at offset 2");
  });
});

describe('stringifyJson', () => {
  it('writes bigints as digits, bytes as base64, Maps as objects, Sets and TypedArrays as arrays', () => {
    const value = {
      big: -9223372036854775808n,
      bytes: new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
      map: new Map<unknown, unknown>([['k', 1n], [7, 'seven']]),
      set: new Set(['a']),
      floats: new Float64Array([0.5]),
      skipped: undefined,
      nothing: null,
    };
    expect(stringifyJson(value, 0)).toBe('{"big":-9223372036854775808,"bytes":"3q2+7w==","map":{"k":1,"7":"seven"},"set":["a"],"floats":[0.5],"nothing":null}');
    expect(stringifyJson([], 2)).toBe('[]');
    expect(stringifyJson({ a: [1] }, 2)).toBe('{\n  "a": [\n    1\n  ]\n}');
  });

  it('round-trips through parseJson for any value with 64-bit integers', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), fc.string(), fc.boolean())), (value) => {
        const parsed = parseJson(stringifyJson(value)) as Record<string, unknown>;
        const expected = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v]));
        expect(parsed).toEqual(expected);
      }),
    );
  });
});
