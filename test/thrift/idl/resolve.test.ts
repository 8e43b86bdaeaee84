import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeddleError } from '../../../src-ts/errors.js';
import { loadThriftModel, parseThriftModel } from '../../../src-ts/thrift/idl/index.js';
import type { ThriftModel } from '../../../src-ts/thrift/model.js';

const valid = join(__dirname, 'fixtures', 'valid');
const read = (rel: string) => readFileSync(join(valid, rel), 'utf8');

function fails(fn: () => unknown): HeddleError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HeddleError);
    return e as HeddleError;
  }
  throw new Error('expected a HeddleError');
}

/** The model without where things were written, to compare models read in different ways. */
function withoutLocations(model: ThriftModel): unknown {
  return JSON.parse(
    JSON.stringify({ ...model, root: undefined, files: undefined, structs: [...model.structs], enums: [...model.enums], consts: [...model.consts], typedefs: [...model.typedefs], services: [...model.services] }, (k, v) =>
      k === 'loc' ? undefined : typeof v === 'bigint' ? `${v}n` : v,
    ),
  );
}

describe('thrift resolution: types, keys and typedefs', () => {
  const model = parseThriftModel(
    `
    typedef i32 Id
    typedef Id UserId (doc = "x")
    typedef list<UserId> (x = "1") UserIds
    struct User { 1: UserId id, 2: UserIds friends, 3: Role role, 4: optional User boss }
    enum Role { ADMIN, USER }
    union U { 1: User u }
    exception E { 1: string m }
    service S { User get(1: UserId id) throws (1: E e) }
    `,
    { filename: 'idl/users.thrift' },
  );

  it('keys definitions by file prefix and keeps declaration order per file', () => {
    expect(model.root.prefix).toBe('users');
    expect(model.root.definitions).toEqual(['users.Id', 'users.UserId', 'users.UserIds', 'users.User', 'users.Role', 'users.U', 'users.E', 'users.S']);
    expect([...model.structs.keys()]).toEqual(['users.User', 'users.U', 'users.E']);
    expect(model.structs.get('users.U')!.kind).toBe('union');
    expect(model.structs.get('users.E')!.kind).toBe('exception');
  });

  it('resolves field types through typedef chains, forward references and self references', () => {
    const user = model.structs.get('users.User')!;
    expect(user.fields.map((f) => f.type)).toEqual([
      { kind: 'base', name: 'i32' },
      { kind: 'list', element: { kind: 'base', name: 'i32' }, annotations: { x: '1' } },
      { kind: 'enum', key: 'users.Role' },
      { kind: 'struct', key: 'users.User' },
    ]);
    expect(model.typedefs.get('users.UserId')).toMatchObject({ type: { kind: 'base', name: 'i32' }, annotations: { doc: 'x' } });
    const fn = model.services.get('users.S')!.functions[0]!;
    expect(fn.returnType).toEqual({ kind: 'struct', key: 'users.User' });
    expect(fn.throws[0]!.type).toEqual({ kind: 'struct', key: 'users.E' });
    expect(fn.loc).toEqual({ file: 'idl/users.thrift', line: 9, column: 17 });
  });

  it('names an unknown type with ERR_UNKNOWN_TYPE and its position, with a hint when it can', () => {
    const e = fails(() => parseThriftModel('struct A {\n  1: Missing m\n}'));
    expect(e.code).toBe('ERR_UNKNOWN_TYPE');
    expect(e.message).toBe("unknown type 'Missing' (input.thrift:2:6)");
    const svc = fails(() => parseThriftModel('service S {}\nstruct A { 1: S s }'));
    expect(svc.message).toMatch(/unknown type 'S' \(it is a service, not a type\)/);
    const prefix = fails(() => parseThriftModel('struct A { 1: other.T t }'));
    expect(prefix.message).toMatch(/this file includes no file 'other'/);
    const hint = fails(() => parseThriftModel('include "b.thrift"\nstruct A { 1: T t }', { includes: { 'b.thrift': 'struct T {}' } }));
    expect(hint.message).toMatch(/did you mean 'b.T'\?/);
  });

  it('refuses typedef cycles and duplicate names', () => {
    expect(fails(() => parseThriftModel('typedef A B\ntypedef B A')).message).toMatch(/refers to itself/);
    const dup = fails(() => parseThriftModel('struct A {}\n\nenum A { X }'));
    expect(dup.message).toMatch(/type 'A' is already defined at 1:1 \(as a struct\)/);
    expect(dup.line).toBe(3);
    expect(fails(() => parseThriftModel('service A {}\nstruct A {}')).message).toMatch(/already defined/);
    expect(fails(() => parseThriftModel('const i32 X = 1\nconst i32 X = 2')).message).toMatch(/const 'X' is already defined at 1:1/);
    // Consts and types live in different namespaces, as in the compiler.
    const both = parseThriftModel('const i32 A = 1\nstruct A {}\nconst i32 S = 2\nservice S {}');
    expect([...both.consts.keys()]).toEqual(['input.A', 'input.S']);
    expect(both.structs.has('input.A') && both.services.has('input.S')).toBe(true);
  });

  it('requires exceptions in throws clauses', () => {
    const e = fails(() => parseThriftModel('struct S {}\nservice X {\n  void f() throws (1: S s)\n}'));
    expect(e.message).toMatch(/the throws clause of X.f lists 's' of a struct type: only exceptions can be thrown/);
    expect(e.line).toBe(3);
  });
});

