// proto3 value mapping: presence, defaults, oneofs, maps, packed and unpacked forms, int64 forms,
// TypedArrays, unknown fields, and the errors encode reports for values of the wrong type.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeddleError, protobuf } from './helpers/heddle.js';
import { FIXTURES } from './helpers/protoc.js';
import { wire } from './helpers/wire.js';

const root = protobuf.load(join(FIXTURES, 'scalars3.proto'));
const T = 'heddle.test.v1.';

describe('proto3 decode defaults', () => {
  it('gives implicit-presence scalars their zero value, [] and {} for lists and maps', () => {
    expect(root.codec(T + 'Scalars').decode(new Uint8Array())).toEqual({
      fDouble: 0, fFloat: 0, fInt64: 0n, fUint64: 0n, fInt32: 0, fFixed64: 0n, fFixed32: 0, fBool: false,
      fString: '', fBytes: new Uint8Array(), fUint32: 0, fSfixed32: 0, fSfixed64: 0n, fSint32: 0, fSint64: 0n, fEnum: 0,
    });
    const maps = root.codec(T + 'Maps').decode(new Uint8Array());
    expect(maps.stringString).toEqual({});
    expect(root.codec(T + 'Repeated').decode(new Uint8Array()).rInt32).toEqual([]);
  });

  it('leaves message, optional and oneof fields absent when unset', () => {
    const decoded = root.codec(T + 'Presence').decode(new Uint8Array());
    for (const key of ['optInt32', 'optString', 'optEnum', 'optMessage', 'message', 'choiceInt', 'otherDouble', 'Leading']) {
      expect(decoded).not.toHaveProperty(key);
    }
    expect(decoded).toEqual({ fieldWithJson: 0, snakeCaseName2: 0 });
  });
});

describe('proto3 encode', () => {
  const scalars = root.codec(T + 'Scalars');

  it('skips implicit-presence zeros', () => {
    expect(scalars.encode({ fInt32: 0, fString: '', fBool: false, fInt64: 0n, fBytes: new Uint8Array(), fDouble: 0 })).toEqual(new Uint8Array());
  });

  it('writes -0.0, which is not a zero bit pattern', () => {
    expect(scalars.encode({ fDouble: -0 })).toEqual(wire().tag(1, 1).double(-0).build());
  });

  it('writes present optional zeros', () => {
    const bytes = root.codec(T + 'Presence').encode({ optInt32: 0, optString: '' });
    expect(bytes).toEqual(wire().tag(1, 0).varint(0).delimited(2, '').build());
    expect(root.codec(T + 'Presence').decode(bytes)).toMatchObject({ optInt32: 0, optString: '' });
  });

  it('writes fields in field-number order whatever the object key order', () => {
    const bytes = scalars.encode({ fEnum: 1, fString: 'x', fInt32: 7, fDouble: 1 });
    expect(bytes).toEqual(wire().tag(1, 1).double(1).tag(5, 0).varint(7).delimited(9, 'x').tag(16, 0).varint(1).build());
  });

  it('writes negative int32 as ten bytes, sign-extended', () => {
    expect(scalars.encode({ fInt32: -1 })).toEqual(wire().tag(5, 0).varint(-1n).build());
    expect(scalars.encode({ fInt32: -1 }).length).toBe(11);
  });

  it('zigzag-encodes sint32 and sint64', () => {
    expect(scalars.encode({ fSint32: -1, fSint64: -2n })).toEqual(wire().tag(14, 0).varint(1).tag(15, 0).varint(3).build());
  });

  it('packs repeated scalars unless [packed = false]', () => {
    const repeated = root.codec(T + 'Repeated');
    expect(repeated.encode({ rInt32: [1, 2, 300], unpackedInt32: [1, 2] })).toEqual(
      wire().delimited(5, wire().varint(1).varint(2).varint(300)).tag(17, 0).varint(1).tag(17, 0).varint(2).build(),
    );
  });
});

