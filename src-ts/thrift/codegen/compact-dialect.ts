/**
 * Compact protocol snippets for the generators: zigzag varints, field-id deltas against the
 * previous field (`last`), bools in the field header's type nibble, little-endian doubles, short
 * and long list headers.
 */
import type { ResolvedCodecOptions } from '../codec-options.js';
import type { FieldDef, ThriftType } from '../model.js';
import { COMPACT_MIN_SIZE, CompactType, compactTypeOf } from '../wire-types.js';
import { fixed, readSharedScalar, growingWrite, I64_SUFFIX, type DecodeDialect, type EncodeDialect, type Fixed } from './dialect.js';
import type { InputAccess } from './input-access.js';
import { typeLabel } from './type-info.js';
import { valueCheck } from './value-checks.js';

function isBool(type: ThriftType): boolean {
  return type.kind === 'base' && type.name === 'bool';
}

/**
 * True when the field's header is certainly the one-byte delta form: its id is 1..15 and every
 * earlier field has a smaller, non-negative id, so whichever of them was written last, the delta
 * is between 1 and 15.
 */
function alwaysShortForm(fields: readonly FieldDef[], index: number): boolean {
  const id = fields[index]!.id;
  if (id < 1 || id > 15) return false;
  for (let i = 0; i < index; i++) if (fields[i]!.id < 0 || fields[i]!.id >= id) return false;
  return true;
}

/** Header code for field `fields[index]` with compact type expression `typeExpr`. */
function header(fields: readonly FieldDef[], index: number, typeExpr: string): Fixed {
  const id = fields[index]!.id;
  if (alwaysShortForm(fields, index)) return fixed(1, `buf[pos++] = ((${id} - last) << 4) | ${typeExpr}; last = ${id};`);
  const zigzag = ((id << 1) ^ (id >> 31)) >>> 0;
  return fixed(
    4,
    `if (${id} > last && ${id} - last <= 15) buf[pos++] = ((${id} - last) << 4) | ${typeExpr};`,
    `else { buf[pos++] = ${typeExpr}; pos = writeVarint32(buf, pos, ${zigzag}); }`,
    `last = ${id};`,
  );
}

/** The Compact encoder dialect for `options`. */
export function compactEncodeDialect(options: ResolvedCodecOptions): EncodeDialect {
  const i64Writer = `writeI64Compact${I64_SUFFIX[options.i64]}`;
  return {
    structLocals: ['let last = 0;'],
    fieldHeader: (fields, index) => header(fields, index, String(compactTypeOf(fields[index]!.type))),
    boolField(fields, index, value) {
      const merged = header(fields, index, `(${value} ? 1 : 2)`);
      return fixed(merged.size, valueCheck(fields[index]!.type, value), ...merged.code);
    },
    stop: fixed(1, 'buf[pos++] = 0;'),
    fixedValue(type: ThriftType, value: string): Fixed | undefined {
      const check = valueCheck(type, value);
      const zigzag = `pos = writeVarint32(buf, pos, (${value} << 1) ^ (${value} >> 31));`;
      if (type.kind === 'enum') return fixed(5, check, zigzag);
      if (type.kind !== 'base') return undefined;
      switch (type.name) {
        case 'bool':
          return fixed(1, check, `buf[pos++] = ${value} ? 1 : 2;`);
        case 'i8':
          return fixed(1, check, `buf[pos++] = ${value};`);
        case 'i16':
        case 'i32':
          return fixed(5, check, zigzag);
        case 'i64':
          return fixed(10, `pos = ${i64Writer}(buf, pos, ${value});`);
        case 'double':
          return fixed(8, check, `w.view.setFloat64(pos, ${value}, true); pos += 8;`);
        case 'uuid':
          return fixed(16, `pos = writeUuid(buf, pos, ${value});`);
        default:
          return undefined;
      }
    },
    growingValue: (type: ThriftType, value: string) => growingWrite('Compact', type, value),
    listHeader(element: ThriftType, count: string): Fixed {
      const t = compactTypeOf(element);
      return fixed(
        6,
        `if (${count} < 15) buf[pos++] = (${count} << 4) | ${t};`,
        `else { buf[pos++] = ${0xf0 | t}; pos = writeVarint32(buf, pos, ${count}); }`,
      );
    },
    mapHeader(key: ThriftType, value: ThriftType, count: string): Fixed {
      const types = (compactTypeOf(key) << 4) | compactTypeOf(value);
      return fixed(6, `if (${count} === 0) buf[pos++] = 0;`, `else { pos = writeVarint32(buf, pos, ${count}); buf[pos++] = ${types}; }`);
    },
  };
}

function fixedWidth(type: ThriftType): number | undefined {
  if (type.kind !== 'base') return undefined;
  switch (type.name) {
    case 'bool':
    case 'i8':
      return 1;
    case 'double':
      return 8;
    case 'uuid':
      return 16;
    default:
      return undefined;
  }
}

