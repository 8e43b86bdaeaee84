// Every bad-input path of the ProtoJSON transcoders: the error code, the byte offset (of the JSON
// body, or of the wire bytes) and the field path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeddleError } from '../protobuf/helpers/heddle.js';
import { compileEdge, compileProto2 } from './proto-json-fixtures.js';

const { root } = compileEdge();
const codec = root.codec('pj.Edge');

/** Asserts fromJSON(json) fails with `code` at the offset of `marker`'s first occurrence (plus `shift`) and `path`. */
function rejects(json: string, code: string, marker: string, path: string | undefined, shift = 0): void {
  const offset = json.indexOf(marker) + shift;
  expect(json.indexOf(marker)).toBeGreaterThanOrEqual(0);
  let error: unknown;
  try {
    codec.fromJSON(json);
  } catch (e) {
    error = e;
  }
  expect(error).toMatchObject({ name: 'HeddleError', code, offset });
  expect((error as { path?: string }).path).toBe(path);
}

describe('fromJSON: malformed JSON', () => {
  it('truncated bodies, bad tokens, trailing data', () => {
    rejects('{"i32":1', 'ERR_TRUNCATED', '1', undefined, 1);
    rejects('{"text":"abc', 'ERR_TRUNCATED', 'abc', 'text', 3);
    rejects('{"i32":1,}', 'ERR_BAD_VALUE', '}', undefined);
    rejects('{"i32":tru}', 'ERR_BAD_VALUE', 'tru', 'i32');
    rejects('{"i32":1} x', 'ERR_BAD_VALUE', 'x', undefined);
    rejects('{"i32" 1}', 'ERR_BAD_VALUE', '1', undefined);
    rejects('[1]', 'ERR_BAD_VALUE', '[', undefined);
    rejects('{"text":"a\u0001"}', 'ERR_BAD_VALUE', '\u0001', 'text');
    rejects('{"text":"\\q"}', 'ERR_BAD_VALUE', '\\q', 'text');
    rejects('{"text":"\\ud800"}', 'ERR_BAD_VALUE', '\\ud800', 'text');
    rejects('{"i32":01}', 'ERR_BAD_VALUE', '1}', undefined);
  });

  it('nesting beyond the depth limit', () => {
    const deep = `{"inner":${'{"child":'.repeat(70)}{}${'}'.repeat(71)}`;
    expect(() => codec.fromJSON(deep)).toThrow(expect.objectContaining({ code: 'ERR_DEPTH_LIMIT' }));
    const deepValue = `{"val":${'['.repeat(70)}${']'.repeat(70)}}`;
    expect(() => codec.fromJSON(deepValue)).toThrow(expect.objectContaining({ code: 'ERR_DEPTH_LIMIT' }));
  });

  it('a body that is not bytes or a string, and bad options', () => {
    expect(() => codec.fromJSON(42 as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => codec.fromJSON('{}', { ignoreUnknownFields: 'yes' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => codec.toJSON('{}' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => codec.toJSON(new Uint8Array(0), { emitDefaultValues: 1 as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('fromJSON: fields', () => {
  it('unknown, duplicate and doubly set oneof members', () => {
    rejects('{"i32":1,"zzz":2}', 'ERR_BAD_VALUE', '"zzz"', undefined);
    rejects('{"inner":{"nam":"x"}}', 'ERR_BAD_VALUE', '"nam"', 'inner');
    rejects('{"i32":1,"i32":2}', 'ERR_BAD_VALUE', '"i32":2', undefined);
    rejects('{"jsonNamed":"a","customName":"b"}', 'ERR_BAD_VALUE', '"jsonNamed"', undefined);
    rejects('{"json_named":"a","customName":"b"}', 'ERR_BAD_VALUE', '"customName"', undefined);
    rejects('{"pickText":"a","pickInner":{}}', 'ERR_BAD_VALUE', '"pickInner"', 'pickInner');
  });

  it('values of the wrong JSON type', () => {
    rejects('{"flag":"true"}', 'ERR_BAD_VALUE', '"true"', 'flag');
    rejects('{"text":1}', 'ERR_BAD_VALUE', '1', 'text');
    rejects('{"i32":true}', 'ERR_BAD_VALUE', 'true', 'i32');
    rejects('{"i64":[1]}', 'ERR_BAD_VALUE', '[1]', 'i64');
    rejects('{"db":{}}', 'ERR_BAD_VALUE', '{}', 'db');
    rejects('{"data":7}', 'ERR_BAD_VALUE', '7', 'data');
    rejects('{"inner":"x"}', 'ERR_BAD_VALUE', '"x"', 'inner');
    rejects('{"ids":"1"}', 'ERR_BAD_VALUE', '"1"', 'ids');
    rejects('{"byName":[]}', 'ERR_BAD_VALUE', '[]', 'byName');
    rejects('{"color":true}', 'ERR_BAD_VALUE', 'true', 'color');
  });

  it('integers out of range or not whole', () => {
    rejects('{"i32":2147483648}', 'ERR_BAD_VALUE', '2147483648', 'i32');
    rejects('{"u32":-1}', 'ERR_BAD_VALUE', '-1', 'u32');
    rejects('{"i64":"9223372036854775808"}', 'ERR_BAD_VALUE', '"9223', 'i64');
    rejects('{"u64":"18446744073709551616"}', 'ERR_BAD_VALUE', '"1844', 'u64');
    rejects('{"u64":-1}', 'ERR_BAD_VALUE', '-1', 'u64');
    rejects('{"s64":1.5}', 'ERR_BAD_VALUE', '1.5', 's64');
    rejects('{"i64":"1e"}', 'ERR_BAD_VALUE', '"1e"', 'i64');
    rejects('{"ids":["1","x"]}', 'ERR_BAD_VALUE', '"x"', 'ids[1]');
    rejects('{"i32":1e400}', 'ERR_BAD_VALUE', '1e400', 'i32');
  });

  it('floats out of range, and bad float strings', () => {
    rejects('{"fl":3.5e38}', 'ERR_BAD_VALUE', '}', 'fl', -1);
    rejects('{"db":1e400}', 'ERR_BAD_VALUE', '1e400', 'db');
    rejects('{"db":"inf"}', 'ERR_BAD_VALUE', '"inf"', 'db');
    rejects('{"db":""}', 'ERR_BAD_VALUE', '""', 'db');
  });

  it('bad base64', () => {
    rejects('{"data":"AB*D"}', 'ERR_BAD_VALUE', '*', 'data');
    rejects('{"data":"A"}', 'ERR_BAD_VALUE', 'A"', 'data');
    rejects('{"data":"AB=C"}', 'ERR_BAD_VALUE', '=C', 'data');
  });

  it('enum names and numbers that are not values', () => {
    rejects('{"color":"BLUE"}', 'ERR_BAD_VALUE', '"BLUE"', 'color');
    rejects('{"colors":["RED","BLUE"]}', 'ERR_BAD_VALUE', '"BLUE"', 'colors[1]');
    rejects('{"color":2147483648}', 'ERR_BAD_VALUE', '2147483648', 'color');
    const p2 = compileProto2();
    expect(() => p2.root.codec('pj2.Req').fromJSON('{"id":1,"c":3}')).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', offset: 12, path: 'c' }));
  });

  it('null inside lists and as map values', () => {
    rejects('{"ids":[1,null]}', 'ERR_BAD_VALUE', 'null', 'ids[1]');
    rejects('{"items":[null]}', 'ERR_BAD_VALUE', 'null', 'items[0]');
    rejects('{"byName":{"a":null}}', 'ERR_BAD_VALUE', 'null', 'byName[a]');
  });

  it('bad and duplicate map keys', () => {
    rejects('{"byFlag":{"yes":1}}', 'ERR_BAD_VALUE', '"yes"', 'byFlag[yes]');
    rejects('{"byId":{"1.5":"x"}}', 'ERR_BAD_VALUE', '"1.5"', 'byId[1.5]');
    rejects('{"byNum":{"-1":"RED"}}', 'ERR_BAD_VALUE', '"-1"', 'byNum[-1]');
    rejects('{"byId":{"1":"a","01":"b"}}', 'ERR_BAD_VALUE', '"01"', 'byId[01]');
    rejects('{"byName":{"a":{},"a":{}}}', 'ERR_BAD_VALUE', '"a":{}}', 'byName[a]');
    rejects('{"byName":{"a":{"name":1}}}', 'ERR_BAD_VALUE', '1', 'byName[a].name');
  });

  it('a missing proto2 required field', () => {
    const p2 = compileProto2();
    expect(() => p2.root.codec('pj2.Req').fromJSON('{"s":"x"}')).toThrow(expect.objectContaining({ code: 'ERR_REQUIRED_FIELD', offset: 8 }));
  });
});

describe('fromJSON: well-known types', () => {
  it('Timestamp and Duration text and range', () => {
    rejects('{"ts":"2024-01-01"}', 'ERR_BAD_VALUE', '"2024', 'ts');
    rejects('{"ts":"10000-01-01T00:00:00Z"}', 'ERR_BAD_VALUE', '"1000', 'ts');
    rejects('{"ts":"0000-12-31T23:59:59Z"}', 'ERR_BAD_VALUE', '"0000', 'ts');
    rejects('{"ts":1}', 'ERR_BAD_VALUE', '1', 'ts');
    rejects('{"dur":"1.5"}', 'ERR_BAD_VALUE', '"1.5"', 'dur');
    rejects('{"dur":"315576000001s"}', 'ERR_BAD_VALUE', '"3155', 'dur');
    rejects('{"dur":"1.0000000001s"}', 'ERR_BAD_VALUE', '"1.0', 'dur');
  });

  it('FieldMask, Struct, ListValue and wrappers', () => {
    rejects('{"mask":"a_b"}', 'ERR_BAD_VALUE', '"a_b"', 'mask');
    rejects('{"st":[1]}', 'ERR_BAD_VALUE', '[1]', 'st');
    rejects('{"st":{"a":1,"a":2}}', 'ERR_BAD_VALUE', '"a":2', 'st[a]');
    rejects('{"list":{}}', 'ERR_BAD_VALUE', '{}', 'list');
    rejects('{"val":[1,{"x":tru}]}', 'ERR_BAD_VALUE', 'tru', 'val[1][x]', 3);
    rejects('{"wInt64":"x"}', 'ERR_BAD_VALUE', '"x"', 'wInt64');
    rejects('{"wBool":{"value":true}}', 'ERR_BAD_VALUE', '{"value"', 'wBool');
  });

  it('Any without "@type", with an unknown type, or a well-known type without "value"', () => {
    rejects('{"any":{"name":"x"}}', 'ERR_BAD_VALUE', '{"name"', 'any');
    rejects('{"any":{"@type":""}}', 'ERR_BAD_VALUE', '{"@type"', 'any');
    rejects('{"any":{"@type":"type.googleapis.com/pj.Nope"}}', 'ERR_UNKNOWN_TYPE', '"type.', 'any');
    rejects('{"any":{"@type":"x/google.protobuf.Duration","seconds":1}}', 'ERR_BAD_VALUE', '{"@type"', 'any.@google.protobuf.Duration');
    rejects('{"any":{"@type":"x/pj.Inner","nam":"y"}}', 'ERR_BAD_VALUE', '"nam"', 'any.@pj.Inner');
    rejects('{"any":{"@type":"x/google.protobuf.Duration","value":"1s","extra":1}}', 'ERR_BAD_VALUE', '"extra"', 'any.@google.protobuf.Duration');
  });
});

describe('toJSON: bad wire bytes and values with no JSON form', () => {
  /** Asserts toJSON(bytes) fails with `code` at `offset` and `path`. */
  function wireRejects(bytes: number[], code: string, offset: number, path: string | undefined): void {
    let error: unknown;
    try {
      codec.toJSON(Uint8Array.from(bytes));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'HeddleError', code, offset });
    expect((error as { path?: string }).path).toBe(path);
  }

  it('truncation, bad wire types, field number 0, overlong varints', () => {
    wireRejects([0x08], 'ERR_TRUNCATED', 1, undefined);
    wireRejects([0x72, 0x05, 0x61], 'ERR_TRUNCATED', 1, undefined);
    wireRejects([0x0a, 0x00], 'ERR_BAD_TYPE', 0, undefined);
    wireRejects([0x00, 0x00], 'ERR_BAD_TYPE', 0, undefined);
    wireRejects([0x0f], 'ERR_BAD_TYPE', 0, undefined);
    wireRejects([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 'ERR_BAD_VALUE', 1, undefined);
    wireRejects([0xd2, 0x01, 0x03, 0x0a, 0x05, 0x61], 'ERR_TRUNCATED', 4, 'inner');
    wireRejects([0x8a, 0x01, 0x02, 0x01, 0x80], 'ERR_TRUNCATED', 5, 'ids');
    wireRejects([0x3d, 0x01, 0x02], 'ERR_TRUNCATED', 1, undefined);
  });

  it('invalid UTF-8 in a proto3 string, and in a map key', () => {
    wireRejects([0x72, 0x02, 0x61, 0xff], 'ERR_BAD_VALUE', 3, 'text');
    wireRejects([0xaa, 0x01, 0x03, 0x0a, 0x01, 0xc3], 'ERR_BAD_VALUE', 5, 'byName');
  });

  it('nesting beyond the depth limit', () => {
    let bytes = Uint8Array.from([]);
    for (let i = 0; i < 70; i++) bytes = Uint8Array.from([0x1a, bytes.length, ...bytes]);
    const inner = root.codec('pj.Inner');
    expect(() => inner.toJSON(Buffer.from(bytes.subarray(0, 120)))).toThrow(expect.objectContaining({ code: expect.stringMatching(/ERR_DEPTH_LIMIT|ERR_TRUNCATED/) }));
    let deep: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 70; i++) {
      const prefix = deep.length < 128 ? [0x1a, deep.length] : [0x1a, (deep.length & 0x7f) | 0x80, deep.length >> 7];
      deep = Uint8Array.from([...prefix, ...deep]);
    }
    expect(() => inner.toJSON(deep)).toThrow(expect.objectContaining({ code: 'ERR_DEPTH_LIMIT', path: 'child.'.repeat(64).slice(0, -1) }));
  });

  it('an Any whose type URL names no type of the root', () => {
    const url = Buffer.from('x/pj.Nope');
    wireRejects([0xa2, 0x02, url.length + 2, 0x0a, url.length, ...url], 'ERR_UNKNOWN_TYPE', 5, 'any');
  });
});

describe('damaged input fails only with HeddleErrors', () => {
  const good = '{"i64":"9007199254740993","text":"中文\\n","data":"AQID","colors":["RED",2],"items":[{"name":"x","ids":["1"],"child":{}}],' +
    '"byName":{"k":{"name":"v"}},"byId":{"-5":"n"},"ts":"2024-01-01T00:00:00.5Z","dur":"1.5s","st":{"a":[1,null,{"b":true}]},' +
    '"any":{"@type":"x/pj.Inner","name":"q"},"wInt64":"7","mask":"a.bC","pickText":"p","fl":"NaN"}';
  const wire = codec.fromJSON(good);

  it('fromJSON of mutated bodies', () => {
    fc.assert(fc.property(fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), how: fc.constantFrom('set', 'cut', 'insert') }), { minLength: 1, maxLength: 4 }), (edits) => {
      const body = Array.from(Buffer.from(good));
      for (const e of edits) {
        const at = body.length === 0 ? 0 : e.at % body.length;
        if (e.how === 'set') body[at] = e.byte;
        else if (e.how === 'cut') body.length = at;
        else body.splice(at, 0, e.byte);
      }
      try {
        const bytes = codec.fromJSON(Uint8Array.from(body));
        // What it accepts is a message toJSON can render (or reject as a HeddleError).
        codec.toJSON(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(HeddleError);
      }
    }), { numRuns: 3000 });
  });

  it('toJSON of mutated wire bytes', () => {
    fc.assert(fc.property(fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), how: fc.constantFrom('set', 'cut', 'insert') }), { minLength: 1, maxLength: 4 }), (edits) => {
      const bytes = Array.from(wire);
      for (const e of edits) {
        const at = bytes.length === 0 ? 0 : e.at % bytes.length;
        if (e.how === 'set') bytes[at] = e.byte;
        else if (e.how === 'cut') bytes.length = at;
        else bytes.splice(at, 0, e.byte);
      }
      try {
        codec.toJSON(Uint8Array.from(bytes));
      } catch (error) {
        expect(error).toBeInstanceOf(HeddleError);
      }
    }), { numRuns: 3000 });
  });
});
