// ProtoJSON edge cases against @bufbuild/protobuf: well-known types (random and at their range
// limits), 64-bit integer limits, float specials, escapes and surrogate pairs, base64 variants,
// null, enums, maps of every key kind, oneofs, unknown members, proto2 presence.
import { create, equals, fromBinary, fromJsonString, toBinary, toJsonString, type DescMessage, type Registry } from '@bufbuild/protobuf';
import { DurationSchema, TimestampSchema } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEdge, compileProto2 } from './proto-json-fixtures.js';

const { root, registry, edge } = compileEdge();
const codec = root.codec('pj.Edge');

/** fromJSON and fromJsonString agree on `json` (same message, or both reject); returns heddle's bytes. */
function sameRead(json: string, desc: DescMessage = edge, reg: Registry = registry, c = codec): Uint8Array | undefined {
  let theirs: ReturnType<typeof fromJsonString> | undefined;
  let theirError: unknown;
  try {
    theirs = fromJsonString(desc, json, { registry: reg });
  } catch (error) {
    theirError = error;
  }
  let ours: Uint8Array | undefined;
  let ourError: unknown;
  try {
    ours = c.fromJSON(json);
  } catch (error) {
    ourError = error;
  }
  expect({ json, heddleRejects: ourError !== undefined }).toEqual({ json, heddleRejects: theirError !== undefined });
  if (ours === undefined || theirs === undefined) return undefined;
  const decoded = fromBinary(desc, ours);
  // Through bufbuild's binary form, which rounds float fields to 32 bits as heddle's bytes do.
  expect(toJsonString(desc, decoded, { registry: reg })).toBe(toJsonString(desc, fromBinary(desc, toBinary(desc, theirs)), { registry: reg }));
  // Bytes of bufbuild's canonical encoding, not equals(): bufbuild keeps a float field's double
  // until it encodes it, and NaN is not equal to itself.
  expect(Buffer.from(toBinary(desc, decoded)).toString('hex')).toBe(Buffer.from(toBinary(desc, theirs)).toString('hex'));
  return ours;
}

/** toJSON of bufbuild's encoding of `json`'s message equals toJsonString of it. */
function sameWrite(json: string): string {
  const bytes = toBinary(edge, fromJsonString(edge, json, { registry }));
  const expected = toJsonString(edge, fromBinary(edge, bytes), { registry });
  expect(codec.toJSON(bytes).toString('utf8')).toBe(expected);
  return expected;
}

