/**
 * JSON values to the values heddle's codecs take, guided by the IDL: 64-bit integers to bigints
 * (from numbers, exact big literals or decimal strings), base64 strings to bytes, enum names to
 * numbers, objects to Maps for Thrift maps. A field the IDL does not have is an error naming its
 * path, so a typo is found before the call goes out.
 */
import { ErrorCode, HeddleError } from '../errors.js';
import { jsonName } from '../protobuf/descriptor/json-name.js';
import { is64Bit, type FieldInfo, type FieldKind, type MessageInfo, type ScalarType } from '../protobuf/descriptor/type-info.js';
import type { StructDef, ThriftModel, ThriftType } from '../thrift/model.js';
import type { JsonValue } from './json-text.js';
import { wellKnownFromJson } from './well-known-json.js';

function bad(path: string, what: string, value: unknown): HeddleError {
  const shown = typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
  return new HeddleError(ErrorCode.ERR_BAD_VALUE, `request ${path || '(root)'}: expected ${what}, got ${shown}`);
}

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function integer(value: JsonValue, path: string, bits: 8 | 16 | 32, unsigned = false): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  const min = unsigned ? 0 : -(2 ** (bits - 1));
  const max = unsigned ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw bad(path, `an integer in [${min}, ${max}]`, value);
  return n;
}

function int64(value: JsonValue, path: string, unsigned = false): bigint {
  let n: bigint | undefined;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = BigInt(value);
  const [min, max] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
  if (n === undefined || n < min || n > max) throw bad(path, `a 64-bit ${unsigned ? 'unsigned ' : ''}integer`, value);
  return n;
}

function float(value: JsonValue, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  throw bad(path, 'a number', value);
}

function bytes(value: JsonValue, path: string): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) throw bad(path, 'base64 bytes', value);
  return new Uint8Array(Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64'));
}

function expect<T extends JsonValue>(ok: boolean, value: JsonValue, path: string, what: string): T {
  if (!ok) throw bad(path, what, value);
  return value as T;
}

/** Thrift: a JSON value as a value of `type` for heddle's Thrift codecs (i64 as bigint). */
export function thriftValue(model: ThriftModel, type: ThriftType, value: JsonValue, path: string): unknown {
  switch (type.kind) {
    case 'base':
      switch (type.name) {
        case 'bool':
          return expect(typeof value === 'boolean', value, path, 'true or false');
        case 'i8':
          return integer(value, path, 8);
        case 'i16':
          return integer(value, path, 16);
        case 'i32':
          return integer(value, path, 32);
        case 'i64':
          return int64(value, path);
        case 'double':
          return float(value, path);
        case 'string':
        case 'uuid':
          return expect(typeof value === 'string', value, path, 'a string');
        case 'binary':
          return bytes(value, path);
      }
      break;
    case 'list':
    case 'set':
      if (!Array.isArray(value)) throw bad(path, 'an array', value);
      return value.map((item, i) => thriftValue(model, type.element, item, `${path}[${i}]`));
    case 'map': {
      // An object for keys JSON can spell as property names; [key, value] pairs for any key type.
      const pairs = Array.isArray(value) && value.every((e) => Array.isArray(e) && e.length === 2);
      if (!isObject(value) && !pairs) throw bad(path, 'an object (or an array of [key, value] pairs)', value);
      const entries = isObject(value) ? Object.entries(value) : (value as Array<[JsonValue, JsonValue]>);
      return new Map(entries.map(([k, v]) => [thriftValue(model, type.key, thriftKey(type.key, k), `${path}.<key>`), thriftValue(model, type.value, v, `${path}[${JSON.stringify(k)}]`)]));
    }
    case 'enum': {
      const def = model.enums.get(type.key)!;
      if (typeof value === 'string') {
        const named = def.values.find((v) => v.name === value);
        if (named === undefined) throw bad(path, `a value of enum ${def.name} (${def.values.map((v) => v.name).join(', ')})`, value);
        return named.value;
      }
      return integer(value, path, 32);
    }
    case 'struct':
      return thriftStruct(model, model.structs.get(type.key)!, value, path);
  }
  throw bad(path, 'a value', value);
}