/** A test of the wire type held in `variable` against the compact type of `type`. */
function typeTest(variable: string, type: ThriftType): string {
  return isBool(type) ? `(${variable} === 1 || ${variable} === 2)` : `${variable} === ${compactTypeOf(type)}`;
}

/** The Compact decoder dialect for `options`. */
export function compactDecodeDialect(options: ResolvedCodecOptions, access: InputAccess): DecodeDialect {
  const i64Reader = `readI64Compact${I64_SUFFIX[options.i64]}`;
  const boundsCheck = access.check;
  const lengthPrefixed = (target: string, read: string, before: string[] = []): string[] => [
    ...access.prefetch(5),
    'len = readVarint32(r, pos);',
    `if (len < 0 || len > ${access.left('r.pos')}) throw badLength(pos, 'length', len, ${access.left('r.pos')});`,
    'pos = r.pos;',
    ...access.span('len'),
    ...before,
    `${target} = ${read};`,
    'pos += len;',
  ];
  return {
    structLocals: ['let last = 0;'],
    fieldHeader: [
      ...access.prefetch(6),
      "if (pos >= end) throw truncated(pos, 'a field header');",
      'type = buf[pos++];',
      'if (type === 0) break;',
      'if (type > 0x0f) { id = last + (type >> 4); type &= 0x0f; }',
      'else { id = readZigzag16(r, pos); pos = r.pos; }',
      'last = id;',
    ],
    fieldTypeTest: (type: ThriftType) => typeTest('type', type),
    boolFromHeader: `type === ${CompactType.BOOLEAN_TRUE}`,
    skipField: 'pos = skipCompactField(r, pos, type, depth + 1, MAX_DEPTH);',
    readValue(type: ThriftType, target: string, checked: boolean, asKey: boolean | 'name' = false): string[] {
      if (type.kind === 'enum') return [...access.prefetch(5), `${target} = readZigzag32(r, pos);`, 'pos = r.pos;'];
      if (type.kind !== 'base') throw new Error(`not a scalar: ${typeLabel(type)}`);
      switch (type.name) {
        case 'bool':
          return [...boundsCheck(1, 'a bool', checked), `${target} = buf[pos++] === 1;`];
        case 'i16':
          return [...access.prefetch(5), `${target} = readZigzag16(r, pos);`, 'pos = r.pos;'];
        case 'i32':
          return [...access.prefetch(5), `${target} = readZigzag32(r, pos);`, 'pos = r.pos;'];
        case 'i64':
          return [...access.prefetch(10), `${target} = ${asKey === 'name' ? 'readI64CompactString' : i64Reader}(r, pos);`, 'pos = r.pos;'];
        case 'double':
          return [...boundsCheck(8, 'a double', checked), `${target} = readDoubleLE(buf, pos);`, 'pos += 8;'];
        default:
          return readSharedScalar(type.name, target, checked, access, lengthPrefixed, options, asKey)!;
      }
    },
    listHeader(level: number, element: ThriftType): string[] {
      const min = COMPACT_MIN_SIZE[compactTypeOf(element)]!;
      const n = `n${level}`;
      return [
        ...access.prefetch(6),
        "if (pos >= end) throw truncated(pos, 'a list header');",
        `const t${level} = buf[pos] & 0x0f;`,
        `const at${level} = pos;`,
        `${n} = buf[pos] >> 4;`,
        `if (${n} === 15) { ${n} = readVarint32(r, pos + 1); pos = r.pos; } else pos++;`,
        `if (!(${typeTest(`t${level}`, element)}) && ${n} !== 0) throw badType(at${level}, 'element type ' + t${level} + ', expected ${compactTypeOf(element)} (${typeLabel(element)})');`,
        `if (${n} < 0 || ${n} * ${min} > ${access.left('pos')}) throw badLength(at${level}, 'list size', ${n}, ${access.left('pos')});`,
      ];
    },
    mapHeader(level: number, key: ThriftType, value: ThriftType): string[] {
      const min = COMPACT_MIN_SIZE[compactTypeOf(key)]! + COMPACT_MIN_SIZE[compactTypeOf(value)]!;
      const n = `n${level}`;
      return [
        ...access.prefetch(6),
        `const at${level} = pos;`,
        `${n} = readVarint32(r, pos);`,
        'pos = r.pos;',
        `if (${n} !== 0) {`,
        "  if (pos >= end) throw truncated(pos, 'map key and value types');",
        `  const k${level} = buf[pos] >> 4, v${level} = buf[pos] & 0x0f;`,
        `  if (!(${typeTest(`k${level}`, key)}) || !(${typeTest(`v${level}`, value)})) throw badType(pos, 'map types ' + k${level} + ', ' + v${level} + ', expected ${compactTypeOf(key)}, ${compactTypeOf(value)} (${typeLabel(key)}, ${typeLabel(value)})');`,
        '  pos++;',
        `  if (${n} < 0 || ${n} * ${min} > ${access.left('pos')}) throw badLength(at${level}, 'map size', ${n}, ${access.left('pos')});`,
        '}',
      ];
    },
    fixedWidth,
    access,
  };
}
