/**
 * The little Protobuf wire handling the HTTP mapping needs besides the transcoders: where a field
 * occurs at the top level of a reply (for response_body), varints for a field's tag and length,
 * and the JSON of an absent response_body field.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { FieldInfo } from '../../protobuf/descriptor/type-info.js';
import { concatBytes } from '../paths/proto-parts.js';

/** An absent response_body field: empty for lists and maps, `null` for a message, the zero value for a scalar. */
export function absentJson(field: FieldInfo): string {
  if (field.kind === 'map') return '{}';
  if (field.repeated) return '[]';
  if (field.kind === 'message') return 'null';
  if (field.kind === 'enum') return JSON.stringify(field.enum.names.get(0) ?? 0);
  switch (field.scalar) {
    case 'string':
    case 'bytes':
      return '""';
    case 'bool':
      return 'false';
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return '"0"';
    default:
      return '0';
  }
}

/**
 * Where field `number` occurs at the top level of `message`: [field start, value start, end] per
 * occurrence (value start: after the tag, and the length of a length-delimited field). Every length
 * is checked against the bytes that remain.
 */
export function fieldOccurrences(message: Uint8Array, number: number): Array<[number, number, number]> {
  const found: Array<[number, number, number]> = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= message.length) throw new HeddleError(ErrorCode.ERR_TRUNCATED, 'response message ends inside a varint', { offset: pos });
      const byte = message[pos++]!;
      if (shift < 49) result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
      if (shift > 63) throw new HeddleError(ErrorCode.ERR_BAD_VALUE, 'varint longer than 10 bytes in the response message', { offset: pos });
    }
  };
  while (pos < message.length) {
    const start = pos;
    const tag = varint();
    const wireType = tag % 8;
    let valueStart = pos;
    switch (wireType) {
      case 0:
        varint();
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const length = varint();
        valueStart = pos;
        pos += length;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw new HeddleError(ErrorCode.ERR_BAD_TYPE, `wire type ${wireType} in the response message (groups are not mapped to HTTP)`, { offset: start });
    }
    if (pos > message.length) throw new HeddleError(ErrorCode.ERR_TRUNCATED, 'response message ends inside a field', { offset: start });
    if (Math.floor(tag / 8) === number) found.push([start, valueStart, pos]);
  }
  return found;
}

/** The bytes of `ranges` of `source` concatenated, each from its element `from` (0: field start, 1: value start). */
export function concatRanges(source: Uint8Array, ranges: ReadonlyArray<[number, number, number]>, from: 0 | 1): Uint8Array {
  return concatBytes(ranges.map((range) => source.subarray(range[from], range[2])));
}
