/**
 * A byte-level JSON tokenizer over UTF-8 input (RFC 8259): it finds tokens in place and hands out
 * offsets, never strings or numbers it does not need, so the transcoder builds no JS value per
 * field. It validates as it goes: UTF-8 inside strings, escapes, number grammar, nesting depth.
 * Errors are HeddleErrors naming the byte offset and the field path being read.
 */
import { ErrorCode, HeddleError } from '../errors.js';
import type { ByteSink } from './byte-sink.js';

/**
 * Path segments from the top-level struct: field names, list indexes (numbers >= 0), and map keys
 * as -1 - (offset of the key's opening quote in the JSON), so that no string is made per entry
 * unless an error needs the path.
 */
export type PathStack = Array<string | number>;

/** `items[3].title` from a path stack; map keys are read back from `src`. */
export function formatPath(path: PathStack, src?: Uint8Array): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'string') out += out === '' ? seg : `.${seg}`;
    else if (seg >= 0) out += `[${seg}]`;
    else out += `[${keyText(src!, -1 - seg)}]`;
  }
  return out;
}

/** The text of the member name whose opening quote is at `at` (up to 40 bytes). */
function keyText(src: Uint8Array, at: number): string {
  let end = at + 1;
  while (end < src.length && src[end] !== 0x22 && end < at + 41) end += src[end] === 0x5c ? 2 : 1;
  return Buffer.from(src.buffer, src.byteOffset + at + 1, Math.min(end, src.length) - at - 1).toString('utf8');
}

