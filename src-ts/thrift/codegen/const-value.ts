/**
 * IDL default values as JavaScript expressions in the codec's value mapping. Each expression
 * builds a fresh value when evaluated, so a decoded default is never shared between results.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { ResolvedCodecOptions } from '../codec-options.js';
import type { ConstValue, SourceLocation, StructDef, ThriftType } from '../model.js';
import { literalKey } from './identifiers.js';
import { keyForm, typeLabel } from './type-info.js';
import { typedArrayOf } from './typed-lists.js';

/** What default expressions depend on. */
export interface ConstContext {
  readonly options: ResolvedCodecOptions;
  lookupStruct(key: string): StructDef;
}

function invalid(type: ThriftType, value: ConstValue, loc: SourceLocation): HeddleError {
  return new HeddleError(ErrorCode.ERR_BAD_VALUE, `default value of kind ${value.kind} does not fit ${typeLabel(type)}`, {
    file: loc.file,
    line: loc.line,
    column: loc.column,
  });
}

function integer(type: ThriftType, value: ConstValue, loc: SourceLocation, bits: number): bigint {
  if (value.kind !== 'int') throw invalid(type, value, loc);
  if (BigInt.asIntN(bits, value.value) !== value.value) throw invalid(type, value, loc);
  return value.value;
}

/** A JS expression for `value` as a value of `type`; `loc` locates errors in the IDL. */
export function constExpression(type: ThriftType, value: ConstValue, loc: SourceLocation, ctx: ConstContext): string {
  switch (type.kind) {
    case 'base':
      return baseExpression(type, value, loc, ctx);
    case 'enum':
      return String(integer(type, value, loc, 32));
    case 'list':
    case 'set': {
      if (value.kind !== 'list') throw invalid(type, value, loc);
      const items = value.items.map((item) => constExpression(type.element, item, loc, ctx)).join(', ');
      if (type.kind === 'set') return ctx.options.set === 'set' ? `new Set([${items}])` : `[${items}]`;
      const typed = typedArrayOf(type, ctx.options);
      return typed === undefined ? `[${items}]` : `new ${typed.arrayType}([${items}])`;
    }
    case 'map': {
      if (value.kind !== 'map') throw invalid(type, value, loc);
      const form = keyForm(type.key);
      if (ctx.options.map === 'object' && form !== undefined) {
        const props = value.entries.map(([k, v]) => {
          const key = keyString(type.key, k, loc);
          return `${literalKey(key)}: ${constExpression(type.value, v, loc, ctx)}`;
        });
        return `{ ${props.join(', ')} }`;
      }
      const entries = value.entries.map(
        ([k, v]) => `[${constExpression(type.key, k, loc, ctx)}, ${constExpression(type.value, v, loc, ctx)}]`,
      );
      return `new Map([${entries.join(', ')}])`;
    }
    case 'struct': {
      if (value.kind !== 'map') throw invalid(type, value, loc);
      const struct = ctx.lookupStruct(type.key);
      const props = value.entries.map(([k, v]) => {
        const field = k.kind === 'string' ? struct.fields.find((f) => f.name === k.value) : undefined;
        if (field === undefined) throw invalid(type, k, loc);
        return `${literalKey(field.name)}: ${constExpression(field.type, v, loc, ctx)}`;
      });
      return `{ ${props.join(', ')} }`;
    }
  }
}

function baseExpression(
  type: ThriftType & { kind: 'base' },
  value: ConstValue,
  loc: SourceLocation,
  ctx: ConstContext,
): string {
  switch (type.name) {
    case 'bool':
      return integer(type, value, loc, 64) === 0n ? 'false' : 'true';
    case 'i8':
      return String(integer(type, value, loc, 8));
    case 'i16':
      return String(integer(type, value, loc, 16));
    case 'i32':
      return String(integer(type, value, loc, 32));
    case 'i64': {
      const n = integer(type, value, loc, 64);
      if (ctx.options.i64 === 'bigint') return `${n}n`;
      if (ctx.options.i64 === 'string') return JSON.stringify(n.toString());
      // A fresh object per use (node-int64 objects are mutable), from halves worked out here once.
      if (ctx.options.i64 === 'node-int64') {
        const bits = BigInt.asUintN(64, n);
        return `joinNodeInt64(${Number(bits & 0xffffffffn) | 0}, ${Number(bits >> 32n) | 0})`;
      }
      if (!Number.isSafeInteger(Number(n))) throw invalid(type, value, loc);
      return String(n);
    }
    case 'double':
      if (value.kind === 'double') return numberLiteral(value.value);
      if (value.kind === 'int') return numberLiteral(Number(value.value));
      throw invalid(type, value, loc);
    case 'string':
      if (value.kind !== 'string') throw invalid(type, value, loc);
      return JSON.stringify(value.value);
    case 'binary':
      if (value.kind !== 'string') throw invalid(type, value, loc);
      return ctx.options.binary === 'Buffer' ? `Buffer.from(utf8Bytes(${JSON.stringify(value.value)}))` : `utf8Bytes(${JSON.stringify(value.value)})`;
    case 'uuid':
      if (value.kind !== 'string' || !/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(value.value)) {
        throw invalid(type, value, loc);
      }
      return JSON.stringify(value.value.toLowerCase());
  }
}

function numberLiteral(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return Object.is(n, -0) ? '-0' : String(n);
}

/** The property-name form of a constant map key, as decoders produce it in `map: 'object'` mode. */
function keyString(type: ThriftType, value: ConstValue, loc: SourceLocation): string {
  if (value.kind === 'string') return type.kind === 'base' && type.name === 'uuid' ? value.value.toLowerCase() : value.value;
  if (value.kind === 'double') return String(value.value);
  if (value.kind === 'int') {
    if (type.kind === 'base' && type.name === 'bool') return value.value === 0n ? 'false' : 'true';
    if (type.kind === 'base' && type.name === 'double') return String(Number(value.value));
    return value.value.toString();
  }
  throw invalid(type, value, loc);
}
