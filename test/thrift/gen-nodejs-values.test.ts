import Int64 from 'node-int64';
import { describe, expect, it } from 'vitest';
import { thrift } from '../../src-ts/index.js';

// The value options that give `thrift --gen js:node`'s shapes: i64 as node-int64 objects, unset
// fields null, binary as Buffer, maps as plain objects, sets as arrays.

const doc = thrift.parse(`
  struct Inner { 1: i32 n }
  struct Values {
    1: i64 big
    2: optional string name
    3: binary blob
    4: map<string, i64> counts
    5: set<i32> ids
    6: list<Inner> inners
    7: i32 withDefault = 5
    8: optional Inner inner
    9: map<i64, string> byId
  }
  union Choice { 1: string a, 2: i32 b }
`, { filename: 'values.thrift' });

const GEN_NODEJS = { i64: 'node-int64', unset: 'null', binary: 'Buffer', map: 'object', set: 'array' } as const;

describe.each(['binary', 'compact'] as const)('gen-nodejs value options, %s', (protocol) => {
  const codec = doc.codec('Values', { ...GEN_NODEJS, protocol });
  const plain = doc.codec('Values', { protocol });

  it('decodes i64 as node-int64 objects, binary as Buffer, maps as objects, unset fields as null', () => {
    const bytes = plain.encode({ big: -(2n ** 62n) - 3n, blob: new Uint8Array([1, 2, 3]), counts: new Map([['a', 2n ** 40n]]), ids: [3, 1], inners: [{ n: 1 }, {}] });
    const value = codec.decode(bytes);
    expect(value.big).toBeInstanceOf(Int64);
    expect(value.big.toOctetString()).toBe('bffffffffffffffd');
    expect(Buffer.isBuffer(value.blob)).toBe(true);
    expect([...value.blob]).toEqual([1, 2, 3]);
    expect(Object.getPrototypeOf(value.counts)).toBe(Object.prototype);
    expect(Object.keys(value.counts)).toEqual(['a']);
    expect(value.counts.a.toNumber()).toBe(2 ** 40);
    expect(value.ids).toEqual([3, 1]);
    expect(value.inners).toEqual([{ n: 1 }, { n: null }]);
    expect(value.name).toBeNull();
    expect(value.inner).toBeNull();
    expect(value.byId).toBeNull();
    expect(value.withDefault).toBe(5);
    expect(Object.keys(value)).toEqual(['big', 'name', 'blob', 'counts', 'ids', 'inners', 'withDefault', 'inner', 'byId']);
  });

  it('encodes node-int64 objects, safe numbers and bigints to the same bytes, skipping null fields', () => {
    const viaInt64 = codec.encode({ big: new Int64(0x12345, 0x6789abcd), name: null, counts: { k: new Int64(7) }, byId: { '9': 'nine' } }).slice();
    const viaBigint = plain.encode({ big: 0x123456789abcdn, counts: new Map([['k', 7n]]), byId: new Map([[9n, 'nine']]) }).slice();
    expect(Buffer.from(viaInt64).toString('hex')).toBe(Buffer.from(viaBigint).toString('hex'));
    expect(Buffer.from(codec.encode({ big: 0x123456789abcd, counts: { k: 7n }, byId: { '9': 'nine' } })).toString('hex')).toBe(Buffer.from(viaBigint).toString('hex'));
    const back = codec.decode(viaInt64);
    expect(back.big.toNumber()).toBe(0x123456789abcd);
    expect(back.byId).toEqual({ '9': 'nine' });
  });

  it('i64 map keys are exact decimal property names both ways, beyond 2^53 too', () => {
    const bytes = plain.encode({ byId: new Map([[-(2n ** 62n) - 1n, 'low'], [2n ** 53n + 1n, 'high'], [5n, 'five']]) }).slice();
    const value = codec.decode(bytes);
    expect(value.byId).toEqual({ '-4611686018427387905': 'low', '9007199254740993': 'high', '5': 'five' });
    // Objects list integer-like keys first, so compare values rather than bytes.
    expect(plain.decode(codec.encode(value).slice()).byId).toEqual(new Map([[5n, 'five'], [-(2n ** 62n) - 1n, 'low'], [2n ** 53n + 1n, 'high']]));
  });

  it('a wrong-typed i64 is an error naming the field, not a silent coercion', () => {
    expect(() => codec.encode({ big: '12' })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'Values.big' }));
    expect(() => codec.encode({ big: 2 ** 60 })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'Values.big' }));
    expect(() => codec.encode({ counts: { k: 1.5 } })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'Values.counts[0].value' }));
  });

  it('decoded node-int64 objects have the package\'s shape and 8 bytes each of their own', () => {
    const bytes = plain.encode({ big: 2n ** 60n + 5n, counts: new Map([['a', 7n], ['b', -1n]]) }).slice();
    const first = codec.decode(bytes);
    const second = codec.decode(bytes);
    expect(Object.keys(first.big)).toEqual(Object.keys(new Int64(Buffer.alloc(8), 0)));
    expect(first.big.constructor).toBe(Int64);
    first.big.setValue(1);
    first.counts.a.setValue(2);
    expect(second.big.toOctetString()).toBe('1000000000000005');
    expect([first.counts.b.toNumber(), second.counts.a.toNumber()]).toEqual([-1, 7]);
  });

  it('an i64 default is a node-int64 object of its own in every decode', () => {
    const defaults = thrift.parse('struct D { 1: i64 a = -1234567890123, 2: i32 b }').codec('D', { ...GEN_NODEJS, protocol });
    const empty = thrift.parse('struct D { 2: i32 b }').codec('D', { protocol }).encode({ b: 1 }).slice();
    const first = defaults.decode(empty);
    const second = defaults.decode(empty);
    expect(first.a).toBeInstanceOf(Int64);
    expect(first.a.toNumber()).toBe(-1234567890123);
    expect(first.a).not.toBe(second.a);
    first.a.setValue(3);
    expect(second.a.toNumber()).toBe(-1234567890123);
  });

  it('binary Buffers view the input each was decoded from, input after input, pieces included', () => {
    const inputs = [1, 2, 3].map((k) => Uint8Array.from(plain.encode({ blob: new Uint8Array([k, k, k]), inners: [] })));
    const offset = new Uint8Array(inputs[2]!.length + 5);
    offset.set(inputs[2]!, 5);
    const decoded = [...inputs, offset.subarray(5)].map((bytes) => codec.decode(bytes).blob);
    expect(decoded.map((blob) => [...blob])).toEqual([[1, 1, 1], [2, 2, 2], [3, 3, 3], [3, 3, 3]]);
    expect(decoded[3]!.buffer).toBe(offset.buffer);
    expect(decoded.every((blob) => Buffer.isBuffer(blob))).toBe(true);
  });

  it('list<i64> as node-int64 objects: every value, lists longer than a slab, each value its own bytes', () => {
    const lists = thrift.parse('struct L { 1: list<i64> values, 2: i64 one }');
    const withInt64 = lists.codec('L', { ...GEN_NODEJS, protocol });
    const values = Array.from({ length: 700 }, (_, i) => BigInt(i) * 0x1_0000_0001n - 2n ** 62n);
    const bytes = lists.codec('L', { protocol }).encode({ values, one: 5n }).slice();
    for (let round = 0; round < 3; round++) {
      const decoded = withInt64.decode(bytes);
      expect(decoded.values.map((v: Int64) => v.toOctetString())).toEqual(values.map((v) => BigInt.asUintN(64, v).toString(16).padStart(16, '0')));
      decoded.values[1].setValue(9);
      expect(decoded.values[0].toOctetString()).toBe('c000000000000000');
      expect(decoded.values[2].toOctetString()).toBe(BigInt.asUintN(64, values[2]!).toString(16).padStart(16, '0'));
      expect(decoded.one.toNumber()).toBe(5);
    }
    expect(withInt64.decode(lists.codec('L', { protocol }).encode({ values: [] }).slice()).values).toEqual([]);
  });

  it('unions decode with every other member null', () => {
    const choice = doc.codec('Choice', { ...GEN_NODEJS, protocol });
    expect(choice.decode(choice.encode({ a: null, b: 4 }))).toEqual({ a: null, b: 4 });
  });
});

it('the options are checked and cached apart', () => {
  expect(() => doc.codec('Values', { unset: 'nil' as never })).toThrow(/option unset must be one of 'absent', 'null'/);
  expect(() => doc.codec('Values', { binary: 'Blob' as never })).toThrow(/option binary must be one of/);
  expect(doc.codec('Values', GEN_NODEJS)).not.toBe(doc.codec('Values', { ...GEN_NODEJS, unset: 'absent' }));
  expect(doc.codec('Values', GEN_NODEJS).source).toContain('unset fields null, binary as Buffer');
});
