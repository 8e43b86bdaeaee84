/**
 * ProtoJSON bytes to Protobuf wire bytes in one pass: the tokenizer walks the body while the
 * table says what each member is, and values go straight to the output in the order they come
 * (any field order is valid Protobuf; decoders merge). Length prefixes of nested messages, packed
 * lists and map entries take one reserved byte, and the body moves only when it outgrows 127 bytes.
 * The well-known types with a JSON form of their own are in {@link ./from-json-wkt.ts}.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import { readBase64String } from '../base64.js';
import { ByteSink, varintSize } from '../byte-sink.js';
import { transcodeJsonBody } from '../json-body.js';
import { JsonReader, latin1Text } from '../json-reader.js';
import { PKind, Wire, Wkt, type PField, type PMessage, type ProtoJsonTables } from './descriptor.js';
import { exactInteger } from './decimal.js';
import { MapKeys } from './map-keys.js';
import { readWellKnown } from './from-json-wkt.js';

/** Options of Protobuf `codec.fromJSON`. */
export interface ProtoFromJSONOptions {
  /** Members that name no field, and enum names that name no value, are skipped instead of
   * rejected (ProtoJSON's `ignore_unknown_fields`). Default false: ERR_BAD_VALUE. */
  ignoreUnknownFields?: boolean;
}

export interface ProtoJsonLimits {
  maxDepth: number;
  maxSize: number;
}

/** What a value writer did: wrote a non-default value, wrote the default, or skipped (unknown enum name). */
export const enum Written { VALUE, ZERO, SKIPPED }

export const reader = new JsonReader();
export const sink = new ByteSink();
/** Unescaped string content, before its length prefix can be written. */
export const scratch = new ByteSink();

const FLOAT32_MAX = 3.4028234663852886e38;
const f32 = new Float32Array(1);
const f64 = new Float64Array(1);
const f32Bytes = new Uint8Array(f32.buffer);
const f64Bytes = new Uint8Array(f64.buffer);

/** Transcodes JSON `body` to the wire bytes of message `desc`. */
export function protoJsonToWire(
  body: Uint8Array | string,
  desc: PMessage,
  tables: ProtoJsonTables,
  limits: ProtoJsonLimits,
  options: ProtoFromJSONOptions = {},
): Uint8Array {
  const ignore = ignoresUnknownFields(options);
  return transcodeJsonBody(body, limits.maxSize, reader, sink, () => new ProtoWriter(tables, limits, ignore).topLevel(desc));
}

/** The ignoreUnknownFields option, checked (both transcoders refuse what is not a boolean). */
export function ignoresUnknownFields(options: ProtoFromJSONOptions): boolean {
  const ignore = options.ignoreUnknownFields ?? false;
  if (typeof ignore !== 'boolean') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'option ignoreUnknownFields must be a boolean');
  return ignore;
}

export class ProtoWriter {
  constructor(
    readonly tables: ProtoJsonTables,
    readonly limits: ProtoJsonLimits,
    readonly ignoreUnknown: boolean,
  ) {}

  /** The top-level value: a message body with no tag or length of its own. */
  topLevel(desc: PMessage): void {
    const r = reader;
    if (r.peek() === 0x6e && desc.wkt === Wkt.VALUE) {
      r.literal('null');
      tag(1, Wire.VARINT);
      sink.byte(0);
      return;
    }
    this.messageBody(desc, 1);
  }

