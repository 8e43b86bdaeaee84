/**
 * The bounds of the Thrift JSON transcoders on hostile input, on both paths: output that grows
 * far faster than the input (Compact bools under long JSON names, IDL defaults filling empty
 * structs) stops at the codec's size limit with the same HeddleError from native and twin; a
 * codec allowing nesting deeper than the native stack takes runs the twin, and nesting deeper
 * than the JavaScript stack is an ERR_DEPTH_LIMIT, not a crash; the native output buffer that
 * cannot grow (memory runs out under a size limit set high) is an ERR_SIZE_LIMIT, not an abort.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { buildDescriptor, ThriftJsonTranscoder } from '../../src-ts/gateway/thrift-json/index.js';
import { NATIVE_MAX_DEPTH } from '../../src-ts/gateway/thrift-json/native-table.js';
import { native } from '../../src-ts/native.js';
import { thrift } from '../../src-ts/index.js';
import { itWithPeers } from '../helpers/peers.js';

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

/**
 * Run in a child process that caps its own address space (prlimit) a little above what it
 * already uses, after making its inputs: a few hundred kilobytes that convert to more than a
 * gigabyte, under a size limit of 2 GiB, so the native output buffer runs out of memory first.
 * Before the converters made their room through Sink::TryEnsure, this child died of SIGABRT.
 */
const OUT_OF_MEMORY_CHILD = `
const { readFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const root = process.argv[1];
const { thrift } = require(root);
const { buildDescriptor, ThriftJsonTranscoder } = require(root + '/dist/gateway/thrift-json/index.js');
const name = 'a_json_name_' + 'x'.repeat(2000);
const doc = thrift.parse('struct Wide { 1: bool ' + name + ' }\\nstruct Big { 1: string text = "' + 'd'.repeat(20000) + '" }\\nstruct Bigs { 1: list<Big> items }');
const transcoder = (type, compact) => {
  const t = new ThriftJsonTranscoder(buildDescriptor(doc.struct(type), (key) => doc.structByKey(key)), { compact, maxDepth: 64, maxSize: 2 ** 31 - 1 }, true);
  if (!t.isNative) throw new Error('native transcoder not loaded');
  return t;
};
const wide = transcoder('Wide', true);
const bigs = { binary: transcoder('Bigs', false), compact: transcoder('Bigs', true) };
// 600,000 repeats of field 1 in long form (0x01 0x02): each writes the 2,000-byte JSON name.
const wire = Buffer.concat([Buffer.from([0x11]), Buffer.alloc(1200000, Buffer.from([0x01, 0x02])), Buffer.from([0x00])]);
// 60,000 empty structs, each filled with its 20,000-byte default.
const body = Buffer.from('{"items":[' + Array(60000).fill('{}').join(',') + ']}');
const used = Number(/VmSize:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
execFileSync('prlimit', ['--pid', String(process.pid), '--as=' + (used + 160 * 1024 * 1024)]);
const outcome = (run) => { try { return 'converted ' + run().length + ' bytes'; } catch (e) { return e.code + ': ' + e.message + ' at ' + e.offset; } };
const results = [outcome(() => wide.toJSON(wire)), outcome(() => bigs.binary.fromJSON(body)), outcome(() => bigs.compact.fromJSON(body))];
// The per-thread output buffer let go of what it grew to: a small conversion still works.
results.push(wide.toJSON(Buffer.from([0x11, 0x00])).length);
console.log(JSON.stringify(results));
`;

describe('Thrift JSON transcoders: memory running out', () => {
  // Without the addon there is no native buffer to run out (a mode, not a missing peer); without
  // prlimit the test is reported as a missing peer, and fails under HEDDLE_REQUIRE_PEERS.
  (native.loaded ? (title: string, fn: () => void) => itWithPeers(['prlimit'], title, fn) : test.skip)('a native output buffer that cannot grow is an ERR_SIZE_LIMIT at the value being converted, not an abort', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    // Under the sanitizer run (scripts/test-asan.sh) ASan's allocator aborts on a failed
    // allocation unless told to return null, as malloc and realloc do without it, and its
    // quarantine of freed memory would eat the child's capped address space first.
    const asan = [process.env.ASAN_OPTIONS, 'allocator_may_return_null=1:quarantine_size_mb=0'].filter((o) => o !== undefined && o !== '').join(':');
    const run = spawnSync(process.execPath, ['-e', OUT_OF_MEMORY_CHILD, root], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ASAN_OPTIONS: asan } });
    expect({ signal: run.signal, status: run.status, stderr: run.stderr }).toEqual({ signal: null, status: 0, stderr: '' });
    const [toJson, fromBinary, fromCompact, after] = JSON.parse(run.stdout) as [string, string, string, number];
    // Long-form field headers take bytes 1-2, 3-4, ...: the error is just past the header of the
    // field whose JSON did not fit.
    const OUT_OF_MEMORY = /^ERR_SIZE_LIMIT: out of memory for the converted message \(at byte (\d+)\) at \d+$/;
    expect(toJson).toMatch(OUT_OF_MEMORY);
    expect(Number(OUT_OF_MEMORY.exec(toJson)![1]) % 2).toBe(1);
    // fromJSON names the list element whose IDL default did not fit, with its JSON offset.
    for (const from of [fromBinary, fromCompact]) expect(from).toMatch(/^ERR_SIZE_LIMIT: out of memory for the converted message \(at items\[\d+\], at byte \d+\) at \d+$/);
    // {"a_json_name_x...x":true} with a 2,012-byte name.
    expect(after).toBe(2012 + 9);
  });
});
