/**
 * IDL default values (`ConstValue`s) written as wire bytes, for fields a JSON body leaves out. The
 * IDL resolver has checked each value against its type.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { ConstValue } from '../../thrift/model.js';
import type { ByteSink } from '../byte-sink.js';
import { Kind, type TypeDesc } from './descriptor.js';
import { fieldHeaderCompact, writeDouble, writeUuid } from './wire-write.js';

const utf8 = new TextEncoder();

export function constInt(v: ConstValue): bigint {
  return v.kind === 'int' ? v.value : 0n;
}

const ZERO_INT: ConstValue = { kind: 'int', value: 0n };
const ZERO_DOUBLE: ConstValue = { kind: 'double', value: 0 };
const ZERO_STRING: ConstValue = { kind: 'string', value: '' };
const ZERO_UUID: ConstValue = { kind: 'string', value: '00000000-0000-0000-0000-000000000000' };
const EMPTY_LIST: ConstValue = { kind: 'list', items: [] };
const EMPTY_MAP: ConstValue = { kind: 'map', entries: [] };

/**
 * The zero of a type as a constant (dynamicgo's WriteEmpty): 0, false, "", empty containers, a
 * struct with no fields (its own required fields are not filled, so recursive types end).
 */
export function zeroConst(type: TypeDesc): ConstValue {
  switch (type.kind) {
    case Kind.DOUBLE: return ZERO_DOUBLE;
    case Kind.STRING:
    case Kind.BINARY: return ZERO_STRING;
    case Kind.UUID: return ZERO_UUID;
    case Kind.LIST:
    case Kind.SET: return EMPTY_LIST;
    case Kind.MAP:
    case Kind.STRUCT: return EMPTY_MAP;
    default: return ZERO_INT;
  }
}

/** Writes an IDL default value (already checked against its type by the IDL resolver). */
export function writeConst(sink: ByteSink, type: TypeDesc, v: ConstValue, compact: boolean): void {
  switch (type.kind) {
    case Kind.BOOL:
      sink.byte(constInt(v) !== 0n ? 1 : compact ? 2 : 0);
      return;
    case Kind.I8:
    case Kind.I16:
    case Kind.I32:
    case Kind.I64: {
      const n = constInt(v);
      const lo = Number(BigInt.asIntN(32, n));
      const hi = Number(BigInt.asIntN(32, n >> 32n));
      if (type.kind === Kind.I8) sink.byte(lo);
      else if (type.kind === Kind.I64) {
        if (compact) {
          const z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
          sink.varint64(Number(z >> 32n), Number(z & 0xffffffffn));
        } else {
          sink.i32(hi);
          sink.i32(lo);
        }
      } else if (compact) sink.varint((lo << 1) ^ (lo >> 31));
      else if (type.kind === Kind.I16) sink.i16(lo);
      else sink.i32(lo);
      return;
    }
    case Kind.DOUBLE:
      writeDouble(sink, v.kind === 'double' ? v.value : v.kind === 'int' ? Number(v.value) : 0, compact);
      return;
    case Kind.STRING:
    case Kind.BINARY: {
      const bytes = utf8.encode(v.kind === 'string' ? v.value : '');
      if (compact) sink.varint(bytes.length);
      else sink.i32(bytes.length);
      sink.bytes(bytes, 0, bytes.length);
      return;
    }
    case Kind.UUID: {
      const bytes = utf8.encode(v.kind === 'string' ? v.value : '');
      if (!writeUuid(sink, bytes, 0, bytes.length)) throw new HeddleError(ErrorCode.ERR_BAD_VALUE, 'an IDL default is not a UUID');
      return;
    }
    case Kind.LIST:
    case Kind.SET: {
      const items = v.kind === 'list' ? v.items : [];
      const elem = type.elem!;
      if (compact) {
        if (items.length < 15) sink.byte((items.length << 4) | elem.compact);
        else {
          sink.byte(0xf0 | elem.compact);
          sink.varint(items.length);
        }
      } else {
        sink.byte(elem.wire);
        sink.i32(items.length);
      }
      for (const item of items) writeConst(sink, elem, item, compact);
      return;
    }
    case Kind.MAP: {
      const entries = v.kind === 'map' ? v.entries : [];
      if (compact) {
        sink.varint(entries.length);
        if (entries.length > 0) sink.byte((type.key!.compact << 4) | type.value!.compact);
      } else {
        sink.byte(type.key!.wire);
        sink.byte(type.value!.wire);
        sink.i32(entries.length);
      }
      for (const [k, val] of entries) {
        writeConst(sink, type.key!, k, compact);
        writeConst(sink, type.value!, val, compact);
      }
      return;
    }
    case Kind.STRUCT: {
      const desc = type.struct!;
      const entries = v.kind === 'map' ? v.entries : [];
      let lastId = 0;
      for (const [k, val] of entries) {
        const f = desc.byName.get(k.kind === 'string' ? k.value : '') ?? desc.fields.find((x) => k.kind === 'string' && x.name === k.value);
        if (f === undefined) continue;
        if (compact) {
          if (f.type.kind === Kind.BOOL) fieldHeaderCompact(sink, constInt(val) !== 0n ? 1 : 2, f.id, lastId);
          else {
            fieldHeaderCompact(sink, f.type.compact, f.id, lastId);
            writeConst(sink, f.type, val, compact);
          }
          lastId = f.id;
        } else {
          sink.byte(f.type.wire);
          sink.i16(f.id);
          writeConst(sink, f.type, val, compact);
        }
      }
      sink.byte(0);
      return;
    }
  }
}