/** Length of the valid UTF-8 sequence starting at `i` (a byte >= 0x80), or 0 when it is invalid. */
export function utf8Length(b: Uint8Array, i: number, end: number): number {
  const c = b[i]!;
  if (c < 0xc2) return 0;
  if (c < 0xe0) return i + 1 < end && (b[i + 1]! & 0xc0) === 0x80 ? 2 : 0;
  if (c < 0xf0) {
    if (i + 2 >= end) return 0;
    const c1 = b[i + 1]!;
    if ((c1 & 0xc0) !== 0x80 || (b[i + 2]! & 0xc0) !== 0x80) return 0;
    if (c === 0xe0 && c1 < 0xa0) return 0; // overlong
    if (c === 0xed && c1 >= 0xa0) return 0; // surrogate
    return 3;
  }
  if (c < 0xf5) {
    if (i + 3 >= end) return 0;
    const c1 = b[i + 1]!;
    if ((c1 & 0xc0) !== 0x80 || (b[i + 2]! & 0xc0) !== 0x80 || (b[i + 3]! & 0xc0) !== 0x80) return 0;
    if (c === 0xf0 && c1 < 0x90) return 0; // overlong
    if (c === 0xf4 && c1 >= 0x90) return 0; // above U+10FFFF
    return 4;
  }
  return 0;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

export class JsonReader {
  src: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  readonly path: PathStack = [];
  /** Set by {@link scanString}: the string held a backslash escape. */
  escaped = false;
  /** Set by {@link scanString}: offset of the string's first content byte. */
  start = 0;
  /** Set by {@link integer}: the value's two's-complement halves. */
  hi = 0;
  lo = 0;

  reset(src: Uint8Array): void {
    this.src = src;
    this.pos = 0;
    this.end = src.length;
    this.path.length = 0;
  }

  fail(code: ErrorCode, message: string, offset: number = this.pos): HeddleError {
    const path = formatPath(this.path, this.src);
    return new HeddleError(code, message, path === '' ? { offset } : { offset, path });
  }

  /** The member name at `keyAt` as JSON text, for messages. */
  keyName(keyAt: number): string {
    return JSON.stringify(keyText(this.src, keyAt));
  }

  malformed(what: string, offset: number = this.pos): HeddleError {
    if (offset >= this.end) return this.fail(ErrorCode.ERR_TRUNCATED, `JSON ends where ${what} was expected`, offset);
    return this.fail(ErrorCode.ERR_BAD_VALUE, `malformed JSON: expected ${what}, found '${String.fromCharCode(this.src[offset]!)}'`, offset);
  }

  /** The error for a value of the wrong JSON type where `expected` was due (or malformed JSON). */
  wrongType(expected: string): HeddleError {
    const c = this.peek();
    const found =
      c === 0x22 ? 'a string' : c === 0x7b ? 'an object' : c === 0x5b ? 'an array' : c === 0x74 || c === 0x66 ? 'a boolean' : c === 0x6e ? 'null' : c === -1 ? 'the end of the input' : c === 0x2d || (c >= 0x30 && c <= 0x39) ? 'a number' : undefined;
    if (found === undefined) return this.malformed('a value');
    return this.fail(c === -1 ? ErrorCode.ERR_TRUNCATED : ErrorCode.ERR_BAD_VALUE, `expected ${expected}, found ${found}`);
  }

  /**
   * After '{' (or after ','): scans the next member name, checked to be a string, and returns the
   * offset of its closing quote; `keyAt` is where the name starts.
   */
  memberName(): number {
    if (this.peek() !== 0x22) throw this.malformed('a member name');
    this.keyAt = this.pos;
    return this.scanString();
  }

  /** Offset of the opening quote of the last {@link memberName}. */
  keyAt = 0;

  /** Consumes `close` if it comes next (an empty object or array). */
  empty(close: number): boolean {
    if (this.peek() !== close) return false;
    this.pos++;
    return true;
  }

  /** After a member or element: true at `close` (consumed), false at ',' (consumed), else fails. */
  endOrComma(close: number): boolean {
    const next = this.peek();
    this.pos++;
    if (next === close) return true;
    if (next !== 0x2c) throw this.malformed(`',' or '${String.fromCharCode(close)}'`, this.pos - 1);
    return false;
  }

  /** Skips whitespace and returns the next byte (-1 at the end). */
  peek(): number {
    const b = this.src;
    let p = this.pos;
    while (p < this.end) {
      const c = b[p]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
    return p < this.end ? b[p]! : -1;
  }

  /** Consumes byte `c` after whitespace, or fails naming `what`. */
  expect(c: number, what: string): void {
    if (this.peek() !== c) throw this.malformed(what);
    this.pos++;
  }

  /** Consumes a `true`/`false`/`null` literal starting at pos. */
  literal(word: string): void {
    const b = this.src;
    for (let i = 0; i < word.length; i++) {
      if (b[this.pos + i] !== word.charCodeAt(i)) throw this.malformed(`'${word}'`, this.pos + i);
    }
    this.pos += word.length;
  }

  /**
   * At an opening quote: finds the closing one, checking control characters, escapes and UTF-8.
   * Returns the offset of the closing quote; pos moves past it; `escaped` says whether the
   * content needs {@link unescape}.
   */
  scanString(): number {
    const b = this.src;
    const end = this.end;
    let p = this.pos + 1;
    let escaped = false;
    for (;;) {
      // Plain bytes (most of any string) cost one table load each.
      while (p < end && PLAIN[b[p]!] === 1) p++;
      // At the input's end, also when an escape's backslash was its last byte (p is then past it).
      if (p >= end) throw this.fail(ErrorCode.ERR_TRUNCATED, 'JSON ends inside a string', end);
      const c = b[p]!;
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        p += 2;
        continue;
      }
      if (c < 0x20) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'malformed JSON: control character in a string', p);
      // Three-byte sequences led by E1-EC (most CJK text) need no range check beyond continuation bytes.
      if (c >= 0xe1 && c <= 0xec && p + 2 < end && (b[p + 1]! & 0xc0) === 0x80 && (b[p + 2]! & 0xc0) === 0x80) {
        p += 3;
        continue;
      }
      const n = utf8Length(b, p, end);
      if (n === 0) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'invalid UTF-8 in a JSON string', p);
      p += n;
    }
    this.escaped = escaped;
    this.start = this.pos + 1;
    this.pos = p + 1;
    return p;
  }

  /** Writes the UTF-8 of string content `[start, end)` with its escapes decoded into `out`. */
  unescape(start: number, end: number, out: ByteSink): void {
    const b = this.src;
    let i = start;
    let run = start;
    while (i < end) {
      if (b[i] !== 0x5c) {
        i++;
        continue;
      }
      out.bytes(b, run, i);
      const e = b[i + 1]!;
      let skip = 2;
      switch (e) {
        case 0x22: case 0x5c: case 0x2f: out.byte(e); break;
        case 0x62: out.byte(8); break;
        case 0x66: out.byte(12); break;
        case 0x6e: out.byte(10); break;
        case 0x72: out.byte(13); break;
        case 0x74: out.byte(9); break;
        case 0x75: {
          let cp = this.hex4(i + 2);
          skip = 6;
          if (cp >= 0xd800 && cp <= 0xdbff) {
            const lowAt = i + 6;
            if (b[lowAt] !== 0x5c || b[lowAt + 1] !== 0x75) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'lone high surrogate in a JSON string', i);
            const low = this.hex4(lowAt + 2);
            if (low < 0xdc00 || low > 0xdfff) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'lone high surrogate in a JSON string', i);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            skip = 12;
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            throw this.fail(ErrorCode.ERR_BAD_VALUE, 'lone low surrogate in a JSON string', i);
          }
          writeCodePoint(cp, out);
          break;
        }
        default:
          throw this.fail(ErrorCode.ERR_BAD_VALUE, 'malformed JSON: bad escape in a string', i);
      }
      i += skip;
      run = i;
    }
    out.bytes(b, run, end);
  }

  private hex4(at: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const h = at + k < this.end ? hexValue(this.src[at + k]!) : -1;
      if (h < 0) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'malformed JSON: bad \\u escape', at - 2);
      v = (v << 4) | h;
    }
    return v;
  }

  /**
   * Scans a JSON number at pos; returns its end. `integerOnly` rejects fractions and exponents
   * (for integer fields) with ERR_BAD_VALUE.
   */
  scanNumber(integerOnly: boolean): number {
    const b = this.src;
    const start = this.pos;
    let p = start;
    if (b[p] === 0x2d) p++;
    if (b[p] === 0x30) p++;
    else if (b[p]! >= 0x31 && b[p]! <= 0x39) while (p < this.end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
    else throw this.malformed('a digit', p);
    const intEnd = p;
    if (b[p] === 0x2e) {
      p++;
      if (!(b[p]! >= 0x30 && b[p]! <= 0x39)) throw this.malformed('a digit', p);
      while (p < this.end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      p++;
      if (b[p] === 0x2b || b[p] === 0x2d) p++;
      if (!(b[p]! >= 0x30 && b[p]! <= 0x39)) throw this.malformed('a digit', p);
      while (p < this.end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
    }
    if (integerOnly && p !== intEnd) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'expected an integer, found a fraction or exponent', start);
    this.pos = p;
    return p;
  }

  /**
   * Parses the integer `[start, end)` (already scanned: optional '-', digits) exactly into
   * `hi`/`lo`, without going through a double beyond 2^53. Returns false when it is outside
   * [min, max] (given as bigints only for i64; smaller kinds pass `bits`).
   */
  integer(start: number, end: number, bits: number): boolean {
    const b = this.src;
    const negative = b[start] === 0x2d;
    const digits = end - start - (negative ? 1 : 0);
    if (digits <= 15) {
      let m = 0;
      for (let p = negative ? start + 1 : start; p < end; p++) m = m * 10 + (b[p]! - 0x30);
      if (bits < 64) {
        const limit = bits === 32 ? 2147483648 : bits === 16 ? 32768 : 128;
        if (negative ? m > limit : m >= limit) return false;
        this.lo = negative ? -m | 0 : m | 0;
        this.hi = this.lo < 0 ? -1 : 0;
        return true;
      }
      const lo = m % 4294967296;
      return this.setHalves(negative, (m - lo) / 4294967296, lo);
    }
    if (bits < 64) return false;
    if (digits <= 19 && b[end - digits] !== 0x30) return this.integer19(b, negative, end - digits, end);
    return this.integerBig(b, start, end);
  }

  /** Any other i64 text (leading zeros of a digit string, 20+ digits): through BigInt, kept out of
   * {@link integer} so that the common path stays free of BigInt. */
  private integerBig(b: Uint8Array, start: number, end: number): boolean {
    const v = BigInt(latin1Text(b, start, end));
    if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) return false;
    this.lo = Number(BigInt.asIntN(32, v));
    this.hi = Number(BigInt.asIntN(32, v >> 32n));
    return true;
  }

  /**
   * The double of the number `[start, end)` (already scanned). Up to 15 significant digits and
   * no exponent it is m / 10^k with both exact, so one correctly rounded division (Clinger's fast
   * path); otherwise Number() on the text.
   */
  double(start: number, end: number): number {
    const b = this.src;
    let p = b[start] === 0x2d ? start + 1 : start;
    let m = 0;
    let digits = 0;
    let scale = 0;
    for (; p < end; p++) {
      const c = b[p]!;
      if (c === 0x2e) {
        scale = end - p - 1;
        continue;
      }
      if (c < 0x30 || c > 0x39 || ++digits > 15) return Number(latin1Text(b, start, end));
      m = m * 10 + (c - 0x30);
    }
    const v = scale === 0 ? m : m / POW10[scale]!;
    return b[start] === 0x2d ? -v : v;
  }

  /**
   * 16 to 19 digits without leading zeros, exactly: the value is m * 10^9 + r with m < 2^34 and
   * r < 10^9, multiplied out in pieces that stay below 2^53.
   */
  private integer19(b: Uint8Array, negative: boolean, start: number, end: number): boolean {
    if (end - start === 19) {
      const limit = negative ? '9223372036854775808' : '9223372036854775807';
      for (let i = 0; i < 19; i++) {
        const d = b[start + i]! - limit.charCodeAt(i);
        if (d < 0) break;
        if (d > 0) return false;
      }
    }
    let m = 0;
    let r = 0;
    const split = end - 9;
    for (let p = start; p < split; p++) m = m * 10 + (b[p]! - 0x30);
    for (let p = split; p < end; p++) r = r * 10 + (b[p]! - 0x30);
    const mLo = m % 65536;
    const a = ((m - mLo) / 65536) * 1e9; // < 2^48
    const aLo = a % 65536;
    const sum = aLo * 65536 + mLo * 1e9 + r; // < 2^47
    const lo = sum % 4294967296;
    return this.setHalves(negative, (a - aLo) / 65536 + (sum - lo) / 4294967296, lo);
  }

  /** Stores the magnitude `hi * 2^32 + lo` (both unsigned), negated when `negative`, as halves. */
  private setHalves(negative: boolean, hi: number, lo: number): true {
    if (negative && lo !== 0) {
      lo = 4294967296 - lo;
      hi = ~hi;
    } else if (negative) hi = -hi;
    this.lo = lo | 0;
    this.hi = hi | 0;
    return true;
  }

  /** Skips one JSON value of any kind, validating it; `depth` counts enclosing containers. */
  skipValue(depth: number, maxDepth: number): void {
    const c = this.peek();
    switch (c) {
      case 0x22:
        this.scanString();
        if (this.escaped) this.checkEscapes();
        return;
      case 0x7b:
      case 0x5b: {
        if (depth >= maxDepth) throw this.fail(ErrorCode.ERR_DEPTH_LIMIT, `JSON nests deeper than ${maxDepth}`);
        const close = c === 0x7b ? 0x7d : 0x5d;
        this.pos++;
        if (this.empty(close)) return;
        do {
          if (c === 0x7b) {
            this.memberName();
            this.expect(0x3a, "':'");
          }
          this.skipValue(depth + 1, maxDepth);
        } while (!this.endOrComma(close));
        return;
      }
      case 0x74: return this.literal('true');
      case 0x66: return this.literal('false');
      case 0x6e: return this.literal('null');
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          this.scanNumber(false);
          return;
        }
        throw this.malformed('a value');
    }
  }

  /** Validates the escapes of the string just scanned (skipped strings must be valid JSON too). */
  private checkEscapes(): void {
    const b = this.src;
    const close = this.pos - 1;
    for (let p = this.start; p < close; p++) {
      if (b[p] !== 0x5c) continue;
      const e = b[p + 1]!;
      if (e === 0x75) {
        this.hex4(p + 2);
        p += 5;
      } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        p++;
      } else {
        throw this.fail(ErrorCode.ERR_BAD_VALUE, 'malformed JSON: bad escape in a string', p);
      }
    }
  }
}

