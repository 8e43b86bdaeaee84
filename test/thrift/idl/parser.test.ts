import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeddleError } from '../../../src-ts/errors.js';
import type { EnumNode, ServiceNode, StructNode, TypedefNode } from '../../../src-ts/thrift/idl/ast.js';
import { parseFile } from '../../../src-ts/thrift/idl/parser.js';

const parse = (src: string) => parseFile(src, 'p.thrift');

function syntaxError(src: string): HeddleError {
  try {
    parse(src);
  } catch (e) {
    expect(e).toBeInstanceOf(HeddleError);
    expect((e as HeddleError).code).toBe('ERR_IDL_SYNTAX');
    expect((e as HeddleError).file).toBe('p.thrift');
    return e as HeddleError;
  }
  throw new Error(`parsed without error: ${src}`);
}

describe('thrift parser: headers', () => {
  it('reads namespaces (with * scope and annotations), includes and cpp_includes', () => {
    const f = parse(`
      namespace * all.of.it
      namespace go kitex.shared (package.alias = "sh")
      namespace py.twisted tw
      include "shared.thrift"
      cpp_include "<vector>"
      include 'dir/other.thrift'
    `);
    expect(f.namespaces).toEqual({ '*': 'all.of.it', go: 'kitex.shared', 'py.twisted': 'tw' });
    expect(f.namespaceAnnotations).toEqual({ go: { 'package.alias': 'sh' } });
    expect(f.includes.map((i) => [i.path, i.pos.line])).toEqual([
      ['shared.thrift', 5],
      ['dir/other.thrift', 7],
    ]);
    expect(f.cppIncludes).toEqual(['<vector>']);
  });

  it('refuses a header after the first definition, naming where definitions began', () => {
    const e = syntaxError('struct A {}\n\nnamespace go x');
    expect(e.message).toBe("'namespace' must come before every definition (the first one is at 1:1) (p.thrift:3:1)");
  });
});