describe('thrift resolution: consts and defaults', () => {
  it('substitutes references to consts and enum values, and converts ints for doubles', () => {
    const m = parseThriftModel(`
      enum Color { RED = 1, GREEN }
      const i32 A = 7
      const i64 B = A
      const double D = A
      const list<i32> L = [A, Color.GREEN, 3]
      const list<i32> L2 = L
      const Color C = Color.RED
      const Color C2 = 2
      const map<Color, string> M = {Color.RED: "r"}
      struct P { 1: double x = 1, 2: Color c = Color.GREEN, 3: list<i32> l = L }
    `);
    const v = (n: string) => m.consts.get(`input.${n}`)!.value;
    expect(v('B')).toEqual({ kind: 'int', value: 7n });
    expect(v('D')).toEqual({ kind: 'double', value: 7 });
    expect(v('L')).toEqual({ kind: 'list', items: [{ kind: 'int', value: 7n }, { kind: 'int', value: 2n }, { kind: 'int', value: 3n }] });
    expect(v('L2')).toEqual(v('L'));
    expect(v('C')).toEqual({ kind: 'int', value: 1n });
    expect(v('C2')).toEqual({ kind: 'int', value: 2n });
    expect(v('M')).toEqual({ kind: 'map', entries: [[{ kind: 'int', value: 1n }, { kind: 'string', value: 'r' }]] });
    expect(m.structs.get('input.P')!.fields.map((f) => f.default)).toEqual([
      { kind: 'double', value: 1 },
      { kind: 'int', value: 2n },
      v('L'),
    ]);
    expect(m.consts.get('input.C')!.type).toEqual({ kind: 'enum', key: 'input.Color' });
  });

  it('refuses values of the wrong type, out of range, unknown or declared later', () => {
    const cases: Array<[string, RegExp, number?]> = [
      ['const i32 X = "s"', /const X: expected i32, found string "s"/],
      ['const string S = 1', /const S: expected string, found integer 1/],
      ['const i32 X = 1.5', /expected i32, found double 1.5/],
      ['const i8 X = 128', /128 does not fit in i8/],
      ['const i16 X = -32769', /does not fit in i16/],
      ['enum E { A }\nconst E X = 3', /enum input.E has no value 3/, 2],
      ['enum E { A }\nenum F { A }\nconst E X = F.A', /F.A is a value of enum input.F, not of input.E/, 3],
      ['enum E { A }\nconst E X = E.B', /enum E has no value 'B' \(it has A\)/, 2],
      ['const i32 X = Y\nconst i32 Y = 1', /refers to const Y, which is declared later \(at 2:1\)/, 1],
      ['const i32 X = X', /refers to itself/],
      ['const i32 X = NOPE', /unknown const or enum value 'NOPE'/],
      ['struct P { 1: i32 x }\nconst P p = {"y": 1}', /struct P has no field 'y'/, 2],
      ['struct P { 1: i32 x }\nconst P p = [1]', /expected struct input.P/, 2],
      ['const list<i32> L = {}', /expected list/],
      ['const map<i32, i32> M = [1]', /expected map/],
      ['const uuid U = "not-a-uuid"', /expected uuid/],
      ['struct A {\n  1: i32 x = Y\n}\nconst i32 Y = 1', /the default of A.x refers to const Y, which is declared later/, 2],
      ['const string S = "a"\nconst i32 X = S', /S is the string "a", but an integer \(i32\) is expected here/, 2],
    ];
    for (const [src, message, line] of cases) {
      const e = fails(() => parseThriftModel(src));
      expect(e.message, src).toMatch(message);
      expect(e.line, src).toBe(line ?? 1);
      expect(typeof e.column, src).toBe('number');
    }
    expect(fails(() => parseThriftModel('const i32 X = NOPE')).code).toBe('ERR_UNKNOWN_TYPE');
  });

  it('accepts uuid fields and constants (beyond 0.17)', () => {
    const m = parseThriftModel(read('../heddle-only/uuid.thrift'), { filename: 'uuid.thrift' });
    expect(m.structs.get('uuid.Tracked')!.fields[0]).toMatchObject({ type: { kind: 'base', name: 'uuid' }, default: { kind: 'string', value: '00112233-4455-6677-8899-aabbccddeeff' } });
    expect(m.consts.get('uuid.NIL')!.value).toEqual({ kind: 'string', value: '00000000-0000-0000-0000-000000000000' });
    expect(m.typedefs.get('uuid.TraceIds')!.type).toEqual({ kind: 'list', element: { kind: 'base', name: 'uuid' } });
  });
});

