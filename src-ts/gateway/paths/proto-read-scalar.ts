/**
 * Reading one singular scalar field where it lies, in the form heddle's codec decodes it, so that
 * peek does not decode a whole (if one-field) message for it. Used only under heddle's own value
 * conventions (not the protobufjs profile); every other value is read by the owner's decoder.
 */
import type { ResolvedCodecOptions } from '../../protobuf/codegen/codec-options.js';
import {
  cursor, readBool, readDouble, readFixed64As, readFloat, readInt64Bigint, readInt64Number, readInt64String, readSint64Bigint,
  readStringLenient, readStringStrict, readUint64Bigint, readVarint64,
} from '../../protobuf/codegen/wire-read.js';
import { LEN, type ProtoPathField } from './proto-path-compile.js';
import type { Occurrence } from './proto-wire-scan.js';

/** Marks a field this reader leaves to the decoder. */
export const NOT_DIRECT: unique symbol = Symbol('not read directly');

/** The value of `field` at its last occurrence, or NOT_DIRECT. The occurrence's wire type was checked. */
export function readScalar(bytes: Uint8Array, field: ProtoPathField, occurrence: Occurrence, options: ResolvedCodecOptions): unknown {
  const scalar = field.scalar;
  if (scalar === undefined || field.repeated || options.protobufjs !== undefined || occurrence.wire === LEN && scalar !== 'string' && scalar !== 'bytes') return NOT_DIRECT;
  const pos = occurrence.valueStart;
  switch (scalar) {
    case 'string':
      return field.strictUtf8 ? readStringStrict(bytes, occurrence.payloadStart, occurrence.end) : readStringLenient(bytes, occurrence.payloadStart, occurrence.end);
    case 'bytes':
      return options.bytes === 'view' ? bytes.subarray(occurrence.payloadStart, occurrence.end) : bytes.slice(occurrence.payloadStart, occurrence.end);
    case 'int32':
      readVarint64(bytes, pos);
      return cursor.lo | 0;
    case 'uint32':
      readVarint64(bytes, pos);
      return cursor.lo;
    case 'sint32':
      readVarint64(bytes, pos);
      return (cursor.lo >>> 1) ^ -(cursor.lo & 1);
    case 'bool':
      return readBool(bytes, pos);
    case 'int64':
    case 'uint64':
    case 'sint64':
      if (options.int64 === 'string') return readInt64String(bytes, pos, scalar);
      if (options.int64 === 'number') return readInt64Number(bytes, pos, scalar);
      return scalar === 'int64' ? readInt64Bigint(bytes, pos) : scalar === 'uint64' ? readUint64Bigint(bytes, pos) : readSint64Bigint(bytes, pos);
    case 'fixed64':
    case 'sfixed64':
      return readFixed64As(bytes, pos, scalar === 'sfixed64', options.int64);
    case 'fixed32':
      return (bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16) | (bytes[pos + 3]! << 24)) >>> 0;
    case 'sfixed32':
      return bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16) | (bytes[pos + 3]! << 24);
    case 'double':
      return readDouble(bytes, pos);
    case 'float':
      return readFloat(bytes, pos);
  }
}
