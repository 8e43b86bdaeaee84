/**
 * Property tests: truncations and random mutations of the valid fixtures, and random token soup,
 * never crash or hang the parser. Each input either parses or throws a HeddleError with code
 * ERR_IDL_SYNTAX or ERR_UNKNOWN_TYPE and a file, line and column inside the input.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeddleError } from '../../../src-ts/errors.js';
import { parseThriftModel } from '../../../src-ts/thrift/idl/index.js';

const valid = join(__dirname, 'fixtures', 'valid');

function thriftFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? thriftFiles(join(dir, d.name)) : d.name.endsWith('.thrift') ? [join(dir, d.name)] : [],
  );
}

/** Every fixture by its path under valid/, the form its includers write (plus libdir's files by base name). */
const sources: Record<string, string> = {};
for (const path of thriftFiles(valid)) sources[relative(valid, path)] = readFileSync(path, 'utf8');
const names = Object.keys(sources).sort();

/** Parses `source` as fixture `name` (with every other fixture available as an include). */
function attempt(name: string, source: string): 'parsed' | HeddleError {
  const lines = source.split('\n');
  // CPU time of this process, not wall time: on a loaded machine a scheduler delay is not the
  // parser's; a pathological (super-linear) parse of these small inputs costs seconds of CPU.
  const started = process.cpuUsage();
  try {
    parseThriftModel(source, { filename: name, includes: sources });
    return 'parsed';
  } catch (e) {
    if (!(e instanceof HeddleError)) throw new Error(`${name}: a non-HeddleError escaped: ${String(e)}\n--- input ---\n${source}`);
    expect(['ERR_IDL_SYNTAX', 'ERR_UNKNOWN_TYPE']).toContain(e.code);
    expect(typeof e.file).toBe('string');
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.column).toBeGreaterThanOrEqual(1);
    // Errors in the input itself point inside it (errors may also be in an unmodified include).
    if (e.file === name) expect(e.line!).toBeLessThanOrEqual(lines.length);
    return e;
  } finally {
    const spent = process.cpuUsage(started);
    const ms = (spent.user + spent.system) / 1000;
    if (ms > 3000) throw new Error(`${name}: parsing took ${ms.toFixed(0)} ms of CPU\n--- input ---\n${source}`);
  }
}

/** Pieces of Thrift worth splicing in: they push the parser into deeper, odder states. */
const vocabulary = [
  '{', '}', '(', ')', '<', '>', '[', ']', ',', ';', ':', '=', '*', '&', '"', "'", '/*', '*/', '/**', '//', '#', '\n', ' ',
  '\\', '.', '-', '+', '0x', '1', '-1', '32767', '1.5e3', 'struct', 'union', 'exception', 'enum', 'service', 'typedef',
  'const', 'namespace', 'include', 'required', 'optional', 'oneway', 'void', 'throws', 'extends', 'list', 'set', 'map',
  'i32', 'string', 'byte', 'uuid', 'senum', 'xsd_attrs', 'cpp_type', 'shared.Status', 'Point', 'X.Y.Z', 'true', '\u00e9',
];

const mutation = (source: string) =>
  fc.oneof(
    // Truncate.
    fc.nat(source.length).map((n) => source.slice(0, n)),
    // Delete a range.
    fc.tuple(fc.nat(source.length), fc.nat(40)).map(([at, n]) => source.slice(0, at) + source.slice(at + n)),
    // Insert pieces of Thrift.
    fc.tuple(fc.nat(source.length), fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 6 })).map(
      ([at, words]) => source.slice(0, at) + words.join('') + source.slice(at),
    ),
    // Replace one character with any character.
    fc.tuple(fc.nat(Math.max(0, source.length - 1)), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })).map(
      ([at, ch]) => source.slice(0, at) + ch + source.slice(at + 1),
    ),
    // Duplicate a slice somewhere else.
    fc.tuple(fc.nat(source.length), fc.nat(source.length), fc.nat(200)).map(
      ([from, to, n]) => source.slice(0, to) + source.slice(from, from + n) + source.slice(to),
    ),
  );

