/**
 * JSON bytes to Thrift Binary or Compact bytes in one pass: the tokenizer walks the body while the
 * descriptor table says what each member is, and values go straight to the output. Container
 * headers need their element count first: Binary gets a fixed 4-byte count patched at the end;
 * Compact reserves the one-byte short form and moves the elements only when the count outgrows it
 * (15+ list elements, 128+ map entries), which measured cheaper than a counting pre-scan.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import { CompactType } from '../../thrift/wire-types.js';
import { readBase64String } from '../base64.js';
import { ByteSink, varintSize } from '../byte-sink.js';
import { Kind, type FieldDesc, type StructDesc, type TypeDesc } from './descriptor.js';
import { jsonBodyBytes, transcodeJsonBody } from '../json-body.js';
import { JsonReader, latin1Text } from '../json-reader.js';
import { constInt, writeConst, zeroConst } from './default-value.js';
import { flag } from '../../thrift/codec-options.js';
import { fieldHeaderCompact, patchI32, writeDouble, writeUuid } from './wire-write.js';

/** Options of `codec.fromJSON`. */
export interface FromJSONOptions {
  /** JSON members that name no field: `'skip'` (default, as Kitex does) or `'reject'` (ERR_BAD_VALUE). */
  unknownFields?: 'skip' | 'reject';
  /**
   * Binary fields: `'base64'` (default) or `'raw'`, a JSON string whose UTF-8 bytes are the value
   * (Kitex's `generic.SetBinaryWithBase64(g, false)`, dynamicgo's `NoBase64Binary`).
   */
  binary?: 'base64' | 'raw';
  /**
   * Missing required fields are written with their IDL default, else their type's zero, instead
   * of failing with ERR_REQUIRED_FIELD (dynamicgo's `WriteRequireField`, on in Kitex's JSON
   * generic call).
   */
  writeRequired?: boolean;
  /**
   * Missing fields of default requiredness with no IDL default are written as their type's zero
   * (dynamicgo's `WriteDefaultField`); those with a default get it either way.
   */
  writeDefault?: boolean;
  /**
   * Missing optional fields are written with their IDL default, else their zero (dynamicgo's
   * `WriteOptionalField` over an IDL parsed with `SetOptionalBitmap`).
   */
  writeOptional?: boolean;
}

/** fromJSON's options as bits, as the native transcoder takes them (FromJsonFlag in thrift_json.h). */
export const enum FromJsonFlag {
  REJECT_UNKNOWN = 1,
  BINARY_RAW = 2,
  WRITE_REQUIRED = 4,
  WRITE_DEFAULT = 8,
  WRITE_OPTIONAL = 16,
  FILL_MISSING = WRITE_REQUIRED | WRITE_DEFAULT | WRITE_OPTIONAL,
}

export interface TranscodeLimits {
  compact: boolean;
  maxDepth: number;
  maxSize: number;
}

const reader = new JsonReader();
const sink = new ByteSink();
/** Unescaped string content, before its length prefix can be written. */
const scratch = new ByteSink();

/**
 * Checks `fromJSON`'s arguments as both transcoders need them: the body as UTF-8 bytes within the
 * size limit, and the options as FromJsonFlag bits.
 */
export function fromJSONInput(body: Uint8Array | string, limits: TranscodeLimits, options: FromJSONOptions): { src: Uint8Array; flags: number } {
  return { src: jsonBodyBytes(body, limits.maxSize), flags: fromJsonFlags(options) };
}

/** Transcodes JSON `body` to the wire bytes of struct `desc`. */
export function jsonToWire(body: Uint8Array | string, desc: StructDesc, limits: TranscodeLimits, options: FromJSONOptions = {}): Uint8Array {
  const flags = fromJsonFlags(options);
  try {
    return transcodeJsonBody(body, limits.maxSize, reader, sink, () => new Writer(limits, flags).struct(desc, 1));
  } catch (error) {
    throw stackOverflowAsDepthLimit(error);
  }
}

/**
 * A codec's maxDepth may allow more nesting than the JavaScript stack holds: the stack's end is
 * then the limit, reported as the HeddleError a depth limit gives, not as V8's RangeError.
 */
