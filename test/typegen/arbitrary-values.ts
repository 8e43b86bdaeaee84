/**
 * fast-check arbitraries of values heddle's default codecs encode (bigint 64-bit integers, Maps,
 * arrays), built from the IDL model, so every shape the IDL allows is exercised on the wire.
 */
import fc from 'fast-check';
import { is64Bit, type FieldInfo, type FieldKind, type MessageInfo, type ScalarType } from '../../src-ts/protobuf/descriptor/type-info.js';
import { jsonName } from '../../src-ts/protobuf/descriptor/json-name.js';
import type { StructDef, ThriftModel, ThriftType } from '../../src-ts/thrift/model.js';

const i64 = (safe: boolean) => (safe ? fc.bigInt(-(2n ** 53n) + 1n, 2n ** 53n - 1n) : fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n));
const bytes = fc.uint8Array({ maxLength: 8 });
const list = <T>(a: fc.Arbitrary<T>) => fc.array(a, { maxLength: 4 });

/** Thrift values of `type`; `safe` keeps i64 within the safe-integer range (for i64 'number'). */
export function thriftArbitrary(model: ThriftModel, type: ThriftType, safe: boolean): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'base':
      switch (type.name) {
        case 'bool': return fc.boolean();
        case 'i8': return fc.integer({ min: -128, max: 127 });
        case 'i16': return fc.integer({ min: -32768, max: 32767 });
        case 'i32': return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
        case 'i64': return i64(safe);
        case 'double': return fc.double();
        case 'string': return fc.string({ maxLength: 8 });
        case 'binary': return bytes;
        case 'uuid': return fc.uuid();
      }
      break;
    case 'list':
      return list(thriftArbitrary(model, type.element, safe));
    case 'set':
      return fc.uniqueArray(thriftArbitrary(model, type.element, safe), { maxLength: 4, comparator: 'SameValueZero' });
    case 'map':
      return fc.uniqueArray(fc.tuple(thriftArbitrary(model, type.key, safe), thriftArbitrary(model, type.value, safe)), { maxLength: 4, selector: ([k]) => k, comparator: 'SameValueZero' }).map((e) => new Map(e));
    case 'enum': {
      const values = model.enums.get(type.key)!.values.map((v) => v.value);
      // Decoders keep numbers the IDL does not name; the types must allow them.
      return fc.oneof(fc.constantFrom(...values), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    }
    case 'struct':
      return thriftStructArbitrary(model, model.structs.get(type.key)!, safe);
  }
  throw new Error(`no arbitrary for ${JSON.stringify(type)}`);
}

/** Values of a struct (required fields always, others sometimes), union (exactly one) or exception. */
export function thriftStructArbitrary(model: ThriftModel, struct: StructDef, safe: boolean): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(struct.fields.map((f) => [f.name, thriftArbitrary(model, f.type, safe)]));
  if (struct.kind === 'union') return fc.oneof(...struct.fields.map((f) => fields[f.name]!.map((v) => ({ [f.name]: v }))));
  return fc.record(fields, { requiredKeys: struct.fields.filter((f) => f.requiredness === 'required').map((f) => f.name) });
}

function scalarArbitrary(scalar: ScalarType): fc.Arbitrary<unknown> {
  if (is64Bit(scalar)) return scalar === 'uint64' || scalar === 'fixed64' ? fc.bigInt(0n, 2n ** 64n - 1n) : fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);
  switch (scalar) {
    case 'bool': return fc.boolean();
    case 'string': return fc.string({ maxLength: 8 });
    case 'bytes': return bytes;
    case 'double': return fc.double();
    case 'float': return fc.float();
    case 'uint32': case 'fixed32': return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    default: return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  }
}

function singleArbitrary(kind: Exclude<FieldKind, { kind: 'map' }>, depth: number): fc.Arbitrary<unknown> {
  if (kind.kind === 'scalar') return scalarArbitrary(kind.scalar);
  if (kind.kind === 'enum') {
    const known = fc.constantFrom(...kind.enum.numbers.values());
    return kind.enum.closed ? known : fc.oneof(known, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
  }
  return protobufArbitrary(kind.message(), depth + 1);
}

function fieldArbitrary(field: FieldInfo, depth: number): fc.Arbitrary<unknown> {
  if (field.kind === 'map') {
    const key = scalarArbitrary(field.key).map((k) => String(k));
    return fc.dictionary(key as fc.Arbitrary<string>, singleArbitrary(field.value, depth), { maxKeys: 3 });
  }
  return field.repeated ? list(singleArbitrary(field, depth)) : singleArbitrary(field, depth);
}

/** Protobuf message values under heddle's default conventions (lowerCamelCase properties);
 * each oneof gets at most one member, proto2 required fields always. */
export function protobufArbitrary(message: MessageInfo, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  // Deep down, message-typed fields are left out (recursive types end there).
  const nests = (f: FieldInfo) => f.kind === 'message' || (f.kind === 'map' && f.value.kind === 'message');
  const plain = message.fields.filter((f) => f.oneof === undefined && f.extension === undefined && (depth < 3 || f.required || !nests(f)));
  const base = fc.record(Object.fromEntries(plain.map((f) => [jsonName(f.name), fieldArbitrary(f, depth)])), { requiredKeys: plain.filter((f) => f.required).map((f) => jsonName(f.name)) });
  const oneofs = message.oneofs.map((group) => {
    const members = group.fields.map((name) => message.fields.find((f) => f.name === name)!);
    return fc.oneof(fc.constant({}), ...members.map((f) => fieldArbitrary(f, depth).map((v) => ({ [jsonName(f.name)]: v }))));
  });
  return fc.tuple(base, ...oneofs).map((parts) => Object.assign({}, ...parts) as Record<string, unknown>);
}
