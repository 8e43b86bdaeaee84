/**
 * The native Protobuf wire-to-ProtoJSON transcoder against its TypeScript twin on the same tables:
 * identical JSON bytes for every message both accept and identical HeddleErrors (code, message,
 * byte offset, field path) for every one they refuse; and for well-formed messages the JSON is
 * @bufbuild/protobuf's toJsonString of what fromBinary reads, with and without default values.
 * Inputs: random schemas and values encoded by heddle, with unknown fields added, those messages
 * cut and damaged at random, and hand-built wire edges (int64 limits, float specials, bytes,
 * open and closed enums with unknown numbers, maps of every key kind, oneofs, wrappers and
 * Struct, truncated and malformed input, limits).
 */
import { fromBinary, toJsonString, type DescMessage } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { serializeProtoTable } from '../../src-ts/gateway/proto-json/native-table.js';
import { native, nativeAddon } from '../../src-ts/native.js';
import { protobuf } from '../protobuf/helpers/heddle.js';
import { compileEdge, compileProto2 } from './proto-json-fixtures.js';
import { pair, randomSchemaCaseArb, randomSchemaPair, type Pair } from './proto-json-pair.js';
import { outcome, type Outcome } from './transcode-outcome.js';

/** Messages the native side converted itself (not handed to the twin), to show the comparisons test it. */
let convertedNatively = 0;

/** toJSON's printer options (bufbuild's names) besides emitDefaultValues. */
interface Printer {
  useProtoFieldName?: boolean;
  enumAsInteger?: boolean;
}
const PRINTERS: Printer[] = [{}, { useProtoFieldName: true, enumAsInteger: true }];

function nativeConverts(p: Pair, wire: Uint8Array, defaults: boolean, printer: Printer = {}): boolean {
  if (!native.loaded) return false;
  const table = nativeAddon!.protoJsonTable!(...Object.values(serializeProtoTable(p.desc, p.limits)) as [Int32Array, Uint8Array]);
  const flags = (defaults ? 1 : 0) | (printer.useProtoFieldName === true ? 2 : 0) | (printer.enumAsInteger === true ? 4 : 0);
  return nativeAddon!.protoJsonToJsonInto!(table, wire, flags, new Uint8Array(1 << 20)) !== null;
}

function expectSame(p: Pair, wire: Uint8Array, emitDefaultValues = false, printer: Printer = {}): Outcome {
  const ours = outcome(() => p.nat.toJSON(wire, { emitDefaultValues, ...printer }));
  const theirs = outcome(() => p.twin.toJSON(wire, { emitDefaultValues, ...printer }));
  const hex = Buffer.from(wire).toString('hex');
  expect({ hex, emitDefaultValues, printer, ...ours }).toEqual({ hex, emitDefaultValues, printer, ...theirs });
  if (nativeConverts(p, wire, emitDefaultValues, printer)) convertedNatively++;
  return ours;
}

/** Both agree and, both ways of defaults and with and without the printer options, write bufbuild's toJsonString of what it reads. */
function expectOracle(p: Pair, desc: DescMessage, wire: Uint8Array): void {
  for (const printer of PRINTERS) {
    for (const defaults of [false, true]) {
      const ours = expectSame(p, wire, defaults, printer);
      const expected = toJsonString(desc, fromBinary(desc, wire), { alwaysEmitImplicit: defaults, ...printer });
      expect({ defaults, printer, json: 'bytes' in ours ? Buffer.from(ours.bytes, 'hex').toString('utf8') : ours }).toEqual({ defaults, printer, json: expected });
    }
  }
}

/** Protobuf wire bytes, written by hand for the edges no encoder writes. */
class Wire {
  private readonly parts: number[] = [];
  varint(v: bigint | number): this {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.parts.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.parts.push(Number(x));
    return this;
  }
  tag(number: number, wire: number): this {
    return this.varint((BigInt(number) << 3n) | BigInt(wire));
  }
  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.parts.push(bytes[i]!);
    return this;
  }
  len(number: number, body: Uint8Array | Wire | string): this {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body instanceof Wire ? body.bytes() : body;
    return this.tag(number, 2).varint(bytes.length).raw(bytes);
  }
  fixed(number: number, bytes: number, v: bigint): this {
    this.tag(number, bytes === 4 ? 5 : 1);
    for (let i = 0; i < bytes; i++) this.parts.push(Number((BigInt.asUintN(64, v) >> BigInt(8 * i)) & 0xffn));
    return this;
  }
  float(number: number, v: number, double: boolean): this {
    const b = Buffer.alloc(double ? 8 : 4);
    if (double) b.writeDoubleLE(v);
    else b.writeFloatLE(v);
    return this.tag(number, double ? 1 : 5).raw(b);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}
