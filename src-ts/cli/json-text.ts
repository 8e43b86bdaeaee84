/**
 * JSON text for `heddle call`, exact for 64-bit integers both ways: JSON.parse rounds any integer
 * past 2^53, so requests are read by a small parser that keeps such literals as bigints, and
 * replies are written with bigints as bare digits.
 */
import { ErrorCode, HeddleError } from '../errors.js';

/** A parsed JSON value: integer literals beyond the safe range are bigints, every other number a number. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/** Parses JSON `text`; ERR_INVALID_ARGUMENT names the offset of the first thing that is not JSON. */
export function parseJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.space();
  const value = parser.value(0);
  parser.space();
  if (parser.at < text.length) parser.fail('unexpected text after the JSON value');
  return value;
}

const MAX_DEPTH = 256;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Parser {
  at = 0;
  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `request JSON: ${what} at offset ${this.at}`);
  }

  space(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at]!)) this.at++;
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = this.text[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
    this.at += match[0].length;
    if (match[1] === undefined && match[2] === undefined) {
      const n = Number(match[0]);
      return Number.isSafeInteger(n) ? n : BigInt(match[0]);
    }
    return Number(match[0]);
  }

  object(depth: number): JsonValue {
    const out: { [key: string]: JsonValue } = {};
    this.at++;
    this.space();
    if (this.text[this.at] === '}') {
      this.at++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail('expected a property name');
      const key = this.string();
      this.space();
      if (this.text[this.at] !== ':') this.fail("expected ':'");
      this.at++;
      this.space();
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.space();
      const c = this.text[this.at];
      if (c !== ',' && c !== '}') this.fail("expected ',' or '}'");
      this.at++;
      if (c === '}') return out;
    }
  }

  array(depth: number): JsonValue {
    const out: JsonValue[] = [];
    this.at++;
    this.space();
    if (this.text[this.at] === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      this.space();
      out.push(this.value(depth + 1));
      this.space();
      const c = this.text[this.at];
      if (c !== ',' && c !== ']') this.fail("expected ',' or ']'");
      this.at++;
      if (c === ']') return out;
    }
  }

  string(): string {
    let out = '';
    this.at++;
    for (;;) {
      const c = this.text[this.at++];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') return out;
      if (c < ' ') this.fail('control character in a string');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.at++]!;
      if (e === 'u') {
        const hex = this.text.slice(this.at, this.at + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.at += 4;
      } else if (Object.hasOwn(ESCAPES, e)) {
        out += ESCAPES[e];
      } else {
        this.fail(`bad escape \\${e}`);
      }
    }
  }
}

/**
 * JSON text of a decoded value: bigints as bare digits, binary as base64 (as Kitex's JSON generic
 * call and ProtoJSON write bytes), Maps as objects (keys in string form), Sets and TypedArrays as
 * arrays. `indent` as JSON.stringify's.
 */
export function stringifyJson(value: unknown, indent = 2): string {
  const pad = ' '.repeat(indent);
  const write = (v: unknown, prefix: string): string => {
    if (v === null || v === undefined) return 'null';
    switch (typeof v) {
      case 'bigint':
        return v.toString();
      case 'number':
        return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
      case 'string':
      case 'boolean':
        return JSON.stringify(v);
      case 'object':
        break;
      default:
        return JSON.stringify(String(v));
    }
    if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
    let entries: Array<[string | undefined, unknown]>;
    if (Array.isArray(v) || v instanceof Set || ArrayBuffer.isView(v)) entries = [...(v as Iterable<unknown>)].map((item) => [undefined, item]);
    else if (v instanceof Map) entries = [...v].map(([key, item]) => [typeof key === 'string' ? key : stringifyJson(key, 0), item]);
    else entries = Object.entries(v as object).filter(([, item]) => item !== undefined);
    const isList = Array.isArray(v) || v instanceof Set || ArrayBuffer.isView(v);
    const [open, close] = isList ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return open + close;
    const inner = prefix + pad;
    const sep = indent > 0 ? `,\n${inner}` : ',';
    const body = entries.map(([key, item]) => (key === undefined ? '' : JSON.stringify(key) + (indent > 0 ? ': ' : ':')) + write(item, inner)).join(sep);
    return indent > 0 ? `${open}\n${inner}${body}\n${prefix}${close}` : `${open}${body}${close}`;
  };
  return write(value, '');
}
