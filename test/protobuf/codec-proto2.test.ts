// proto2: required fields, defaults, groups, extensions, closed enums and lenient strings.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { protobuf } from './helpers/heddle.js';
import { FIXTURES } from './helpers/protoc.js';
import { wire } from './helpers/wire.js';

const root = protobuf.load(join(FIXTURES, 'features2.proto'));
const T = 'heddle.test.v2.';

describe('required fields', () => {
  const required = root.codec(T + 'Required');

  it('must be present on decode', () => {
    const bytes = wire().tag(1, 0).varint(1).delimited(2, 'n').tag(5, 0).varint(1).delimited(3, wire().tag(1, 0).varint(2)).build();
    expect(() => required.decode(bytes)).toThrow(expect.objectContaining({ code: 'ERR_REQUIRED_FIELD', path: 'child.name' }));
  });

  it('must be set on encode', () => {
    expect(() => required.encode({ id: 1, name: 'a', color: 1, children: [{ id: 2, color: 1 }] }))
      .toThrow(expect.objectContaining({ code: 'ERR_REQUIRED_FIELD', path: 'children[0].name' }));
  });

  it('round-trip when present', () => {
    const value = { id: 1, name: 'a', color: 2, children: [{ id: 2, name: 'b', color: -7, children: [] }] };
    expect(required.decode(required.encode(value))).toEqual(value);
  });
});

describe('defaults', () => {
  const defaults = root.codec(T + 'Defaults');
  const decoded = defaults.decode(new Uint8Array());

  it('read as the declared default when the field is absent', () => {
    expect(decoded.dInt32).toBe(-42);
    expect(decoded.dInt64).toBe(-(2n ** 63n));
    expect(decoded.dUint32).toBe(4294967295);
    expect(decoded.dUint64).toBe(2n ** 64n - 1n);
    expect(decoded.dSint32).toBe(15);
    expect(decoded.dFloat).toBe(Math.fround(3.14159265));
    expect(decoded.dDouble).toBe(-1.5e-300);
    expect(decoded.dFloatInf).toBe(Infinity);
    expect(decoded.dDoubleNinf).toBe(-Infinity);
    expect(decoded.dDoubleNan).toBeNaN();
    expect(decoded.dBool).toBe(true);
    expect(decoded.dString).toBe('café "quoted" Aé');
    expect(decoded.dBytes).toEqual(new Uint8Array([0, 1, 0xff, 97, 98, 99, 10, 9, 39, 34]));
    expect(decoded.dEnum).toBe(-7);
  });

  it('are not own properties, so they are not written back', () => {
    expect(Object.keys(decoded)).toEqual([]);
    expect(defaults.encode(decoded)).toEqual(new Uint8Array());
  });

  it('are replaced by what is on the wire, and an explicit default value is written', () => {
    const bytes = wire().tag(1, 0).varint(-42n).build();
    const withValue = defaults.decode(bytes);
    expect(Object.keys(withValue)).toEqual(['dInt32']);
    expect(defaults.encode(withValue)).toEqual(bytes);
  });

  it('follow the int64 option', () => {
    expect(root.codec(T + 'Defaults', { int64: 'string' }).decode(new Uint8Array()).dInt64).toBe('-9223372036854775808');
  });
});

