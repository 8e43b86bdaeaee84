/**
 * Protobuf wire bytes to ProtoJSON in two passes per message: a scan records where each field's
 * occurrences lie (in one shared Int32Array, no object per field), then fields are written in
 * field-number order, as @bufbuild/protobuf's toJsonString orders them. The scan is what lets the
 * last occurrence of a singular field win, packed and unpacked elements of a list join, and a
 * oneof show only its last member, as a decoder would see them. Well-known types are in
 * {@link ./to-json-wkt.ts}.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import { encodeBase64 } from '../base64.js';
import { ByteSink } from '../byte-sink.js';
import { formatPath, type PathStack } from '../json-reader.js';
import { i64Text, u64Text, writeJsonString, writeSafeInteger } from '../json-writer.js';
import { readVarint64, varint, VARINT_TOO_LONG, VARINT_TRUNCATED } from '../varint.js';
import { PKind, Wire, Wkt, type PField, type PMessage, type ProtoJsonTables } from './descriptor.js';
import type { ProtoJsonLimits } from './from-json.js';
import { writeWellKnown } from './to-json-wkt.js';

/** Options of Protobuf `codec.toJSON`. */
export interface ProtoToJSONOptions {
  /** Also write proto3 implicit-presence fields holding their zero value, and empty lists and
   * maps (ProtoJSON's "emit default values"; @bufbuild/protobuf calls it `alwaysEmitImplicit`). */
  emitDefaultValues?: boolean;
  /** The same as {@link emitDefaultValues}, under @bufbuild/protobuf's name. */
  alwaysEmitImplicit?: boolean;
  /** Members named by the .proto field name instead of the json_name (ProtoJSON's "preserve proto field names"; bufbuild's `useProtoFieldName`). */
  useProtoFieldName?: boolean;
  /** Enum values as numbers instead of names (bufbuild's `enumAsInteger`). */
  enumAsInteger?: boolean;
}

export const sink = new ByteSink();
let sharedOcc = new Int32Array(1024);

/** Ints per recorded occurrence: field index, wire type, value start, value end, next occurrence. */
const OCC = 5;
const NONE = -1;

const f32 = new Float32Array(1);
const f32Bytes = new Uint8Array(f32.buffer);
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** Transcodes the wire bytes of message `desc` to JSON. */
export function protoWireToJson(bytes: Uint8Array, desc: PMessage, tables: ProtoJsonTables, limits: ProtoJsonLimits, options: ProtoToJSONOptions = {}): Buffer {
  const flags = checkToJsonInput(bytes, limits, options);
  sink.pos = 0;
  const r = new ProtoWireReader(bytes, tables, limits, flags);
  try {
    r.message(desc, 0, bytes.length, 1);
    return sink.take(0);
  } finally {
    sink.pos = 0;
  }
}

/** toJSON's options as bits, as the native transcoder takes them (ToJsonFlag in proto_json.h). */
export const enum ProtoToJsonFlag {
  EMIT_DEFAULTS = 1,
  PROTO_FIELD_NAME = 2,
  ENUM_AS_INTEGER = 4,
}

/** Checks toJSON's arguments as both transcoders need them; the options as ProtoToJsonFlag bits. */
export function checkToJsonInput(bytes: Uint8Array, limits: ProtoJsonLimits, options: ProtoToJSONOptions): number {
  if (!(bytes instanceof Uint8Array)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'toJSON expects a Uint8Array');
  if (bytes.length > limits.maxSize) {
    throw new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `message of ${bytes.length} bytes is over the ${limits.maxSize}-byte limit`, { offset: 0 });
  }
  const defaults = options.emitDefaultValues ?? options.alwaysEmitImplicit ?? false;
  if (typeof defaults !== 'boolean') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'option emitDefaultValues must be a boolean');
  let flags = defaults ? ProtoToJsonFlag.EMIT_DEFAULTS : 0;
  for (const [name, bit] of [['useProtoFieldName', ProtoToJsonFlag.PROTO_FIELD_NAME], ['enumAsInteger', ProtoToJsonFlag.ENUM_AS_INTEGER]] as const) {
    const value = options[name] ?? false;
    if (typeof value !== 'boolean') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `option ${name} must be a boolean`);
    if (value) flags |= bit;
  }
  return flags;
}