describe('proto3 decode', () => {
  const repeated = root.codec(T + 'Repeated');

  it('accepts packed and unpacked forms of the same field, appending in wire order', () => {
    const bytes = wire()
      .tag(5, 0).varint(1)
      .delimited(5, wire().varint(2).varint(3))
      .tag(5, 0).varint(-4n)
      .delimited(17, wire().varint(5).varint(6))
      .tag(18, 1).double(1.5)
      .delimited(18, wire().double(2.5))
      .build();
    expect(repeated.decode(bytes)).toMatchObject({ rInt32: [1, 2, 3, -4], unpackedInt32: [5, 6], unpackedDouble: [1.5, 2.5] });
  });

  it('keeps the last oneof member set', () => {
    const presence = root.codec(T + 'Presence');
    const bytes = wire().tag(6, 0).varint(5).delimited(7, 'text').build();
    const decoded = presence.decode(bytes);
    expect(decoded.choiceString).toBe('text');
    expect(decoded).not.toHaveProperty('choiceInt');
  });

  it('merges a message field that appears twice', () => {
    const presence = root.codec(T + 'Presence');
    const bytes = wire().delimited(5, wire().tag(5, 0).varint(1)).delimited(5, wire().delimited(9, 'b')).build();
    expect(presence.decode(bytes).message).toMatchObject({ fInt32: 1, fString: 'b' });
  });

  it('keeps unknown numbers of open enums', () => {
    expect(root.codec(T + 'Scalars').decode(wire().tag(16, 0).varint(99).build()).fEnum).toBe(99);
  });

  it('skips unknown fields of every wire type by default', () => {
    const bytes = wire()
      .tag(100, 0).varint(123456789)
      .tag(101, 1).fixed64(1n)
      .delimited(102, 'skip me')
      .tag(103, 3).tag(1, 0).varint(1).tag(103, 4)
      .tag(104, 5).fixed32(7)
      .tag(5, 0).varint(42)
      .build();
    expect(root.codec(T + 'Scalars').decode(bytes).fInt32).toBe(42);
  });

  it('decodes a field with an unexpected wire type as unknown', () => {
    expect(root.codec(T + 'Scalars').decode(wire().tag(5, 1).fixed64(9n).build()).fInt32).toBe(0);
  });
});

describe('maps', () => {
  const maps = root.codec(T + 'Maps');

  it('use plain objects with keys in string form for every key type', () => {
    const value = {
      stringString: { a: 'b', '': 'empty' },
      int32Int64: { '-5': 10n, '7': -1n },
      int64String: { '-9223372036854775808': 'min', '9223372036854775807': 'max' },
      uint32Bool: { '4294967295': true },
      uint64Double: { '18446744073709551615': 0.5 },
      sint32Float: { '-1': 1.5 },
      sint64Bytes: { '-2': new Uint8Array([1]) },
      fixed32Enum: { '3': 2 },
      fixed64Message: { '1': { fInt32: 1 } },
      sfixed32Sfixed64: { '-3': -4n },
      boolUint32: { true: 1, false: 0 },
      recursive: { inner: { stringString: { x: 'y' } } },
    };
    const decoded = maps.decode(maps.encode(value));
    expect(decoded.int64String).toEqual(value.int64String);
    expect(decoded.boolUint32).toEqual({ true: 1, false: 0 });
    expect(decoded.fixed64Message['1']).toMatchObject({ fInt32: 1, fString: '' });
    expect((decoded.recursive as Record<string, { stringString: unknown }>).inner!.stringString).toEqual({ x: 'y' });
    expect(decoded.sint64Bytes).toEqual({ '-2': new Uint8Array([1]) });
  });

  it('default a missing key or value to its zero value', () => {
    const entry = wire().delimited(2, wire().tag(2, 0).varint(5)).build();
    expect(maps.decode(entry).int32Int64).toEqual({ '0': 5n });
  });

  it('store a __proto__ key as an own property', () => {
    const decoded = maps.decode(wire().delimited(1, wire().delimited(1, '__proto__').delimited(2, 'v')).build());
    expect(Object.getPrototypeOf(decoded.stringString)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded.stringString, '__proto__')?.value).toBe('v');
  });

  it('reject keys that are not in the key type', () => {
    expect(() => maps.encode({ int32Int64: { abc: 1n } })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'int32Int64["abc"]' }));
    expect(() => maps.encode({ boolUint32: { yes: 1 } })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE' }));
  });
});

