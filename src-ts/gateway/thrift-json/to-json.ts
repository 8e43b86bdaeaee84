/**
 * Thrift Binary or Compact bytes to JSON bytes in one pass, following the descriptor table: each
 * value is read from the wire and written as JSON text at once, with no decoded object between.
 * Strings are checked as UTF-8 and escaped as JSON.stringify does (RFC 8259: quotes, backslash,
 * control characters; everything else, non-ASCII included, as is).
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import { BinaryType, CompactType } from '../../thrift/wire-types.js';
import { encodeBase64 } from '../base64.js';
import { ByteSink } from '../byte-sink.js';
import { Kind, type StructDesc, type TypeDesc } from './descriptor.js';
import { binaryFlag, stackOverflowAsDepthLimit, type TranscodeLimits } from './from-json.js';
import { formatPath, type PathStack } from '../json-reader.js';
import { i64Text, writeJsonString } from '../json-writer.js';
import { readVarint64, varint, VARINT_TOO_LONG, VARINT_TRUNCATED } from '../varint.js';

/** Options of `codec.toJSON`. */
export interface ToJSONOptions {
  /** i64 values as JSON `'number'`s with every digit (default) or as decimal `'string'`s. */
  i64?: 'number' | 'string';
  /**
   * Binary values: `'base64'` (default, standard with padding) or `'raw'`, a JSON string of their
   * bytes escaped as strings are (Kitex's `SetBinaryWithBase64(g, false)`, dynamicgo's
   * `NoBase64Binary`); bytes that are not UTF-8 are then ERR_BAD_VALUE, as in strings.
   */
  binary?: 'base64' | 'raw';
}

/** toJSON's options as bits, as the native transcoder takes them (ToJsonFlag in thrift_json.h). */
export const enum ToJsonFlag {
  I64_STRING = 1,
  BINARY_RAW = 2,
}

const sink = new ByteSink();
const HEX = '0123456789abcdef';

/** Compact type id → Binary type id (-1: not a type). */
const { BOOL, BYTE, I16, I32, I64, DOUBLE, STRING, LIST, SET, MAP, STRUCT, UUID } = BinaryType;
const FROM_COMPACT = Int8Array.from([-1, BOOL, BOOL, BYTE, I16, I32, I64, DOUBLE, STRING, LIST, SET, MAP, STRUCT, UUID, -1, -1]);

/** Checks `toJSON`'s arguments as both transcoders need them; the options as ToJsonFlag bits. */
export function toJSONInput(bytes: Uint8Array, limits: TranscodeLimits, options: ToJSONOptions): number {
  if (!(bytes instanceof Uint8Array)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'toJSON expects a Uint8Array');
  const i64 = options.i64 ?? 'number';
  if (i64 !== 'number' && i64 !== 'string') {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `option i64 must be 'number' or 'string', got ${JSON.stringify(i64)}`);
  }
  const flags = (i64 === 'string' ? ToJsonFlag.I64_STRING : 0) | binaryFlag(options.binary, ToJsonFlag.BINARY_RAW);
  if (bytes.length > limits.maxSize) {
    throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `message of ${bytes.length} bytes is over the ${limits.maxSize}-byte limit`, { offset: 0 });
  }
  return flags;
}

/** Transcodes the wire bytes of struct `desc` to JSON. */
export function wireToJson(bytes: Uint8Array, desc: StructDesc, limits: TranscodeLimits, options: ToJSONOptions = {}): Buffer {
  const flags = toJSONInput(bytes, limits, options);
  sink.pos = 0;
  const r = new WireReader(bytes, limits, (flags & ToJsonFlag.I64_STRING) !== 0, (flags & ToJsonFlag.BINARY_RAW) !== 0);
  try {
    r.struct(desc, 1);
    if (r.pos !== bytes.length) throw r.fail(ErrorCode.ERR_BAD_VALUE, `${bytes.length - r.pos} trailing bytes after the message`);
    return sink.take(0);
  } catch (error) {
    throw stackOverflowAsDepthLimit(error);
  } finally {
    sink.pos = 0;
  }
}

class WireReader {
  pos = 0;
  readonly end: number;
  readonly path: PathStack = [];
  /** Compact bool field value carried in the field header. */
  private headerBool = -1;

  constructor(
    readonly src: Uint8Array,
    private readonly limits: TranscodeLimits,
    /** i64 values as strings; off while a map key (already quoted) is written. */
    private i64String: boolean,
    private readonly binaryRaw: boolean,
  ) {
    this.end = src.length;
  }