const w = () => new Wire();

/** The message with one random edit: cut, a byte replaced, inserted or deleted. */
const mutationArb = (wire: Uint8Array) => {
  const b = Buffer.from(wire);
  return fc.oneof(
    fc.nat(b.length).map((n) => b.subarray(0, n)),
    fc.tuple(fc.nat(Math.max(0, b.length - 1)), fc.constantFrom(0x00, 0x01, 0x02, 0x05, 0x07, 0x08, 0x0b, 0x0c, 0x7f, 0x80, 0xff, 0xe4, 0xc0))
      .map(([at, x]) => Buffer.concat([b.subarray(0, at), Buffer.of(x), b.subarray(at + 1)])),
    fc.tuple(fc.nat(b.length), fc.constantFrom([0x80], [0x0a, 0x05], [0x0b], [0x0c], [0xa0, 0x1f, 0x01], [0xff, 0xff, 0xff, 0xff, 0x0f], [0x12, 0x02, 0xc3, 0x28]))
      .map(([at, x]) => Buffer.concat([b.subarray(0, at), Buffer.from(x), b.subarray(at)])),
    fc.nat(Math.max(0, b.length - 1)).map((at) => Buffer.concat([b.subarray(0, at), b.subarray(at + 1)])),
  );
};

/** Unknown fields of every wire type, numbered past any random schema's. */
const UNKNOWN = w().tag(900, 0).varint(-1n).fixed(901, 8, 7n).fixed(902, 4, 9n).len(903, 'zz').tag(904, 3).tag(1, 0).varint(1).tag(904, 4).bytes();

