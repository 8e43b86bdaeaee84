/**
 * ProtoJSON readers of the well-known types whose JSON is not an object of fields: Timestamp
 * (RFC 3339), Duration ("1.5s"), FieldMask ("a.b,cD"), the wrappers (their scalar), Struct,
 * Value and ListValue (any JSON), and Any ("@type" beside the packed message's fields, or its
 * JSON form under "value"). Each writes the message body; the caller writes the tag and length.
 * Ranges and forms follow @bufbuild/protobuf, the conformance oracle.
 */
import { ErrorCode } from '../../errors.js';
import { latin1Text } from '../json-reader.js';
import { Wire, Wkt, type PMessage } from './descriptor.js';
import { beginLen, endLen, reader, scratch, sink, tag, writeDouble, Written, type ProtoWriter } from './from-json.js';

/** Durations span at most 10,000 years either way. */
export const DURATION_SECONDS_MAX = 315576000000;
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in milliseconds since the epoch. */
export const TIMESTAMP_MS_MIN = Date.parse('0001-01-01T00:00:00Z');
export const TIMESTAMP_MS_MAX = Date.parse('9999-12-31T23:59:59Z');

const TIMESTAMP = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(?:Z|([+-][0-9][0-9]:[0-9][0-9]))$/;
const DURATION = /^(-?)([0-9]+)(?:\.([0-9]{1,9}))?s$/;

/** Writes the body of well-known type `desc` from its JSON form at the reader's position. */
export function readWellKnown(w: ProtoWriter, desc: PMessage, depth: number): void {
  switch (desc.wkt) {
    case Wkt.WRAPPER: {
      const field = desc.fields[0]!;
      const before = sink.pos;
      tag(1, field.wire);
      if (w.value(field, depth) !== Written.VALUE) sink.pos = before;
      return;
    }
    case Wkt.TIMESTAMP:
      return timestamp();
    case Wkt.DURATION:
      return duration();
    case Wkt.FIELD_MASK:
      return fieldMask();
    case Wkt.STRUCT:
      // A Struct is its map<string, Value> field; a ListValue its repeated Value field.
      return w.map(desc.fields[0]!, depth + 1);
    case Wkt.LIST_VALUE:
      return w.list(desc.fields[0]!, depth + 1);
    case Wkt.VALUE:
      return value(w, desc, depth);
    case Wkt.ANY:
      return any(w, desc, depth);
  }
}

/** The content of the JSON string at the reader's position, for the short well-known forms. */
function stringText(what: string): { text: string; at: number } {
  const r = reader;
  if (r.peek() !== 0x22) throw reader.wrongType(what);
  const at = r.pos;
  const close = r.scanString();
  if (!r.escaped) return { text: Buffer.from(r.src.buffer, r.src.byteOffset + r.start, close - r.start).toString('utf8'), at };
  scratch.pos = 0;
  r.unescape(r.start, close, scratch);
  return { text: Buffer.from(scratch.buf.buffer, 0, scratch.pos).toString('utf8'), at };
}

function int64Field(number: number, v: number): void {
  if (v === 0) return;
  tag(number, Wire.VARINT);
  if (v >= 0) sink.varint64(Math.floor(v / 4294967296), v % 4294967296);
  else {
    const big = BigInt.asUintN(64, BigInt(v));
    sink.varint64(Number(big >> 32n), Number(big & 0xffffffffn));
  }
}

function int32Field(number: number, v: number): void {
  if (v === 0) return;
  tag(number, Wire.VARINT);
  if (v < 0) sink.varint64(-1, v);
  else sink.varint(v);
}

