/**
 * The Thrift IDL tokenizer. It follows the Apache Thrift 0.17 scanner (`thriftl.ll`): longest
 * match, identifiers that may contain dots (`shared.Type`, `Enum.VALUE`), `true`/`false` as the
 * integers 1/0, `#`, `//` and `/* *\/` comments, and `/** *\/` doc comments that the parser
 * attaches to the next definition, field, enum value or function.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import { cleanDocText } from './doc-text.js';

export type TokenKind = 'ident' | 'keyword' | 'int' | 'double' | 'string' | 'symbol' | 'eof';

/** One token. A class, so every token has the same shape (the lexer makes one per word). */
export class Token {
  /** int: the value; double: the value; string: the unescaped contents. */
  int: bigint | undefined = undefined;
  double: number | undefined = undefined;
  string: string | undefined = undefined;
  /** Doc comments between the previous token and this one, in order. */
  docs: DocComment[] | undefined = undefined;

  constructor(
    readonly kind: TokenKind,
    /** The source text of the token (for `eof`, the empty string). */
    readonly text: string,
    readonly line: number,
    readonly column: number,
  ) {}
}

export interface DocComment {
  /** The cleaned text; undefined for a blank doc comment, which clears the pending doc. */
  text?: string;
  /** 0 for the first doc comment of the file, then 1, 2, ... */
  seq: number;
}

/** Words the scanner turns into keyword tokens; anything else shaped like a name is an `ident`. */
const KEYWORDS = new Set([
  'namespace', 'include', 'cpp_include', 'cpp_type',
  'xsd_all', 'xsd_optional', 'xsd_nillable', 'xsd_attrs',
  'void', 'bool', 'byte', 'i8', 'i16', 'i32', 'i64', 'double', 'string', 'binary', 'uuid',
  'map', 'list', 'set', 'oneway', 'async', 'typedef', 'struct', 'union', 'exception',
  'extends', 'throws', 'service', 'enum', 'const', 'required', 'optional',
]);

/** Words the 0.17 compiler refuses outright, with what to write instead. */
const REMOVED = new Map<string, string>(Object.entries({
  slist: '"slist" is no longer supported, use "string" instead',
  senum: '"senum" is no longer supported, use "string" instead',
  cpp_namespace: "unsupported declaration 'cpp_namespace', use 'namespace cpp' instead",
  java_package: "unsupported declaration 'java_package', use 'namespace java' instead",
  delphi_namespace: "unsupported declaration 'delphi_namespace', use 'namespace delphi' instead",
  php_namespace: "unsupported declaration 'php_namespace', use 'namespace php' instead",
  py_module: "unsupported declaration 'py_module', use 'namespace py' instead",
  perl_package: "unsupported declaration 'perl_package', use 'namespace perl' instead",
  ruby_namespace: "unsupported declaration 'ruby_namespace', use 'namespace ruby' instead",
  smalltalk_category: "unsupported declaration 'smalltalk_category', use 'namespace st' instead",
  smalltalk_prefix: "unsupported declaration 'smalltalk_prefix', use 'namespace st' instead",
  xsd_namespace: "unsupported declaration 'xsd_namespace', use 'namespace xsd' instead",
}));

const SYMBOLS = ':;,{}()=<>[]*&';
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Tokenizes a whole file (the parser pulls tokens one by one instead). Throws `HeddleError`
 * (ERR_IDL_SYNTAX) with file, line and column. */
export function tokenize(source: string, file: string): Token[] {
  const lexer = new Lexer(source, file);
  const tokens = [lexer.next()];
  while (tokens[tokens.length - 1]!.kind !== 'eof') tokens.push(lexer.next());
  return tokens;
}

/** Produces tokens on demand, so a token is garbage as soon as the parser has used it. */
export class Lexer {
  private pos = 0;
  private line = 1;
  /** Offset of the first character of the current line, for columns. */
  private lineStart = 0;
  private docs: DocComment[] | undefined;
  private docCount = 0;
  /** The text of the file's first doc comment, if it has one and it is not blank. */
  firstDoc: string | undefined;

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {
    // A UTF-8 byte order mark at the start is skipped, as the compiler does.
    if (src.charCodeAt(0) === 0xfeff) this.pos = this.lineStart = 1;
  }