describe('thrift parser robustness', () => {
  it('every fixture still parses, and parses the same when read twice', () => {
    for (const name of names) expect(attempt(name, sources[name]!), name).toBe('parsed');
  });

  it('every truncation of every fixture parses or fails with a position', () => {
    let failures = 0;
    for (const name of names) {
      const source = sources[name]!;
      // Every offset for small files; a dense stride keeps the run short for large ones.
      const step = Math.max(1, Math.floor(source.length / 1500));
      for (let n = 0; n < source.length; n += step) if (attempt(name, source.slice(0, n)) !== 'parsed') failures++;
    }
    // Most truncations cut a definition in half: they must be refused, not silently accepted.
    expect(failures).toBeGreaterThan(100);
  });

  it('random mutations of the fixtures parse or fail with a position', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names).chain((name) => fc.tuple(fc.constant(name), mutation(sources[name]!))),
        ([name, source]) => {
          attempt(name, source);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('mutated includes fail in the include, with its name and position', () => {
    const root = 'kitchen_sink.thrift';
    fc.assert(
      fc.property(mutation(sources['shared.thrift']!), (shared) => {
        try {
          parseThriftModel(sources[root]!, { filename: root, includes: { ...sources, 'shared.thrift': shared } });
        } catch (e) {
          expect(e).toBeInstanceOf(HeddleError);
          const err = e as HeddleError;
          expect([root, 'shared.thrift', 'deep/units.thrift']).toContain(err.file);
          expect(err.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('random token soup parses or fails with a position', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabulary, 'A', 'b', '2', 'x'), { maxLength: 80 }), (words) => {
        attempt('soup.thrift', words.join(' '));
      }),
      { numRuns: 1500 },
    );
  });

  it('pathological inputs stay fast: long runs of brackets, comments and names', () => {
    const inputs = [
      '['.repeat(100_000),
      '{'.repeat(100_000),
      'list<'.repeat(50_000),
      '/*'.repeat(50_000),
      '/**/'.repeat(50_000) + 'struct A {}',
      `const string S = "${'x'.repeat(1_000_000)}"`,
      `struct A { ${Array.from({ length: 20_000 }, (_, i) => `${(i % 32000) + 1}: i32 f${i}`).join('\n')} }`,
      'a.'.repeat(50_000),
      `struct A { 1: i32 x ${'xsd_attrs { 1: i32 x '.repeat(20_000)}`,
      '#'.repeat(100_000),
      '"'.repeat(100_001),
    ];
    for (const input of inputs) attempt('big.thrift', input);
  });

  it('types and consts built up through many definitions stay within a depth limit', () => {
    const deep = (lines: string[]) => attempt('deep.thrift', lines.join('\n'));
    // Aliases of aliases, declared so that resolving the first walks the whole chain.
    const aliases = deep([...Array.from({ length: 20_000 }, (_, i) => `typedef T${i + 1} T${i}`), 'typedef i32 T20000']);
    expect(aliases === 'parsed' ? '' : aliases.message).toMatch(/more than 1000 typedefs of typedefs/);
    // Containers wrapped one typedef at a time.
    const nested = deep(['typedef i32 L0', ...Array.from({ length: 5_000 }, (_, i) => `typedef list<L${i}> L${i + 1}`)]);
    expect(nested === 'parsed' ? '' : nested.message).toMatch(/type nests deeper than 100 levels \(through typedefs\)/);
    // A recursive struct whose consts each wrap the one before.
    const wrapped = deep(['struct R { 1: list<R> r }', 'const R C0 = {}', ...Array.from({ length: 5_000 }, (_, i) => `const R C${i + 1} = {"r": [C${i}]}`)]);
    expect(wrapped === 'parsed' ? '' : wrapped.message).toMatch(/nests deeper than 100 levels/);
  });
});
