/**
 * Checks on JS values before encoding, so a wrong value is ERR_BAD_VALUE instead of being
 * silently truncated by a typed-array store. i64, string, binary and uuid are checked by their
 * write helpers.
 */
import type { ThriftType } from '../model.js';

/** A statement throwing ERR_BAD_VALUE unless `value` fits `type`, or undefined when a helper checks. */
export function valueCheck(type: ThriftType, value: string): string | undefined {
  const fail = (expected: string) => `throw wrongValue('${expected}', ${value});`;
  if (type.kind === 'enum') return `if ((${value} | 0) !== ${value}) ${fail('an enum value (i32)')}`;
  if (type.kind !== 'base') return undefined;
  switch (type.name) {
    case 'bool':
      return `if (typeof ${value} !== 'boolean') ${fail('a boolean')}`;
    case 'i8':
      return `if ((${value} << 24 >> 24) !== ${value}) ${fail('an i8 (integer from -128 to 127)')}`;
    case 'i16':
      return `if ((${value} << 16 >> 16) !== ${value}) ${fail('an i16 (integer from -32768 to 32767)')}`;
    case 'i32':
      return `if ((${value} | 0) !== ${value}) ${fail('an i32 (integer from -2^31 to 2^31-1)')}`;
    case 'double':
      return `if (typeof ${value} !== 'number') ${fail('a number')}`;
    default:
      return undefined;
  }
}