  /** The next token; at the end, an `eof` token, again on every call. */
  next(): Token {
    const src = this.src;
    this.skipBlanksAndComments();
    const start = this.pos;
    const line = this.line;
    const column = start - this.lineStart + 1;
    let token: Token;
    if (start >= src.length) {
      token = new Token('eof', '', line, column);
    } else {
      const c = src.charCodeAt(start);
      if (isIdentStart(c)) token = this.word(line, column);
      else if (isDigit(c) || c === 0x2e /* . */ || c === 0x2b /* + */ || c === 0x2d /* - */) token = this.number(line, column);
      else if (c === 0x22 /* " */ || c === 0x27 /* ' */) token = this.literal(line, column);
      else if (SYMBOLS.includes(src[start]!)) {
        this.pos++;
        token = new Token('symbol', src[start]!, line, column);
      } else {
        throw this.error(`unexpected character ${describeChar(src, start)}`, line, column);
      }
    }
    if (this.docs !== undefined) {
      token.docs = this.docs;
      this.docs = undefined;
    }
    return token;
  }

  private skipBlanksAndComments(): void {
    const src = this.src;
    while (this.pos < src.length) {
      const c = src.charCodeAt(this.pos);
      if (c === 0x0a) {
        this.pos++;
        this.newLine();
      } else if (c === 0x20 || c === 0x09 || c === 0x0d) {
        this.pos++;
      } else if (c === 0x23 /* # */ || (c === 0x2f && src.charCodeAt(this.pos + 1) === 0x2f)) {
        const end = src.indexOf('\n', this.pos);
        this.pos = end < 0 ? src.length : end;
      } else if (c === 0x2f && src.charCodeAt(this.pos + 1) === 0x2a /* * */) {
        this.blockComment();
      } else {
        return;
      }
    }
  }

  /** `/* ... *\/`; a comment opening with `/**` (but not `/**\/`, `/***\/`...) is a doc comment. */
  private blockComment(): void {
    const src = this.src;
    const start = this.pos;
    const line = this.line;
    const column = start - this.lineStart + 1;
    const end = src.indexOf('*/', start + 2);
    if (end < 0) throw this.error('unterminated comment: end of file before "*/"', line, column);
    for (let i = src.indexOf('\n', start); i >= 0 && i < end; i = src.indexOf('\n', i + 1)) {
      this.line++;
      this.lineStart = i + 1;
    }
    this.pos = end + 2;
    const body = src.slice(start + 2, end);
    // `/**/` and `/***/` are plain comments; `/** x */` is a doc comment.
    if (body.startsWith('*') && !/^\**$/.test(body)) {
      const doc: DocComment = { seq: this.docCount++ };
      const text = cleanDocText(body.slice(1));
      if (text !== undefined) doc.text = text;
      if (doc.seq === 0) this.firstDoc = text;
      (this.docs ??= []).push(doc);
    }
  }

  private newLine(): void {
    this.line++;
    this.lineStart = this.pos;
  }

