/**
 * The JSON forms ProtoJSON (and so grpcurl) gives the well-known types, for `heddle call`:
 * Timestamp as RFC 3339 text, Duration as "1.5s", wrappers as their bare value, Struct, Value and
 * ListValue as plain JSON, FieldMask as "a.b,c". Requests take either that form or the plain
 * message form; replies print that form.
 */
import { ErrorCode, HeddleError } from '../errors.js';
import type { JsonValue } from './json-text.js';

const WRAPPERS = new Set(['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue'].map((n) => `google.protobuf.${n}`));
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

function bad(path: string, what: string, value: JsonValue): HeddleError {
  return new HeddleError(ErrorCode.ERR_BAD_VALUE, `request ${path || '(root)'}: expected ${what}, got ${JSON.stringify(value)}`);
}

/**
 * `value` in the plain message form of well-known type `fullName` when it is written in the
 * type's JSON form; undefined when `fullName` is not a well-known type or `value` is already
 * the message form (an object, for the types whose JSON form is not one). `wrap` converts a
 * wrapper's bare value as the wrapper's `value` field.
 */
export function wellKnownFromJson(fullName: string, value: JsonValue, path: string, wrap: (value: JsonValue) => unknown): Record<string, unknown> | undefined {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  switch (fullName) {
    case 'google.protobuf.Timestamp': {
      if (isObject) return undefined;
      const m = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
      const ms = m === null ? NaN : Date.parse(`${m[1]}${m[3]}`);
      if (m === null || Number.isNaN(ms)) throw bad(path, 'an RFC 3339 timestamp (2024-01-02T03:04:05.5Z)', value);
      return { seconds: BigInt(ms / 1000), nanos: Number((m[2] ?? '').padEnd(9, '0')) };
    }
    case 'google.protobuf.Duration': {
      if (isObject) return undefined;
      const m = typeof value === 'string' ? DURATION.exec(value) : null;
      if (m === null) throw bad(path, 'a duration in seconds (1.5s)', value);
      const sign = m[1] === '-' ? -1 : 1;
      return { seconds: BigInt(m[2]!) * BigInt(sign), nanos: sign * Number((m[3] ?? '').padEnd(9, '0')) };
    }
    case 'google.protobuf.FieldMask':
      if (isObject) return undefined;
      if (typeof value !== 'string') throw bad(path, 'a field mask ("a.b,c")', value);
      return { paths: value === '' ? [] : value.split(',') };
    case 'google.protobuf.Struct':
      if (!isObject) throw bad(path, 'an object', value);
      return { fields: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structValue(v)])) };
    case 'google.protobuf.Value':
      return structValue(value);
    case 'google.protobuf.ListValue':
      if (!Array.isArray(value)) throw bad(path, 'an array', value);
      return { values: value.map(structValue) };
    default:
      if (WRAPPERS.has(fullName) && !isObject) return { value: wrap(value) };
      return undefined;
  }
}

function structValue(value: JsonValue): Record<string, unknown> {
  if (value === null) return { nullValue: 0 };
  switch (typeof value) {
    case 'number':
      return { numberValue: value };
    case 'bigint':
      return { numberValue: Number(value) };
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
  }
  if (Array.isArray(value)) return { listValue: { values: value.map(structValue) } };
  return { structValue: { fields: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structValue(v)])) } };
}

/** A decoded message of well-known type `fullName` in its JSON form; undefined for other types. */
export function wellKnownToJson(fullName: string, message: Record<string, unknown>): unknown {
  switch (fullName) {
    case 'google.protobuf.Timestamp': {
      const seconds = BigInt((message.seconds as bigint | undefined) ?? 0n);
      const nanos = (message.nanos as number | undefined) ?? 0;
      const date = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
      return `${date}${fraction(nanos)}Z`;
    }
    case 'google.protobuf.Duration': {
      const seconds = BigInt((message.seconds as bigint | undefined) ?? 0n);
      const nanos = (message.nanos as number | undefined) ?? 0;
      const negative = seconds < 0n || nanos < 0;
      return `${negative ? '-' : ''}${seconds < 0n ? -seconds : seconds}${fraction(Math.abs(nanos))}s`;
    }
    case 'google.protobuf.FieldMask':
      return ((message.paths as string[] | undefined) ?? []).join(',');
    case 'google.protobuf.Struct':
      return fromStruct(message);
    case 'google.protobuf.Value':
      return fromValue(message);
    case 'google.protobuf.ListValue':
      return ((message.values as Array<Record<string, unknown>> | undefined) ?? []).map(fromValue);
    default:
      return WRAPPERS.has(fullName) ? message.value : undefined;
  }
}

/** Nanoseconds as ProtoJSON writes them: none, or 3, 6 or 9 digits. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  return `.${nanos % 1_000_000 === 0 ? digits.slice(0, 3) : nanos % 1000 === 0 ? digits.slice(0, 6) : digits}`;
}

function fromStruct(message: Record<string, unknown>): Record<string, unknown> {
  const fields = (message.fields as Record<string, Record<string, unknown>> | undefined) ?? {};
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fromValue(v)]));
}

function fromValue(value: Record<string, unknown>): unknown {
  if ('numberValue' in value) return value.numberValue;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('structValue' in value) return fromStruct(value.structValue as Record<string, unknown>);
  if ('listValue' in value) return ((value.listValue as { values?: Array<Record<string, unknown>> }).values ?? []).map(fromValue);
  return null;
}

