/**
 * Binary protocol snippets for the generators: big-endian fixed-width scalars, i32 lengths and
 * counts, three-byte field headers (type, i16 id).
 */
import type { ResolvedCodecOptions } from '../codec-options.js';
import type { FieldDef, ThriftType } from '../model.js';
import { BINARY_MIN_SIZE, binaryTypeOf } from '../wire-types.js';
import { fixed, readSharedScalar, growingWrite, I64_SUFFIX, type DecodeDialect, type EncodeDialect, type Fixed } from './dialect.js';
import type { InputAccess } from './input-access.js';
import { typeLabel } from './type-info.js';
import { valueCheck } from './value-checks.js';

/** `pos + k` for the byte k after pos. */
function at(k: number): string {
  return k === 0 ? 'pos' : `pos + ${k}`;
}

/** Stores of the i32 `value` at pos + offset, big-endian. */
function i32Bytes(value: string, offset = 0): string {
  const shifts = [' >>> 24', ' >>> 16', ' >>> 8', ''];
  return shifts.map((shift, k) => `buf[${at(offset + k)}] = ${value}${shift};`).join(' ');
}

/** The big-endian i32 at pos + offset. */
function readI32(offset = 0): string {
  return `(buf[${at(offset)}] << 24) | (buf[${at(offset + 1)}] << 16) | (buf[${at(offset + 2)}] << 8) | buf[${at(offset + 3)}]`;
}

/** The Binary encoder dialect for `options`. */
export function binaryEncodeDialect(options: ResolvedCodecOptions): EncodeDialect {
  const i64Writer = `writeI64Binary${I64_SUFFIX[options.i64]}`;
  return {
    structLocals: [],
    fieldHeader(fields: readonly FieldDef[], index: number): Fixed {
      const field = fields[index]!;
      const id = field.id & 0xffff;
      return fixed(3, `buf[pos] = ${binaryTypeOf(field.type)}; buf[pos + 1] = ${id >> 8}; buf[pos + 2] = ${id & 0xff}; pos += 3;`);
    },
    boolField: () => undefined,
    stop: fixed(1, 'buf[pos++] = 0;'),
    fixedValue(type: ThriftType, value: string): Fixed | undefined {
      const check = valueCheck(type, value);
      if (type.kind === 'enum') return fixed(4, check, i32Bytes(value), 'pos += 4;');
      if (type.kind !== 'base') return undefined;
      switch (type.name) {
        case 'bool':
          return fixed(1, check, `buf[pos++] = ${value} ? 1 : 0;`);
        case 'i8':
          return fixed(1, check, `buf[pos++] = ${value};`);
        case 'i16':
          return fixed(2, check, `buf[pos] = ${value} >> 8; buf[pos + 1] = ${value}; pos += 2;`);
        case 'i32':
          return fixed(4, check, i32Bytes(value), 'pos += 4;');
        case 'i64':
          return fixed(8, `pos = ${i64Writer}(buf, pos, ${value});`);
        case 'double':
          return fixed(8, check, `w.view.setFloat64(pos, ${value}); pos += 8;`);
        case 'uuid':
          return fixed(16, `pos = writeUuid(buf, pos, ${value});`);
        default:
          return undefined;
      }
    },
    growingValue: (type: ThriftType, value: string) => growingWrite('Binary', type, value),
    listHeader(element: ThriftType, count: string): Fixed {
      return fixed(5, `buf[pos] = ${binaryTypeOf(element)}; ${i32Bytes(count, 1)} pos += 5;`);
    },
    mapHeader(key: ThriftType, value: ThriftType, count: string): Fixed {
      return fixed(6, `buf[pos] = ${binaryTypeOf(key)}; buf[pos + 1] = ${binaryTypeOf(value)}; ${i32Bytes(count, 2)} pos += 6;`);
    },
  };
}

const FIXED_WIDTH: Record<string, number> = { bool: 1, i8: 1, i16: 2, i32: 4, i64: 8, double: 8, uuid: 16 };

function fixedWidth(type: ThriftType): number | undefined {
  if (type.kind === 'enum') return 4;
  return type.kind === 'base' ? FIXED_WIDTH[type.name] : undefined;
}