  private word(line: number, column: number): Token {
    const src = this.src;
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const c = src.charCodeAt(i);
      if (isIdentPart(c)) i++;
      else if (c === 0x2e && isIdentPart(src.charCodeAt(i + 1))) i += 2;
      else break;
    }
    this.pos = i;
    const text = src.slice(start, i);
    if (text === 'true' || text === 'false') {
      return intToken(text, line, column, text === 'true' ? 1n : 0n);
    }
    const removed = REMOVED.get(text);
    if (removed !== undefined) throw this.error(removed, line, column);
    return new Token(KEYWORDS.has(text) ? 'keyword' : 'ident', text, line, column);
  }

  /** Integers (decimal, `0x` hex, either signed) and doubles (`1.5`, `.5`, `1e9`, `-2.5E-3`). */
  private number(line: number, column: number): Token {
    const src = this.src;
    const start = this.pos;
    let i = start;
    const sign = src[i] === '-' || src[i] === '+' ? src[i] : '';
    if (sign) i++;
    // Only a lower-case "0x" starts a hex number, as in the compiler's scanner.
    if (src[i] === '0' && src[i + 1] === 'x' && isHexDigit(src.charCodeAt(i + 2))) {
      let j = i + 2;
      while (isHexDigit(src.charCodeAt(j))) j++;
      this.pos = j;
      const text = src.slice(start, j);
      const magnitude = BigInt(src.slice(i, j));
      if (magnitude > INT64_MAX) throw this.error(`integer ${text} is too big for a 64-bit integer`, line, column);
      return intToken(text, line, column, sign === '-' ? -magnitude : magnitude);
    }
    const digitsStart = i;
    while (isDigit(src.charCodeAt(i))) i++;
    const hasDigits = i > digitsStart;
    let isDouble = false;
    if (src[i] === '.' && isDigit(src.charCodeAt(i + 1))) {
      i += 2;
      while (isDigit(src.charCodeAt(i))) i++;
      isDouble = true;
    }
    if (src[i] === 'e' || src[i] === 'E') {
      let j = i + 1;
      if (src[j] === '+' || src[j] === '-') j++;
      if (isDigit(src.charCodeAt(j))) {
        while (isDigit(src.charCodeAt(j))) j++;
        i = j;
        isDouble = true;
      }
    }
    if (!hasDigits && !isDouble) {
      throw this.error(`unexpected character ${describeChar(src, start)}`, line, column);
    }
    this.pos = i;
    const text = src.slice(start, i);
    if (isDouble) {
      const token = new Token('double', text, line, column);
      token.double = Number(text);
      return token;
    }
    const value = BigInt(text);
    if (value > INT64_MAX || value < INT64_MIN) throw this.error(`integer ${text} is too big for a 64-bit integer`, line, column);
    return intToken(text, line, column, value);
  }

  /** A string in single or double quotes, on one line, with the escapes \n \r \t \" \' \\. */
  private literal(line: number, column: number): Token {
    const src = this.src;
    const start = this.pos;
    const mark = src.charCodeAt(start);
    let out = '';
    let i = start + 1;
    let chunk = i;
    for (;;) {
      if (i >= src.length) throw this.error('unterminated string: end of file before the closing quote', line, column);
      const c = src.charCodeAt(i);
      if (c === mark) break;
      if (c === 0x0a) throw this.error('unterminated string: end of line before the closing quote', line, column);
      if (c === 0x5c /* \ */) {
        out += src.slice(chunk, i);
        const e = src[i + 1];
        const unescaped = e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === '"' || e === "'" || e === '\\' ? e : undefined;
        if (unescaped === undefined) {
          const what = e === undefined || e === '\n' ? 'a line break' : `'\\${e}'`;
          throw this.error(`bad escape ${what} in string: only \\n \\r \\t \\" \\' \\\\ are allowed`, line, i - this.lineStart + 1);
        }
        out += unescaped;
        i += 2;
        chunk = i;
        continue;
      }
      i++;
    }
    out += src.slice(chunk, i);
    this.pos = i + 1;
    const token = new Token('string', src.slice(start, i + 1), line, column);
    token.string = out;
    return token;
  }

  private error(message: string, line: number, column: number): HeddleError {
    return new HeddleError(ErrorCode.ERR_IDL_SYNTAX, message, { file: this.file, line, column });
  }
}

function intToken(text: string, line: number, column: number, value: bigint): Token {
  const token = new Token('int', text, line, column);
  token.int = value;
  return token;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isIdentStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

function describeChar(src: string, at: number): string {
  const cp = src.codePointAt(at)!;
  const ch = String.fromCodePoint(cp);
  return cp < 0x20 || cp === 0x7f || cp > 0x7e ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}${cp > 0x7e ? ` '${ch}'` : ''}` : `'${ch}'`;
}

/** How a token is named in error messages: `'service'`, `identifier 'Foo'`, `end of file`. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'ident':
      return `identifier '${t.text}'`;
    case 'int':
    case 'double':
      return `number ${t.text}`;
    case 'string':
      return `string ${t.text.length > 40 ? t.text.slice(0, 37) + '...' : t.text}`;
    default:
      return `'${t.text}'`;
  }
}
