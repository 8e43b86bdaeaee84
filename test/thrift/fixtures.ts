/** IDL and values shared by the codec tests. */
import { parse, type ThriftDocument } from '../../src-ts/thrift/index.js';

export const PROTOCOLS = ['binary', 'compact'] as const;

export const FIXTURE_IDL = `
namespace py fixture

enum Color { RED = 1, GREEN = 2, BLUE = 7 }

struct Inner {
  1: i32 a
  2: optional string b
}

union Choice {
  1: i32 number
  2: string text
  3: Inner inner
}

exception Oops {
  1: i32 code
  2: string message
}

struct Everything {
  1: bool flag
  2: byte tiny
  3: i16 small
  4: i32 medium
  5: i64 large
  6: double real
  7: string text
  8: binary blob
  9: uuid id
  10: Color color
  11: list<i32> ints
  12: set<string> names
  13: map<string, i64> counts
  14: Inner inner
  15: list<list<Inner>> nested
  16: map<i32, list<string>> index
  17: Choice choice
  18: list<bool> flags
  19: list<double> reals
  20: map<Color, set<i16>> palette
  21: optional i32 maybe
  22: required string must
  23: list<i64> longs
  24: list<binary> blobs
  25: list<uuid> ids
  26: map<bool, double> weights
  27: list<i8> bytes
  28: list<i16> shorts
}

struct Defaults {
  1: i32 a = 5
  2: string s = "hi"
  3: list<i32> l = [1, 2]
  4: map<string, i32> m = {"x": 1}
  5: Color c = Color.GREEN
  6: i64 big = 9007199254740993
  7: bool t = true
  8: double d = 2
  9: Inner inner = {"a": 3}
  10: binary bin = "abc"
  11: optional set<string> tags = ["p"]
  12: required i32 needed = 4
}

struct Tree {
  1: string label
  2: list<Tree> children
}

struct Narrow {
  22: required string must
}
`;

export function fixtureDoc(): ThriftDocument {
  return parse(FIXTURE_IDL, { filename: 'fixture.thrift' });
}

/** A value of Everything with every field set, in the default (bigint, Map, array) mapping. */
export function everything(): Record<string, unknown> {
  return {
    flag: true,
    tiny: -5,
    small: -30000,
    medium: 2_000_000_000,
    large: -(2n ** 62n) + 3n,
    real: -1.25e-7,
    text: 'héllo wörld — 𝄞 ok',
    blob: new Uint8Array([0, 1, 2, 255]),
    id: '123e4567-e89b-12d3-a456-426614174000',
    color: 7,
    ints: [1, -1, 2147483647, -2147483648],
    names: ['a', 'b'],
    counts: new Map([['x', 1n], ['y', -(2n ** 63n)]]),
    inner: { a: 3, b: 'bee' },
    nested: [[{ a: 1 }], [], [{ a: 2 }, { a: 3, b: '' }]],
    index: new Map([[1, ['one']], [-2, []]]),
    choice: { inner: { a: 9 } },
    flags: [true, false, true],
    reals: [0, -0, 1.5, Number.MAX_VALUE, Infinity],
    palette: new Map([[1, [1, -2, 32767]]]),
    maybe: 0,
    must: 'required',
    longs: [0n, 1n, -1n, 2n ** 63n - 1n],
    blobs: [new Uint8Array([9]), new Uint8Array(0)],
    ids: ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    weights: new Map([[true, 0.5], [false, -2]]),
    bytes: [-128, 0, 127],
    shorts: [-32768, 32767, 0],
  };
}