/** JSON object keys are strings; a map keyed by numbers or bools reads them back from text. */
function thriftKey(type: ThriftType, key: JsonValue): JsonValue {
  if (typeof key !== 'string' || type.kind === 'struct') return key;
  if (type.kind === 'base' && type.name === 'bool') return key === 'true' ? true : key === 'false' ? false : key;
  if ((type.kind === 'base' && ['i8', 'i16', 'i32', 'i64', 'double'].includes(type.name)) || type.kind === 'enum') {
    if (type.kind === 'enum' && !/^-?\d/.test(key)) return key;
    const n = Number(key);
    return Number.isSafeInteger(n) || !/^-?\d+$/.test(key) ? n : BigInt(key);
  }
  return key;
}

/** Thrift: a JSON object as a struct, union or exception value; unknown fields are errors. */
export function thriftStruct(model: ThriftModel, struct: StructDef, value: JsonValue, path: string): Record<string, unknown> {
  if (!isObject(value)) throw bad(path, `an object (${struct.kind} ${struct.name})`, value);
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    const field = struct.fields.find((f) => f.name === name);
    if (field === undefined) {
      throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `request ${path ? `${path}.` : ''}${name}: ${struct.kind} ${struct.name} has no field '${name}' (fields: ${struct.fields.map((f) => f.name).join(', ')})`);
    }
    if (item === null) continue;
    out[name] = thriftValue(model, field.type, item, path ? `${path}.${name}` : name);
  }
  return out;
}

/** Protobuf: the property a field has under heddle's default codec options (lowerCamelCase). */
export function protobufProperty(field: FieldInfo): string {
  return field.extension !== undefined ? `[${field.extension}]` : jsonName(field.name);
}

function protobufScalar(scalar: ScalarType, value: JsonValue, path: string): unknown {
  if (is64Bit(scalar)) return int64(value, path, scalar === 'uint64' || scalar === 'fixed64');
  switch (scalar) {
    case 'double':
    case 'float':
      return float(value, path);
    case 'bool':
      return expect(typeof value === 'boolean', value, path, 'true or false');
    case 'string':
      return expect(typeof value === 'string', value, path, 'a string');
    case 'bytes':
      return bytes(value, path);
    case 'uint32':
    case 'fixed32':
      return integer(value, path, 32, true);
    default:
      return integer(value, path, 32);
  }
}

function protobufSingle(kind: Exclude<FieldKind, { kind: 'map' }>, value: JsonValue, path: string): unknown {
  if (kind.kind === 'scalar') return protobufScalar(kind.scalar, value, path);
  if (kind.kind === 'enum') {
    if (typeof value === 'string') {
      const n = kind.enum.numbers.get(value);
      if (n === undefined) throw bad(path, `a value of enum ${kind.enum.fullName} (${[...kind.enum.numbers.keys()].join(', ')})`, value);
      return n;
    }
    return integer(value, path, 32);
  }
  return protobufMessage(kind.message(), value, path);
}

/** Protobuf: a JSON object as a message value; fields by JSON name or .proto name. */
export function protobufMessage(message: MessageInfo, value: JsonValue, path: string): Record<string, unknown> {
  const wrapped = message.fields[0];
  const known = wellKnownFromJson(message.fullName, value, path, (v) => protobufSingle(wrapped as Exclude<FieldKind, { kind: 'map' }> & FieldInfo, v, `${path}.value`));
  if (known !== undefined) return known;
  if (!isObject(value)) throw bad(path, `an object (message ${message.fullName})`, value);
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    const field = message.fields.find((f) => f.name === name || f.jsonName === name || protobufProperty(f) === name);
    if (field === undefined) {
      throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `request ${path ? `${path}.` : ''}${name}: message ${message.fullName} has no field '${name}' (fields: ${message.fields.map((f) => f.name).join(', ')})`);
    }
    if (item === null) continue;
    const at = path ? `${path}.${name}` : name;
    let converted: unknown;
    if (field.kind === 'map') {
      if (!isObject(item)) throw bad(at, 'an object', item);
      // Map values stay objects keyed by the keys' string forms, as the codecs take them.
      converted = Object.fromEntries(Object.entries(item).map(([k, v]) => [k, protobufSingle(field.value, v, `${at}[${JSON.stringify(k)}]`)]));
    } else if (field.repeated) {
      if (!Array.isArray(item)) throw bad(at, 'an array', item);
      converted = item.map((v, i) => protobufSingle(field, v, `${at}[${i}]`));
    } else {
      converted = protobufSingle(field, item, at);
    }
    out[protobufProperty(field)] = converted;
  }
  return out;
}