function timestamp(): void {
  const { text, at } = stringText('an RFC 3339 string (google.protobuf.Timestamp)');
  const m = TIMESTAMP.exec(text);
  const ms = m === null ? NaN : Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8] ?? 'Z'}`);
  if (Number.isNaN(ms)) throw reader.fail(ErrorCode.ERR_BAD_VALUE, `${JSON.stringify(text)} is not an RFC 3339 timestamp`, at);
  if (ms < TIMESTAMP_MS_MIN || ms > TIMESTAMP_MS_MAX) {
    throw reader.fail(ErrorCode.ERR_BAD_VALUE, `timestamp ${JSON.stringify(text)} is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z`, at);
  }
  int64Field(1, ms / 1000);
  const fraction = m![7];
  if (fraction !== undefined) int32Field(2, Number(fraction.padEnd(9, '0')));
}

function duration(): void {
  const { text, at } = stringText('a duration string such as "1.5s" (google.protobuf.Duration)');
  const m = DURATION.exec(text);
  if (m === null) throw reader.fail(ErrorCode.ERR_BAD_VALUE, `${JSON.stringify(text)} is not a duration such as "1.5s"`, at);
  const seconds = Number(m[2]);
  if (seconds > DURATION_SECONDS_MAX) throw reader.fail(ErrorCode.ERR_BAD_VALUE, `duration ${JSON.stringify(text)} is outside ±${DURATION_SECONDS_MAX}s`, at);
  const negative = m[1] === '-';
  int64Field(1, negative ? -seconds : seconds);
  if (m[3] !== undefined) {
    const nanos = Number(m[3].padEnd(9, '0'));
    int32Field(2, negative ? -nanos : nanos);
  }
}

function fieldMask(): void {
  const { text, at } = stringText('a comma-separated string of paths (google.protobuf.FieldMask)');
  if (text === '') return;
  for (const path of text.split(',')) {
    if (path.includes('_')) throw reader.fail(ErrorCode.ERR_BAD_VALUE, `field mask path ${JSON.stringify(path)} must be lowerCamelCase`, at);
    const snake = path.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    const bytes = Buffer.from(snake, 'utf8');
    tag(1, Wire.LEN);
    sink.varint(bytes.length);
    sink.bytes(bytes, 0, bytes.length);
  }
}

/** A Value body from any JSON value: the oneof member its JSON type names. */
function value(w: ProtoWriter, desc: PMessage, depth: number): void {
  const r = reader;
  if (depth > w.limits.maxDepth) throw r.fail(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than ${w.limits.maxDepth}`);
  const c = r.peek();
  switch (c) {
    case 0x6e:
      r.literal('null');
      tag(1, Wire.VARINT);
      sink.byte(0);
      return;
    case 0x74:
    case 0x66:
      r.literal(c === 0x74 ? 'true' : 'false');
      tag(4, Wire.VARINT);
      sink.byte(c === 0x74 ? 1 : 0);
      return;
    case 0x22: {
      const close = r.scanString();
      tag(3, Wire.LEN);
      w.stringContent(r.start, close, r.escaped);
      return;
    }
    case 0x7b:
    case 0x5b: {
      const field = desc.byNumber.get(c === 0x7b ? 5 : 6)!;
      tag(field.number, Wire.LEN);
      const at = beginLen();
      w.messageBody(field.message!(), depth + 1);
      endLen(at);
      return;
    }
    default: {
      if (!(c === 0x2d || (c >= 0x30 && c <= 0x39))) throw r.malformed('a value');
      const start = r.pos;
      const end = r.scanNumber(false);
      const v = r.double(start, end);
      if (!Number.isFinite(v)) throw r.fail(ErrorCode.ERR_BAD_VALUE, 'number out of range for a double', start);
      tag(2, Wire.I64);
      writeDouble(v);
    }
  }
}

/**
 * An Any: "@type" names the packed type, looked up in the codec's root; the other members are
 * that type's fields, or, for a well-known type with a JSON form of its own, its form under
 * "value". "@type" may come anywhere in the object, so it is found first by skipping values.
 */
function any(w: ProtoWriter, desc: PMessage, depth: number): void {
  const r = reader;
  if (r.peek() !== 0x7b) throw reader.wrongType('an object (google.protobuf.Any)');
  const open = r.pos;
  r.pos++;
  if (r.empty(0x7d)) return;
  let typeUrl: string | undefined;
  let typeAt = open;
  let valueAt = -1;
  do {
    const close = r.memberName();
    const keyAt = r.keyAt;
    const key = r.escaped ? undefined : latin1Text(r.src, r.start, close);
    r.expect(0x3a, "':'");
    if (key === '@type') {
      r.peek();
      typeAt = r.pos;
      typeUrl = stringText('a type URL string').text;
    } else {
      if (key === 'value') valueAt = keyAt;
      r.skipValue(depth, w.limits.maxDepth);
    }
  } while (!r.endOrComma(0x7d));
  const end = r.pos;
  if (typeUrl === undefined || typeUrl === '') throw r.fail(ErrorCode.ERR_BAD_VALUE, `${desc.fullName} needs a non-empty "@type"`, open);
  const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const packed = typeName === '' ? undefined : w.tables.byName(typeName);
  if (packed === undefined) throw r.fail(ErrorCode.ERR_UNKNOWN_TYPE, `"@type" ${JSON.stringify(typeUrl)} names no message type of this root`, typeAt);
  const urlBytes = Buffer.from(typeUrl, 'utf8');
  tag(1, Wire.LEN);
  sink.varint(urlBytes.length);
  sink.bytes(urlBytes, 0, urlBytes.length);
  tag(2, Wire.LEN);
  const at = beginLen();
  r.path.push('@' + packed.fullName);
  if (packed.wkt === Wkt.NONE) {
    r.pos = open;
    w.messageBody(packed, depth + 1, true);
  } else {
    if (valueAt < 0) throw r.fail(ErrorCode.ERR_BAD_VALUE, `an Any holding ${packed.fullName} needs its JSON form under "value"`, open);
    // Only "@type" and "value" belong to an Any of a well-known type.
    r.pos = open + 1;
    do {
      const close = r.memberName();
      const keyAt = r.keyAt;
      const key = r.escaped ? undefined : latin1Text(r.src, r.start, close);
      r.expect(0x3a, "':'");
      if (key === 'value') w.messageBody(packed, depth + 1);
      else if (key === '@type' || w.ignoreUnknown) r.skipValue(depth, w.limits.maxDepth);
      else throw r.fail(ErrorCode.ERR_BAD_VALUE, `unknown field ${r.keyName(keyAt)} of an Any holding ${packed.fullName}`, keyAt);
    } while (!r.endOrComma(0x7d));
  }
  r.path.pop();
  r.pos = end;
  endLen(at);
}