describe('well-known types', () => {
  it('Timestamp: random instants across the whole range, with 0, 3, 6 and 9 fractional digits', () => {
    const nanosArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 }).map((n) => n * 1e6), fc.integer({ min: 1, max: 999999 }).map((n) => n * 1e3), fc.integer({ min: 1, max: 999999999 }));
    fc.assert(fc.property(fc.integer({ min: -62135596800, max: 253402300799 }), nanosArb, (seconds, nanos) => {
      const ts = create(TimestampSchema, { seconds: BigInt(seconds), nanos });
      const message = create(edge, { ts } as never);
      const json = toJsonString(edge, message, { registry });
      expect(codec.toJSON(toBinary(edge, message)).toString()).toBe(json);
      sameRead(json);
    }), { numRuns: 300 });
  });

  it('Timestamp: limits, offsets and malformed text read as bufbuild reads them', () => {
    for (const text of ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z', '1970-01-01T00:00:00Z', '2024-02-29T12:00:00+08:00',
      '2024-02-29T12:00:00.5-05:30', '0000-12-31T23:59:59Z', '10000-01-01T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01 00:00:00Z',
      '2024-01-01T00:00:00', '2024-01-01T00:00:00.1234567890Z', '2024-01-01T00:00:00z', '']) {
      sameRead(JSON.stringify({ ts: text }));
    }
  });

  it('Timestamp: seconds or nanos outside the JSON range fail in toJSON as in toJsonString', () => {
    for (const [seconds, nanos] of [[-62135596801n, 0], [253402300800n, 0], [0n, -1], [0n, 1000000000]] as const) {
      const bytes = toBinary(edge, create(edge, { ts: create(TimestampSchema, { seconds, nanos }) } as never));
      expect(() => toJsonString(edge, fromBinary(edge, bytes))).toThrow();
      expect(() => codec.toJSON(bytes)).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'ts' }));
    }
  });

  it('Duration: random spans within ±10000 years, and the limits', () => {
    fc.assert(fc.property(fc.integer({ min: -315576000000, max: 315576000000 }), fc.integer({ min: 0, max: 999999999 }), (seconds, n) => {
      const nanos = seconds < 0 ? -n : seconds > 0 ? n : n % 2 === 0 ? n : -n;
      const message = create(edge, { dur: create(DurationSchema, { seconds: BigInt(seconds), nanos }) } as never);
      const json = toJsonString(edge, message, { registry });
      expect(codec.toJSON(toBinary(edge, message)).toString()).toBe(json);
      sameRead(json);
    }), { numRuns: 300 });
    for (const text of ['0s', '-0.5s', '1.000000001s', '315576000000s', '-315576000000.999999999s', '315576000001s', '1.5', 's', '-s', '1.s']) {
      sameRead(JSON.stringify({ dur: text }));
    }
    const bad = toBinary(edge, create(edge, { dur: create(DurationSchema, { seconds: 1n, nanos: -1 }) } as never));
    expect(() => codec.toJSON(bad)).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'dur' }));
  });

  it('FieldMask, wrappers, Empty and NullValue', () => {
    for (const json of [
      '{"mask":"a.bC,dEf.g"}', '{"mask":""}', '{"mask":"foo_bar"}',
      '{"wDouble":1.5,"wFloat":"NaN","wInt64":"-9223372036854775808","wUint64":"18446744073709551615","wInt32":-1,"wUint32":4294967295,"wBool":false,"wString":"","wBytes":"AP8="}',
      '{"wInt64":0,"wBool":true,"wString":"中文"}', '{"wInt64":null}', '{"empty":{}}', '{"nul":null}', '{"nul":"NULL_VALUE"}', '{"nul":0}',
    ]) {
      if (sameRead(json) !== undefined) sameWrite(json);
    }
  });

  it('Struct, Value and ListValue: random JSON documents', () => {
    // -0 is a double bufbuild keeps and JSON.stringify writes as 0; both sides agree on it too.
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (doc) => {
      const text = JSON.stringify(doc);
      const json = `{"val":${text},"vals":[${text},null],"valMap":{"k":${text}}${doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? `,"st":${text}` : ''}${Array.isArray(doc) ? `,"list":${text}` : ''}}`;
      sameRead(json);
      sameWrite(json);
    }), { numRuns: 300 });
  });

  it('Value: null at the top of a field, inside lists and maps, and an unset Value fails in toJSON', () => {
    sameRead('{"val":null,"vals":[null],"valMap":{"a":null}}');
    expect(sameWrite('{"val":null}')).toBe('{"val":null}');
    // Field 34 present but empty: a Value with no kind has no JSON form.
    const bytes = Uint8Array.from([0x92, 0x02, 0x00]);
    expect(() => toJsonString(edge, fromBinary(edge, bytes))).toThrow();
    expect(() => codec.toJSON(bytes)).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', path: 'val' }));
  });

  it('Any: messages of the root and well-known types under "value", "@type" anywhere', () => {
    for (const json of [
      '{"any":{"@type":"type.googleapis.com/pj.Inner","name":"x","ids":["1"]}}',
      '{"any":{"name":"x","@type":"type.googleapis.com/pj.Inner"}}',
      '{"any":{"@type":"type.googleapis.com/pj.Inner"}}',
      '{"any":{"@type":"type.googleapis.com/google.protobuf.Timestamp","value":"2020-01-01T00:00:00.100Z"}}',
      '{"any":{"value":"-1","@type":"type.googleapis.com/google.protobuf.Int64Value"}}',
      '{"any":{"@type":"type.googleapis.com/google.protobuf.Struct","value":{"a":[1,{"b":null}]}}}',
      '{"any":{"@type":"type.googleapis.com/google.protobuf.Empty"}}',
      '{"any":{"@type":"type.googleapis.com/google.protobuf.Any","value":{"@type":"type.googleapis.com/pj.Inner","name":"deep"}}}',
      '{"any":{}}',
      '{"any":{"@type":"type.googleapis.com/pj.Missing"}}',
      '{"any":{"@type":""}}',
      '{"any":{"name":"x"}}',
    ]) {
      if (sameRead(json) !== undefined) sameWrite(json);
    }
  });
});

