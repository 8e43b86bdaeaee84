/**
 * Kitex JSON conventions one case at a time: i64 edges, escapes, surrogate pairs, UTF-8, base64
 * variants, aliases, defaults, nulls, unknown fields, map keys; both protocols.
 */
import { describe, expect, test } from 'vitest';
import { thrift } from '../../src-ts/index.js';
import { IDL } from './fixtures.js';

const doc = thrift.parse(IDL);

describe.each(['binary', 'compact'] as const)('%s', (protocol) => {
  const order = doc.codec('Order', { protocol });
  const from = (json: string, options?: { unknownFields?: 'skip' | 'reject' }): Record<string, any> => order.decode(order.fromJSON(json, options));

  test('i64 edges are exact both ways, as numbers and as strings', () => {
    const cases: Array<[string, bigint]> = [
      ['9007199254740993', 9007199254740993n],
      ['-9007199254740993', -9007199254740993n],
      ['9223372036854775807', 9223372036854775807n],
      ['-9223372036854775808', -9223372036854775808n],
      ['4294967296', 4294967296n],
      ['-4294967296', -4294967296n],
      ['-1', -1n],
      ['0', 0n],
      ['-0', 0n],
      ['999999999999999', 999999999999999n],
      ['1000000000000000', 1000000000000000n],
    ];
    for (const [text, value] of cases) {
      expect(from(`{"id":${text}}`).id).toBe(value);
      expect(from(`{"id":"${text}"}`).id).toBe(value);
      const wire = order.encode({ id: value });
      expect(order.toJSON(wire).toString()).toBe(`{"id":${value}}`);
      expect(order.toJSON(wire, { i64: 'string' }).toString()).toBe(`{"id":"${value}"}`);
    }
  });

  test('JSON.parse would round 2^53+1; fromJSON does not', () => {
    const json = '{"id":9007199254740993}';
    expect(BigInt(JSON.parse(json).id)).toBe(9007199254740992n);
    expect(from(json).id).toBe(9007199254740993n);
  });

  test('smaller integers at their limits', () => {
    expect(from('{"small":-128,"mid":32767,"n":-2147483648}')).toMatchObject({ small: -128, mid: 32767, n: -2147483648 });
    expect(from('{"small":127,"mid":-32768,"n":2147483647}')).toMatchObject({ small: 127, mid: -32768, n: 2147483647 });
  });

  test('escapes decode to the right bytes and encode as JSON.stringify does', () => {
    const note = from('{"memo":"q\\"b\\\\s\\/ \\b\\f\\n\\r\\t \\u00e9\\u4e2d \\u0001"}').note;
    expect(note).toBe('q"b\\s/ \b\f\n\r\t é中 \u0001');
    const text = 'ctl \u0000\u0001\u001f\u007f "q" \\ / é 中文 😀 \u2028';
    const out = order.toJSON(order.encode({ note: text })).toString();
    expect(out).toBe(`{"memo":${JSON.stringify(text)}}`);
    expect(out).toContain('\\u0000\\u0001\\u001f');
  });

  test('surrogate pairs: escaped pairs and raw 4-byte UTF-8 decode to the same code point', () => {
    expect(from('{"memo":"\\ud83d\\ude00"}').note).toBe('😀');
    expect(from('{"memo":"\\uD83D\\uDE00x"}').note).toBe('😀x');
    expect(from('{"memo":"😀"}').note).toBe('😀');
    const expected = Buffer.from(order.encode({ note: '😀', withDefault: 42, label: 'none' }));
    expect(Buffer.from(order.fromJSON(Buffer.from('{"memo":"😀"}')))).toEqual(expected);
  });

  test('base64: standard, unpadded, URL-safe; written back standard and padded', () => {
    const item = doc.codec('Item', { protocol });
    for (const text of ['AQID/w==', 'AQID/w', 'AQID_w', 'AQID_w==', 'AQID\\/w==']) {
      const v = item.decode(item.fromJSON(`{"title":"t","blob":"${text}"}`));
      expect(Array.from(v.blob as Uint8Array)).toEqual([1, 2, 3, 255]);
    }
    expect(Array.from(item.decode(item.fromJSON('{"title":"t","blob":"-_8="}')).blob as Uint8Array)).toEqual([0xfb, 0xff]);
    expect(Array.from(item.decode(item.fromJSON('{"title":"t","blob":""}')).blob as Uint8Array)).toEqual([]);
    const wire = item.encode({ title: 't', blob: new Uint8Array([0xfb, 0xff]) });
    expect(item.toJSON(wire).toString()).toBe('{"title":"t","blob":"+/8="}');
  });

  test('go.tag json alias names the member; the IDL name is then unknown and skipped', () => {
    expect(from('{"memo":"a"}').note).toBe('a');
    expect(from('{"note":"a"}').note).toBeUndefined();
    expect(order.toJSON(order.encode({ note: 'a' })).toString()).toBe('{"memo":"a"}');
  });

  test('IDL defaults are written for absent fields, not for optional ones', () => {
    const v = from('{}');
    expect(v.withDefault).toBe(42);
    expect(v.label).toBe('none');
    // On the wire: the decoder fills `opt` from the IDL itself, so look at the bytes.
    expect(order.toJSON(order.fromJSON('{}')).toString()).toBe('{"withDefault":42,"label":"none"}');
    expect(from('{"withDefault":1,"label":"x"}')).toMatchObject({ withDefault: 1, label: 'x' });
  });

  test('defaults of every kind are written as encode writes the same values', () => {
    const d = thrift.parse(`
      struct Inner2 { 1: i32 x }
      struct D {
        1: list<i32> l = [1, 2]
        2: map<string, i64> m = {"a": 9007199254740993}
        3: bool b = true
        4: double d = 1.5
        5: Inner2 s = {"x": 3}
        6: i64 big = -9007199254740993
        7: i16 sm = -2
        8: binary bin = "hi"
        9: set<string> ss = ["q"]
        10: bool f = false
      }`);
    const codec = d.codec('D', { protocol });
    const full = { l: [1, 2], m: new Map([['a', 9007199254740993n]]), b: true, d: 1.5, s: { x: 3 }, big: -9007199254740993n, sm: -2, bin: Buffer.from('hi'), ss: ['q'], f: false };
    expect(Buffer.from(codec.fromJSON('{}'))).toEqual(Buffer.from(codec.encode(full)));
    // Given members first (in JSON order), then the defaults of the absent ones.
    expect(codec.toJSON(codec.fromJSON('{"sm":5}')).toString()).toBe('{"sm":5,"l":[1,2],"m":{"a":9007199254740993},"b":true,"d":1.5,"s":{"x":3},"big":-9007199254740993,"bin":"aGk=","ss":["q"],"f":false}');
  });

  test('null members count as absent', () => {
    const v = from('{"id":null,"items":null,"withDefault":null}');
    expect(v.id).toBeUndefined();
    expect(v.items).toBeUndefined();
    expect(v.withDefault).toBe(42);
  });

  test('unknown members of every JSON kind are skipped', () => {
    const v = from('{"x":{"a":[1,2.5e3,{"b":null}],"c":"\\u00e9"},"id":7,"y":[true,false],"z":-0.5}');
    expect(v.id).toBe(7n);
  });

  test('enums as integers, doubles, bools, sets, uuid', () => {
    const v = from('{"color":2,"price":-12.5e-1,"ok":true,"tags":[3,1],"uid":"00112233-4455-6677-8899-AABBCCDDEEFF","flags":[true,false,true]}');
    expect(v).toMatchObject({ color: 2, price: -1.25, ok: true, tags: [3, 1], uid: '00112233-4455-6677-8899-aabbccddeeff', flags: [true, false, true] });
    const json = order.toJSON(order.encode({ color: 2, ok: false, uid: '00112233-4455-6677-8899-aabbccddeeff' })).toString();
    expect(json).toBe('{"ok":false,"color":2,"uid":"00112233-4455-6677-8899-aabbccddeeff"}');
  });

  test('map keys: integer keys exact, string keys as they are', () => {
    const v = from('{"names":{"9223372036854775807":"max","-1":"m"},"counts":{"a b":1,"中":2,"":3}}');
    expect(v.names).toEqual(new Map([[9223372036854775807n, 'max'], [-1n, 'm']]));
    expect(v.counts).toEqual(new Map([['a b', 1], ['中', 2], ['', 3]]));
    const out = order.toJSON(order.encode({ names: new Map([[-9223372036854775808n, 'x']]) }), { i64: 'string' }).toString();
    expect(out).toBe('{"names":{"-9223372036854775808":"x"}}');
  });

  test('long lists and big maps move their Compact headers correctly', () => {
    for (const n of [0, 1, 14, 15, 16, 127, 128, 129, 300]) {
      const items = Array.from({ length: n }, (_, i) => ({ title: `t${i}` }));
      const counts = new Map(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
      const value = { items, counts, withDefault: 42, label: 'none' };
      const wire = order.encode(value);
      const json = order.toJSON(wire).toString();
      expect(Buffer.from(order.fromJSON(json))).toEqual(Buffer.from(wire));
      expect(JSON.parse(json).items.length).toBe(n);
    }
  });

  test('union with one member', () => {
    const u = doc.codec('U', { protocol });
    expect(u.decode(u.fromJSON('{"b":"x"}'))).toEqual({ b: 'x' });
    expect(u.toJSON(u.encode({ a: 3 })).toString()).toBe('{"a":3}');
  });

  test('whitespace anywhere JSON allows it', () => {
    const v = from(' \n\t{ "id" : 5 ,\r\n "items" : [ { "title" : "a" } , { "title":"b" } ] } \n');
    expect(v.id).toBe(5n);
    expect(v.items).toEqual([{ title: 'a' }, { title: 'b' }]);
  });
});

test('service argument codecs and the TApplicationException codec transcode too', () => {
  const svc = thrift.parse(`${IDL}\nservice Shop { Order get(1: i64 id, 2: list<string> tags) }`);
  const args = svc.service('Shop').method('get').args;
  const wire = args.fromJSON('{"id":"9223372036854775807","tags":["a"]}');
  expect(args.decode(wire)).toEqual({ id: 9223372036854775807n, tags: ['a'] });
  expect(args.toJSON(wire).toString()).toBe('{"id":9223372036854775807,"tags":["a"]}');
  const tae = thrift.applicationExceptionCodec();
  expect(tae.toJSON(tae.fromJSON('{"message":"boom","type":6}')).toString()).toBe('{"message":"boom","type":6}');
});

test.each(['binary', 'compact'] as const)('%s: toJSON skips wire fields the IDL does not know, of every type', (protocol) => {
  const d = thrift.parse(`
    struct Known { 1: i32 a, 9: string z }
    struct Wider {
      1: i32 a, 2: bool t, 3: bool f, 4: i64 big, 5: double d, 6: list<bool> lb, 7: map<string, list<i32>> m,
      8: Known s, 9: string z, 10: set<i64> si, 11: binary b, 12: uuid u, 13: i8 y, 14: i16 h
    }`);
  const wider = d.codec('Wider', { protocol });
  const wire = wider.encode({
    a: 1, t: true, f: false, big: -5n, d: 2.5, lb: [true, false], m: new Map([['k', [1, 2]]]),
    s: { a: 3, z: 'in' }, z: 'end', si: [7n], b: new Uint8Array([1]), u: '00112233-4455-6677-8899-aabbccddeeff', y: -1, h: 300,
  });
  expect(d.codec('Known', { protocol }).toJSON(wire).toString()).toBe('{"a":1,"z":"end"}');
  // A field whose wire type differs from the IDL's is skipped the same way.
  const other = thrift.parse('struct Known { 1: bool a, 9: string z }').codec('Known', { protocol });
  expect(other.toJSON(d.codec('Known', { protocol }).encode({ a: 5, z: 'x' })).toString()).toBe('{"z":"x"}');
  expect(d.codec('Known', { protocol }).toJSON(other.encode({ a: true, z: 'x' })).toString()).toBe('{"z":"x"}');
});