  /** The body of message `desc` (no tag, no length): a well-known type's JSON form or an object. */
  messageBody(desc: PMessage, depth: number, skipTypeKey = false): void {
    if (depth > this.limits.maxDepth) throw reader.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`);
    if (desc.wkt !== Wkt.NONE && !skipTypeKey) {
      readWellKnown(this, desc, depth);
      return;
    }
    this.object(desc, depth, skipTypeKey);
  }


  /** A JSON object of fields; `skipTypeKey` skips Any's "@type" member. */
  private object(desc: PMessage, depth: number, skipTypeKey: boolean): void {
    const r = reader;
    if (r.peek() !== 0x7b) throw reader.wrongType('an object');
    r.pos++;
    // Fields seen so far: bits of a number for up to 31 fields (no allocation), else bytes.
    const many = desc.fields.length > 31 ? new Uint8Array(desc.fields.length) : undefined;
    let bits = 0;
    const oneofs = desc.oneofCount === 0 ? undefined : new Int32Array(desc.oneofCount).fill(-1);
    let next = 0;
    if (!r.empty(0x7d)) {
      do {
        let field: PField | undefined;
        let keyAt: number;
        let close = -1;
        // Members mostly come in field order: the next field's `"name":` is compared in place
        // first, which saves scanning the name and looking it up.
        const guess = desc.fields[next];
        if (guess !== undefined && r.peek() === 0x22 && bytesAt(guess.jsonKey, r.src, r.pos)) {
          keyAt = r.pos;
          r.pos += guess.jsonKey.length;
          field = guess;
        } else {
          close = r.memberName();
          keyAt = r.keyAt;
          field = this.lookup(desc, r.start, close, next);
          r.expect(0x3a, "':'");
        }
        if (field === undefined) {
          if (skipTypeKey && isTypeKey(r.src, keyAt, close)) {
            r.skipValue(depth, this.limits.maxDepth);
            continue;
          }
          if (!this.ignoreUnknown) throw r.fail(ErrorCode.ERR_BAD_VALUE, `unknown field ${r.keyName(keyAt)} of ${desc.fullName}`, keyAt);
          r.skipValue(depth, this.limits.maxDepth);
          continue;
        }
        const index = field.index;
        if (many === undefined ? (bits & (1 << index)) !== 0 : many[index] === 1) {
          throw r.fail(ErrorCode.ERR_BAD_VALUE, `field '${field.name}' of ${desc.fullName} is set twice`, keyAt);
        }
        if (many === undefined) bits |= 1 << index;
        else many[index] = 1;
        next = field.index + 1;
        r.path.push(field.jsonName);
        const isNull = r.peek() === 0x6e;
        // A null scalar in a oneof leaves the oneof alone, as @bufbuild/protobuf reads it.
        if (field.oneof >= 0 && !(isNull && field.kind < PKind.ENUM)) {
          const other = oneofs![field.oneof]!;
          if (other >= 0) throw r.fail(ErrorCode.ERR_BAD_VALUE, `oneof of '${field.name}' is already set by '${desc.fields[other]!.name}'`, keyAt);
          oneofs![field.oneof] = field.index;
        }
        if (isNull) this.nullValue(field);
        else if (field.mapKey !== undefined) this.map(field, depth + 1);
        else if (field.repeated) this.list(field, depth + 1);
        else this.singular(field, depth);
        r.path.pop();
      } while (!r.endOrComma(0x7d));
    }
    if (desc.hasRequired) {
      for (const f of desc.fields) {
        if (f.required && (many === undefined ? (bits & (1 << f.index)) === 0 : many[f.index] !== 1)) {
          throw r.fail(ErrorCode.ERR_REQUIRED_FIELD, `required field '${f.name}' of ${desc.fullName} is missing`, r.pos - 1);
        }
      }
    }
  }

  /** `null` as a field's value: the default, which for most fields means writing nothing. */
  private nullValue(field: PField): void {
    const r = reader;
    r.literal('null');
    if (field.repeated) return;
    if (field.kind === PKind.ENUM && field.enumType!.isNullValue && !field.implicit) {
      tag(field.number, Wire.VARINT);
      sink.byte(0);
    } else if (field.kind === PKind.MESSAGE && field.message!().wkt === Wkt.VALUE) {
      tag(field.number, Wire.LEN);
      sink.byte(2);
      tag(1, Wire.VARINT);
      sink.byte(0);
    }
  }

  /** The field whose JSON or .proto name is the key `[start, end)`, compared as bytes; `hint` is tried first. */
  private lookup(desc: PMessage, start: number, end: number, hint: number): PField | undefined {
    const r = reader;
    if (r.escaped) {
      scratch.pos = 0;
      r.unescape(start, end, scratch);
      return desc.byName.get(Buffer.from(scratch.buf.buffer, 0, scratch.pos).toString('utf8'));
    }
    const guess = desc.fields[hint];
    if (guess !== undefined && sameBytes(guess.jsonKey, 1, guess.jsonKey.length - 2, r.src, start, end)) return guess;
    const candidates = desc.byLength.get(end - start);
    if (candidates === undefined) return undefined;
    for (const c of candidates) if (sameBytes(c.bytes, 0, c.bytes.length, r.src, start, end)) return c.field;
    return undefined;
  }

  private singular(field: PField, depth: number): void {
    const before = sink.pos;
    if (field.kind === PKind.GROUP) {
      tag(field.number, Wire.SGROUP);
      this.messageBody(field.message!(), depth + 1);
      tag(field.number, Wire.EGROUP);
      return;
    }
    tag(field.number, field.wire);
    const written = this.value(field, depth);
    if (written === Written.SKIPPED || (written === Written.ZERO && field.implicit)) sink.pos = before;
  }

  /** One value of `field`'s kind, without a tag (LEN kinds with their length). */
  value(field: PField, depth: number): Written {
    const r = reader;
    const c = r.peek();
    switch (field.kind) {
      case PKind.BOOL:
        if (c === 0x74) {
          r.literal('true');
          sink.byte(1);
          return Written.VALUE;
        }
        if (c === 0x66) {
          r.literal('false');
          sink.byte(0);
          return Written.ZERO;
        }
        throw reader.wrongType('a boolean');
      case PKind.FLOAT:
      case PKind.DOUBLE:
        return this.float(field.kind, c);
      case PKind.STRING: {
        if (c !== 0x22) throw reader.wrongType('a string');
        const close = r.scanString();
        return this.stringContent(r.start, close, r.escaped) === 0 ? Written.ZERO : Written.VALUE;
      }
      case PKind.BYTES:
        return this.bytes(c);
      case PKind.ENUM:
        return this.enumValue(field, c);
      case PKind.MESSAGE:
      case PKind.GROUP: {
        const lenAt = beginLen();
        this.messageBody(field.message!(), depth + 1);
        endLen(lenAt);
        return Written.VALUE;
      }
      default:
        return this.integer(field.kind, c);
    }
  }

  /** Writes string content `[start, end)` with its length prefix; returns the UTF-8 length. */
  stringContent(start: number, end: number, escaped: boolean): number {
    const r = reader;
    if (!escaped) {
      sink.varint(end - start);
      sink.bytes(r.src, start, end);
      return end - start;
    }
    scratch.pos = 0;
    r.unescape(start, end, scratch);
    const n = scratch.pos;
    sink.varint(n);
    sink.bytes(scratch.buf, 0, n);
    return n;
  }

  private bytes(c: number): Written {
    const r = reader;
    if (c !== 0x22) throw reader.wrongType('a base64 string');
    const size = readBase64String(r, scratch, sink, writeLength);
    return size === 0 ? Written.ZERO : Written.VALUE;
  }

  private float(kind: PKind, c: number): Written {
    const r = reader;
    let v: number;
    if (c === 0x22) {
      const close = r.scanString();
      const text = r.escaped ? undefined : latin1Text(r.src, r.start, close);
      if (text === 'NaN') v = NaN;
      else if (text === 'Infinity') v = Infinity;
      else if (text === '-Infinity') v = -Infinity;
      else {
        const end = text === undefined ? -1 : numberTextEnd(r.src, r.start, close);
        if (end !== close || close === r.start) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'expected a number, "NaN", "Infinity" or "-Infinity"', r.start - 1);
        v = Number(text);
        if (!Number.isFinite(v)) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'number out of range for a double', r.start - 1);
      }
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = r.pos;
      const end = r.scanNumber(false);
      v = r.double(start, end);
      if (!Number.isFinite(v)) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'number out of range for a double', start);
    } else throw reader.wrongType('a number');
    if (kind === PKind.FLOAT) {
      if (Number.isFinite(v) && (v > FLOAT32_MAX || v < -FLOAT32_MAX)) throw r.fail(ErrorCode.ERR_BAD_VALUE, `${v} is out of range for a float`, r.pos - 1);
      f32[0] = v;
      sink.bytes(f32Bytes, 0, 4);
    } else {
      f64[0] = v;
      sink.bytes(f64Bytes, 0, 8);
    }
    return Object.is(v, 0) ? Written.ZERO : Written.VALUE;
  }

  private enumValue(field: PField, c: number): Written {
    const r = reader;
    const e = field.enumType!;
    let n: number;
    if (c === 0x22) {
      const at = r.pos;
      const close = r.scanString();
      let name: string;
      if (r.escaped) {
        scratch.pos = 0;
        r.unescape(r.start, close, scratch);
        name = Buffer.from(scratch.buf.buffer, 0, scratch.pos).toString('utf8');
      } else name = Buffer.from(r.src.buffer, r.src.byteOffset + r.start, close - r.start).toString('utf8');
      const found = e.numbers.get(name);
      if (found === undefined) {
        if (this.ignoreUnknown) return Written.SKIPPED;
        throw r.fail(ErrorCode.ERR_BAD_VALUE, `${JSON.stringify(name)} is not a value of enum ${e.fullName}`, at);
      }
      n = found;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const at = r.pos;
      if (!this.smallInteger(PKind.INT32, c)) this.integerHalves(PKind.INT32, c);
      n = r.lo;
      if (e.closed && !e.names.has(n)) throw r.fail(ErrorCode.ERR_BAD_VALUE, `${n} is not a value of closed enum ${e.fullName}`, at);
    } else if (c === 0x6e && e.isNullValue) {
      r.literal('null');
      n = 0;
    } else throw reader.wrongType('an enum name or number');
    if (n < 0) sink.varint64(-1, n);
    else sink.varint(n);
    return n === 0 ? Written.ZERO : Written.VALUE;
  }

  /** An integer of `kind`, written in its wire form. */
  integer(kind: PKind, c: number): Written {
    const r = reader;
    if (!this.smallInteger(kind, c)) this.integerHalves(kind, c);
    const hi = r.hi;
    const lo = r.lo;
    switch (kind) {
      case PKind.INT32:
        if (lo < 0) sink.varint64(-1, lo);
        else sink.varint(lo);
        break;
      case PKind.SINT32:
        sink.varint((lo << 1) ^ (lo >> 31));
        break;
      case PKind.UINT32:
        sink.varint(lo);
        break;
      case PKind.SFIXED32:
      case PKind.FIXED32:
        le32(lo);
        break;
      case PKind.INT64:
      case PKind.UINT64:
        sink.varint64(hi, lo);
        break;
      case PKind.SINT64:
        sink.varint64(((hi << 1) | (lo >>> 31)) ^ (hi >> 31), (lo << 1) ^ (hi >> 31));
        break;
      default:
        le32(lo);
        le32(hi);
    }
    return (hi | lo) === 0 ? Written.ZERO : Written.VALUE;
  }

  /**
   * Reads an integer of `kind` (a JSON number, or a string holding one) exactly into the reader's
   * `hi`/`lo`: digits go through a double only while they fit 2^53, and fractions or exponents
   * (`1e3`, `5.0`) are accepted when the value is whole, as ProtoJSON allows.
   */
  integerHalves(kind: PKind, c: number): void {
    const r = reader;
    let start: number;
    let end: number;
    const quoted = c === 0x22;
    if (quoted) {
      const close = r.scanString();
      start = r.start;
      end = close;
      if (r.escaped || numberTextEnd(r.src, start, end) !== end || start === end) {
        throw r.fail(ErrorCode.ERR_BAD_VALUE, `expected ${kindName(kind)} in a string, found ${r.keyName(start - 1)}`, start - 1);
      }
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      start = r.pos;
      end = r.scanNumber(false);
    } else throw reader.wrongType(`${kindName(kind)} (a number or a string)`);
    const at = quoted ? start - 1 : start;
    const unsigned = kind === PKind.UINT32 || kind === PKind.FIXED32 || kind === PKind.UINT64 || kind === PKind.FIXED64;
    const wide = kind >= PKind.INT64;
    const b = r.src;
    let plain = true;
    for (let p = b[start] === 0x2d ? start + 1 : start; p < end; p++) {
      const d = b[p]!;
      if (d < 0x30 || d > 0x39) {
        plain = false;
        break;
      }
    }
    const negative = b[start] === 0x2d;
    let ok = plain && r.integer(start, end, wide || unsigned ? 64 : 32);
    if (ok) {
      // The halves are the two's complement of the value read as signed.
      if (unsigned) ok = wide ? !negative || (r.hi | r.lo) === 0 : r.hi === 0;
    } else if (!plain || (unsigned && wide && !negative)) {
      // A fraction or exponent, or a uint64 above 2^63: exactly, through BigInt.
      const v = exactInteger(latin1Text(b, start, end));
      if (v === undefined) throw r.fail(ErrorCode.ERR_BAD_VALUE, `${latin1Text(b, start, end)} is not a whole number`, at);
      const min = unsigned ? 0n : wide ? -(1n << 63n) : -(1n << 31n);
      const limit = unsigned ? (wide ? 1n << 64n : 1n << 32n) : wide ? 1n << 63n : 1n << 31n;
      ok = v >= min && v < limit;
      if (ok) {
        r.lo = Number(BigInt.asIntN(32, v));
        r.hi = Number(BigInt.asIntN(32, v >> 32n));
      }
    }
    if (!ok) throw r.fail(ErrorCode.ERR_BAD_VALUE, `${latin1Text(b, start, end)} is out of range for ${kindName(kind)}`, at);
  }

  /**
   * The common case in one pass, into the reader's hi/lo: up to 15 plain digits (exact in a
   * double), optionally negative, unquoted or alone in a string, in range for `kind`. Returns
   * false, consuming nothing, for anything else, which {@link integerHalves} then reads.
   */
  private smallInteger(kind: PKind, c: number): boolean {
    const r = reader;
    const b = r.src;
    const quoted = c === 0x22;
    let p = quoted ? r.pos + 1 : r.pos;
    const negative = b[p] === 0x2d;
    if (negative) p++;
    const first = p;
    let m = 0;
    let d = b[p]! - 0x30;
    // A leading zero is only the number 0 itself.
    if (d === 0) {
      p++;
      d = b[p]! - 0x30;
      if (d >= 0 && d <= 9) return false;
    } else {
      while (d >= 0 && d <= 9) {
        m = m * 10 + d;
        d = b[++p]! - 0x30;
      }
    }
    const n = p - first;
    if (n === 0 || n > 15) return false;
    const next = b[p];
    if (quoted ? next !== 0x22 : next === 0x2e || next === 0x65 || next === 0x45) return false;
    const unsigned = kind === PKind.UINT32 || kind === PKind.FIXED32 || kind === PKind.UINT64 || kind === PKind.FIXED64;
    if (negative) {
      if (unsigned && m !== 0) return false;
      if (kind < PKind.INT64 && m > 2147483648) return false;
      m = -m;
    } else if (kind < PKind.INT64 && m > (unsigned ? 4294967295 : 2147483647)) return false;
    r.pos = quoted ? p + 1 : p;
    if (m >= -2147483648 && m <= 2147483647) {
      r.lo = m | 0;
      r.hi = m < 0 ? -1 : 0;
      return true;
    }
    const lo = m % 4294967296;
    r.lo = lo | 0;
    r.hi = ((m - lo) / 4294967296) | 0;
    if (m < 0 && lo !== 0) r.hi -= 1;
    return true;
  }

  list(field: PField, depth: number): void {
    const r = reader;
    if (r.peek() !== 0x5b) throw reader.wrongType('an array');
    if (depth > this.limits.maxDepth) throw r.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`);
    r.pos++;
    if (r.empty(0x5d)) return;
    const packed = field.packed;
    const listStart = sink.pos;
    let lenAt = -1;
    if (packed) {
      tag(field.number, Wire.LEN);
      lenAt = beginLen();
    }
    const valueNull = field.kind === PKind.MESSAGE ? field.message!().wkt === Wkt.VALUE : field.kind === PKind.ENUM && field.enumType!.isNullValue;
    r.path.push(0);
    const top = r.path.length - 1;
    let n = 0;
    do {
      r.path[top] = n++;
      if (r.peek() === 0x6e && !valueNull) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'a list element must not be null');
      const before = sink.pos;
      if (field.kind === PKind.GROUP) {
        tag(field.number, Wire.SGROUP);
        this.messageBody(field.message!(), depth + 1);
        tag(field.number, Wire.EGROUP);
        continue;
      }
      if (!packed) tag(field.number, field.wire);
      if (this.element(field, depth) === Written.SKIPPED) sink.pos = before;
    } while (!r.endOrComma(0x5d));
    r.path.pop();
    if (packed) {
      if (sink.pos === lenAt + 1) sink.pos = listStart;
      else endLen(lenAt);
    }
  }

  /** A list element or map value: `null` is a Value's null. */
  private element(field: PField, depth: number): Written {
    const r = reader;
    if (r.peek() === 0x6e && field.kind === PKind.MESSAGE) {
      r.literal('null');
      sink.byte(2);
      tag(1, Wire.VARINT);
      sink.byte(0);
      return Written.VALUE;
    }
    return this.value(field, depth);
  }

  map(field: PField, depth: number): void {
    const r = reader;
    if (r.peek() !== 0x7b) throw reader.wrongType('an object');
    if (depth > this.limits.maxDepth) throw r.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`);
    r.pos++;
    if (r.empty(0x7d)) return;
    const key = field.mapKey!;
    const value = field.mapValue!;
    const valueNull = value.kind === PKind.MESSAGE ? value.message!().wkt === Wkt.VALUE : value.kind === PKind.ENUM && value.enumType!.isNullValue;
    const keys = new MapKeys(reader, key.kind === PKind.STRING);
    r.path.push(0);
    const top = r.path.length - 1;
    do {
      const close = r.memberName();
      const keyAt = r.keyAt;
      const start = r.start;
      const escaped = r.escaped;
      r.path[top] = -1 - keyAt;
      const entryStart = sink.pos;
      tag(field.number, Wire.LEN);
      const lenAt = beginLen();
      this.mapKey(key, start, close, escaped, keyAt);
      if (!keys.add(start, close, escaped)) throw r.fail(ErrorCode.ERR_BAD_VALUE, `duplicate map key ${r.keyName(keyAt)}`, keyAt);
      r.expect(0x3a, "':'");
      if (r.peek() === 0x6e && !valueNull) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'a map value must not be null');
      if (value.kind === PKind.GROUP) throw r.fail(ErrorCode.ERR_BAD_TYPE, 'groups cannot be map values');
      tag(2, value.wire);
      if (this.element(value, depth) === Written.SKIPPED) sink.pos = entryStart;
      else endLen(lenAt);
    } while (!r.endOrComma(0x7d));
    r.path.pop();
  }

  /** Writes a map key (field 1) from the member name `[start, end)`; an integer or bool key is left in the reader's hi/lo. */
  private mapKey(key: PField, start: number, end: number, escaped: boolean, keyAt: number): void {
    const r = reader;
    if (key.kind === PKind.STRING) {
      tag(1, Wire.LEN);
      this.stringContent(start, end, escaped);
      return;
    }
    if (escaped) throw r.fail(ErrorCode.ERR_BAD_VALUE, `bad map key ${r.keyName(keyAt)} for ${kindName(key.kind)}`, keyAt);
    if (key.kind === PKind.BOOL) {
      const text = latin1Text(r.src, start, end);
      if (text !== 'true' && text !== 'false') throw r.fail(ErrorCode.ERR_BAD_VALUE, `bad map key ${r.keyName(keyAt)}: expected "true" or "false"`, keyAt);
      tag(1, Wire.VARINT);
      sink.byte(text === 'true' ? 1 : 0);
      r.hi = 0;
      r.lo = text === 'true' ? 1 : 0;
      return;
    }
    // Integer keys: the key's quoted text is read as the integer field's string form.
    const saved = r.pos;
    r.pos = keyAt;
    tag(1, key.wire);
    this.integer(key.kind, 0x22);
    r.pos = saved;
  }
}

/** Writes a field tag. */
export function tag(number: number, wire: Wire): void {
  sink.varint(number * 8 + wire);
}

/** A length prefix. */
function writeLength(size: number): void {
  sink.varint(size);
}

/** Reserves the one-byte form of a length prefix; returns where it is. */
export function beginLen(): number {
  sink.byte(0);
  return sink.pos - 1;
}

/** Writes the length of what follows the prefix reserved at `at`, moving it when it needs more bytes. */
export function endLen(at: number): void {
  const size = sink.pos - at - 1;
  if (size < 0x80) {
    sink.buf[at] = size;
    return;
  }
  const n = varintSize(size);
  sink.shift(at + 1, n - 1);
  const end = sink.pos;
  sink.pos = at;
  sink.varint(size);
  sink.pos = end;
}

function le32(v: number): void {
  sink.ensure(4);
  const b = sink.buf;
  b[sink.pos++] = v;
  b[sink.pos++] = v >>> 8;
  b[sink.pos++] = v >>> 16;
  b[sink.pos++] = v >>> 24;
}

/** Writes a double as 8 little-endian bytes. */
export function writeDouble(v: number): void {
  f64[0] = v;
  sink.bytes(f64Bytes, 0, 8);
}

/** Where the JSON number grammar (leading zeros allowed, as in ProtoJSON strings) ends in `[start, end)`. */
function numberTextEnd(b: Uint8Array, start: number, end: number): number {
  let p = start;
  if (b[p] === 0x2d) p++;
  const digitsAt = p;
  while (p < end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
  if (p === digitsAt) return -1;
  if (p < end && b[p] === 0x2e) {
    p++;
    const at = p;
    while (p < end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
    if (p === at) return -1;
  }
  if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
    p++;
    if (b[p] === 0x2b || b[p] === 0x2d) p++;
    const at = p;
    while (p < end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
    if (p === at) return -1;
  }
  return p;
}

/** Whether `src` holds the bytes of `expected` at `at`. */
function bytesAt(expected: Uint8Array, src: Uint8Array, at: number): boolean {
  const n = expected.length;
  if (at + n > src.length) return false;
  for (let i = 0; i < n; i++) if (src[at + i] !== expected[i]) return false;
  return true;
}

function isTypeKey(b: Uint8Array, keyAt: number, close: number): boolean {
  return close - keyAt === 6 && b[keyAt + 1] === 0x40 && latin1Text(b, keyAt + 1, close) === '@type';
}

function sameBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, start: number, end: number): boolean {
  if (aEnd - aStart !== end - start) return false;
  for (let i = 0; i < end - start; i++) if (a[aStart + i] !== b[start + i]) return false;
  return true;
}

export function kindName(kind: PKind): string {
  return ['int32', 'sint32', 'sfixed32', 'uint32', 'fixed32', 'int64', 'sint64', 'sfixed64', 'uint64', 'fixed64', 'bool', 'float', 'double', 'string', 'bytes', 'enum', 'message', 'group'][kind]!;
}