describe('thrift resolution: includes', () => {
  const includes = {
    'shared.thrift': read('shared.thrift'),
    'deep/units.thrift': read('deep/units.thrift'),
  };

  it('resolves prefixed names across files, transitively, and lists files root first', () => {
    const m = parseThriftModel(read('kitchen_sink.thrift'), { filename: 'kitchen_sink.thrift', includes });
    expect(m.files.map((f) => [f.filename, f.prefix])).toEqual([
      ['kitchen_sink.thrift', 'kitchen_sink'],
      ['shared.thrift', 'shared'],
      ['deep/units.thrift', 'units'],
    ]);
    const everything = m.structs.get('kitchen_sink.Everything')!;
    const field = (name: string) => everything.fields.find((f) => f.name === name)!;
    // shared.MeasuresAgain -> shared.Measures -> list<units.Measure>, two files away.
    expect(field('measures').type).toEqual({ kind: 'list', element: { kind: 'struct', key: 'units.Measure' } });
    expect(field('status').type).toEqual({ kind: 'enum', key: 'shared.Status' });
    expect(field('status').default).toEqual({ kind: 'int', value: 5n });
    expect(field('another_without_id')).toMatchObject({ id: -2, implicitId: true, default: { kind: 'string', value: 'hello' } });
    // Annotations after a typedef's name belong to the typedef, not to the type it names.
    expect(field('at_time').type).toEqual({ kind: 'base', name: 'i64' });
    expect(field('shorts').type).toEqual({ kind: 'set', element: { kind: 'base', name: 'i16' }, annotations: { 'set.kind': 'ordered' } });
    expect(m.consts.get('shared.UNITS_MAX')!.value).toEqual({ kind: 'int', value: 64n });
    expect(m.consts.get('shared.BASE_UNIT')!.value).toEqual({ kind: 'int', value: 16n });
    expect(m.enums.get('units.Unit')!.values.map((v) => [v.name, v.value])).toEqual([
      ['METER', 1], ['GRAM', 2], ['SECOND', 16], ['KELVIN', -3], ['NONE', -2],
    ]);
  });

  it('reads a file once when several files include it, and links services across files', () => {
    const m = parseThriftModel(read('services.thrift'), { filename: 'services.thrift', includes: { ...includes, 'kitchen_sink.thrift': read('kitchen_sink.thrift') } });
    expect(m.files.map((f) => f.prefix)).toEqual(['services', 'shared', 'units', 'kitchen_sink']);
    const catalog = m.services.get('services.Catalog')!;
    expect(catalog.extends).toBe('shared.BaseService');
    expect(m.services.get('services.Admin')!.extends).toBe('services.Catalog');
    const find = catalog.functions.find((f) => f.name === 'find')!;
    expect(find.throws.map((t) => t.type)).toEqual([
      { kind: 'struct', key: 'shared.NotFound' },
      { kind: 'struct', key: 'kitchen_sink.Oops' },
    ]);
    expect(find.args[1]!.requiredness).toBe('default');
    expect(catalog.functions.find((f) => f.name === 'later')!.args[0]!.default).toEqual({ kind: 'int', value: 1n });
  });

  it('matches includes by exact path, by path relative to the includer, then by base name', () => {
    const root = 'include "sub/a.thrift"\nstruct R { 1: a.A a }';
    const a = 'include "b.thrift"\nstruct A { 1: b.B b }';
    const b = 'struct B {}';
    const byRelative = parseThriftModel(root, { filename: 'idl/root.thrift', includes: { 'idl/sub/a.thrift': a, 'idl/sub/b.thrift': b } });
    expect(byRelative.files.map((f) => f.filename)).toEqual(['idl/root.thrift', 'idl/sub/a.thrift', 'idl/sub/b.thrift']);
    const byBase = parseThriftModel(root, { includes: { 'a.thrift': a, 'elsewhere/b.thrift': b } });
    expect(byBase.files.map((f) => f.filename)).toEqual(['input.thrift', 'a.thrift', 'elsewhere/b.thrift']);
    const ambiguous = fails(() => parseThriftModel(root, { includes: { 'x/a.thrift': a, 'y/a.thrift': a } }));
    expect(ambiguous.message).toMatch(/include "sub\/a.thrift" is ambiguous/);
    const missing = fails(() => parseThriftModel('namespace * x\ninclude "nope.thrift"'));
    expect(missing.message).toMatch(/cannot find include "nope.thrift": pass its source in options.includes/);
    expect([missing.code, missing.line, missing.column]).toEqual(['ERR_IDL_SYNTAX', 2, 1]);
  });

  it('sees only the files a file includes itself, as the compiler does', () => {
    const e = fails(() =>
      parseThriftModel('include "a.thrift"\nstruct R { 1: b.B b }', { includes: { 'a.thrift': 'include "b.thrift"\nstruct A {}', 'b.thrift': 'struct B {}' } }),
    );
    expect(e.code).toBe('ERR_UNKNOWN_TYPE');
    expect(e.message).toMatch(/unknown type 'b.B' \(no include has the prefix 'b'; includes: a\)/);
  });

  it('refuses include cycles, naming the chain, and files that share a prefix', () => {
    const cycle = fails(() =>
      parseThriftModel('include "a.thrift"', { filename: 'root.thrift', includes: { 'a.thrift': 'include "b.thrift"', 'b.thrift': '\ninclude "root.thrift"' } }),
    );
    expect(cycle.message).toBe('include cycle: root.thrift -> a.thrift -> b.thrift -> root.thrift (b.thrift:2:1)');
    const self = fails(() => parseThriftModel('include "input.thrift"'));
    expect(self.message).toMatch(/include cycle: input.thrift -> input.thrift/);
    const clash = fails(() => parseThriftModel('include "x/common.thrift"\ninclude "y/common.thrift"', { includes: { 'x/common.thrift': '', 'y/common.thrift': '' } }));
    expect(clash.message).toMatch(/"y\/common.thrift" and "x\/common.thrift" are different files with the same include prefix 'common'/);
    expect(clash.line).toBe(2);
  });

  it('refuses an extends of a later service and a function the base already has', () => {
    expect(fails(() => parseThriftModel('service B extends A {}\nservice A {}')).message).toMatch(/extends A, which is declared later \(at 2:1\)/);
    const e = fails(() => parseThriftModel('service A { void f() }\nservice B extends A {}\nservice C extends B {\n  i32 f()\n}'));
    expect(e.message).toMatch(/function f of service C is already defined in its base service input.A/);
    expect(e.line).toBe(4);
    const unknown = fails(() => parseThriftModel('struct A {}\nservice B extends A {}'));
    expect(unknown.code).toBe('ERR_UNKNOWN_TYPE');
    expect(unknown.message).toMatch(/unknown service 'A' \(it is a struct, not a service\)/);
  });

  it('refuses arguments of the wrong type with ERR_INVALID_ARGUMENT', () => {
    expect(fails(() => parseThriftModel(42 as never)).code).toBe('ERR_INVALID_ARGUMENT');
    expect(fails(() => parseThriftModel('', { filename: '' })).code).toBe('ERR_INVALID_ARGUMENT');
    const e = fails(() => parseThriftModel('include "a.thrift"', { includes: { 'a.thrift': Buffer.from('x') as never } }));
    expect([e.code, e.message]).toEqual(['ERR_INVALID_ARGUMENT', 'options.includes["a.thrift"] must be the file\'s source text, got object']);
    expect(fails(() => loadThriftModel('')).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('loads from disk, searching the includer directory, then includeDirs', () => {
    const fromDisk = loadThriftModel(join(valid, 'kitchen_sink.thrift'));
    const fromMemory = parseThriftModel(read('kitchen_sink.thrift'), { filename: 'kitchen_sink.thrift', includes });
    expect(withoutLocations(fromDisk)).toEqual(withoutLocations(fromMemory));
    expect(fromDisk.files[2]!.path).toBe(join(valid, 'deep', 'units.thrift'));

    const app = loadThriftModel(join(valid, 'app', 'app.thrift'), { includeDirs: [join(valid, 'libdir')] });
    expect(app.files.map((f) => f.prefix)).toEqual(['app', 'lib', 'units']);
    expect(app.structs.get('app.App')!.fields[2]!.type).toEqual({ kind: 'struct', key: 'lib.Lib' });
    const noDirs = fails(() => loadThriftModel(join(valid, 'app', 'app.thrift')));
    expect(noDirs.message).toMatch(/cannot find include "lib.thrift" \(looked in: .*app\)/);
    expect(noDirs.line).toBe(3);
    const missing = fails(() => loadThriftModel(join(valid, 'does-not-exist.thrift')));
    expect(missing.code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('thrift resolution: names that collide with JavaScript built-ins', () => {
  it('resolves definitions named toString, constructor and __proto__', () => {
    const m = parseThriftModel('typedef i32 __proto__\nconst __proto__ constructor = 1\nstruct toString { 1: __proto__ x = constructor }\nservice hasOwnProperty { toString get() }');
    expect(m.structs.get('input.toString')!.fields[0]).toMatchObject({ type: { kind: 'base', name: 'i32' }, default: { kind: 'int', value: 1n } });
    expect(m.services.get('input.hasOwnProperty')!.functions[0]!.returnType).toEqual({ kind: 'struct', key: 'input.toString' });
    expect(fails(() => parseThriftModel('struct A { 1: valueOf v }')).code).toBe('ERR_UNKNOWN_TYPE');
  });
});