export class ProtoWireReader {
  readonly path: PathStack = [];
  pos = 0;
  /** Occurrence records of the messages being written, innermost last; see {@link scan}. Shared
   * across calls (transcoding runs no user code, so it never re-enters). */
  occ = sharedOcc;
  top = 0;
  /** Set by {@link varint64}. */
  hi = 0;
  lo = 0;

  constructor(
    public src: Uint8Array,
    readonly tables: ProtoJsonTables,
    readonly limits: ProtoJsonLimits,
    /** ProtoToJsonFlag bits. */
    readonly flags: number,
  ) {}

  fail(code: ErrorCode, message: string, offset: number = this.pos): HeddleError {
    const path = formatPath(this.path);
    return new HeddleError(code, message, path === '' ? { offset } : { offset, path });
  }

  /**
   * The JSON is bounded by maxSize as the input is: a few wire bytes can write many (a one-byte
   * enum its name, an empty message every default field), so the output so far is checked before
   * each field, list element and map entry. The native writer checks at the same places.
   */
  checkOutput(offset: number): void {
    if (sink.pos > this.limits.maxSize) throw this.fail(ErrorCode.ERR_SIZE_LIMIT, `JSON output over the ${this.limits.maxSize}-byte limit`, offset);
  }

  /** Writes the JSON of message `desc` held in `[start, end)`. */
  message(desc: PMessage, start: number, end: number, depth: number): void {
    if (depth > this.limits.maxDepth) throw this.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`, start);
    if (desc.wkt !== Wkt.NONE) {
      writeWellKnown(this, desc, start, end, depth);
      return;
    }
    sink.byte(0x7b);
    this.fields(desc, start, end, depth, false);
    sink.byte(0x7d);
  }

  /** Writes the members of message `desc` (no braces); `comma` says one is already written. Returns whether any is now. */
  fields(desc: PMessage, start: number, end: number, depth: number, comma: boolean): boolean {
    const base = this.scan(desc, start, end, depth);
    let any = comma;
    for (let i = 0; i < desc.extensionStart; i++) any = this.member(desc, desc.fields[i]!, base, start, depth, any);
    if (desc.extensionStart < desc.fields.length) {
      // Extensions that are set, after the fields, in the order of their first occurrence on the
      // wire, as @bufbuild/protobuf writes them (from its unknown fields, with a registry).
      const occ = this.occ;
      const set = desc.fields.slice(desc.extensionStart).filter((f) => occ[base + f.index] !== NONE);
      set.sort((a, b) => occ[occ[base + a.index]! + 2]! - occ[occ[base + b.index]! + 2]!);
      for (const f of set) any = this.member(desc, f, base, start, depth, any);
    }
    this.top = base;
    return any;
  }

  /** Writes field `f` of the message scanned at `base`, when it is to be written; returns whether a member is now written. */
  private member(desc: PMessage, f: PField, base: number, start: number, depth: number, any: boolean): boolean {
    const n = desc.fields.length;
    const occ = this.occ;
    const head = occ[base + f.index]!;
    if (f.oneof >= 0 && occ[base + 2 * n + f.oneof] !== f.index) return any;
    if (head === NONE) {
      if (f.required) throw this.fail(ErrorCode.ERR_REQUIRED_FIELD, `required field '${f.name}' of ${desc.fullName} is missing`, start);
      if ((this.flags & ProtoToJsonFlag.EMIT_DEFAULTS) === 0 || !(f.implicit || f.repeated)) return any;
    }
    this.checkOutput(head === NONE ? start : occ[head + 2]!);
    const mark = sink.pos;
    if (any) sink.byte(0x2c);
    const key = (this.flags & ProtoToJsonFlag.PROTO_FIELD_NAME) !== 0 ? f.protoKey : f.jsonKey;
    sink.bytes(key, 0, key.length);
    this.path.push(f.jsonName);
    let keep = true;
    if (head === NONE) this.defaultJson(f);
    else if (f.mapKey !== undefined) this.map(f, base + f.index, depth);
    else if (f.repeated) this.list(f, base + f.index, depth);
    else keep = this.singular(f, occ[base + n + f.index]!, base + f.index, depth);
    this.path.pop();
    if (!keep) {
      sink.pos = mark;
      return any;
    }
    return true;
  }

  /**
   * Records the occurrences of `desc`'s fields in `[start, end)` above {@link top}: at `base`
   * the first occurrence per field, then the last per field, then the last member set per oneof,
   * then the occurrences, each linked to the next of its field. Returns `base`.
   */
  scan(desc: PMessage, start: number, end: number, depth: number): number {
    const n = desc.fields.length;
    const base = this.top;
    let top = base + 2 * n + desc.oneofCount;
    this.reserve(top);
    this.occ.fill(NONE, base, top);
    let p = start;
    while (p < end) {
      const tagAt = p;
      this.pos = p;
      const tagValue = this.varint32(end);
      p = this.pos;
      const number = tagValue >>> 3;
      const wire = tagValue & 7;
      if (number === 0) throw this.fail(ErrorCode.ERR_BAD_TYPE, 'field number 0', tagAt);
      let valueStart = p;
      let valueEnd: number;
      switch (wire) {
        case Wire.VARINT:
          this.pos = p;
          this.varint64(end);
          valueEnd = this.pos;
          break;
        case Wire.I64:
          valueEnd = p + 8;
          break;
        case Wire.I32:
          valueEnd = p + 4;
          break;
        case Wire.LEN: {
          this.pos = p;
          const len = this.varint32(end) >>> 0;
          valueStart = this.pos;
          if (len > end - valueStart) throw this.fail(ErrorCode.ERR_TRUNCATED, `length ${len} runs past the end of the message`, p);
          valueEnd = valueStart + len;
          break;
        }
        case Wire.SGROUP:
          valueEnd = this.skipGroup(p, end, number, depth + 1);
          break;
        default:
          throw this.fail(ErrorCode.ERR_BAD_TYPE, wire === Wire.EGROUP ? 'unexpected end-group tag' : `invalid wire type ${wire}`, tagAt);
      }
      if (valueEnd > end) throw this.fail(ErrorCode.ERR_TRUNCATED, 'input ends inside a field value', p);
      p = wire === Wire.SGROUP ? this.pos : valueEnd;
      const f = desc.byNumber.get(number);
      if (f === undefined) continue;
      if (wire !== f.wire && !(wire === Wire.LEN && f.repeated && f.wire !== Wire.LEN && f.kind !== PKind.GROUP)) {
        throw this.fail(ErrorCode.ERR_BAD_TYPE, `field '${f.name}' of ${desc.fullName} has wire type ${wire}, expected ${f.wire}`, tagAt);
      }
      // A singular closed enum's unknown numbers are unknown fields, not values, as
      // @bufbuild/protobuf reads them (it keeps them in lists and maps).
      if (f.kind === PKind.ENUM && !f.repeated && f.enumType!.closed && !f.enumType!.names.has(this.lo)) continue;
      this.reserve(top + OCC);
      const occ = this.occ;
      occ[top] = f.index;
      occ[top + 1] = wire;
      occ[top + 2] = valueStart;
      occ[top + 3] = valueEnd;
      occ[top + 4] = NONE;
      const last = occ[base + n + f.index]!;
      if (last === NONE) occ[base + f.index] = top;
      else occ[last + 4] = top;
      occ[base + n + f.index] = top;
      if (f.oneof >= 0) occ[base + 2 * n + f.oneof] = f.index;
      top += OCC;
    }
    this.top = top;
    return base;
  }

  private reserve(size: number): void {
    if (size <= this.occ.length) return;
    const next = new Int32Array(Math.max(size, this.occ.length * 2));
    next.set(this.occ);
    this.occ = next;
    // Kept for the next call, unless one huge message grew it past what is worth holding on to.
    if (next.length <= 1 << 20) sharedOcc = next;
  }

  /** Skips a group's fields from `p`; returns where its end tag starts and leaves pos after it. */
  private skipGroup(p: number, end: number, number: number, depth: number): number {
    if (depth > this.limits.maxDepth) throw this.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${this.limits.maxDepth}`, p);
    while (p < end) {
      const tagAt = p;
      this.pos = p;
      const t = this.varint32(end);
      const wire = t & 7;
      switch (wire) {
        case Wire.VARINT: this.varint64(end); break;
        case Wire.I64: this.pos += 8; break;
        case Wire.I32: this.pos += 4; break;
        case Wire.LEN: {
          const len = this.varint32(end) >>> 0;
          this.pos += len;
          break;
        }
        case Wire.SGROUP:
          this.skipGroup(this.pos, end, t >>> 3, depth + 1);
          break;
        case Wire.EGROUP:
          if (t >>> 3 !== number) throw this.fail(ErrorCode.ERR_BAD_TYPE, 'end-group tag does not match its start', tagAt);
          return tagAt;
        default:
          throw this.fail(ErrorCode.ERR_BAD_TYPE, `invalid wire type ${wire}`, tagAt);
      }
      if (this.pos > end) throw this.fail(ErrorCode.ERR_TRUNCATED, 'input ends inside a group', tagAt);
      p = this.pos;
    }
    throw this.fail(ErrorCode.ERR_TRUNCATED, 'input ends inside a group', p);
  }

  varint32(end: number): number {
    const b = this.src;
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= end) throw this.fail(ErrorCode.ERR_TRUNCATED, 'input ends inside a varint');
      const c = b[this.pos++]!;
      v |= (c & 0x7f) << shift;
      if (c < 0x80) return v;
    }
    // Tags and lengths fit 32 bits; a 64-bit varint here keeps its low bits.
    for (let i = 0; i < 5; i++) {
      if (this.pos >= end) throw this.fail(ErrorCode.ERR_TRUNCATED, 'input ends inside a varint');
      if (b[this.pos++]! < 0x80) return v;
    }
    throw this.fail(ErrorCode.ERR_BAD_VALUE, 'varint longer than 10 bytes', this.pos - 10);
  }

  /** Reads a 64-bit varint into `hi`/`lo`. */
  varint64(end: number): void {
    const next = readVarint64(this.src, this.pos, end);
    if (next === VARINT_TRUNCATED) {
      this.pos = end;
      throw this.fail(ErrorCode.ERR_TRUNCATED, 'input ends inside a varint');
    }
    if (next === VARINT_TOO_LONG) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'varint longer than 10 bytes');
    this.pos = next;
    this.lo = varint.lo;
    this.hi = varint.hi;
  }

  /** Writes a singular field from its last occurrence (messages: all occurrences, merged). Returns false to drop it (an implicit zero). */
  singular(f: PField, last: number, firstSlot: number, depth: number): boolean {
    const occ = this.occ;
    if (f.kind === PKind.MESSAGE || f.kind === PKind.GROUP) {
      const head = occ[firstSlot]!;
      if (occ[head + 4] === NONE) {
        this.message(f.message!(), occ[head + 2]!, occ[head + 3]!, depth + 1);
        return true;
      }
      // Several occurrences merge: their bytes, joined, are the message a decoder would build.
      const parts: Uint8Array[] = [];
      for (let at = head; at !== NONE; at = this.occ[at + 4]!) parts.push(this.src.subarray(this.occ[at + 2]!, this.occ[at + 3]!));
      const saved = this.src;
      const joined = Buffer.concat(parts);
      this.src = joined;
      try {
        this.message(f.message!(), 0, joined.length, depth + 1);
      } finally {
        this.src = saved;
      }
      return true;
    }
    const zero = this.scalar(f, occ[last + 2]!, occ[last + 3]!);
    return !(zero && f.implicit && (this.flags & ProtoToJsonFlag.EMIT_DEFAULTS) === 0);
  }

  /** Writes one scalar or enum value held at `[start, end)`; returns whether it is the zero value. */
  scalar(f: PField, start: number, end: number): boolean {
    const b = this.src;
    switch (f.kind) {
      case PKind.STRING: {
        const bad = writeJsonString(sink, b, start, end);
        if (bad >= 0) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'invalid UTF-8 in a string field', bad);
        return start === end;
      }
      case PKind.BYTES:
        sink.byte(0x22);
        encodeBase64(b, start, end, sink);
        sink.byte(0x22);
        return start === end;
      case PKind.FLOAT: {
        for (let i = 0; i < 4; i++) f32Bytes[i] = b[start + i]!;
        return this.floatJson(f32[0]!);
      }
      case PKind.DOUBLE: {
        for (let i = 0; i < 8; i++) f64Bytes[i] = b[start + i]!;
        return this.floatJson(f64[0]!);
      }
      case PKind.FIXED32:
      case PKind.SFIXED32: {
        const v = b[start]! | (b[start + 1]! << 8) | (b[start + 2]! << 16) | (b[start + 3]! << 24);
        writeSafeInteger(sink, f.kind === PKind.FIXED32 ? v >>> 0 : v);
        return v === 0;
      }
      case PKind.FIXED64:
      case PKind.SFIXED64: {
        const lo = b[start]! | (b[start + 1]! << 8) | (b[start + 2]! << 16) | (b[start + 3]! << 24);
        const hi = b[start + 4]! | (b[start + 5]! << 8) | (b[start + 6]! << 16) | (b[start + 7]! << 24);
        this.int64Json(hi, lo, f.kind === PKind.FIXED64);
        return (hi | lo) === 0;
      }
      default:
        this.pos = start;
        this.varint64(end);
        return this.varintJson(f, this.hi, this.lo);
    }
  }

  /** Writes a varint-encoded value of `f`'s kind; returns whether it is zero. */
  varintJson(f: PField, hi: number, lo: number): boolean {
    switch (f.kind) {
      case PKind.INT32:
        writeSafeInteger(sink, lo | 0);
        return lo === 0;
      case PKind.UINT32:
        writeSafeInteger(sink, lo >>> 0);
        return lo === 0;
      case PKind.SINT32:
        writeSafeInteger(sink, (lo >>> 1) ^ -(lo & 1));
        return lo === 0;
      case PKind.INT64:
        this.int64Json(hi, lo, false);
        return (hi | lo) === 0;
      case PKind.UINT64:
        this.int64Json(hi, lo, true);
        return (hi | lo) === 0;
      case PKind.SINT64: {
        const sign = -(lo & 1);
        this.int64Json((hi >>> 1) ^ sign, ((lo >>> 1) | (hi << 31)) ^ sign, false);
        return (hi | lo) === 0;
      }
      case PKind.BOOL:
        sink.ascii((hi | lo) !== 0 ? 'true' : 'false');
        return (hi | lo) === 0;
      default: {
        const e = f.enumType!;
        const n = lo | 0;
        if (e.isNullValue) sink.ascii('null');
        else {
          // bufbuild's enumAsInteger: numbers, but NullValue stays null (checked first above).
          const name = (this.flags & ProtoToJsonFlag.ENUM_AS_INTEGER) !== 0 ? undefined : e.names.get(n);
          if (name === undefined) sink.ascii(String(n));
          else {
            sink.byte(0x22);
            sink.ascii(name);
            sink.byte(0x22);
          }
        }
        return n === 0;
      }
    }
  }

  /** Writes a 64-bit integer as a quoted decimal, exactly: digit by digit below 2^53, else through BigInt. */
  private int64Json(hi: number, lo: number, unsigned: boolean): void {
    sink.byte(0x22);
    if (hi >= -0x200000 && hi < 0x200000 && !(unsigned && hi < 0)) writeSafeInteger(sink, hi * 4294967296 + (lo >>> 0));
    else sink.ascii(unsigned ? u64Text(hi, lo) : i64Text(hi, lo));
    sink.byte(0x22);
  }

  /** Writes a float or double as JSON.stringify would, NaN and the infinities as strings. */
  floatJson(v: number): boolean {
    if (Number.isNaN(v)) sink.ascii('"NaN"');
    else if (v === Infinity) sink.ascii('"Infinity"');
    else if (v === -Infinity) sink.ascii('"-Infinity"');
    else sink.ascii(v === 0 ? '0' : String(v));
    return Object.is(v, 0);
  }

  /** The zero value's JSON, for fields written only because defaults are asked for. */
  defaultJson(f: PField): void {
    if (f.mapKey !== undefined) sink.ascii('{}');
    else if (f.repeated) sink.ascii('[]');
    else if (f.kind === PKind.STRING || f.kind === PKind.BYTES) sink.ascii('""');
    else if (f.kind >= PKind.INT64 && f.kind <= PKind.FIXED64) sink.ascii('"0"');
    else if (f.kind === PKind.BOOL) sink.ascii('false');
    else if (f.kind === PKind.ENUM) this.varintJson(f, 0, 0);
    else sink.ascii('0');
  }

  /** Writes every element of repeated field `f`, whose first occurrence is at `occ[slot]`. */
  list(f: PField, slot: number, depth: number): void {
    sink.byte(0x5b);
    let count = 0;
    const message = f.kind === PKind.MESSAGE || f.kind === PKind.GROUP ? f.message!() : undefined;
    for (let at = this.occ[slot]!; at !== NONE; at = this.occ[at + 4]!) {
      const occ = this.occ;
      const wire = occ[at + 1]!;
      const start = occ[at + 2]!;
      const end = occ[at + 3]!;
      if (message !== undefined) {
        this.checkOutput(start);
        if (count++ > 0) sink.byte(0x2c);
        this.path.push(count - 1);
        this.message(message, start, end, depth + 1);
        this.path.pop();
      } else if (wire === Wire.LEN && f.wire !== Wire.LEN) {
        count = this.packed(f, start, end, count);
      } else {
        this.checkOutput(start);
        if (count++ > 0) sink.byte(0x2c);
        this.scalar(f, start, end);
      }
    }
    sink.byte(0x5d);
  }

  /** Writes the elements of a packed run; returns the element count so far. */
  private packed(f: PField, start: number, end: number, count: number): number {
    const size = f.wire === Wire.I32 ? 4 : f.wire === Wire.I64 ? 8 : 0;
    if (size > 0 && (end - start) % size !== 0) throw this.fail(ErrorCode.ERR_TRUNCATED, `packed ${f.name} is not a whole number of ${size}-byte values`, start);
    let p = start;
    while (p < end) {
      this.checkOutput(p);
      if (size > 0) {
        if (count++ > 0) sink.byte(0x2c);
        this.scalar(f, p, p + size);
        p += size;
        continue;
      }
      this.pos = p;
      this.varint64(end);
      p = this.pos;
      if (count++ > 0) sink.byte(0x2c);
      this.varintJson(f, this.hi, this.lo);
    }
    return count;
  }

  /**
   * Writes map field `f` as a JSON object. Keys are ordered as a JavaScript object orders them
   * (array-index keys ascending, then the rest in first-insertion order), with the last value of a
   * repeated key, because that is what @bufbuild/protobuf's toJsonString writes.
   */
  map(f: PField, slot: number, depth: number): void {
    const key = f.mapKey!;
    const value = f.mapValue!;
    /** Per entry: key start, key end (NONE: absent), value wire type (NONE: absent), value start, value end. */
    const entries: number[] = [];
    for (let at = this.occ[slot]!; at !== NONE; at = this.occ[at + 4]!) {
      this.mapEntry(key, value, this.occ[at + 2]!, this.occ[at + 3]!);
      entries.push(this.keyStart, this.keyEnd, this.valueWire, this.valueStart, this.valueEnd);
    }
    sink.byte(0x7b);
    const message = value.kind === PKind.MESSAGE ? value.message!() : undefined;
    const mapStart = this.occ[this.occ[slot]! + 2]!;
    if (this.inObjectOrder(key, entries)) {
      for (let i = 0; i < entries.length; i += 5) {
        this.checkOutput(mapStart);
        if (i > 0) sink.byte(0x2c);
        this.mapKeyJson(key, entries[i]!, entries[i + 1]!);
        sink.byte(0x3a);
        this.mapValueJson(value, message, entries[i + 2]!, entries[i + 3]!, entries[i + 4]!, depth);
      }
    } else {
      // Repeated keys or keys a JavaScript object would reorder: order them as bufbuild's object does.
      const byKey = new Map<string, number>();
      for (let i = 0; i < entries.length; i += 5) {
        const k = entries[i + 1] === NONE ? (key.kind === PKind.STRING ? '' : key.kind === PKind.BOOL ? 'false' : '0') : this.keyText(key, entries[i]!, entries[i + 1]!);
        const found = byKey.get(k);
        if (found === undefined) byKey.set(k, i);
        else for (let j = 2; j < 5; j++) entries[found + j] = entries[i + j]!;
      }
      let first = true;
      for (const k of orderKeys([...byKey.keys()])) {
        const i = byKey.get(k)!;
        this.checkOutput(mapStart);
        if (!first) sink.byte(0x2c);
        first = false;
        writeKey(k);
        sink.byte(0x3a);
        this.mapValueJson(value, message, entries[i + 2]!, entries[i + 3]!, entries[i + 4]!, depth);
      }
    }
    sink.byte(0x7d);
  }

  private mapValueJson(value: PField, message: PMessage | undefined, wire: number, start: number, end: number, depth: number): void {
    if (wire === NONE) {
      if (message !== undefined) this.message(message, 0, 0, depth + 1);
      else this.defaultJson(value);
    } else if (message !== undefined) this.message(message, start, end, depth + 1);
    else this.scalar(value, start, end);
  }

  /**
   * Whether the entries can be written as they come: no key repeats (checked pairwise, so only
   * for small maps) and array-index keys, which a JavaScript object puts first in ascending
   * order, already come first and ascending.
   */
  private inObjectOrder(key: PField, entries: number[]): boolean {
    const n = entries.length / 5;
    if (n > 32) return false;
    let lastIndex = -1;
    let sawOther = false;
    for (let i = 0; i < entries.length; i += 5) {
      const index = entries[i + 1] === NONE ? (key.kind === PKind.STRING || key.kind === PKind.BOOL ? -1 : 0) : this.keyIndex(key, entries[i]!, entries[i + 1]!);
      if (index >= 0) {
        if (sawOther || index <= lastIndex) return false;
        lastIndex = index;
        continue;
      }
      sawOther = true;
      // Index keys are distinct by ascending order; the others are compared with each other.
      for (let j = 0; j < i; j += 5) if (this.sameKey(key, entries, i, j)) return false;
    }
    return true;
  }

  /** The key's value when it is a JavaScript array index (0 to 2^32-2), else -1. */
  private keyIndex(key: PField, start: number, end: number): number {
    const b = this.src;
    if (key.kind === PKind.STRING) {
      const n = end - start;
      if (n === 0 || n > 10 || (b[start] === 0x30 && n > 1)) return -1;
      let v = 0;
      for (let i = start; i < end; i++) {
        const d = b[i]! - 0x30;
        if (d < 0 || d > 9) return -1;
        v = v * 10 + d;
      }
      return v < 4294967295 ? v : -1;
    }
    if (key.kind === PKind.BOOL) return -1;
    this.keyHalves(key, start, end);
    const { hi, lo } = this;
    switch (key.kind) {
      case PKind.INT32: case PKind.SFIXED32: return lo >= 0 ? lo : -1;
      case PKind.SINT32: return (lo & 1) === 0 ? lo >>> 1 : -1;
      case PKind.UINT32: case PKind.FIXED32: return lo >>> 0 < 4294967295 ? lo >>> 0 : -1;
      case PKind.SINT64: return (lo & 1) === 0 && hi >>> 1 === 0 && ((lo >>> 1) | (hi << 31)) >>> 0 < 4294967295 ? ((lo >>> 1) | (hi << 31)) >>> 0 : -1;
      default: return hi === 0 && lo >>> 0 < 4294967295 ? lo >>> 0 : -1;
    }
  }

  /** The key's integer into hi/lo (32-bit kinds: lo only, hi 0). */
  private keyHalves(key: PField, start: number, end: number): void {
    const b = this.src;
    if (key.wire === Wire.VARINT) {
      this.pos = start;
      this.varint64(end);
    } else {
      this.lo = b[start]! | (b[start + 1]! << 8) | (b[start + 2]! << 16) | (b[start + 3]! << 24);
      this.hi = key.wire === Wire.I64 ? b[start + 4]! | (b[start + 5]! << 8) | (b[start + 6]! << 16) | (b[start + 7]! << 24) : 0;
    }
    if (key.kind < PKind.INT64) this.hi = 0;
    if (key.kind === PKind.BOOL) {
      this.lo = (this.hi | this.lo) !== 0 ? 1 : 0;
      this.hi = 0;
    }
  }

  private sameKey(key: PField, entries: number[], i: number, j: number): boolean {
    const si = entries[i]!, ei = entries[i + 1]!, sj = entries[j]!, ej = entries[j + 1]!;
    if (ei === NONE || ej === NONE) {
      if (ei === NONE && ej === NONE) return true;
      // An absent key is the zero key.
      const [s, e] = ei === NONE ? [sj, ej] : [si, ei];
      if (key.kind === PKind.STRING) return s === e;
      this.keyHalves(key, s, e);
      return (this.hi | this.lo) === 0;
    }
    if (key.kind === PKind.STRING) {
      if (ei - si !== ej - sj) return false;
      const b = this.src;
      for (let k = 0; k < ei - si; k++) if (b[si + k] !== b[sj + k]) return false;
      return true;
    }
    this.keyHalves(key, si, ei);
    const hi = this.hi, lo = this.lo;
    this.keyHalves(key, sj, ej);
    return hi === this.hi && lo === this.lo;
  }

  /** Writes a map key as a JSON string. */
  private mapKeyJson(key: PField, start: number, end: number): void {
    if (end === NONE) {
      sink.ascii(key.kind === PKind.STRING ? '""' : key.kind === PKind.BOOL ? '"false"' : '"0"');
      return;
    }
    if (key.kind === PKind.STRING) {
      const bad = writeJsonString(sink, this.src, start, end);
      if (bad >= 0) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'invalid UTF-8 in a map key', bad);
      return;
    }
    // 64-bit integers are written quoted already.
    const quoted = key.kind >= PKind.INT64 && key.kind <= PKind.FIXED64;
    if (!quoted) sink.byte(0x22);
    this.scalar(key, start, end);
    if (!quoted) sink.byte(0x22);
  }

  /** Set by {@link mapEntry}. */
  private keyStart = 0;
  private keyEnd = NONE;
  private valueWire = NONE;
  private valueStart = 0;
  private valueEnd = 0;

  /** Reads one map entry in `[start, end)`: where its key and value are (NONE: absent; the last of each wins). */
  private mapEntry(key: PField, value: PField, start: number, end: number): void {
    this.keyEnd = NONE;
    this.valueWire = NONE;
    let p = start;
    while (p < end) {
      const tagAt = p;
      this.pos = p;
      const t = this.varint32(end);
      const number = t >>> 3;
      const w = t & 7;
      const at = this.pos;
      let valueStart = at;
      let valueEnd: number;
      if (w === Wire.VARINT) {
        this.varint64(end);
        valueEnd = this.pos;
      } else if (w === Wire.I64) valueEnd = at + 8;
      else if (w === Wire.I32) valueEnd = at + 4;
      else if (w === Wire.LEN) {
        const len = this.varint32(end) >>> 0;
        valueStart = this.pos;
        valueEnd = valueStart + len;
      } else if (w === Wire.SGROUP) {
        valueEnd = this.skipGroup(at, end, number, 1);
        valueStart = at;
      } else throw this.fail(ErrorCode.ERR_BAD_TYPE, `invalid wire type ${w} in a map entry`, tagAt);
      if (valueEnd > end) throw this.fail(ErrorCode.ERR_TRUNCATED, 'input ends inside a map entry', at);
      p = w === Wire.SGROUP ? this.pos : valueEnd;
      if (number === 1) {
        if (w !== key.wire) throw this.fail(ErrorCode.ERR_BAD_TYPE, `map key has wire type ${w}, expected ${key.wire}`, tagAt);
        this.keyStart = valueStart;
        this.keyEnd = valueEnd;
      } else if (number === 2) {
        if (w !== value.wire) throw this.fail(ErrorCode.ERR_BAD_TYPE, `map value has wire type ${w}, expected ${value.wire}`, tagAt);
        this.valueWire = w;
        this.valueStart = valueStart;
        this.valueEnd = valueEnd;
      }
    }
  }

  private keyText(key: PField, start: number, end: number): string {
    if (key.kind === PKind.STRING) {
      const b = this.src;
      for (let i = start; i < end; i++) {
        if (b[i]! >= 0x80) {
          const bad = writeJsonString(scratchSink, b, start, end);
          scratchSink.pos = 0;
          if (bad >= 0) throw this.fail(ErrorCode.ERR_BAD_VALUE, 'invalid UTF-8 in a map key', bad);
          break;
        }
      }
      return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
    }
    const mark = sink.pos;
    this.scalar(key, start, end);
    let text = Buffer.from(sink.buf.buffer, sink.buf.byteOffset + mark, sink.pos - mark).toString('latin1');
    sink.pos = mark;
    if (text.charCodeAt(0) === 0x22) text = text.slice(1, -1);
    return text;
  }
}

const scratchSink = new ByteSink();

/** Writes a map or Struct key as a JSON string. */
function writeKey(k: string): void {
  const text = JSON.stringify(k);
  if (/^[\x20-\x7e]*$/.test(text)) sink.ascii(text);
  else {
    const bytes = Buffer.from(text, 'utf8');
    sink.bytes(bytes, 0, bytes.length);
  }
}

/** Keys in the order a JavaScript object enumerates them: array indexes ascending, then the rest as inserted. */
function orderKeys(keys: string[]): string[] {
  const indexes: string[] = [];
  const rest: string[] = [];
  for (const k of keys) (isArrayIndex(k) ? indexes : rest).push(k);
  if (indexes.length === 0) return rest;
  indexes.sort((a, b) => Number(a) - Number(b));
  return indexes.concat(rest);
}

function isArrayIndex(k: string): boolean {
  return /^(0|[1-9][0-9]{0,9})$/.test(k) && Number(k) < 4294967295;
}