export function stackOverflowAsDepthLimit(error: unknown): unknown {
  if (!(error instanceof RangeError) || !/call stack/i.test(error.message)) return error;
  return new HeddleError(ErrorCode.ERR_DEPTH_LIMIT, 'nesting deeper than the JavaScript stack holds (the codec allows more: lower its maxDepth)', { cause: error });
}

/** The options as FromJsonFlag bits, each checked. */
function fromJsonFlags(options: FromJSONOptions): number {
  const unknown = options.unknownFields ?? 'skip';
  if (unknown !== 'skip' && unknown !== 'reject') {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `option unknownFields must be 'skip' or 'reject', got ${JSON.stringify(unknown)}`);
  }
  let flags = (unknown === 'reject' ? FromJsonFlag.REJECT_UNKNOWN : 0) | binaryFlag(options.binary, FromJsonFlag.BINARY_RAW);
  if (flag('writeRequired', options.writeRequired)) flags |= FromJsonFlag.WRITE_REQUIRED;
  if (flag('writeDefault', options.writeDefault)) flags |= FromJsonFlag.WRITE_DEFAULT;
  if (flag('writeOptional', options.writeOptional)) flags |= FromJsonFlag.WRITE_OPTIONAL;
  return flags;
}

/** The `binary` option (both directions): `bit` for `'raw'`, 0 for `'base64'` or absent. */
export function binaryFlag(binary: unknown, bit: number): number {
  if (binary === undefined || binary === 'base64') return 0;
  if (binary === 'raw') return bit;
  throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `option binary must be 'base64' or 'raw', got ${JSON.stringify(binary)}`);
}

class Writer {
  private readonly reject: boolean;
  private readonly binaryRaw: boolean;

  constructor(
    private readonly limits: TranscodeLimits,
    private readonly flags: number,
  ) {
    this.reject = (flags & FromJsonFlag.REJECT_UNKNOWN) !== 0;
    this.binaryRaw = (flags & FromJsonFlag.BINARY_RAW) !== 0;
  }

  /** Whether a field the body left out is written, by its requiredness and the options. */
  private fills(f: FieldDesc): boolean {
    const flags = this.flags;
    if (f.required) return (flags & FromJsonFlag.WRITE_REQUIRED) !== 0;
    if (f.optional) return (flags & FromJsonFlag.WRITE_OPTIONAL) !== 0;
    return f.default !== undefined || (flags & FromJsonFlag.WRITE_DEFAULT) !== 0;
  }

