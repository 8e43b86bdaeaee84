/**
 * ProtoJSON writers of the well-known types with a JSON form of their own, byte-identical to
 * @bufbuild/protobuf's toJsonString: Timestamp as RFC 3339 in UTC with 0, 3, 6 or 9 fractional
 * digits, Duration as seconds with the same fractions, FieldMask as comma-joined lowerCamelCase
 * paths, wrappers as their scalar, Struct/Value/ListValue as plain JSON, and Any with "@type"
 * after the packed message's members (or after "value" for a well-known type).
 */
import { ErrorCode } from '../../errors.js';
import { i64Text } from '../json-writer.js';
import { Wkt, type PMessage } from './descriptor.js';
import { DURATION_SECONDS_MAX, TIMESTAMP_MS_MAX, TIMESTAMP_MS_MIN } from './from-json-wkt.js';
import { sink, type ProtoWireReader } from './to-json.js';

const NONE = -1;
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** Writes the JSON of well-known type `desc` held in `[start, end)`. */
export function writeWellKnown(r: ProtoWireReader, desc: PMessage, start: number, end: number, depth: number): void {
  const base = r.scan(desc, start, end, depth);
  const n = desc.fields.length;
  /** Offset of the record of the last occurrence of field `index`, or NONE. */
  const last = (index: number): number => r.occ[base + n + index]!;
  try {
    switch (desc.wkt) {
      case Wkt.WRAPPER: {
        const at = last(0);
        const field = desc.fields[0]!;
        if (at === NONE) r.defaultJson(field);
        else r.scalar(field, r.occ[at + 2]!, r.occ[at + 3]!);
        return;
      }
      case Wkt.TIMESTAMP:
        return timestamp(r, integer(r, last(0)), Number(integer(r, last(1))), start);
      case Wkt.DURATION:
        return duration(r, integer(r, last(0)), Number(integer(r, last(1))), start);
      case Wkt.FIELD_MASK:
        return fieldMask(r, base, start);
      case Wkt.STRUCT:
        if (r.occ[base]! === NONE) sink.ascii('{}');
        else r.map(desc.fields[0]!, base, depth);
        return;
      case Wkt.LIST_VALUE:
        if (r.occ[base]! === NONE) sink.ascii('[]');
        else r.list(desc.fields[0]!, base, depth);
        return;
      case Wkt.VALUE:
        return value(r, desc, base, start, depth);
      case Wkt.ANY:
        return any(r, desc, last(0), last(1), depth);
    }
  } finally {
    r.top = base;
  }
}

/** The int64/int32 at occurrence `at` (0 when absent), as a decimal string's value. */
function integer(r: ProtoWireReader, at: number): string {
  if (at === NONE) return '0';
  r.pos = r.occ[at + 2]!;
  r.varint64(r.occ[at + 3]!);
  return i64Text(r.hi, r.lo);
}

function timestamp(r: ProtoWireReader, secondsText: string, nanos: number, at: number): void {
  const ms = Number(secondsText) * 1000;
  if (!(ms >= TIMESTAMP_MS_MIN && ms <= TIMESTAMP_MS_MAX)) {
    throw r.fail(ErrorCode.ERR_BAD_VALUE, `timestamp seconds ${secondsText} are outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z`, at);
  }
  // nanos is an int32, read from the low half of its varint.
  nanos |= 0;
  if (nanos < 0 || nanos > 999999999) throw r.fail(ErrorCode.ERR_BAD_VALUE, `timestamp nanos ${nanos} are outside 0 to 999999999`, at);
  const text = new Date(ms).toISOString().replace('.000Z', nanos === 0 ? 'Z' : `.${fraction(nanos)}Z`);
  sink.byte(0x22);
  sink.ascii(text);
  sink.byte(0x22);
}

/** 9 digits of nanoseconds cut to 3 or 6 when the rest are zeros. */
function fraction(nanos: number): string {
  const digits = String(nanos).padStart(9, '0');
  if (digits.endsWith('000000')) return digits.slice(0, 3);
  if (digits.endsWith('000')) return digits.slice(0, 6);
  return digits;
}