  fail(code: ErrorCode, message: string, offset: number = this.pos): HeddleError {
    const path = formatPath(this.path);
    return new HeddleError(code, message, path === '' ? { offset } : { offset, path });
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) throw this.fail(ErrorCode.ERR_TRUNCATED, `input ends inside ${what}`);
  }

  private u8(what: string): number {
    if (this.pos >= this.end) throw this.fail(ErrorCode.ERR_TRUNCATED, `input ends inside ${what}`);
    return this.src[this.pos++]!;
  }

  private i32be(): number {
    this.need(4, 'an i32');
    const b = this.src;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  private varint(what: string): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const c = this.u8(what);
      v |= (c & 0x7f) << shift;
      if (c < 0x80) return v;
    }
    throw this.fail(ErrorCode.ERR_BAD_VALUE, `varint of ${what} is too long`, this.pos - 5);
  }

  /** Reads a 64-bit varint into `hi`/`lo`. */
  private hi = 0;
  private lo = 0;
  private varint64(): void {
    const next = readVarint64(this.src, this.pos, this.end);
    if (next === VARINT_TRUNCATED) {
      this.pos = this.end;
      throw this.fail(ErrorCode.ERR_TRUNCATED, 'input ends inside an i64');
    }
    if (next === VARINT_TOO_LONG) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'varint of an i64 is too long', this.pos);
    this.pos = next;
    this.lo = varint.lo;
    this.hi = varint.hi;
  }

  private count(n: number, at: number, what: string): void {
    if (n < 0 || n > this.end - this.pos) {
      const why = n < 0 ? 'is negative' : `is more than the ${this.end - this.pos} bytes that remain can hold`;
      throw this.fail(ErrorCode.ERR_SIZE_LIMIT, `${what} ${n} ${why}`, at);
    }
  }

  struct(desc: StructDesc, depth: number): void {
    if (depth > this.limits.maxDepth) throw this.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`);
    const compact = this.limits.compact;
    const seen = desc.needsEndCheck ? new Uint8Array(desc.fields.length) : undefined;
    sink.byte(0x7b);
    let first = true;
    let lastId = 0;
    for (;;) {
      const at = this.pos;
      const head = this.u8('a field header');
      if (head === 0) break;
      let type: number;
      let id: number;
      if (compact) {
        const ctype = head & 0x0f;
        const delta = head >> 4;
        if (delta !== 0) id = lastId + delta;
        else {
          const z = this.varint('a field id');
          id = ((z >>> 1) ^ -(z & 1)) << 16 >> 16;
        }
        lastId = id;
        type = FROM_COMPACT[ctype]!;
        if (type < 0) throw this.fail(ErrorCode.ERR_BAD_TYPE, `invalid compact type id ${ctype}`, at);
        if (type === BinaryType.BOOL) this.headerBool = ctype === CompactType.BOOLEAN_TRUE ? 1 : 0;
      } else {
        type = head;
        this.need(2, 'a field header');
        id = ((this.src[this.pos]! << 8) | this.src[this.pos + 1]!) << 16 >> 16;
        this.pos += 2;
      }
      const f = desc.byId.get(id);
      if (f === undefined || f.type.wire !== type) {
        this.skip(type, depth, at);
        continue;
      }
      // A field of a few wire bytes (a Compact bool) writes its whole JSON name: bounded here.
      if (sink.pos > this.limits.maxSize) throw this.fail(ErrorCode.ERR_SIZE_LIMIT, `JSON output over the ${this.limits.maxSize}-byte limit`, at);
      if (seen !== undefined) seen[f.index] = 1;
      if (!first) sink.byte(0x2c);
      first = false;
      sink.bytes(f.keyBytes, 0, f.keyBytes.length);
      this.path.push(f.name);
      this.value(f.type, depth);
      this.path.pop();
    }
    if (seen !== undefined) {
      for (const f of desc.fields) {
        if (f.required && seen[f.index] !== 1) {
          throw this.fail(ErrorCode.ERR_REQUIRED_FIELD, `required field '${f.name}' of ${desc.name} is missing`, this.pos - 1);
        }
      }
    }
    sink.byte(0x7d);
  }

  value(type: TypeDesc, depth: number): void {
    const compact = this.limits.compact;
    switch (type.kind) {
      case Kind.BOOL: {
        let v = this.headerBool;
        this.headerBool = -1;
        if (v < 0) {
          const at = this.pos;
          const c = this.u8('a bool');
          if (compact ? c > 2 : c > 1) throw this.fail(ErrorCode.ERR_BAD_VALUE, `invalid bool byte ${c}`, at);
          v = c === 1 ? 1 : 0;
        }
        sink.ascii(v === 1 ? 'true' : 'false');
        return;
      }
      case Kind.I8: {
        const c = this.u8('an i8');
        sink.ascii(String((c << 24) >> 24));
        return;
      }
      case Kind.I16:
        if (compact) {
          const z = this.varint('an i16');
          sink.ascii(String((((z >>> 1) ^ -(z & 1)) << 16) >> 16));
        } else {
          this.need(2, 'an i16');
          const v = ((this.src[this.pos]! << 8) | this.src[this.pos + 1]!) << 16 >> 16;
          this.pos += 2;
          sink.ascii(String(v));
        }
        return;
      case Kind.I32:
        if (compact) {
          const z = this.varint('an i32');
          sink.ascii(String((z >>> 1) ^ -(z & 1)));
        } else sink.ascii(String(this.i32be()));
        return;
      case Kind.I64: {
        let hi: number;
        let lo: number;
        if (compact) {
          this.varint64();
          // Unzigzag: (n >>> 1) ^ -(n & 1) over 64 bits.
          const neg = -(this.lo & 1);
          lo = ((this.lo >>> 1) | (this.hi << 31)) ^ neg;
          hi = (this.hi >>> 1) ^ neg;
        } else {
          hi = this.i32be();
          lo = this.i32be();
        }
        const text = i64Text(hi | 0, lo | 0);
        if (this.i64String) {
          sink.byte(0x22);
          sink.ascii(text);
          sink.byte(0x22);
        } else sink.ascii(text);
        return;
      }
      case Kind.DOUBLE: {
        this.need(8, 'a double');
        const at = this.pos;
        const v = readDouble(this.src, at, compact);
        this.pos += 8;
        if (!Number.isFinite(v)) throw this.fail(ErrorCode.ERR_BAD_VALUE, `${v} has no JSON form`, at);
        sink.ascii(String(v));
        return;
      }
      case Kind.STRING:
      case Kind.BINARY: {
        const at = this.pos;
        const n = compact ? this.varint('a string length') : this.i32be();
        this.count(n, at, 'string length');
        const start = this.pos;
        this.pos += n;
        if (type.kind === Kind.STRING || this.binaryRaw) this.string(start, start + n);
        else {
          sink.byte(0x22);
          encodeBase64(this.src, start, start + n, sink);
          sink.byte(0x22);
        }
        return;
      }
      case Kind.UUID: {
        this.need(16, 'a uuid');
        const b = this.src;
        let s = '"';
        for (let i = 0; i < 16; i++) {
          if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
          s += HEX[b[this.pos + i]! >> 4]! + HEX[b[this.pos + i]! & 15]!;
        }
        this.pos += 16;
        sink.ascii(`${s}"`);
        return;
      }
      case Kind.STRUCT:
        this.struct(type.struct!, depth + 1);
        return;
      case Kind.LIST:
      case Kind.SET:
        this.list(type, depth + 1);
        return;
      case Kind.MAP:
        this.map(type, depth + 1);
        return;
    }
  }

  /** Writes `src[start, end)` as a JSON string, checking its UTF-8. */
  private string(start: number, end: number): void {
    const bad = writeJsonString(sink, this.src, start, end);
    if (bad >= 0) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'invalid UTF-8 in a string', bad);
  }

  private elementType(ctypeOrWire: number, expected: TypeDesc, at: number): void {
    const wire = this.limits.compact ? FROM_COMPACT[ctypeOrWire]! : ctypeOrWire;
    if (wire !== expected.wire) throw this.fail(ErrorCode.ERR_BAD_TYPE, `element type ${ctypeOrWire} does not match the IDL`, at);
  }

  private list(type: TypeDesc, depth: number): void {
    if (depth > this.limits.maxDepth) throw this.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`);
    const at = this.pos;
    let n: number;
    let etype: number;
    if (this.limits.compact) {
      const head = this.u8('a list header');
      n = head >> 4;
      etype = head & 15;
      if (n === 15) n = this.varint('a list size');
    } else {
      etype = this.u8('a list header');
      n = this.i32be();
    }
    this.count(n, at, 'list size');
    if (n > 0) this.elementType(etype, type.elem!, at);
    sink.byte(0x5b);
    const elem = type.elem!;
    this.path.push(0);
    const top = this.path.length - 1;
    for (let i = 0; i < n; i++) {
      this.path[top] = i;
      if (i > 0) sink.byte(0x2c);
      this.value(elem, depth);
    }
    this.path.pop();
    sink.byte(0x5d);
  }

  private map(type: TypeDesc, depth: number): void {
    if (depth > this.limits.maxDepth) throw this.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`);
    const at = this.pos;
    let n: number;
    let ktype = 0;
    let vtype = 0;
    if (this.limits.compact) {
      n = this.varint('a map size');
      if (n !== 0) {
        const kv = this.u8('a map header');
        ktype = kv >> 4;
        vtype = kv & 15;
      }
    } else {
      ktype = this.u8('a map header');
      vtype = this.u8('a map header');
      n = this.i32be();
    }
    this.count(n, at, 'map size');
    const key = type.key!;
    const value = type.value!;
    if (n > 0) {
      this.elementType(ktype, key, at);
      this.elementType(vtype, value, at);
    }
    if (key.kind === Kind.STRUCT || key.kind === Kind.LIST || key.kind === Kind.SET || key.kind === Kind.MAP) {
      if (n > 0) throw this.fail(ErrorCode.ERR_BAD_TYPE, 'map keys that are structs or containers have no JSON form', at);
    }
    sink.byte(0x7b);
    for (let i = 0; i < n; i++) {
      if (i > 0) sink.byte(0x2c);
      // Map entries are named by their position on the wire in error paths.
      this.path.push(i);
      const quoted = key.kind === Kind.STRING || key.kind === Kind.BINARY || key.kind === Kind.UUID;
      if (!quoted) sink.byte(0x22);
      const saved = this.i64String;
      this.i64String = false;
      this.value(key, depth);
      this.i64String = saved;
      if (!quoted) sink.byte(0x22);
      sink.byte(0x3a);
      this.value(value, depth);
      this.path.pop();
    }
    sink.byte(0x7d);
  }

  /** Skips a value of wire type `type` (a field the IDL does not know or types differently). */
  private skip(type: number, depth: number, at: number): void {
    if (depth > this.limits.maxDepth) throw this.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`);
    const compact = this.limits.compact;
    switch (type) {
      case BinaryType.BOOL:
        if (this.headerBool >= 0) this.headerBool = -1;
        else this.u8('a bool');
        return;
      case BinaryType.BYTE: this.u8('an i8'); return;
      case BinaryType.I16:
        if (compact) this.varint('an i16');
        else { this.need(2, 'an i16'); this.pos += 2; }
        return;
      case BinaryType.I32:
        if (compact) this.varint('an i32');
        else this.i32be();
        return;
      case BinaryType.I64:
        if (compact) this.varint64();
        else { this.need(8, 'an i64'); this.pos += 8; }
        return;
      case BinaryType.DOUBLE: this.need(8, 'a double'); this.pos += 8; return;
      case BinaryType.UUID: this.need(16, 'a uuid'); this.pos += 16; return;
      case BinaryType.STRING: {
        const p = this.pos;
        const n = compact ? this.varint('a string length') : this.i32be();
        this.count(n, p, 'string length');
        this.pos += n;
        return;
      }
      case BinaryType.STRUCT:
        for (;;) {
          const fat = this.pos;
          const head = this.u8('a field header');
          if (head === 0) return;
          let t: number;
          if (compact) {
            if (head >> 4 === 0) this.varint('a field id');
            t = FROM_COMPACT[head & 15]!;
            if (t < 0) throw this.fail(ErrorCode.ERR_BAD_TYPE, `invalid compact type id ${head & 15}`, fat);
            if (t === BinaryType.BOOL) this.headerBool = 1;
          } else {
            t = head;
            this.need(2, 'a field header');
            this.pos += 2;
          }
          this.skip(t, depth + 1, fat);
        }
      case BinaryType.LIST:
      case BinaryType.SET: {
        const p = this.pos;
        let n: number;
        let et: number;
        if (compact) {
          const head = this.u8('a list header');
          n = head >> 4;
          if (n === 15) n = this.varint('a list size');
          et = FROM_COMPACT[head & 15]!;
        } else {
          et = this.u8('a list header');
          n = this.i32be();
        }
        this.count(n, p, 'list size');
        for (let i = 0; i < n; i++) this.skip(et, depth + 1, p);
        return;
      }
      case BinaryType.MAP: {
        const p = this.pos;
        let n: number;
        let kt = 0;
        let vt = 0;
        if (compact) {
          n = this.varint('a map size');
          if (n > 0) {
            const kv = this.u8('a map header');
            kt = FROM_COMPACT[kv >> 4]!;
            vt = FROM_COMPACT[kv & 15]!;
          }
        } else {
          kt = this.u8('a map header');
          vt = this.u8('a map header');
          n = this.i32be();
        }
        this.count(n, p, 'map size');
        for (let i = 0; i < n; i++) {
          this.skip(kt, depth + 1, p);
          this.skip(vt, depth + 1, p);
        }
        return;
      }
      default:
        throw this.fail(ErrorCode.ERR_BAD_TYPE, `invalid type id ${type}`, at);
    }
  }
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

function readDouble(b: Uint8Array, at: number, littleEndian: boolean): number {
  if (littleEndian) for (let i = 0; i < 8; i++) f64Bytes[i] = b[at + i]!;
  else for (let i = 0; i < 8; i++) f64Bytes[i] = b[at + 7 - i]!;
  return f64[0]!;
}