describe('thrift parser: structs and fields', () => {
  it('reads ids, implicit ids counting down from -1, requiredness, defaults and annotations', () => {
    const [s] = parse(`
      struct S {
        1: required i32 a = 5 (go.tag = 'json:"a"'),
        string b;
        optional list<map<string, set<byte>>> c
        0: i64 d
        -9: bool e
        7: Other & f xsd_optional xsd_nillable
      } (final)
    `).definitions as [StructNode];
    expect(s.fields.map((f) => [f.id, f.implicitId, f.name, f.requiredness])).toEqual([
      [1, false, 'a', 'required'],
      [-1, true, 'b', 'default'],
      [-2, true, 'c', 'optional'],
      [-3, true, 'd', 'default'], // a non-positive id is ignored, as the compiler does
      [-4, true, 'e', 'default'],
      [7, false, 'f', 'default'],
    ]);
    expect(s.fields[0]!.default).toMatchObject({ kind: 'int', value: 5n });
    expect(s.fields[0]!.annotations).toEqual({ 'go.tag': 'json:"a"' });
    expect(s.fields[2]!.type).toMatchObject({
      kind: 'list',
      element: { kind: 'map', key: { kind: 'base', name: 'string' }, value: { kind: 'set', element: { kind: 'base', name: 'i8' } } },
    });
    expect(s.fields[5]!.type).toMatchObject({ kind: 'named', name: 'Other' });
    expect(s.annotations).toEqual({ final: '1' });
  });

  it('keeps annotations on base and container types, and skips cpp_type', () => {
    const [s] = parse(`
      struct S {
        1: i32 (a = "1") x
        2: map cpp_type "std::map" <string (b = "2"), i32> (c = "3") m
        3: list<i32> cpp_type "std::deque" (d) l
      }
    `).definitions as [StructNode];
    expect(s.fields.map((f) => f.type.kind === 'named' ? undefined : f.type.annotations)).toEqual([{ a: '1' }, { c: '3' }, { d: '1' }]);
    expect(s.fields[1]!.type).toMatchObject({ key: { annotations: { b: '2' } } });
  });

  it('makes union members optional and limits a union to one default', () => {
    const [u] = parse('union U { 1: required i32 a, 2: string b = "x" }').definitions as [StructNode];
    expect(u.fields.map((f) => f.requiredness)).toEqual(['optional', 'optional']);
    const e = syntaxError('union U {\n 1: i32 a = 1,\n 2: i32 b = 2\n}');
    expect(e.message).toMatch(/union U gives a default to field 'b' and to 'a'/);
    expect(e.line).toBe(3);
  });

  it('reports duplicate field ids and names at the second field', () => {
    const e = syntaxError('struct A {\n  1: i32 a\n  1: i32 b\n}');
    expect(e.message).toBe("field id 1 of struct A is already used by field 'a' at 2:3 (p.thrift:3:3)");
    const n = syntaxError('exception E {\n  1: i32 a\n  2: string a\n}');
    expect(n.message).toMatch(/field name 'a' of exception E is already used at 2:3/);
    // An explicit -1 is ignored like any non-positive id, so it cannot collide with an implicit one.
    const [s] = parse('struct A { i32 a, -1: i32 c }').definitions as [StructNode];
    expect(s.fields.map((f) => f.id)).toEqual([-1, -2]);
  });

  it('says which brace is missing and where it was opened', () => {
    const e = syntaxError('\n\nstruct Foo {\n  1: i32 x\n\nservice S {}');
    expect(e.message).toBe("expected '}' to close struct Foo opened at 3:1, found 'service' (p.thrift:6:1)");
    expect([e.line, e.column]).toEqual([6, 1]);
    expect(syntaxError('struct Foo {\n  1: i32 x').message).toMatch(/expected '}' to close struct Foo opened at 1:1, found end of file/);
  });

  it("refuses a ';' after a closing brace, as the compiler does", () => {
    expect(syntaxError('struct A {};').message).toMatch(/no separator after the '}'/);
  });

  it('refuses field ids beyond 16 bits, keywords as names and dotted names', () => {
    expect(syntaxError('struct A { 70000: i32 x }').message).toMatch(/field id 70000 is out of range/);
    expect(syntaxError('struct A { 1: i32 list }').message).toMatch(/expected a field name in struct A, found 'list' \('list' is a reserved word\)/);
    expect(syntaxError('struct A.B {}').message).toMatch(/struct name 'A.B' must not contain a dot/);
    expect(syntaxError('struct A { 1: void x }').message).toMatch(/'void' is only a function's return type/);
  });
});

describe('thrift parser: enums, typedefs and consts', () => {
  it('numbers enum values like the compiler: from 0, then previous + 1 after explicit ones', () => {
    const [e] = parse(`
      enum E {
        A,
        /** bee */
        B = 10 (deprecated),
        C;
        D = -0x5
        E
        F = 0x7fffffff
      } (x = "y")
    `).definitions as [EnumNode];
    expect(e.values.map((v) => [v.name, v.value])).toEqual([
      ['A', 0], ['B', 10], ['C', 11], ['D', -5], ['E', -4], ['F', 2147483647],
    ]);
    expect(e.values[1]!.doc).toBe('bee');
    expect(e.values[1]!.annotations).toEqual({ deprecated: '1' });
    expect(e.annotations).toEqual({ x: 'y' });
    expect(syntaxError('enum E { A = 2147483648 }').message).toMatch(/does not fit in 32 bits/);
    expect(syntaxError('enum E { A = 2147483647, B }').message).toMatch(/overflows i32/);
    expect(syntaxError('enum E { A, B, A }').message).toMatch(/enum value E.A is already defined at 1:10/);
  });

  it('reads typedefs with annotations on the type and on the definition', () => {
    const [t] = parse('typedef list<i32> (a = "1") Ints (b = "2");').definitions as [TypedefNode];
    expect(t.type).toMatchObject({ kind: 'list', annotations: { a: '1' } });
    expect(t.annotations).toEqual({ b: '2' });
  });

  it('reads every const value form, with , or ; separators', () => {
    const f = parse(`
      const i32 A = 0x10;
      const double B = -1.5e3,
      const string C = 'q'
      const list<i32> D = [1; 2, 3]
      const map<string, list<i32>> E = {"a": [A], 'b': []; }
      const Color F = Color.RED
    `);
    const values = f.definitions.map((d) => (d.kind === 'const' ? d.value : undefined));
    expect(values[0]).toMatchObject({ kind: 'int', value: 16n });
    expect(values[1]).toMatchObject({ kind: 'double', value: -1500 });
    expect(values[2]).toMatchObject({ kind: 'string', value: 'q' });
    expect(values[3]).toMatchObject({ kind: 'list', items: [{ value: 1n }, { value: 2n }, { value: 3n }] });
    expect(values[4]).toMatchObject({
      kind: 'map',
      entries: [
        [{ value: 'a' }, { kind: 'list', items: [{ kind: 'ident', name: 'A' }] }],
        [{ value: 'b' }, { kind: 'list', items: [] }],
      ],
    });
    expect(values[5]).toMatchObject({ kind: 'ident', name: 'Color.RED' });
    expect(syntaxError('const list<i32> L = [1, 2').message).toMatch(/expected ']' to close list opened at 1:21, found end of file/);
  });

  it('refuses nesting deep enough to threaten the stack', () => {
    expect(syntaxError(`const list<i32> L = ${'['.repeat(5000)}`).message).toMatch(/nesting deeper than 100/);
    expect(syntaxError(`typedef ${'list<'.repeat(5000)}`).message).toMatch(/nesting deeper than 100/);
  });
});

describe('thrift parser: services', () => {
  it('reads functions: oneway/async, void, args, throws, annotations, docs', () => {
    const [, s] = parse(`
      service Base {}
      /** the service */
      service S extends Base {
        /** ping it */
        void ping(),
        oneway void fire(1: optional string msg, 2: required i32 n) (priority = "low");
        async void legacy()
        list<i32> get(1: i32 id) throws (1: NotFound nf, 2: Denied d)
      } (svc.tag)
    `).definitions as [ServiceNode, ServiceNode];
    expect(s.extends?.name).toBe('Base');
    expect(s.doc).toBe('the service');
    expect(s.annotations).toEqual({ 'svc.tag': '1' });
    expect(s.functions.map((f) => [f.name, f.oneway, f.returnType?.kind, f.args.length, f.throws.length])).toEqual([
      ['ping', false, undefined, 0, 0],
      ['fire', true, undefined, 2, 0],
      ['legacy', true, undefined, 0, 0],
      ['get', false, 'list', 1, 2],
    ]);
    expect(s.functions[0]!.doc).toBe('ping it');
    // `optional` means nothing in an argument list; `required` stays.
    expect(s.functions[1]!.args.map((a) => a.requiredness)).toEqual(['default', 'required']);
    expect(s.functions[1]!.annotations).toEqual({ priority: 'low' });
  });

  it('refuses duplicate functions and exceptions on oneway functions', () => {
    expect(syntaxError('service S {\n void f()\n void f()\n}').message).toMatch(/function f is already defined in service S at 2:2/);
    expect(syntaxError('service S { oneway void f() throws (1: E e) }').message).toMatch(/oneway function S.f cannot throw exceptions/);
    expect(syntaxError('service S { void f( }').message).toMatch(/expected '\)' to close the arguments of S.f opened at 1:19, found '}'/);
  });
});

describe('thrift parser: doc comments', () => {
  it('attaches the pending doc to the next definition, field, value or function', () => {
    const f = parse(`
      /** file doc */
      namespace go x

      /** not this one */
      /** struct doc */
      // a plain comment between does not matter
      struct S {
        /** field doc */
        1: i32 a
        2: i32 b
      }
    `);
    expect(f.doc).toBe('file doc');
    const s = f.definitions[0] as StructNode;
    expect(s.doc).toBe('struct doc');
    expect(s.fields.map((x) => x.doc)).toEqual(['field doc', undefined]);
  });

  it('gives no file doc when the first doc comment documents a definition', () => {
    const f = parse('/** only */\nstruct S {}');
    expect(f.doc).toBeUndefined();
    expect(f.definitions[0]!.doc).toBe('only');
  });
});

describe('thrift parser: names that collide with JavaScript built-ins', () => {
  it('treats toString, constructor and __proto__ as ordinary names and keys', () => {
    const f = parse('namespace __proto__ p (__proto__ = "x", constructor)\nstruct toString { 1: i32 constructor (__proto__ = "y") }\nenum hasOwnProperty { valueOf }');
    expect(Object.keys(f.namespaces)).toEqual(['__proto__']);
    expect(f.namespaces['__proto__']).toBe('p');
    expect(Object.getPrototypeOf(f.namespaces)).toBe(Object.prototype);
    expect(Object.entries(f.namespaceAnnotations['__proto__']!)).toEqual([['__proto__', 'x'], ['constructor', '1']]);
    const s = f.definitions[0] as StructNode;
    expect(s.name).toBe('toString');
    expect(Object.entries(s.fields[0]!.annotations)).toEqual([['__proto__', 'y']]);
  });
});

describe('thrift parser: doc comments in odd places (as thrift 0.17 attaches them)', () => {
  it('gives a doc to the next field, value or definition, and lets a blank doc comment clear it', () => {
    const src = readFileSync(join(__dirname, 'fixtures', 'valid', 'comments_docs.thrift'), 'utf8');
    const defs = parse(src).definitions;
    const byName = (name: string) => defs.find((d) => d.name === name)!;
    expect((byName('Placement') as StructNode).fields.map((f) => f.doc)).toEqual([
      undefined,
      'Between the id and the type: the compiler gives it to the next field.',
      'After a field: documents the next one.',
      'Also after annotations.',
    ]);
    expect(byName('ClearedByBlankDoc').doc).toBeUndefined();
    expect(byName('TabDoc').doc).toBe('Tabs instead of spaces,\nwith a star column.');
    expect((byName('TabDoc') as EnumNode).values.map((v) => v.doc)).toEqual([undefined, 'A doc after a value documents the next value.']);
    expect(byName('Documented').doc).toBe('Multi-line doc\n  with indentation kept\n\nand a blank line.');
  });
});