describe('native Protobuf wire to ProtoJSON against the TypeScript twin and @bufbuild/protobuf', () => {
  test('random schemas and values, with unknown fields, and those messages cut and damaged', () => {
    let compared = 0;
    convertedNatively = 0;
    fc.assert(
      fc.property(
        randomSchemaCaseArb,
        (c) => {
          const { root, desc, values, seed } = c;
          const p = randomSchemaPair(c);
          const codec = root.codec('rnd.M0');
          for (const value of values) {
            const wire = codec.encode(value);
            expectOracle(p, desc, wire);
            expectOracle(p, desc, Buffer.concat([UNKNOWN, wire, UNKNOWN]));
            fc.assert(fc.property(mutationArb(wire), fc.boolean(), fc.constantFrom(...PRINTERS), (mutated, defaults, printer) => void expectSame(p, mutated, defaults, printer)), { numRuns: 12, seed });
            compared++;
          }
        },
      ),
      { numRuns: 100 },
    );
    expect(compared).toBeGreaterThan(100);
    if (native.loaded) expect(convertedNatively).toBeGreaterThan(600);
    // A few seconds alone; several times that beside other suites on a loaded 2-core machine.
  }, 240_000);

  const { root, edge } = compileEdge();
  const p = pair(root, 'pj.Edge');

  test('integers at their limits, every kind, singular, repeated and packed', () => {
    const limits = [0n, 1n, -1n, 127n, 128n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 32n - 1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n];
    const zigzag = (v: bigint) => BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    for (const v of limits) {
      for (const number of [1, 2, 3, 4, 13, 16]) expectOracle(p, edge, w().tag(number, 0).varint(v).bytes());
      expectOracle(p, edge, w().tag(5, 0).varint(zigzag(BigInt.asIntN(32, v))).tag(6, 0).varint(zigzag(BigInt.asIntN(64, v))).bytes());
      expectOracle(p, edge, w().fixed(7, 4, v).fixed(8, 8, v).fixed(9, 4, v).fixed(10, 8, v).bytes());
      expectOracle(p, edge, w().tag(17, 0).varint(v).len(17, w().varint(v).varint(v)).tag(17, 0).varint(-v).bytes());
    }
    // A 10-byte varint whose last byte carries more than bit 63, and an int32 written with high bits.
    expectOracle(p, edge, w().tag(2, 0).raw([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]).bytes());
    expectOracle(p, edge, w().tag(1, 0).varint(2n ** 40n).bytes());
    expectOracle(p, edge, w().tag(2, 0).varint(2n ** 40n).tag(1, 0).varint(2n ** 32n + 5n).bytes());
  });

  test('floats and doubles: zeros, specials, shortest digits, subnormals', () => {
    for (const v of [0, -0, 1.5, 0.1, 1e21, 1e-7, 123456789012345680000, 1.7976931348623157e308, 5e-324, 2 ** -1074, NaN, Infinity, -Infinity, 3.4028234663852886e38, 1e-45, -2.5e-8, 100, 1 / 3]) {
      expectOracle(p, edge, w().float(11, v, false).float(12, v, true).bytes());
    }
    const nanPayload = w().tag(12, 1).raw([1, 0, 0, 0, 0, 0, 0xf8, 0x7f]).tag(11, 5).raw([1, 0, 0xc0, 0xff]).bytes();
    expectOracle(p, edge, nanPayload);
  });

  test('strings and bytes: escapes, Chinese, emoji, every length mod 3, and invalid UTF-8', () => {
    for (const text of ['', 'a"b\\c/d\b\f\n\r\t\u0000\u001f\u007f', '敏捷的棕色狐狸 quick 🦊', '\u2028\u2029', 'x'.repeat(300), '中'.repeat(5000)]) {
      expectOracle(p, edge, w().len(14, text).len(19, text).len(19, 'x').len(50, text).bytes());
      expectOracle(p, edge, w().len(21, w().len(1, text).len(2, w().len(1, text))).bytes());
    }
    for (let n = 0; n < 8; n++) expectOracle(p, edge, w().len(15, Buffer.from([0, 0xff, 0xfe, 1, 2, 0x3e, 0x3f, 0x80].slice(0, n))).bytes());
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe4, 0xb8], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98], [0x80]]) {
      const text = Buffer.concat([Buffer.from('ab中'), Buffer.from(bad), Buffer.from('cd')]);
      expect(expectSame(p, w().len(14, text).bytes())).toMatchObject({ code: 'ERR_BAD_VALUE', message: expect.stringContaining('invalid UTF-8 in a string field'), path: 'text' });
      expectSame(p, w().len(19, 'ok').len(19, text).bytes());
      expect(expectSame(p, w().len(21, w().len(1, text)).bytes())).toMatchObject({ code: 'ERR_BAD_VALUE', message: expect.stringContaining('invalid UTF-8 in a map key'), path: 'byName' });
      expectSame(p, w().len(20, w().len(1, 'x')).len(20, w().len(3, w().len(1, text))).bytes());
    }
  });

  test('enums: known names, unknown numbers (open), closed enums drop unknown singular values and keep listed ones, NullValue', () => {
    for (const v of [0, 1, 2, 7, -1, 2 ** 31 - 1]) {
      expectOracle(p, edge, w().tag(16, 0).varint(BigInt.asUintN(64, BigInt(v))).tag(18, 0).varint(v).len(18, w().varint(v).varint(1)).tag(29, 0).varint(v).bytes());
      expectOracle(p, edge, w().tag(38, 0).varint(v).bytes());
    }
    const { root: proto2, req } = compileProto2();
    const q = pair(proto2, 'pj2.Req');
    for (const v of [1, 2, 3, 0, -1]) {
      expectOracle(q, req, w().tag(1, 0).varint(5).tag(2, 0).varint(BigInt.asUintN(64, BigInt(v))).tag(3, 0).varint(v).len(3, w().varint(v).varint(2)).bytes());
    }
    expectOracle(q, req, w().tag(1, 0).varint(1).tag(5, 3).tag(6, 0).varint(9).tag(5, 4).bytes());
    expect(expectSame(q, w().tag(2, 0).varint(1).bytes())).toMatchObject({ code: 'ERR_REQUIRED_FIELD', offset: 0 });
    expect(expectSame(q, w().tag(1, 0).varint(1).tag(5, 3).tag(6, 0).varint(9).tag(6, 4).bytes())).toMatchObject({ code: 'ERR_BAD_TYPE' });
    expect(expectSame(q, w().tag(1, 0).varint(1).tag(5, 3).tag(6, 0).varint(9).bytes())).toMatchObject({ code: 'ERR_TRUNCATED' });
  });

  test('maps of every key kind: absent keys and values, repeated keys and array-index keys (the twin orders those)', () => {
    const entry = (key: Wire | undefined, value: Wire | undefined) => {
      const e = w();
      if (key !== undefined) e.raw(key.bytes());
      if (value !== undefined) e.raw(value.bytes());
      return e;
    };
    const cases: Uint8Array[] = [
      w().len(22, entry(w().tag(1, 0).varint(-1n), w().len(2, 'neg'))).len(22, entry(w().tag(1, 0).varint(2n ** 63n), w().len(2, 'min'))).bytes(),
      w().len(22, entry(undefined, undefined)).len(22, entry(w().tag(1, 0).varint(5), undefined)).bytes(),
      w().len(22, entry(w().tag(1, 0).varint(5), w().len(2, 'a'))).len(22, entry(w().tag(1, 0).varint(3), w().len(2, 'b'))).bytes(),
      w().len(22, entry(w().tag(1, 0).varint(5), w().len(2, 'a'))).len(22, entry(w().tag(1, 0).varint(5), w().len(2, 'b'))).bytes(),
      w().len(23, entry(w().tag(1, 0).varint(1), w().tag(2, 0).varint(-5))).len(23, entry(undefined, w().tag(2, 0).varint(2))).len(23, entry(w().tag(1, 0).varint(9), undefined)).bytes(),
      w().len(24, entry(w().tag(1, 0).varint(4294967295), w().tag(2, 0).varint(1))).len(24, entry(w().tag(1, 0).varint(0), w().tag(2, 0).varint(9))).bytes(),
      w().len(21, entry(w().len(1, '7'), w().len(2, w().len(1, 'n')))).len(21, entry(w().len(1, 'k'), undefined)).len(21, entry(undefined, w().len(2, ''))).bytes(),
      w().len(21, entry(w().len(1, 'b'), undefined)).len(21, entry(w().len(1, 'a'), undefined)).len(21, entry(w().len(1, '01'), undefined)).len(21, entry(w().len(1, '1'), undefined)).bytes(),
      w().len(49, entry(w().len(1, 'v'), w().len(2, w().tag(4, 0).varint(1)))).bytes(),
      w().len(22, entry(w().tag(1, 0).varint(1).tag(1, 0).varint(2).tag(3, 0).varint(7), w().len(2, 'last key wins'))).bytes(),
    ];
    const many = w();
    for (let i = 0; i < 40; i++) many.len(21, entry(w().len(1, `key ${i}`), w().len(2, w().len(1, `名字 ${i}`))));
    cases.push(many.bytes());
    for (const wire of cases) expectOracle(p, edge, wire);
    // Key and value wire types checked, and an entry cut short.
    expect(expectSame(p, w().len(22, w().tag(1, 2).varint(0)).bytes())).toMatchObject({ code: 'ERR_BAD_TYPE', message: expect.stringContaining('map key has wire type 2, expected 0'), path: 'byId' });
    expect(expectSame(p, w().len(22, w().tag(2, 0).varint(0)).bytes())).toMatchObject({ code: 'ERR_BAD_TYPE', message: expect.stringContaining('map value has wire type 0, expected 2') });
    expect(expectSame(p, w().len(22, w().tag(2, 2).varint(5)).bytes())).toMatchObject({ code: 'ERR_TRUNCATED', message: expect.stringContaining('input ends inside a map entry') });
    expect(expectSame(p, w().len(22, w().tag(3, 7)).bytes())).toMatchObject({ code: 'ERR_BAD_TYPE', message: expect.stringContaining('invalid wire type 7 in a map entry') });
    if (native.loaded) {
      expect(nativeConverts(p, cases[0]!, false)).toBe(true);
      // Repeated keys, keys out of index order and more than 32 entries are ordered by the twin.
      for (const i of [2, 3, 7, 10]) expect({ i, native: nativeConverts(p, cases[i]!, false) }).toEqual({ i, native: false });
    }
  });

  test('oneofs, optional, nested and merged messages, wrappers, Struct and the other well-known types', () => {
    const cases = [
      w().len(27, 'a').len(28, w().len(1, 'x')).bytes(),
      w().len(28, w().len(1, 'x')).len(27, 'b').tag(29, 0).varint(2).bytes(),
      w().tag(25, 0).varint(0).bytes(),
      w().len(26, w().len(1, 'a').len(3, w().len(1, 'b'))).len(20, '').len(20, w().tag(2, 0).varint(3)).bytes(),
      w().len(26, w().len(1, 'a')).len(26, w().tag(2, 0).varint(3)).bytes(),
      w().len(41, w().tag(1, 0).varint(-1n)).len(46, w().len(1, 'wrapped')).len(39, '').bytes(),
      w().len(33, w().len(1, w().len(1, 'k').len(2, w().tag(4, 0).varint(1)))).bytes(),
      w().len(30, w().tag(1, 0).varint(1700000000).tag(2, 0).varint(5000)).len(31, w().tag(1, 0).varint(-3n)).bytes(),
      w().len(37, '').len(32, w().len(1, 'a_b')).bytes(),
      w().len(35, w().len(1, w().tag(1, 0).varint(0)).len(1, w().float(2, 1.5, true)).len(1, w().len(3, '中')).len(1, w().tag(4, 0).varint(1))
        .len(1, w().len(6, w().len(1, w().tag(4, 0).varint(0)))).len(1, w().len(5, w().len(1, w().len(1, 'k').len(2, w().len(3, 'v')))))).bytes(),
      w().len(34, w().len(3, 'a').tag(4, 0).varint(1)).len(35, '').len(33, '').bytes(),
      w().len(39, w().float(1, NaN, true)).len(40, w().float(1, -0, false)).len(42, w().tag(1, 0).varint(-1n)).len(44, w().tag(1, 0).varint(-1n))
        .len(45, w().tag(1, 0).varint(2)).len(47, w().len(1, Uint8Array.of(1, 2, 3, 4))).len(43, '').bytes(),
    ];
    for (const wire of cases) expectOracle(p, edge, wire);
    if (native.loaded) {
      for (const i of [0, 1, 2, 3, 5, 6]) expect({ i, native: nativeConverts(p, cases[i]!, true) }).toEqual({ i, native: true });
      // A message in two occurrences merges in the twin; Timestamp, Duration, FieldMask and Any are written by the twin.
      for (const i of [4, 7, 8]) expect({ i, native: nativeConverts(p, cases[i]!, false) }).toEqual({ i, native: false });
    }
  });

  test('malformed and truncated wire input: the same error, offset and path', () => {
    const inner = (body: number[]) => w().len(26, w().len(3, Uint8Array.from(body))).bytes();
    const bad: Array<[Uint8Array, string]> = [
      [Uint8Array.of(0x08), 'ERR_TRUNCATED'], [Uint8Array.of(0x80), 'ERR_TRUNCATED'], [Uint8Array.of(0x00, 0x01), 'ERR_BAD_TYPE'],
      [Uint8Array.of(0x0c), 'ERR_BAD_TYPE'], [Uint8Array.of(0x0e), 'ERR_BAD_TYPE'], [Uint8Array.of(0x0f), 'ERR_BAD_TYPE'],
      [Uint8Array.of(0x3d, 1, 2), 'ERR_TRUNCATED'], [Uint8Array.of(0x41, 1, 2, 3, 4, 5, 6, 7), 'ERR_TRUNCATED'], [Uint8Array.of(0x72, 0x05, 0x61), 'ERR_TRUNCATED'],
      [Uint8Array.of(0x72, 0xff, 0xff, 0xff, 0xff, 0x0f), 'ERR_TRUNCATED'], [Uint8Array.of(0x10, ...Array(11).fill(0xff)), 'ERR_BAD_VALUE'],
      [Uint8Array.of(0x0a, 0x00), 'ERR_BAD_TYPE'], [Uint8Array.of(0x8a, 0x01, 0x83), 'ERR_TRUNCATED'],
      [inner([0x0a, 0x01]), 'ERR_TRUNCATED'], [inner([0x1a, 0x02, 0x08, 0x80]), 'ERR_TRUNCATED'], [inner([0x10, 0x01, 0x16]), 'ERR_BAD_TYPE'],
      [w().len(20, '').len(20, Uint8Array.of(0x0a, 0x02, 0xff, 0xfe)).bytes(), 'ERR_BAD_VALUE'], [w().len(7, Uint8Array.of(1, 2, 3)).bytes(), 'ERR_BAD_TYPE'],
      [w().len(17, Uint8Array.of(0x80)).bytes(), 'ERR_TRUNCATED'], [w().tag(900, 3).tag(901, 4).bytes(), 'ERR_BAD_TYPE'], [w().tag(900, 3).bytes(), 'ERR_TRUNCATED'],
      [w().len(34, '').bytes(), 'ERR_BAD_VALUE'], [w().len(34, w().float(2, NaN, true)).bytes(), 'ERR_BAD_VALUE'], [w().len(48, '').bytes(), 'ERR_BAD_VALUE'],
      [w().len(33, w().len(1, w().len(1, 'k'))).bytes(), 'ERR_BAD_VALUE'], [w().len(48, w().len(5, w().len(1, w().len(1, 'k').len(2, w().float(2, -Infinity, true))))).bytes(), 'ERR_BAD_VALUE'],
      [w().len(41, w().tag(1, 2).varint(0)).bytes(), 'ERR_BAD_TYPE'], [w().len(35, w().len(1, w().tag(3, 2).varint(1).raw([0xff]))).bytes(), 'ERR_BAD_VALUE'],
    ];
    for (const [wire, code] of bad) {
      expect({ hex: Buffer.from(wire).toString('hex'), code: (expectSame(p, wire) as { code?: string }).code }).toEqual({ hex: Buffer.from(wire).toString('hex'), code });
      expectSame(p, wire, true);
    }
    if (native.loaded) expect(bad.filter(([wire]) => nativeConverts(p, wire, false)).length).toBeGreaterThan(bad.length - 2);
    expect(() => p.nat.toJSON('x' as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => p.nat.toJSON(new Uint8Array(0), { emitDefaultValues: 1 as unknown as boolean })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  test('limits: nesting depth, groups nested past it, input size', () => {
    const shallow = pair(root, 'pj.Edge', { maxDepth: 3, maxSize: 64 });
    let nested = w().len(1, 'deep');
    for (let i = 0; i < 5; i++) nested = w().len(3, nested);
    const cases = [w().len(26, nested).bytes(), w().len(26, w().len(3, w().len(3, ''))).bytes(), w().len(26, w().len(3, '')).bytes(), w().len(20, w().len(3, w().len(3, ''))).bytes(),
      w().tag(900, 3).tag(901, 3).tag(902, 3).tag(902, 4).tag(901, 4).tag(900, 4).bytes(), w().len(14, 'x'.repeat(70)).bytes()];
    for (const wire of cases) {
      expectSame(shallow, wire);
      expectSame(shallow, wire, true);
    }
    expect(expectSame(shallow, cases[0]!)).toMatchObject({ code: 'ERR_DEPTH_LIMIT', path: 'inner.child.child' });
    expect(expectSame(shallow, cases[5]!)).toMatchObject({ code: 'ERR_SIZE_LIMIT', offset: 0 });
    const deep = pair(root, 'pj.Edge', { maxDepth: 1000, maxSize: 1 << 20 });
    for (const levels of [990, 1001]) {
      let chain = w();
      for (let i = 0; i < levels; i++) chain = w().len(3, chain);
      expectSame(deep, w().len(26, chain).bytes());
    }
  });

  test('the JSON is bounded by maxSize too: one-byte enums, empty messages with defaults, map entries', () => {
    const small = pair(root, 'pj.Edge', { maxDepth: 3, maxSize: 64 });
    // Each input is at most 64 bytes and would write 4-7 times that.
    const packedColors = w().len(18, w().raw(Array.from({ length: 40 }, (_, i) => 1 + (i % 2)))).bytes();
    const emptyItems = w();
    for (let i = 0; i < 20; i++) emptyItems.len(20, '');
    const byNum = w();
    for (let k = 1; k <= 9; k++) byNum.len(24, w().tag(1, 0).varint(k).tag(2, 0).varint(2));
    // With defaults pj.Edge's own implicit fields pass the limit first, at the top level.
    const cases: [Uint8Array, boolean, string][] = [[packedColors, false, 'colors'], [emptyItems.bytes(), true, ''], [new Uint8Array(0), true, ''], [byNum.bytes(), false, 'byNum']];
    for (const [wire, defaults, path] of cases) {
      expect(wire.length).toBeLessThanOrEqual(64);
      const result = expectSame(small, wire, defaults) as { code?: string; path?: string; offset?: number };
      expect({ code: result.code, path: (result.path ?? '').slice(0, path.length) }).toEqual({ code: 'ERR_SIZE_LIMIT', path });
      expect(result.offset).toBeGreaterThanOrEqual(path === '' ? 0 : 1);
      expect(result.offset).toBeLessThanOrEqual(wire.length);
      // Under a limit that holds the whole JSON, the same input converts.
      expect(pair(root, 'pj.Edge', { maxDepth: 3, maxSize: 1 << 16 }).nat.toJSON(wire, { emitDefaultValues: defaults }).length).toBeGreaterThan(64);
      if (native.loaded) expect(nativeConverts(small, wire, defaults)).toBe(true);
    }
  });

  test('results larger than the shared scratch come through the kept buffer', () => {
    const big = w();
    for (let i = 0; i < 3000; i++) big.len(19, `标签 tag ${i} "quoted"`);
    const wire = big.bytes();
    expectOracle(p, edge, wire);
    expect(p.nat.toJSON(wire).length).toBeGreaterThan(64 * 1024);
  });
});