describe('groups', () => {
  const groups = root.codec(T + 'Groups');

  it('encode between start and end tags and decode back', () => {
    const value = {
      header: { version: 2, source: 'x' },
      item: [{ sku: 1n, detail: { note: 'n' } }, { sku: 2n }],
      circle: { radius: 1.5 },
      colors: [], packedColors: [], unpacked: [], packed: [],
    };
    const bytes = groups.encode(value);
    expect(bytes.subarray(0, 2)).toEqual(new Uint8Array([(1 << 3) | 3, (1 << 3) | 0]));
    expect(groups.decode(bytes)).toEqual(value);
  });

  it('fail on a mismatched end-group tag', () => {
    const bytes = wire().tag(1, 3).tag(1, 0).varint(1).tag(2, 4).build();
    expect(() => groups.decode(bytes)).toThrow(expect.objectContaining({ code: 'ERR_BAD_TYPE' }));
  });

  it('fail when the input ends inside a group', () => {
    const bytes = wire().tag(1, 3).tag(1, 0).varint(1).build();
    expect(() => groups.decode(bytes)).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED', path: 'header' }));
  });

  it('are skipped whole when unknown, nested groups included', () => {
    const bytes = wire().tag(50, 3).tag(51, 3).tag(1, 0).varint(1).tag(51, 4).tag(50, 4).tag(13, 0).varint(2).build();
    expect(groups.decode(bytes).color).toBe(2);
  });

  it('is a oneof member like any other field', () => {
    const decoded = groups.decode(wire().tag(6, 3).tag(7, 1).double(2).tag(6, 4).tag(8, 0).varint(3).build());
    expect(decoded.side).toBe(3);
    expect(decoded).not.toHaveProperty('circle');
  });
});

describe('closed enums', () => {
  it('drop unknown numbers by default', () => {
    const decoded = root.codec(T + 'Groups').decode(wire().tag(13, 0).varint(5).tag(9, 0).varint(1).tag(9, 0).varint(6).build());
    expect(decoded).not.toHaveProperty('color');
    expect(decoded.colors).toEqual([1]);
  });

  it('keep unknown numbers among unknown fields with keepUnknown, and write them back', () => {
    const codec = root.codec(T + 'Groups', { keepUnknown: true });
    const bytes = wire().tag(9, 0).varint(1).tag(9, 0).varint(6).tag(13, 0).varint(5).build();
    const decoded = codec.decode(bytes);
    expect(decoded.colors).toEqual([1]);
    expect(codec.encode(decoded)).toEqual(wire().tag(9, 0).varint(1).tag(9, 0).varint(6).tag(13, 0).varint(5).build());
  });

  it('reject numbers their enum does not define on encode', () => {
    expect(() => root.codec(T + 'Groups').encode({ color: 4 })).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'color' }));
  });

  it('proto2 repeated fields are unpacked unless [packed = true], and either form decodes', () => {
    const codec = root.codec(T + 'Groups');
    expect(codec.encode({ unpacked: [1, 2], packed: [3, 4] })).toEqual(
      wire().tag(11, 0).varint(1).tag(11, 0).varint(2).delimited(12, wire().varint(3).varint(4)).build(),
    );
    expect(codec.decode(wire().delimited(11, wire().varint(7)).tag(12, 0).varint(8).build())).toMatchObject({ unpacked: [7], packed: [8] });
  });
});

describe('extensions', () => {
  const extendable = root.codec(T + 'Extendable');

  it('are properties named [full.name] and round-trip in field-number order', () => {
    const value = {
      base: 1,
      '[heddle.test.v2.top_ext]': -5n,
      '[heddle.test.v2.Container.nested_ext]': 'n',
      '[heddle.test.v2.Container.repeated_ext]': [1, 2],
      '[heddle.test.v2.Container.message_ext]': { x: 3 },
      '[heddle.test.v2.groupext]': { a: 4 },
      '[heddle.test.v2.enum_ext]': 2,
    };
    const bytes = extendable.encode(value);
    expect(extendable.decode(bytes)).toEqual(value);
    expect(bytes[0]).toBe(8);
    expect(bytes[2]).toBe(0xa0);
  });

  it('take their defaults like fields', () => {
    expect(extendable.decode(new Uint8Array())['[heddle.test.v2.enum_ext]']).toBe(2);
  });
});

describe('proto2 strings', () => {
  it('may hold invalid UTF-8, decoded with replacement characters', () => {
    const bytes = wire().delimited(2, new Uint8Array([0x61, 0xff, 0x62])).tag(1, 0).varint(1).tag(5, 0).varint(1).build();
    expect(root.codec(T + 'Required').decode(bytes).name).toBe('a\ufffdb');
  });
});
