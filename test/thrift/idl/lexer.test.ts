import { describe, expect, it } from 'vitest';
import { HeddleError } from '../../../src-ts/errors.js';
import { cleanDocText } from '../../../src-ts/thrift/idl/doc-text.js';
import { tokenize, type Token } from '../../../src-ts/thrift/idl/lexer.js';

const kinds = (src: string) => tokenize(src, 't.thrift').map((t) => [t.kind, t.text]);
const one = (src: string): Token => tokenize(src, 't.thrift')[0]!;

function lexError(src: string): HeddleError {
  try {
    tokenize(src, 'bad.thrift');
  } catch (e) {
    expect(e).toBeInstanceOf(HeddleError);
    expect((e as HeddleError).code).toBe('ERR_IDL_SYNTAX');
    return e as HeddleError;
  }
  throw new Error(`no error for ${JSON.stringify(src)}`);
}

describe('thrift lexer', () => {
  it('splits names, keywords, symbols and dotted identifiers the way the compiler does', () => {
    expect(kinds('struct shared.Point{1:i32 x}')).toEqual([
      ['keyword', 'struct'],
      ['ident', 'shared.Point'],
      ['symbol', '{'],
      ['int', '1'],
      ['symbol', ':'],
      ['keyword', 'i32'],
      ['ident', 'x'],
      ['symbol', '}'],
      ['eof', ''],
    ]);
    // Longest match: a keyword followed by more name characters is an identifier.
    expect(kinds('i32x structs string.len _a.b1.c')).toEqual([
      ['ident', 'i32x'],
      ['ident', 'structs'],
      ['ident', 'string.len'],
      ['ident', '_a.b1.c'],
      ['eof', ''],
    ]);
    expect(kinds('namespace * x; a&b')).toEqual([
      ['keyword', 'namespace'],
      ['symbol', '*'],
      ['ident', 'x'],
      ['symbol', ';'],
      ['ident', 'a'],
      ['symbol', '&'],
      ['ident', 'b'],
      ['eof', ''],
    ]);
  });

  it('reads integers: decimal, hex, signed, true/false, and the int64 limits', () => {
    expect(one('42').int).toBe(42n);
    expect(one('-7').int).toBe(-7n);
    expect(one('+7').int).toBe(7n);
    expect(one('0x1F').int).toBe(31n);
    expect(one('-0x10').int).toBe(-16n);
    expect(one('true').int).toBe(1n);
    expect(one('false').int).toBe(0n);
    expect(one('9223372036854775807').int).toBe(9223372036854775807n);
    expect(one('-9223372036854775808').int).toBe(-9223372036854775808n);
    expect(one('0x7fffffffffffffff').int).toBe(9223372036854775807n);
    expect(lexError('9223372036854775808').message).toMatch(/too big/);
    expect(lexError('0x8000000000000000').message).toMatch(/too big/);
    // "0x" without digits is 0 followed by the name x, as in the compiler.
    expect(kinds('0x')).toEqual([['int', '0'], ['ident', 'x'], ['eof', '']]);
  });

  it('reads doubles with fractions and exponents, but not names like e10', () => {
    expect(one('3.25').double).toBe(3.25);
    expect(one('-.5').double).toBe(-0.5);
    expect(one('1e3').double).toBe(1000);
    expect(one('+2.5E-2').double).toBe(0.025);
    expect(one('1e3').kind).toBe('double');
    expect(kinds('e10')).toEqual([['ident', 'e10'], ['eof', '']]);
    expect(lexError('1.x').message).toMatch(/unexpected character '.'/);
    expect(lexError('const double X = -').message).toMatch(/unexpected character '-'/);
  });

  it('reads strings in both quote styles with the compiler escapes', () => {
    expect(one(`"a'b"`).string).toBe("a'b");
    expect(one(`'a"b'`).string).toBe('a"b');
    expect(one(String.raw`"\n\r\t\"\'\\"`).string).toBe('\n\r\t"\'\\');
    expect(one('"héllo ✓"').string).toBe('héllo ✓');
    const bad = lexError('const string S = "a\\qb"');
    expect(bad.message).toMatch(/bad escape '\\q'/);
    expect([bad.line, bad.column]).toEqual([1, 20]);
    const unterminated = lexError('\n\nconst string S = "abc\n"');
    expect(unterminated.message).toMatch(/unterminated string: end of line/);
    expect([unterminated.line, unterminated.column]).toEqual([3, 18]);
    expect(lexError('"abc').message).toMatch(/end of file/);
  });

  it('skips the three comment styles and tracks lines and columns across them', () => {
    const tokens = tokenize('# unix\n// c++\n/* multi\n line */ struct /**/ A /***/\n\tB', 't');
    expect(tokens.map((t) => [t.text, t.line, t.column])).toEqual([
      ['struct', 4, 10],
      ['A', 4, 22],
      ['B', 5, 2],
      ['', 5, 3],
    ]);
    expect(tokens.every((t) => t.docs === undefined)).toBe(true);
    const open = lexError('struct A {}\n  /* never closed');
    expect(open.message).toMatch(/unterminated comment/);
    expect([open.line, open.column]).toEqual([2, 3]);
  });

  it('attaches doc comments to the next token, numbered from the first of the file', () => {
    const tokens = tokenize('/** one */\n/** two */ struct /** three */ A', 't');
    expect(tokens[0]!.docs).toEqual([
      { text: 'one', seq: 0 },
      { text: 'two', seq: 1 },
    ]);
    expect(tokens[1]!.docs).toEqual([{ text: 'three', seq: 2 }]);
    // A blank doc comment is kept as a marker that clears the pending doc.
    expect(tokenize('/** */ x', 't')[0]!.docs).toEqual([{ seq: 0 }]);
  });

  it('refuses characters and words the compiler refuses, with their position', () => {
    const e = lexError('struct A {\n  1: i32 x @\n}');
    expect(e.message).toMatch(/unexpected character '@'/);
    expect([e.line, e.column, e.file]).toEqual([2, 12, 'bad.thrift']);
    expect(lexError('senum X {}').message).toMatch(/"senum" is no longer supported/);
    expect(lexError('typedef slist S').message).toMatch(/"slist" is no longer supported/);
    expect(lexError('cpp_namespace foo').message).toMatch(/use 'namespace cpp'/);
    expect(lexError('x\u00a0y').message).toMatch(/U\+00A0/);
  });

  it('skips a byte order mark at the start only', () => {
    expect(kinds('\ufeffstruct')[0]).toEqual(['keyword', 'struct']);
    expect(lexError('struct \ufeff').message).toMatch(/U\+FEFF/);
  });
});

describe('doc comment cleanup (the compiler clean_up_doctext)', () => {
  it('strips the star column and shared indentation, keeping inner blank lines', () => {
    expect(cleanDocText('\n   * First line.\n   *\n   * Second   \n   ')).toBe('First line.\n\nSecond');
    expect(cleanDocText(' single ')).toBe('single');
    expect(cleanDocText('\n    indented\n      more\n    ')).toBe('indented\n  more');
    expect(cleanDocText('  ')).toBeUndefined();
  });
});