describe('scalars', () => {
  it('64-bit integers are exact from strings and numbers, at every limit', () => {
    for (const json of [
      '{"i64":"9007199254740993","u64":"18446744073709551615","s64":"-9223372036854775808","f64":"18446744073709551615","sf64":"9223372036854775807"}',
      '{"i64":"-9223372036854775808","u64":"0","s64":"9223372036854775807","sf64":"-1"}',
      '{"i64":"9223372036854775808"}', '{"u64":"18446744073709551616"}', '{"u64":"-1"}', '{"i64":1e3}', '{"i64":"1.5"}',
      '{"i64":""}', '{"u32":4294967295}', '{"u32":4294967296}', '{"i32":-2147483648}', '{"i32":2147483648}',
      '{"i32":"7"}', '{"i32":1.0}', '{"i32":1.5}', '{"s32":-1}', '{"f32":4294967295}', '{"sf32":-2147483648}', '{"ids":["1",2,"-3"]}',
    ]) {
      if (sameRead(json) !== undefined) sameWrite(json);
    }
  });

  it('where @bufbuild/protobuf departs from the ProtoJSON spec on 64-bit strings, heddle follows the spec', () => {
    // The spec accepts exponent notation quoted or not; bufbuild only unquoted.
    expect(() => fromJsonString(edge, '{"i64":"1e3"}')).toThrow();
    expect(fromBinary(edge, codec.fromJSON('{"i64":"1e3","u64":"18446744073709551615e0","s64":"-92233720368547758.08e2"}'))).toMatchObject({ i64: 1000n, u64: 18446744073709551615n, s64: -9223372036854775808n });
    // The spec's form is a decimal string; bufbuild's BigInt() also takes hex and spaces.
    for (const text of ['0x10', ' 1', '1 ']) {
      expect(() => fromJsonString(edge, JSON.stringify({ i64: text }))).not.toThrow();
      expect(() => codec.fromJSON(JSON.stringify({ i64: text }))).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', offset: 7, path: 'i64' }));
    }
  });

  it('an int64 above 2^53 sent as a JSON number stays exact (JSON.parse-based readers round it)', () => {
    const bytes = codec.fromJSON('{"i64":9007199254740993,"u64":18446744073709551615,"ids":[-9223372036854775808]}');
    const message = fromBinary(edge, bytes) as unknown as { i64: bigint; u64: bigint; ids: bigint[] };
    expect(message.i64).toBe(9007199254740993n);
    expect(message.u64).toBe(18446744073709551615n);
    expect(message.ids).toEqual([-9223372036854775808n]);
    expect(codec.toJSON(bytes).toString()).toBe('{"i64":"9007199254740993","u64":"18446744073709551615","ids":["-9223372036854775808"]}');
  });

  it('floats: specials, limits, negative zero, strings', () => {
    for (const json of [
      '{"fl":"NaN","db":"Infinity"}', '{"fl":"-Infinity","db":"NaN"}', '{"db":1.7976931348623157e308,"fl":3.4028234663852886e38}',
      '{"fl":3.5e38}', '{"db":1e309}', '{"db":5e-324,"fl":1e-45}', '{"db":-0,"fl":-0.0}', '{"db":"1.25","fl":"-2e3"}', '{"db":"nan"}',
      '{"db":0.1,"fl":0.1}', '{"db":123456789012345680000}', '{"db":""}',
    ]) {
      if (sameRead(json) !== undefined) sameWrite(json);
    }
  });

  it('strings: escapes, surrogate pairs, Chinese and emoji, and JSON.stringify\'s escaping on output', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), (a, b) => {
      const text = a + b.replace(/[\ud800-\udfff]/g, '');
      const json = JSON.stringify({ text, tags: [text, ''], byName: { [text]: { name: text } } });
      sameRead(json);
      sameWrite(json);
    }), { numRuns: 300 });
    for (const json of ['{"text":"\\u0000\\u001f\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u4e2d\\ud83d\\ude00"}', '{"text":"中文 mixed ascii 😀 \\u2028"}',
      '{"text":"\\ud83d"}', '{"text":"\\ude00x"}', '{"text":"\\x"}', '{"text":"\\u12"}']) {
      sameRead(json);
    }
    expect(codec.toJSON(codec.fromJSON('{"text":"\\u007f\\u0001\\u2028"}')).toString()).toBe(JSON.stringify({ text: '\u007f\u0001\u2028' }));
  });

  it('invalid UTF-8 in a JSON body is rejected, with the offset of the bad byte', () => {
    for (const bad of [[0xff], [0xc3], [0xe4, 0xb8], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80]]) {
      const body = Buffer.concat([Buffer.from('{"text":"ab'), Buffer.from(bad), Buffer.from('"}')]);
      expect(() => codec.fromJSON(body)).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', offset: 11, path: 'text' }));
    }
  });

  it('bytes: standard and URL-safe base64, padded or not, written back as standard padded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (data) => {
      const std = Buffer.from(data).toString('base64');
      for (const form of [std, std.replace(/=+$/, ''), Buffer.from(data).toString('base64url'), `${Buffer.from(data).toString('base64url')}${'='.repeat((4 - (std.replace(/=+$/, '').length % 4)) % 4)}`]) {
        const bytes = sameRead(JSON.stringify({ data: form }))!;
        expect(codec.toJSON(bytes).toString()).toBe(data.length === 0 ? '{}' : JSON.stringify({ data: std }));
      }
    }), { numRuns: 200 });
  });

  it('enums by name or number; unknown numbers of open enums written as numbers', () => {
    for (const json of ['{"color":"GREEN","colors":["RED",2,7,"COLOR_UNSPECIFIED"]}', '{"color":7}', '{"color":"BLUE"}', '{"color":1.5}', '{"byNum":{"1":"RED","2":9}}', '{"pickColor":"COLOR_UNSPECIFIED"}']) {
      if (sameRead(json) !== undefined) sameWrite(json);
    }
  });
});

