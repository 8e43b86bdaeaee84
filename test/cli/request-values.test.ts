// Request JSON to codec values by the IDL: what each type accepts, and the path in every error.
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../src-ts/cli/json-text.js';
import { protobufMessage, thriftStruct } from '../../src-ts/cli/request-values.js';
import * as protobuf from '../../src-ts/protobuf/index.js';
import * as thrift from '../../src-ts/thrift/index.js';

const doc = thrift.parse(`
enum Level { LOW = 1, HIGH = 2 }
struct Point { 1: required i32 x; 2: i32 y }
struct Bag {
  1: i64 id
  2: map<i32, Point> byIndex
  3: map<Level, bool> flags
  4: set<i16> small
  5: binary data
  6: double ratio
  7: i8 tiny
}`);
const bag = (json: string) => thriftStruct(doc.model, doc.struct('Bag'), parseJson(json), '');

const root = protobuf.parse(`syntax = "proto3";
package t;
enum Mood { MOOD_UNSPECIFIED = 0; MOOD_HAPPY = 1; }
message M { int64 sku_id = 1; uint64 big = 2; bytes data = 3; Mood mood = 4; map<string, int64> counts = 5; repeated M children = 6; float f = 7; }`);
const message = (json: string) => protobufMessage(root.lookupMessage('t.M'), parseJson(json), '');

describe('Thrift request values', () => {
  it('converts by type: i64 from numbers, big literals and strings; maps from objects or pairs; enums by name; base64', () => {
    expect(bag('{"id":"-9223372036854775808","byIndex":{"3":{"x":1}},"flags":[["HIGH",true]],"small":[1,2],"data":"AAE=","ratio":2,"tiny":-128}')).toEqual({
      id: -9223372036854775808n,
      byIndex: new Map([[3, { x: 1 }]]),
      flags: new Map([[2, true]]),
      small: [1, 2],
      data: new Uint8Array([0, 1]),
      ratio: 2,
      tiny: -128,
    });
    expect(bag('{"id":9223372036854775807,"ratio":12345678901234567890}')).toEqual({ id: 9223372036854775807n, ratio: 12345678901234567000 });
    // null means "not set", as Kitex's JSON generic call reads it.
    expect(bag('{"id":null}')).toEqual({});
  });

  it('refuses values out of range or of the wrong kind, naming the path', () => {
    expect(() => bag('{"id":9223372036854775808}')).toThrow('request id: expected a 64-bit integer, got 9223372036854775808');
    expect(() => bag('{"tiny":128}')).toThrow('request tiny: expected an integer in [-128, 127], got 128');
    expect(() => bag('{"byIndex":{"1":{"y":2,"z":3}}}')).toThrow("request byIndex[\"1\"].z: struct Point has no field 'z' (fields: x, y)");
    expect(() => bag('{"flags":{"MIDDLE":true}}')).toThrow('request flags.<key>: expected a value of enum Level (LOW, HIGH), got "MIDDLE"');
    expect(() => bag('{"data":"not base64!"}')).toThrow('request data: expected base64 bytes, got "not base64!"');
    expect(() => bag('{"small":{}}')).toThrow('request small: expected an array, got {}');
  });
});

describe('Protobuf request values', () => {
  it('takes JSON names and .proto names, enum names, base64, and uint64 up to 2^64-1', () => {
    expect(message('{"skuId":"12","big":18446744073709551615,"data":"_-8=","mood":"MOOD_HAPPY","counts":{"a":"-1"},"children":[{"sku_id":3}],"f":0.5}')).toEqual({
      skuId: 12n,
      big: 18446744073709551615n,
      data: new Uint8Array([0xff, 0xef]),
      mood: 1,
      counts: { a: -1n },
      children: [{ skuId: 3n }],
      f: 0.5,
    });
  });

  it('refuses unknown fields and bad values with their path', () => {
    expect(() => message('{"children":[{"skuID":1}]}')).toThrow("request children[0].skuID: message t.M has no field 'skuID' (fields: sku_id, big, data, mood, counts, children, f)");
    expect(() => message('{"big":-1}')).toThrow('request big: expected a 64-bit unsigned integer, got -1');
    expect(() => message('{"mood":"SAD"}')).toThrow('request mood: expected a value of enum t.Mood (MOOD_UNSPECIFIED, MOOD_HAPPY), got "SAD"');
    expect(() => message('[]')).toThrow('request (root): expected an object (message t.M), got []');
  });
});