/** The Binary decoder dialect for `options`. */
export function binaryDecodeDialect(options: ResolvedCodecOptions, access: InputAccess): DecodeDialect {
  const i64Reader = `readI64Binary${I64_SUFFIX[options.i64]}`;
  const boundsCheck = access.check;
  const lengthPrefixed = (target: string, read: string, before: string[] = []): string[] => [
    ...boundsCheck(4, 'a length', false),
    `len = ${readI32()};`,
    `if (len < 0 || len > ${access.left('pos', 4)}) throw badLength(pos, 'length', len, ${access.left('pos', 4)});`,
    'pos += 4;',
    ...access.span('len'),
    ...before,
    `${target} = ${read};`,
    'pos += len;',
  ];
  return {
    structLocals: [],
    fieldHeader: [
      ...access.prefetch(3),
      "if (pos >= end) throw truncated(pos, 'a field header');",
      'type = buf[pos];',
      'if (type === 0) { pos++; break; }',
      "if (pos + 3 > end) throw truncated(pos, 'a field header');",
      'id = (buf[pos + 1] << 24 >> 16) | buf[pos + 2];',
      'pos += 3;',
    ],
    fieldTypeTest: (type: ThriftType) => `type === ${binaryTypeOf(type)}`,
    boolFromHeader: undefined,
    skipField: 'pos = skipBinary(r, pos, type, depth + 1, MAX_DEPTH);',
    readValue(type: ThriftType, target: string, checked: boolean, asKey: boolean | 'name' = false): string[] {
      if (type.kind === 'enum') return [...boundsCheck(4, 'an i32', checked), `${target} = ${readI32()};`, 'pos += 4;'];
      if (type.kind !== 'base') throw new Error(`not a scalar: ${typeLabel(type)}`);
      switch (type.name) {
        case 'bool':
          return [...boundsCheck(1, 'a bool', checked), `${target} = buf[pos++] !== 0;`];
        case 'i16':
          return [...boundsCheck(2, 'an i16', checked), `${target} = (buf[pos] << 24 >> 16) | buf[pos + 1];`, 'pos += 2;'];
        case 'i32':
          return [...boundsCheck(4, 'an i32', checked), `${target} = ${readI32()};`, 'pos += 4;'];
        case 'i64':
          return [...boundsCheck(8, 'an i64', checked), `${target} = ${asKey === 'name' ? 'readI64BinaryString' : i64Reader}(buf, pos);`, 'pos += 8;'];
        case 'double':
          return [...boundsCheck(8, 'a double', checked), `${target} = readDoubleBE(buf, pos);`, 'pos += 8;'];
        default:
          return readSharedScalar(type.name, target, checked, access, lengthPrefixed, options, asKey)!;
      }
    },
    listHeader(level: number, element: ThriftType): string[] {
      const expected = binaryTypeOf(element);
      const min = BINARY_MIN_SIZE[expected]!;
      return [
        ...boundsCheck(5, 'a list header', false),
        `n${level} = ${readI32(1)};`,
        `if (buf[pos] !== ${expected} && n${level} !== 0) throw badType(pos, 'element type ' + buf[pos] + ', expected ${expected} (${typeLabel(element)})');`,
        `if (n${level} < 0 || n${level} * ${min} > ${access.left('pos', 5)}) throw badLength(pos + 1, 'list size', n${level}, ${access.left('pos', 5)});`,
        'pos += 5;',
      ];
    },
    mapHeader(level: number, key: ThriftType, value: ThriftType): string[] {
      const keyType = binaryTypeOf(key);
      const valueType = binaryTypeOf(value);
      const min = BINARY_MIN_SIZE[keyType]! + BINARY_MIN_SIZE[valueType]!;
      return [
        ...boundsCheck(6, 'a map header', false),
        `n${level} = ${readI32(2)};`,
        `if ((buf[pos] !== ${keyType} || buf[pos + 1] !== ${valueType}) && n${level} !== 0) throw badType(pos, 'map types ' + buf[pos] + ', ' + buf[pos + 1] + ', expected ${keyType}, ${valueType} (${typeLabel(key)}, ${typeLabel(value)})');`,
        `if (n${level} < 0 || n${level} * ${min} > ${access.left('pos', 6)}) throw badLength(pos + 2, 'map size', n${level}, ${access.left('pos', 6)});`,
        'pos += 6;',
      ];
    },
    fixedWidth,
    access,
  };
}
