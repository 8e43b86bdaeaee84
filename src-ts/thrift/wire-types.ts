/**
 * Type ids on the wire, as Apache Thrift defines them. Binary ids double as heddle's
 * protocol-neutral type ids; Compact has its own nibble-sized set.
 */
import type { ThriftType } from './model.js';

/** Binary protocol type ids (Apache `TType`). */
export const BinaryType = {
  STOP: 0,
  VOID: 1,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;

/** Compact protocol type ids (Apache `TCompactProtocol.Types`). Bools travel in the type nibble. */
export const CompactType = {
  STOP: 0,
  BOOLEAN_TRUE: 1,
  BOOLEAN_FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
  UUID: 13,
} as const;

/** Message types in a Thrift envelope. */
export const MessageType = {
  CALL: 1,
  REPLY: 2,
  EXCEPTION: 3,
  ONEWAY: 4,
} as const;

/** One of the {@link MessageType} values. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Compact protocol id byte, first byte of every Compact message. */
export const COMPACT_PROTOCOL_ID = 0x82;
/** Compact protocol version, in the low 5 bits of the second byte. */
export const COMPACT_VERSION = 1;
/** Strict Binary message header: the top half of the first i32. */
export const BINARY_VERSION_1 = 0x80010000 | 0;
/** Mask selecting the version half of the first i32 of a strict Binary message. */
export const BINARY_VERSION_MASK = 0xffff0000 | 0;

/** The Binary type id of a field or element type. */
export function binaryTypeOf(type: ThriftType): number {
  switch (type.kind) {
    case 'base':
      switch (type.name) {
        case 'bool':
          return BinaryType.BOOL;
        case 'i8':
          return BinaryType.BYTE;
        case 'i16':
          return BinaryType.I16;
        case 'i32':
          return BinaryType.I32;
        case 'i64':
          return BinaryType.I64;
        case 'double':
          return BinaryType.DOUBLE;
        case 'string':
        case 'binary':
          return BinaryType.STRING;
        case 'uuid':
          return BinaryType.UUID;
      }
      break;
    case 'enum':
      return BinaryType.I32;
    case 'struct':
      return BinaryType.STRUCT;
    case 'list':
      return BinaryType.LIST;
    case 'set':
      return BinaryType.SET;
    case 'map':
      return BinaryType.MAP;
  }
  throw new Error(`unreachable: type ${JSON.stringify(type)}`);
}

const compactByBinary: Record<number, number> = {
  [BinaryType.BOOL]: CompactType.BOOLEAN_TRUE,
  [BinaryType.BYTE]: CompactType.BYTE,
  [BinaryType.I16]: CompactType.I16,
  [BinaryType.I32]: CompactType.I32,
  [BinaryType.I64]: CompactType.I64,
  [BinaryType.DOUBLE]: CompactType.DOUBLE,
  [BinaryType.STRING]: CompactType.BINARY,
  [BinaryType.STRUCT]: CompactType.STRUCT,
  [BinaryType.MAP]: CompactType.MAP,
  [BinaryType.SET]: CompactType.SET,
  [BinaryType.LIST]: CompactType.LIST,
  [BinaryType.UUID]: CompactType.UUID,
};

/** The Compact type id of a field or element type (bool as BOOLEAN_TRUE). */
export function compactTypeOf(type: ThriftType): number {
  return compactByBinary[binaryTypeOf(type)]!;
}

/** Fewest bytes a value of each Binary type takes: what a count is checked against before allocating. */
export const BINARY_MIN_SIZE: Readonly<Record<number, number>> = {
  [BinaryType.BOOL]: 1,
  [BinaryType.BYTE]: 1,
  [BinaryType.DOUBLE]: 8,
  [BinaryType.I16]: 2,
  [BinaryType.I32]: 4,
  [BinaryType.I64]: 8,
  [BinaryType.STRING]: 4,
  [BinaryType.STRUCT]: 1,
  [BinaryType.MAP]: 6,
  [BinaryType.SET]: 5,
  [BinaryType.LIST]: 5,
  [BinaryType.UUID]: 16,
};

/** Fewest bytes a value of each Compact type takes (varints at least one byte). */
export const COMPACT_MIN_SIZE: Readonly<Record<number, number>> = {
  [CompactType.BOOLEAN_TRUE]: 1,
  [CompactType.BOOLEAN_FALSE]: 1,
  [CompactType.BYTE]: 1,
  [CompactType.I16]: 1,
  [CompactType.I32]: 1,
  [CompactType.I64]: 1,
  [CompactType.DOUBLE]: 8,
  [CompactType.BINARY]: 1,
  [CompactType.LIST]: 1,
  [CompactType.SET]: 1,
  [CompactType.MAP]: 1,
  [CompactType.STRUCT]: 1,
  [CompactType.UUID]: 16,
};