/** 1 for bytes a string copies as they are: printable ASCII other than '"' and '\\'. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;

/** Exact powers of ten for the fast double path. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Bytes as text, one char per byte (the caller knows them to be ASCII). */
export function latin1Text(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let p = start; p < end; p++) s += String.fromCharCode(b[p]!);
  return s;
}

/** Writes code point `cp` as UTF-8. */
export function writeCodePoint(cp: number, out: ByteSink): void {
  out.ensure(4);
  const b = out.buf;
  if (cp < 0x80) b[out.pos++] = cp;
  else if (cp < 0x800) {
    b[out.pos++] = 0xc0 | (cp >> 6);
    b[out.pos++] = 0x80 | (cp & 0x3f);
  } else if (cp < 0x10000) {
    b[out.pos++] = 0xe0 | (cp >> 12);
    b[out.pos++] = 0x80 | ((cp >> 6) & 0x3f);
    b[out.pos++] = 0x80 | (cp & 0x3f);
  } else {
    b[out.pos++] = 0xf0 | (cp >> 18);
    b[out.pos++] = 0x80 | ((cp >> 12) & 0x3f);
    b[out.pos++] = 0x80 | ((cp >> 6) & 0x3f);
    b[out.pos++] = 0x80 | (cp & 0x3f);
  }
}