describe('int64 forms', () => {
  const bytes = wire().tag(3, 0).varint(-5n).tag(4, 0).varint(2n ** 64n - 1n).tag(6, 1).fixed64(7n).build();

  it('decode as bigint by default, or as strings', () => {
    expect(root.codec(T + 'Scalars').decode(bytes)).toMatchObject({ fInt64: -5n, fUint64: 2n ** 64n - 1n, fFixed64: 7n });
    expect(root.codec(T + 'Scalars', { int64: 'string' }).decode(bytes)).toMatchObject({ fInt64: '-5', fUint64: '18446744073709551615', fFixed64: '7' });
  });

  it('decode as numbers, failing with ERR_BAD_VALUE when a value is not safe', () => {
    const numbers = root.codec(T + 'Scalars', { int64: 'number' });
    expect(numbers.decode(wire().tag(3, 0).varint(-5n).build()).fInt64).toBe(-5);
    expect(() => numbers.decode(bytes)).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'fUint64' }));
  });

  it('encode from bigint, safe numbers and decimal strings alike', () => {
    const codec = root.codec(T + 'Scalars');
    const expected = codec.encode({ fInt64: -5n, fUint64: 2n ** 64n - 1n, fFixed64: 7n });
    expect(codec.encode({ fInt64: -5, fUint64: '18446744073709551615', fFixed64: 7 })).toEqual(expected);
    expect(() => codec.encode({ fInt64: 2 ** 60 })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'fInt64' }));
    expect(() => codec.encode({ fUint64: -1n })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE' }));
    expect(() => codec.encode({ fInt64: 2n ** 63n })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE' }));
  });

  it('skip zero in each form, as implicit presence does, and write every other value', () => {
    const codec = root.codec(T + 'Scalars');
    for (const zero of [0n, 0, '0']) expect(codec.encode({ fInt64: zero, fUint64: zero, fSint64: zero, fFixed64: zero })).toEqual(new Uint8Array());
    expect(codec.encode({ fInt64: 1n })).toEqual(wire().tag(3, 0).varint(1n).build());
    expect(codec.encode({ fInt64: '-1' })).toEqual(wire().tag(3, 0).varint(-1n).build());
  });
});