  struct(desc: StructDesc, depth: number): void {
    const r = reader;
    if (depth > this.limits.maxDepth) throw r.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`);
    r.expect(0x7b, "'{'");
    const compact = this.limits.compact;
    // Which fields came: duplicates are rejected, and required fields and defaults looked up.
    const seen = new Uint8Array(desc.fields.length);
    let lastId = 0;
    let count = 0;
    /** Members usually come in declaration order: the field after the last one is tried first. */
    let next = 0;
    if (!r.empty(0x7d)) {
      do {
        const close = r.memberName();
        const keyAt = r.keyAt;
        const field = this.lookup(desc, r.start, close, next);
        r.expect(0x3a, "':'");
        const c = r.peek();
        if (field === undefined) {
          if (this.reject) throw r.fail(ErrorCode.ERR_BAD_VALUE, `unknown field ${r.keyName(keyAt)} of ${desc.name}`, keyAt);
          r.skipValue(depth, this.limits.maxDepth);
        } else if (c === 0x6e) {
          r.literal('null');
        } else {
          if (seen[field.index] === 1) throw r.fail(ErrorCode.ERR_BAD_VALUE, `duplicate field '${field.jsonName}'`, keyAt);
          seen[field.index] = 1;
          count++;
          next = field.index + 1;
          r.path.push(field.name);
          if (compact) {
            if (field.type.kind === Kind.BOOL) {
              fieldHeaderCompact(sink, this.bool() ? CompactType.BOOLEAN_TRUE : CompactType.BOOLEAN_FALSE, field.id, lastId);
            } else {
              fieldHeaderCompact(sink, field.type.compact, field.id, lastId);
              this.value(field.type, depth);
            }
            lastId = field.id;
          } else {
            sink.ensure(3);
            sink.byte(field.type.wire);
            sink.i16(field.id);
            this.value(field.type, depth);
          }
          r.path.pop();
        }
      } while (!r.endOrComma(0x7d));
    }
    if (desc.needsEndCheck || desc.isUnion || (this.flags & FromJsonFlag.FILL_MISSING) !== 0) this.endCheck(desc, depth, seen, lastId, r.pos - 1, count);
    sink.byte(0);
    // Checked at every struct's end: IDL defaults let a few input bytes (`[{},{},...]`) write many.
    if (sink.pos > this.limits.maxSize) {
      throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `encoded message of ${sink.pos} bytes is over the ${this.limits.maxSize}-byte limit`);
    }
  }

  /** Required fields present, defaults (and zeros, by the options) written, unions with exactly one field. */
  private endCheck(desc: StructDesc, depth: number, seen: Uint8Array, lastId: number, offset: number, count: number): void {
    if (desc.isUnion && count !== 1) {
      throw reader.fail(ErrorCode.ERR_BAD_VALUE, `union ${desc.name} needs exactly one field set, found ${count}`, offset);
    }
    for (const f of desc.fields) {
      if (seen[f.index] === 1) continue;
      const fills = this.fills(f);
      if (f.required && !fills) throw reader.fail(ErrorCode.ERR_REQUIRED_FIELD, `required field '${f.jsonName}' of ${desc.name} is missing`, offset);
      if (!fills || desc.isUnion) continue;
      // A struct or container written here is a level below this struct: past maxDepth the bytes
      // would be refused by decode and toJSON, so they are not written.
      const kind = f.type.kind;
      if ((kind === Kind.STRUCT || kind === Kind.LIST || kind === Kind.SET || kind === Kind.MAP) && depth + 1 > this.limits.maxDepth) {
        throw reader.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`, offset);
      }
      const value = f.default ?? zeroConst(f.type);
      if (this.limits.compact) {
        if (f.type.kind === Kind.BOOL) {
          fieldHeaderCompact(sink, constInt(value) !== 0n ? CompactType.BOOLEAN_TRUE : CompactType.BOOLEAN_FALSE, f.id, lastId);
        } else {
          fieldHeaderCompact(sink, f.type.compact, f.id, lastId);
          writeConst(sink, f.type, value, true);
        }
        lastId = f.id;
      } else {
        sink.byte(f.type.wire);
        sink.i16(f.id);
        writeConst(sink, f.type, value, false);
      }
    }
  }

  /** The field whose JSON name is the key `[start, end)`, compared as bytes; `hint` is tried first. */
  private lookup(desc: StructDesc, start: number, end: number, hint: number): FieldDesc | undefined {
    const r = reader;
    const guess = desc.fields[hint];
    if (guess !== undefined && !r.escaped && sameBytes(guess.jsonNameBytes, r.src, start, end)) return guess;
    if (r.escaped) {
      scratch.pos = 0;
      r.unescape(start, end, scratch);
      return desc.byName.get(Buffer.from(scratch.buf.buffer, 0, scratch.pos).toString('utf8'));
    }
    const candidates = desc.byLength.get(end - start);
    if (candidates === undefined) return undefined;
    for (const f of candidates) if (sameBytes(f.jsonNameBytes, r.src, start, end)) return f;
    return undefined;
  }

  private bool(): boolean {
    const r = reader;
    const c = r.peek();
    if (c === 0x74) {
      r.literal('true');
      return true;
    }
    if (c === 0x66) {
      r.literal('false');
      return false;
    }
    throw reader.wrongType('a boolean');
  }



  /** One value of `type` at the reader's position. */
  value(type: TypeDesc, depth: number): void {
    const r = reader;
    const c = r.peek();
    switch (type.kind) {
      case Kind.BOOL: {
        const v = this.bool();
        sink.byte(this.limits.compact ? (v ? 1 : 2) : v ? 1 : 0);
        return;
      }
      case Kind.I8:
      case Kind.I16:
      case Kind.I32:
      case Kind.I64:
        this.integer(type.kind, c);
        return;
      case Kind.DOUBLE: {
        if (!(c === 0x2d || (c >= 0x30 && c <= 0x39))) throw reader.wrongType('a number');
        const start = r.pos;
        const end = r.scanNumber(false);
        writeDouble(sink, r.double(start, end), this.limits.compact);
        return;
      }
      case Kind.BINARY:
        if (this.binaryRaw) this.stringValue(c);
        else {
          if (c !== 0x22) throw reader.wrongType('a base64 string');
          readBase64String(r, scratch, sink, (size) => this.length(size));
        }
        return;
      case Kind.STRING:
        this.stringValue(c);
        return;
      case Kind.UUID: {
        if (c !== 0x22) throw reader.wrongType('a UUID string');
        const close = r.scanString();
        if (!writeUuid(sink, r.src, r.start, close)) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'expected a UUID string', r.start - 1);
        return;
      }
      case Kind.STRUCT:
        if (c !== 0x7b) throw reader.wrongType('an object');
        this.struct(type.struct!, depth + 1);
        return;
      case Kind.LIST:
      case Kind.SET:
        if (c !== 0x5b) throw reader.wrongType('an array');
        this.list(type, depth + 1);
        return;
      case Kind.MAP:
        if (c !== 0x7b) throw reader.wrongType('an object');
        this.map(type, depth + 1);
        return;
    }
  }

  private integer(kind: number, c: number): void {
    const r = reader;
    let start: number;
    let end: number;
    if (c === 0x22 && kind === Kind.I64) {
      // Kitex accepts i64 as a string of digits: JS clients cannot send them as exact numbers.
      const close = r.scanString();
      start = r.start;
      end = close;
      let p = start;
      if (r.src[p] === 0x2d) p++;
      if (p === end || r.escaped) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'expected an integer string', start - 1);
      for (; p < end; p++) {
        const d = r.src[p]!;
        if (d < 0x30 || d > 0x39) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'expected an integer string', start - 1);
      }
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      start = r.pos;
      end = r.scanNumber(true);
    } else {
      throw reader.wrongType(kind === Kind.I64 ? 'an integer or a string of digits' : 'an integer');
    }
    const bits = kind === Kind.I8 ? 8 : kind === Kind.I16 ? 16 : kind === Kind.I32 ? 32 : 64;
    if (!r.integer(start, end, bits)) {
      throw r.fail(ErrorCode.ERR_BAD_VALUE, `${latin1Text(r.src, start, end)} is out of range for i${bits}`, c === 0x22 ? start - 1 : start);
    }
    const compact = this.limits.compact;
    if (kind === Kind.I8) sink.byte(r.lo);
    else if (kind === Kind.I64) {
      if (compact) sink.varint64(((r.hi << 1) | (r.lo >>> 31)) ^ (r.hi >> 31), (r.lo << 1) ^ (r.hi >> 31));
      else {
        sink.i32(r.hi);
        sink.i32(r.lo);
      }
    } else if (compact) sink.varint((r.lo << 1) ^ (r.lo >> 31));
    else if (kind === Kind.I16) sink.i16(r.lo);
    else sink.i32(r.lo);
  }

  /** A JSON string whose unescaped UTF-8 bytes are the value, length first. */
  private stringValue(c: number): void {
    const r = reader;
    if (c !== 0x22) throw reader.wrongType('a string');
    const close = r.scanString();
    if (!r.escaped) {
      this.length(close - r.start);
      sink.bytes(r.src, r.start, close);
    } else {
      scratch.pos = 0;
      r.unescape(r.start, close, scratch);
      this.length(scratch.pos);
      sink.bytes(scratch.buf, 0, scratch.pos);
    }
  }

  /** A length prefix (strings, binary). */
  private length(n: number): void {
    if (this.limits.compact) sink.varint(n);
    else sink.i32(n);
  }

  private list(type: TypeDesc, depth: number): void {
    const r = reader;
    if (depth > this.limits.maxDepth) throw r.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`);
    r.pos++;
    const elem = type.elem!;
    const compact = this.limits.compact;
    const header = sink.pos;
    if (compact) sink.byte(0);
    else {
      sink.byte(elem.wire);
      sink.i32(0);
    }
    let n = 0;
    if (!r.empty(0x5d)) {
      r.path.push(0);
      const top = r.path.length - 1;
      do {
        r.path[top] = n;
        if (r.peek() === 0x6e) throw reader.wrongType('a list element');
        this.value(elem, depth);
        n++;
      } while (!r.endOrComma(0x5d));
      r.path.pop();
    }
    if (!compact) patchI32(sink, header + 1, n);
    else if (n < 15) sink.buf[header] = (n << 4) | elem.compact;
    else {
      const extra = varintSize(n);
      sink.shift(header + 1, extra);
      const end = sink.pos;
      sink.pos = header;
      sink.byte(0xf0 | elem.compact);
      sink.varint(n);
      sink.pos = end;
    }
  }

  private map(type: TypeDesc, depth: number): void {
    const r = reader;
    if (depth > this.limits.maxDepth) throw r.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`);
    r.pos++;
    const key = type.key!;
    const value = type.value!;
    const compact = this.limits.compact;
    const header = sink.pos;
    if (compact) {
      sink.byte(0);
      sink.byte((key.compact << 4) | value.compact);
    } else {
      sink.byte(key.wire);
      sink.byte(value.wire);
      sink.i32(0);
    }
    let n = 0;
    if (!r.empty(0x7d)) {
      do {
        const close = r.memberName();
        const keyAt = r.keyAt;
        r.path.push(-1 - keyAt);
        this.mapKey(key, r.start, close, keyAt);
        r.expect(0x3a, "':'");
        if (r.peek() === 0x6e) throw reader.wrongType('a map value');
        this.value(value, depth);
        r.path.pop();
        n++;
      } while (!r.endOrComma(0x7d));
    }
    if (!compact) patchI32(sink, header + 2, n);
    else if (n === 0) sink.pos = header + 1;
    else if (n < 128) sink.buf[header] = n;
    else {
      const extra = varintSize(n) - 1;
      sink.shift(header + 1, extra);
      const end = sink.pos;
      sink.pos = header;
      sink.varint(n);
      sink.pos = end;
    }
  }

  /** A map key from the member name `[start, end)`, converted to the key type. */
  private mapKey(key: TypeDesc, start: number, end: number, keyAt: number): void {
    const r = reader;
    const src = r.src;
    if (key.kind === Kind.STRING || key.kind === Kind.BINARY || key.kind === Kind.UUID) {
      // Re-read the member name as a string value.
      const save = r.pos;
      r.pos = keyAt;
      this.value(key, 0);
      r.pos = save;
      return;
    }
    if (r.escaped) throw r.fail(ErrorCode.ERR_BAD_VALUE, `map key is not a valid ${kindName(key.kind)}`, keyAt);
    switch (key.kind) {
      case Kind.I8:
      case Kind.I16:
      case Kind.I32:
      case Kind.I64: {
        let p = start;
        if (src[p] === 0x2d) p++;
        const ok = p < end && (src[p] !== 0x30 || p + 1 === end) && allDigits(src, p, end);
        if (!ok) throw r.fail(ErrorCode.ERR_BAD_VALUE, `map key is not a valid ${kindName(key.kind)}`, keyAt);
        const save = r.pos;
        r.pos = start;
        this.integer(key.kind, src[start]!);
        r.pos = save;
        return;
      }
      case Kind.DOUBLE: {
        const text = latin1Text(src, start, end);
        const v = Number(text);
        if (text.trim() === '' || Number.isNaN(v)) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'map key is not a valid double', keyAt);
        writeDouble(sink, v, this.limits.compact);
        return;
      }
      case Kind.BOOL: {
        const text = latin1Text(src, start, end);
        if (text !== 'true' && text !== 'false') throw r.fail(ErrorCode.ERR_BAD_VALUE, 'map key is not a valid bool', keyAt);
        sink.byte(text === 'true' ? 1 : this.limits.compact ? 2 : 0);
        return;
      }
      default:
        throw r.fail(ErrorCode.ERR_BAD_TYPE, `map keys of type ${kindName(key.kind)} cannot come from JSON`, keyAt);
    }
  }
}

function sameBytes(name: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let i = 0; i < name.length; i++) if (name[i] !== b[start + i]) return false;
  return true;
}

function allDigits(b: Uint8Array, start: number, end: number): boolean {
  for (let p = start; p < end; p++) if (b[p]! < 0x30 || b[p]! > 0x39) return false;
  return true;
}

function kindName(kind: number): string {
  switch (kind) {
    case Kind.I8: return 'i8';
    case Kind.I16: return 'i16';
    case Kind.I32: return 'i32';
    case Kind.I64: return 'i64';
    case Kind.DOUBLE: return 'double';
    case Kind.BOOL: return 'bool';
    case Kind.STRUCT: return 'struct';
    case Kind.LIST: return 'list';
    case Kind.SET: return 'set';
    case Kind.MAP: return 'map';
    default: return 'string';
  }
}