describe('structure', () => {
  it('maps of string, int64, bool and uint32 keys, ordered as toJsonString orders them', () => {
    for (const json of [
      '{"byName":{"b":{},"a":{"name":"x"},"10":{},"2":{}},"byId":{"-1":"neg","9223372036854775807":"max","3":"three","007":"lead"},"byFlag":{"true":1,"false":0},"byNum":{"4294967295":"RED","0":"GREEN"}}',
      '{"byFlag":{"yes":1}}', '{"byId":{"1.5":"x"}}', '{"byNum":{"-1":"RED"}}', '{"byName":{"a":{},"a":{}}}', '{"byId":{"1":"a","01":"b"}}',
    ]) {
      if (sameRead(json) !== undefined) sameWrite(json);
    }
  });

  it('json_name and the .proto name are both accepted; the json_name is written', () => {
    expect(sameWrite('{"json_named":"x"}')).toBe('{"customName":"x"}');
    sameRead('{"customName":"x","by_name":{"k":{}},"pick_text":"t","w_int64":"5"}');
    sameRead('{"customName":"x","json_named":"y"}');
  });

  it('oneofs: one member, null members, two members', () => {
    for (const json of ['{"pickText":"a"}', '{"pickInner":{}}', '{"pickText":null,"pickInner":{"name":"n"}}', '{"pickText":"a","pickInner":{}}', '{"pickColor":null,"pickText":"a"}', '{"pickText":""}']) {
      if (sameRead(json) !== undefined) sameWrite(json);
    }
  });

  it('null reads as the default for every kind of field', () => {
    const json = '{"i32":null,"i64":null,"text":null,"data":null,"color":null,"ids":null,"items":null,"byName":null,"maybe":null,"inner":null,"ts":null,"st":null,"list":null,"any":null,"wInt64":null,"mask":null,"empty":null}';
    expect(Buffer.from(sameRead(json)!).length).toBe(0);
  });

  it('proto3 optional keeps an explicit zero; implicit zeros are left out unless asked for', () => {
    expect(sameWrite('{"maybe":0,"i32":0,"text":""}')).toBe('{"maybe":0}');
    const bytes = codec.fromJSON('{"maybe":0}');
    const full = codec.toJSON(bytes, { emitDefaultValues: true }).toString();
    expect(full).toBe(toJsonString(edge, fromBinary(edge, bytes), { alwaysEmitImplicit: true }));
    expect(codec.toJSON(bytes, { alwaysEmitImplicit: true }).toString()).toBe(full);
  });

  it('singular fields repeated on the wire: the last scalar wins, messages merge, as decoders read them', () => {
    // inner{name:"a",ids:[1]} inner{ids:[2]} i32=1 i32=2
    const bytes = Uint8Array.from([0xd2, 0x01, 0x05, 0x0a, 0x01, 0x61, 0x10, 0x01, 0xd2, 0x01, 0x02, 0x10, 0x02, 0x08, 0x01, 0x08, 0x02]);
    expect(codec.toJSON(bytes).toString()).toBe(toJsonString(edge, fromBinary(edge, bytes)));
    expect(codec.toJSON(bytes).toString()).toBe('{"i32":2,"inner":{"name":"a","ids":["1","2"]}}');
  });

  it('unknown members and unknown enum names are rejected, or skipped under ignoreUnknownFields', () => {
    const json = '{"nope":{"deep":[1,{"x":null}]},"text":"kept","color":"BLUE","colors":["RED","BLUE"],"byNum":{"1":"BLUE","2":"GREEN"}}';
    expect(() => codec.fromJSON(json)).toThrow(expect.objectContaining({ code: 'ERR_BAD_VALUE', offset: 1 }));
    const bytes = codec.fromJSON(json, { ignoreUnknownFields: true });
    const theirs = fromJsonString(edge, json, { ignoreUnknownFields: true });
    expect(equals(edge, fromBinary(edge, bytes), theirs)).toBe(true);
    expect(codec.toJSON(bytes).toString()).toBe('{"text":"kept","colors":["RED"],"byNum":{"2":"GREEN"}}');
  });

  it('proto2: required fields, closed enums, defaults and groups', () => {
    const p2 = compileProto2();
    const c = p2.root.codec('pj2.Req');
    // A missing required field fails in fromJSON, as heddle's encode and bufbuild's toBinary fail.
    expect(() => c.fromJSON('{"c":"A"}')).toThrow(expect.objectContaining({ code: 'ERR_REQUIRED_FIELD', offset: 8 }));
    expect(() => toBinary(p2.req, fromJsonString(p2.req, '{"c":"A"}'))).toThrow();
    for (const json of ['{"id":1}', '{"id":1,"c":"B","cs":["A",2],"s":"","g":{"g":3}}', '{"id":1,"c":3}', '{"id":1,"cs":[9]}']) {
      const ours = sameRead(json, p2.req, p2.registry, c);
      if (ours !== undefined) expect(c.toJSON(ours).toString()).toBe(toJsonString(p2.req, fromBinary(p2.req, ours)));
    }
    // A singular closed enum's unknown number on the wire is an unknown field; in lists bufbuild keeps it.
    const bytes = Uint8Array.from([0x08, 0x01, 0x10, 0x09, 0x18, 0x01, 0x18, 0x09, 0x1a, 0x02, 0x02, 0x09]);
    expect(c.toJSON(bytes).toString()).toBe(toJsonString(p2.req, fromBinary(p2.req, bytes)));
    expect(() => c.toJSON(Uint8Array.from([0x10, 0x01]))).toThrow(expect.objectContaining({ code: 'ERR_REQUIRED_FIELD' }));
    expect(() => toJsonString(p2.req, fromBinary(p2.req, Uint8Array.from([0x10, 0x01])))).toThrow();
  });
});

