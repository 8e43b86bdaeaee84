import { HeddleError } from '../../errors.js';
import type { Token } from './lexer.js';
import type { ElementPositions, Position } from './parsed-file.js';

/** A cursor over a file's tokens with protoc-style "Expected ..." errors at the current token. */
export class TokenStream {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    readonly filename: string,
    /** Positions recorded for later (semantic) errors; shared with the ParsedFile. */
    readonly positions: Map<object, ElementPositions>,
  ) {}

  /** The current token, not consumed. */
  get current(): Token {
    return this.tokens[this.index]!;
  }

  /** The token after the current one. */
  get following(): Token {
    return this.tokens[Math.min(this.index + 1, this.tokens.length - 1)]!;
  }

  get atEnd(): boolean {
    return this.current.kind === 'end';
  }

  /** Position of the current token. */
  get pos(): Position {
    return { line: this.current.line, column: this.current.column };
  }

  /** Consumes and returns the current token. */
  next(): Token {
    const token = this.current;
    if (token.kind !== 'end') this.index++;
    return token;
  }

  /** True if the current token is the identifier or symbol `text`. */
  lookingAt(text: string): boolean {
    const t = this.current;
    return (t.kind === 'identifier' || t.kind === 'symbol') && t.text === text;
  }

  /** Consumes the current token if it is `text`. */
  tryConsume(text: string): boolean {
    if (!this.lookingAt(text)) return false;
    this.index++;
    return true;
  }

  /** Consumes `text` or fails with protoc's `Expected "text".` */
  expect(text: string, message = `Expected "${text}".`): Token {
    if (!this.lookingAt(text)) this.fail(message);
    return this.next();
  }

  /** Consumes an identifier or fails with `message`. */
  identifier(message = 'Expected identifier.'): Token {
    if (this.current.kind !== 'identifier') this.fail(message);
    return this.next();
  }

  /** Consumes an unsigned integer literal that fits in int32. */
  int32(message = 'Expected integer.'): { value: number; token: Token } {
    const token = this.current;
    if (token.kind !== 'integer') this.fail(message);
    const value = this.integerValue(token, 0x7fffffffn);
    this.next();
    return { value: Number(value), token };
  }

  /** Parses an integer token's text, failing with protoc's message when it exceeds `max`. */
  integerValue(token: Token, max: bigint): bigint {
    const text = token.text;
    let value: bigint;
    if (/^0[xX]/.test(text)) value = BigInt(text);
    else if (text.length > 1 && text[0] === '0') {
      const bad = text.search(/[^0-7]/);
      if (bad >= 0) {
        this.failAt({ line: token.line, column: token.column + bad }, 'Numbers starting with leading zero must be in octal.');
      }
      value = BigInt('0o' + text.slice(1));
    } else value = BigInt(text);
    if (value > max) this.failAt(token, 'Integer out of range.');
    return value;
  }

  /** Consumes `;` ending a statement. */
  endOfStatement(): void {
    this.expect(';');
  }

  /** Throws ERR_IDL_SYNTAX at the current token. */
  fail(message: string): never {
    this.failAt(this.current, message);
  }

  /** Throws ERR_IDL_SYNTAX at a given position. */
  failAt(where: Position, message: string): never {
    throw new HeddleError('ERR_IDL_SYNTAX', message, { file: this.filename, line: where.line, column: where.column });
  }

  /** Records where a part of a descriptor element was written. */
  record(element: object, part: keyof ElementPositions, where: Position): void {
    let entry = this.positions.get(element);
    if (entry === undefined) {
      entry = {};
      this.positions.set(element, entry);
    }
    entry[part] = { line: where.line, column: where.column };
  }
}
