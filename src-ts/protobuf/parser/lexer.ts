import { HeddleError } from '../../errors.js';

/** What a token is; `symbol` is any single punctuation character. */
export type TokenKind = 'identifier' | 'integer' | 'float' | 'string' | 'symbol' | 'end';

/** One token of .proto source. Positions are 1-based, with tabs advancing to the next multiple
 * of 8 as protoc counts them, so error positions match protoc's. */
export interface Token {
  kind: TokenKind;
  /** The source text; for strings, the decoded value (bytes as Latin-1 code units, see `bytes`). */
  text: string;
  /** For string tokens: the decoded bytes, since escapes like `\xff` are bytes, not characters. */
  bytes?: Uint8Array;
  line: number;
  column: number;
}

const TAB_WIDTH = 8;

/**
 * Splits .proto source into tokens, dropping whitespace and comments. Adjacent string literals
 * stay separate tokens; the parser concatenates them as protoc does.
 */
export function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let column = 1;

  const fail = (message: string, atLine = line, atColumn = column): never => {
    throw new HeddleError('ERR_IDL_SYNTAX', message, { file, line: atLine, column: atColumn });
  };
  const advance = (): void => {
    const ch = source.charCodeAt(pos++);
    if (ch === 10) {
      line++;
      column = 1;
    } else if (ch === 9) {
      column += TAB_WIDTH - ((column - 1) % TAB_WIDTH);
    } else {
      column++;
    }
  };

  while (pos < source.length) {
    const ch = source[pos]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f') {
      advance();
      continue;
    }
    if (ch === '/' && source[pos + 1] === '/') {
      while (pos < source.length && source[pos] !== '\n') advance();
      continue;
    }
    if (ch === '/' && source[pos + 1] === '*') {
      advance();
      advance();
      while (pos < source.length && !(source[pos] === '*' && source[pos + 1] === '/')) advance();
      if (pos >= source.length) fail('End-of-file inside block comment.');
      advance();
      advance();
      continue;
    }
    const startLine = line;
    const startColumn = column;
    const start = pos;
    if (isLetter(ch)) {
      while (pos < source.length && isIdentifierChar(source[pos]!)) advance();
      tokens.push({ kind: 'identifier', text: source.slice(start, pos), line: startLine, column: startColumn });
      continue;
    }
    if (isDigit(ch) || (ch === '.' && isDigit(source[pos + 1] ?? ''))) {
      const kind = scanNumber();
      tokens.push({ kind, text: source.slice(start, pos), line: startLine, column: startColumn });
      continue;
    }
    if (ch === '"' || ch === "'") {
      const bytes = scanString(ch);
      tokens.push({ kind: 'string', text: latin1(bytes), bytes, line: startLine, column: startColumn });
      continue;
    }
    if (ch.charCodeAt(0) < 32 || ch.charCodeAt(0) > 126) {
      fail(`Invalid control characters encountered in text.`);
    }
    advance();
    tokens.push({ kind: 'symbol', text: ch, line: startLine, column: startColumn });
  }
  tokens.push({ kind: 'end', text: '', line, column });
  return tokens;

  function scanNumber(): 'integer' | 'float' {
    let isFloat = false;
    if (source[pos] === '0' && (source[pos + 1] === 'x' || source[pos + 1] === 'X')) {
      advance();
      advance();
      if (!isHexDigit(source[pos] ?? '')) fail('"0x" must be followed by hex digits.');
      while (isHexDigit(source[pos] ?? '')) advance();
    } else {
      while (isDigit(source[pos] ?? '')) advance();
      if (source[pos] === '.') {
        isFloat = true;
        advance();
        while (isDigit(source[pos] ?? '')) advance();
      }
      if (source[pos] === 'e' || source[pos] === 'E') {
        isFloat = true;
        advance();
        if (source[pos] === '+' || source[pos] === '-') advance();
        if (!isDigit(source[pos] ?? '')) fail('"e" must be followed by exponent.');
        while (isDigit(source[pos] ?? '')) advance();
      }
    }
    if (isLetter(source[pos] ?? '')) fail('Need space between number and identifier.');
    return isFloat ? 'float' : 'integer';
  }

  function scanString(quote: string): Uint8Array {
    const out: number[] = [];
    advance();
    for (;;) {
      if (pos >= source.length) fail('Unexpected end of string.');
      const c = source[pos]!;
      if (c === quote) {
        advance();
        return Uint8Array.from(out);
      }
      if (c === '\n') fail('String literals cannot cross line boundaries.');
      if (c !== '\\') {
        const code = source.codePointAt(pos)!;
        pushUtf8(out, code);
        advance();
        if (code > 0xffff) advance();
        continue;
      }
      advance();
      // protoc reports escape errors at the character after the backslash.
      const escapeLine = line;
      const escapeColumn = column;
      const e = source[pos] ?? '';
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out.push(simple);
        advance();
      } else if (e >= '0' && e <= '7') {
        let value = 0;
        for (let i = 0; i < 3 && (source[pos] ?? '') >= '0' && (source[pos] ?? '') <= '7'; i++) {
          value = value * 8 + Number(source[pos]);
          advance();
        }
        out.push(value & 0xff);
      } else if (e === 'x' || e === 'X') {
        advance();
        let digits = '';
        while (digits.length < 2 && isHexDigit(source[pos] ?? '')) {
          digits += source[pos];
          advance();
        }
        if (digits === '') fail('Expected hex digits for escape sequence.', escapeLine, escapeColumn);
        out.push(parseInt(digits, 16));
      } else if (e === 'u' || e === 'U') {
        advance();
        const count = e === 'u' ? 4 : 8;
        let digits = '';
        while (digits.length < count && isHexDigit(source[pos] ?? '')) {
          digits += source[pos];
          advance();
        }
        const code = parseInt(digits, 16);
        if (digits.length !== count || code > 0x10ffff) {
          fail('Expected four hex digits for \\u escape sequence.', escapeLine, escapeColumn);
        }
        pushUtf8(out, code);
      } else {
        fail('Invalid escape sequence in string literal.', escapeLine, escapeColumn);
      }
    }
  }
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, "'": 39, '"': 34, '?': 63,
};

function pushUtf8(out: number[], code: number): void {
  if (code < 0x80) out.push(code);
  else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63));
  else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function isLetter(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function isHexDigit(ch: string): boolean {
  return isDigit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

function isIdentifierChar(ch: string): boolean {
  return isLetter(ch) || isDigit(ch);
}
