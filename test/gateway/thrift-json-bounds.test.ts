/**
 * The bounds of the Thrift JSON transcoders on hostile input, on both paths: output that grows
 * far faster than the input (Compact bools under long JSON names, IDL defaults filling empty
 * structs) stops at the codec's size limit with the same HeddleError from native and twin; a
 * codec allowing nesting deeper than the native stack takes runs the twin, and nesting deeper
 * than the JavaScript stack is an ERR_DEPTH_LIMIT, not a crash.
 */
import { describe, expect, test } from 'vitest';
import { buildDescriptor, ThriftJsonTranscoder } from '../../src-ts/gateway/thrift-json/index.js';
import { NATIVE_MAX_DEPTH } from '../../src-ts/gateway/thrift-json/native-table.js';
import { native } from '../../src-ts/native.js';
import { thrift } from '../../src-ts/index.js';

const IDL = `
struct Flags {
  1: bool a_flag_with_a_rather_long_json_name_indeed
}
struct Filled {
  1: string text = "${'默认值'.repeat(100)}"
}
struct Filler {
  1: list<Filled> items
}
struct Nest {
  1: optional Nest inner
}
`;
const doc = thrift.parse(IDL, { filename: 'bounds.thrift' });

function transcoders(name: string, compact: boolean, limits: { maxDepth: number; maxSize: number }) {
  const desc = buildDescriptor(doc.struct(name), (key) => doc.structByKey(key));
  const all = { compact, ...limits };
  const paths = [['twin', new ThriftJsonTranscoder(desc, all, false)] as const];
  return native.loaded ? [...paths, ['native', new ThriftJsonTranscoder(desc, all, true)] as const] : paths;
}

function errorOf(run: () => unknown): { code: string; message: string; offset?: number; path?: string } {
  try {
    run();
  } catch (error) {
    const e = error as { code: string; message: string; offset?: number; path?: string };
    return { code: e.code, message: e.message, offset: e.offset, path: e.path };
  }
  throw new Error('expected an error');
}

describe('Thrift JSON transcoders: output bounded by the codec size limit', () => {
  test('a Compact message of repeated bool fields stops at the limit instead of writing its JSON name 1,500 times', () => {
    // 0x11: field 1, BOOLEAN_TRUE, delta 1; then the same field again in long form (delta 0, zigzag id 2).
    const wire = Buffer.concat([Buffer.from([0x11]), Buffer.alloc(3000, Buffer.from([0x01, 0x02])), Buffer.from([0x00])]);
    const errors = transcoders('Flags', true, { maxDepth: 64, maxSize: 4096 }).map(([, t]) => errorOf(() => t.toJSON(wire)));
    expect(errors[0]).toMatchObject({ code: 'ERR_SIZE_LIMIT', message: expect.stringMatching(/^JSON output over the 4096-byte limit/) });
    for (const e of errors) expect(e).toEqual(errors[0]);
    // Under the limit the same repeats convert, each as the JSON key it is.
    const small = Buffer.from([0x11, 0x01, 0x02, 0x00]);
    for (const [, t] of transcoders('Flags', true, { maxDepth: 64, maxSize: 4096 })) expect(t.toJSON(small).toString()).toBe('{"a_flag_with_a_rather_long_json_name_indeed":true,"a_flag_with_a_rather_long_json_name_indeed":true}');
  });

  test('empty structs whose IDL defaults fill them stop at the limit at the struct that crosses it', () => {
    const body = `{"items":[${Array(200).fill('{}').join(',')}]}`;
    for (const compact of [false, true]) {
      const errors = transcoders('Filler', compact, { maxDepth: 64, maxSize: 8192 }).map(([, t]) => errorOf(() => t.fromJSON(body)));
      expect(errors[0]).toMatchObject({ code: 'ERR_SIZE_LIMIT', message: expect.stringMatching(/^encoded message of \d+ bytes is over the 8192-byte limit/) });
      // Caught within one struct of the limit, not after all 200 were written.
      expect(Number(/of (\d+) bytes/.exec(errors[0]!.message)![1])).toBeLessThan(8192 + 1000);
      for (const e of errors) expect(e).toEqual(errors[0]);
    }
  });
});

describe('Thrift JSON transcoders: nesting deeper than a stack', () => {
  const nested = (levels: number) => '{"inner":'.repeat(levels) + '{}' + '}'.repeat(levels);

  test('a codec allowing more nesting than the native stack takes runs the twin, with the same results', () => {
    const deep = transcoders('Nest', false, { maxDepth: NATIVE_MAX_DEPTH + 1, maxSize: 1 << 24 });
    const shallow = transcoders('Nest', false, { maxDepth: NATIVE_MAX_DEPTH, maxSize: 1 << 24 });
    for (const [, t] of deep) expect(t.isNative).toBe(false);
    if (native.loaded) expect(shallow[1]![1].isNative).toBe(true);
    // The root is depth 1: NATIVE_MAX_DEPTH structs in all.
    const body = nested(NATIVE_MAX_DEPTH - 1);
    const bytes = deep[0]![1].fromJSON(body);
    for (const [, t] of [...deep, ...shallow]) expect(Buffer.from(t.fromJSON(body)).equals(Buffer.from(bytes))).toBe(true);
    for (const [, t] of shallow) expect(errorOf(() => t.fromJSON(nested(NATIVE_MAX_DEPTH))).code).toBe('ERR_DEPTH_LIMIT');
  });

  test('nesting past the JavaScript stack under a huge maxDepth is ERR_DEPTH_LIMIT both ways, and the codec keeps working', () => {
    for (const compact of [false, true]) {
      const [[, t]] = transcoders('Nest', compact, { maxDepth: 10_000_000, maxSize: 1 << 26 });
      const levels = 300_000;
      expect(errorOf(() => t.fromJSON(nested(levels))).code).toBe('ERR_DEPTH_LIMIT');
      // Field 1 (struct) nested `levels` deep, then the stops.
      const header = compact ? [0x1c] : [0x0c, 0x00, 0x01];
      const wire = Buffer.concat([Buffer.alloc(levels * header.length, Buffer.from(header)), Buffer.alloc(levels + 1, 0)]);
      expect(errorOf(() => t.toJSON(wire)).code).toBe('ERR_DEPTH_LIMIT');
      expect(Buffer.from(t.fromJSON(nested(3))).length).toBeGreaterThan(0);
      expect(t.toJSON(t.fromJSON(nested(3))).toString()).toBe(nested(3));
    }
  });
});