function duration(r: ProtoWireReader, secondsText: string, nanos: number, at: number): void {
  const seconds = Number(secondsText);
  nanos |= 0;
  if (seconds > DURATION_SECONDS_MAX || seconds < -DURATION_SECONDS_MAX) {
    throw r.fail(ErrorCode.ERR_BAD_VALUE, `duration seconds ${secondsText} are outside ±${DURATION_SECONDS_MAX}`, at);
  }
  if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'duration nanos and seconds have different signs', at);
  if (nanos <= -1000000000 || nanos >= 1000000000) throw r.fail(ErrorCode.ERR_BAD_VALUE, `duration nanos ${nanos} are outside ±999999999`, at);
  let text = secondsText;
  if (nanos !== 0) {
    text += `.${fraction(Math.abs(nanos))}`;
    if (nanos < 0 && seconds === 0) text = `-${text}`;
  }
  sink.byte(0x22);
  sink.ascii(text);
  sink.ascii('s"');
}

function fieldMask(r: ProtoWireReader, base: number, at: number): void {
  const paths: string[] = [];
  for (let o = r.occ[base]!; o !== NONE; o = r.occ[o + 4]!) {
    const path = Buffer.from(r.src.buffer, r.src.byteOffset + r.occ[o + 2]!, r.occ[o + 3]! - r.occ[o + 2]!).toString('utf8');
    const camel = camelCase(path);
    if (camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`) !== path) {
      throw r.fail(ErrorCode.ERR_BAD_VALUE, `field mask path ${JSON.stringify(path)} has no reversible lowerCamelCase form`, at);
    }
    paths.push(camel);
  }
  const text = Buffer.from(JSON.stringify(paths.join(',')), 'utf8');
  sink.bytes(text, 0, text.length);
}

/** protoc's lowerCamelCase of a path: an underscore upper-cases the next letter (digits reset it). */
function camelCase(path: string): string {
  let out = '';
  let upper = false;
  for (const c of path) {
    if (c === '_') upper = true;
    else if (c >= '0' && c <= '9') {
      out += c;
      upper = false;
    } else {
      out += upper ? c.toUpperCase() : c;
      upper = false;
    }
  }
  return out;
}

function value(r: ProtoWireReader, desc: PMessage, base: number, at: number, depth: number): void {
  const n = desc.fields.length;
  const member = r.occ[base + 2 * n]!;
  if (member === NONE) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'google.protobuf.Value has no kind set', at);
  const field = desc.fields[member]!;
  const last = r.occ[base + n + member]!;
  if (field.number === 2) {
    const start = r.occ[last + 2]!;
    for (let i = 0; i < 8; i++) f64Bytes[i] = r.src[start + i]!;
    if (!Number.isFinite(f64[0]!)) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'google.protobuf.Value cannot hold NaN or Infinity in JSON', start);
  }
  r.path.push(field.jsonName);
  r.singular(field, last, base + member, depth);
  r.path.pop();
}

function any(r: ProtoWireReader, desc: PMessage, urlAt: number, valueAt: number, depth: number): void {
  const occ = r.occ;
  const url = urlAt === NONE ? '' : Buffer.from(r.src.buffer, r.src.byteOffset + occ[urlAt + 2]!, occ[urlAt + 3]! - occ[urlAt + 2]!).toString('utf8');
  if (url === '') {
    sink.ascii('{}');
    return;
  }
  const packed = r.tables.byName(url.slice(url.lastIndexOf('/') + 1));
  if (packed === undefined) throw r.fail(ErrorCode.ERR_UNKNOWN_TYPE, `type URL ${JSON.stringify(url)} of ${desc.fullName} names no message type of this root`, occ[urlAt + 2]!);
  const start = valueAt === NONE ? 0 : occ[valueAt + 2]!;
  const end = valueAt === NONE ? 0 : occ[valueAt + 3]!;
  const typeKey = Buffer.from(`"@type":${JSON.stringify(url)}`, 'utf8');
  r.path.push('@' + packed.fullName);
  sink.byte(0x7b);
  if (packed.wkt !== Wkt.NONE) {
    sink.ascii('"value":');
    r.message(packed, start, end, depth + 1);
    sink.byte(0x2c);
  } else if (r.fields(packed, start, end, depth + 1, false)) sink.byte(0x2c);
  sink.bytes(typeKey, 0, typeKey.length);
  sink.byte(0x7d);
  r.path.pop();
}