describe('codec options', () => {
  it('keepCase uses .proto field names', () => {
    const codec = root.codec(T + 'Presence', { keepCase: true });
    const decoded = codec.decode(codec.encode({ opt_int32: 3, snake_case_name_2: 4, _leading: 5n }));
    expect(decoded).toEqual({ opt_int32: 3, field_with_json: 0, snake_case_name_2: 4, _leading: 5n });
  });

  it('names fields by protoc json_name rules, not by the json_name option', () => {
    expect(root.codec(T + 'Presence').decode(new Uint8Array())).toHaveProperty('fieldWithJson');
  });

  it('typedArrays decodes numeric lists into TypedArrays and encodes either form alike', () => {
    const typed = root.codec(T + 'Repeated', { typedArrays: true });
    const plain = root.codec(T + 'Repeated');
    const value = {
      rDouble: [1.5, -2], rFloat: [0.5], rInt64: [-1n, 2n], rUint64: [2n ** 64n - 1n], rInt32: [-3, 4], rFixed64: [5n],
      rFixed32: [4294967295], rUint32: [4294967295], rSfixed32: [-7], rSfixed64: [-8n], rSint32: [-9], rSint64: [-10n],
      unpackedInt32: [1, 2], unpackedDouble: [3],
    };
    const bytes = plain.encode(value);
    const decoded = typed.decode(bytes);
    expect(decoded.rDouble).toEqual(new Float64Array([1.5, -2]));
    expect(decoded.rFloat).toEqual(new Float32Array([0.5]));
    expect(decoded.rInt64).toEqual(new BigInt64Array([-1n, 2n]));
    expect(decoded.rUint64).toEqual(new BigUint64Array([2n ** 64n - 1n]));
    expect(decoded.rInt32).toEqual(new Int32Array([-3, 4]));
    expect(decoded.rUint32).toEqual(new Uint32Array([4294967295]));
    expect(decoded.rFixed32).toEqual(new Uint32Array([4294967295]));
    expect(decoded.rSint64).toEqual(new BigInt64Array([-10n]));
    expect(decoded.unpackedInt32).toEqual(new Int32Array([1, 2]));
    expect(decoded.rBool).toEqual([]);
    expect(typed.encode(decoded)).toEqual(bytes);
  });

  it('keepUnknown keeps unknown fields and writes them back after the known ones', () => {
    const codec = root.codec(T + 'Scalars', { keepUnknown: true });
    const bytes = wire().tag(5, 0).varint(1).delimited(99, 'future').tag(100, 5).fixed32(3).build();
    const decoded = codec.decode(bytes);
    expect(decoded.$unknown).toEqual([wire().delimited(99, 'future').build(), wire().tag(100, 5).fixed32(3).build()]);
    expect(codec.encode(decoded)).toEqual(bytes);
  });

  it('maxDepth bounds nesting', () => {
    const shallow = root.codec(T + 'Outer', { maxDepth: 2 });
    const deep = wire().delimited(1, wire().delimited(1, wire().tag(1, 0).varint(1))).build();
    expect(() => shallow.decode(deep)).toThrow(expect.objectContaining({ code: 'ERR_DEPTH_LIMIT', path: 'middle.inner' }));
    expect(root.codec(T + 'Outer', { maxDepth: 3 }).decode(deep)).toMatchObject({ middle: { inner: { value: 1 } } });
  });

  it('codecs are cached per type and options', () => {
    expect(root.codec(T + 'Scalars')).toBe(root.codec(T + 'Scalars', {}));
    expect(root.codec(T + 'Scalars')).not.toBe(root.codec(T + 'Scalars', { keepCase: true }));
  });

  it('rejects bad options and unknown types', () => {
    expect(() => root.codec(T + 'Scalars', { int64: 'long' as 'bigint' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => root.codec(T + 'Nope')).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_TYPE' }));
  });
});

describe('encode errors name the field', () => {
  const repeated = root.codec(T + 'Repeated');

  it.each([
    [{ rInt32: [1, 2.5] }, 'rInt32[1]'],
    [{ rString: ['a', 3] }, 'rString[1]'],
    [{ rMessage: [{}, { fInt32: 'x' }] }, 'rMessage[1].fInt32'],
    [{ rBool: [1] }, 'rBool[0]'],
    [{ rDouble: 5 }, 'rDouble'],
    [{ rBytes: ['abc'] }, 'rBytes[0]'],
    [{ rUint32: [-1] }, 'rUint32[0]'],
  ])('%j fails at %s', (value, path) => {
    expect(() => repeated.encode(value)).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path }));
  });

  it('rejects two members of one oneof', () => {
    expect(() => root.codec(T + 'Presence').encode({ choiceInt: 1, choiceString: 'x' }))
      .toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE' }));
  });

  it('rejects lone surrogates, which UTF-8 cannot carry', () => {
    expect(() => root.codec(T + 'Scalars').encode({ fString: 'a\ud800b' })).toThrow(HeddleError);
    expect(() => root.codec(T + 'Scalars').encode({ fString: 'x'.repeat(100) + '\udc00' })).toThrow(HeddleError);
  });

  it('rejects a non-object value', () => {
    expect(() => repeated.encode(null as unknown as Record<string, unknown>)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('strings', () => {
  it('round-trip every length class and non-ASCII text', () => {
    const codec = root.codec(T + 'Scalars');
    for (const text of ['', 'a', 'é', '€', '😀', 'x'.repeat(42), 'é'.repeat(43), 'mixed ascii and ünïcødé 😀'.repeat(20)]) {
      expect(codec.decode(codec.encode({ fString: text })).fString).toBe(text);
    }
  });

  it('proto3 strings must be valid UTF-8', () => {
    const bad = wire().tag(9, 2).varint(2).raw(0xc3, 0x28).build();
    expect(() => root.codec(T + 'Scalars').decode(bad)).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'fString', offset: 2 }));
  });
});