describe("toJSON's printer options against toJsonString", () => {
  // Inside an Any the packed message's members follow the options too; NullValue stays null
  // under enumAsInteger; json_name gives way to the .proto name; enum map values and oneof
  // members are numbers; unknown enum numbers were numbers already.
  const bodies = [
    '{"color":"RED","colors":["GREEN","COLOR_UNSPECIFIED",7],"byNum":{"1":"GREEN"},"pickColor":"RED","nul":null,"customName":"c","byName":{"k":{"name":"n","ids":["1"]}}}',
    `{"any":{"@type":"type.googleapis.com/pj.Edge","color":"GREEN","wInt32":3,"customName":"z","inner":{"child":{"name":"x"}}},"val":null,"vals":[null,1],"pickInner":{"name":"p"}}`,
    '{"maybe":0,"i64":"-9223372036854775808","ts":"2024-01-02T03:04:05.5Z","mask":"aB.cD,e"}',
  ];
  const variants = [{ useProtoFieldName: true }, { enumAsInteger: true }, { useProtoFieldName: true, enumAsInteger: true, emitDefaultValues: true }];
  for (const body of bodies) {
    it(body.slice(0, 60), () => {
      const bytes = toBinary(edge, fromJsonString(edge, body, { registry }));
      const message = fromBinary(edge, bytes);
      for (const options of variants) {
        const expected = toJsonString(edge, message, { registry, ...options, alwaysEmitImplicit: options.emitDefaultValues === true });
        expect({ options, json: codec.toJSON(bytes, options).toString('utf8') }).toEqual({ options, json: expected });
        // What it wrote reads back to the same message.
        expect(Buffer.from(codec.fromJSON(expected)).toString('hex')).toBe(Buffer.from(toBinary(edge, fromJsonString(edge, expected, { registry }))).toString('hex'));
      }
    });
  }

  it('option values other than booleans are ERR_INVALID_ARGUMENT', () => {
    const bytes = new Uint8Array(0);
    expect(() => codec.toJSON(bytes, { useProtoFieldName: 1 as unknown as boolean })).toThrow(/useProtoFieldName must be a boolean/);
    expect(() => codec.toJSON(bytes, { enumAsInteger: 'yes' as unknown as boolean })).toThrow(/enumAsInteger must be a boolean/);
  });
});
