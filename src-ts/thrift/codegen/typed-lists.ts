/** Which lists decode as TypedArrays under `typedArrays: true`, and as which array type. */
import type { ResolvedCodecOptions } from '../codec-options.js';
import type { ThriftType } from '../model.js';

/** A numeric list element type with a TypedArray form. */
export type TypedElement = 'double' | 'i64' | 'i32' | 'i16' | 'i8';

/** The TypedArray a list decodes to, if any. */
export interface TypedListInfo {
  readonly element: TypedElement;
  readonly arrayType: 'Float64Array' | 'BigInt64Array' | 'Int32Array' | 'Int16Array' | 'Int8Array';
}

const ARRAY_TYPES: Record<TypedElement, TypedListInfo['arrayType']> = {
  double: 'Float64Array',
  i64: 'BigInt64Array',
  i32: 'Int32Array',
  i16: 'Int16Array',
  i8: 'Int8Array',
};

/** The numeric element of a list type (list<i64> counts only in i64 'bigint' mode), or undefined. */
export function typedElementOf(type: ThriftType, options: ResolvedCodecOptions): TypedElement | undefined {
  if (type.kind !== 'list' || type.element.kind !== 'base') return undefined;
  const name = type.element.name;
  if (name === 'i64') return options.i64 === 'bigint' ? 'i64' : undefined;
  return name === 'double' || name === 'i32' || name === 'i16' || name === 'i8' ? name : undefined;
}

/** The TypedArray form a list type has (whether or not `typedArrays` is on), else undefined. */
export function typedArrayFormOf(type: ThriftType, options: ResolvedCodecOptions): TypedListInfo | undefined {
  const element = typedElementOf(type, options);
  return element === undefined ? undefined : { element, arrayType: ARRAY_TYPES[element] };
}

/** The TypedArray a list type decodes to: its form when `typedArrays` is on, else undefined. */
export function typedArrayOf(type: ThriftType, options: ResolvedCodecOptions): TypedListInfo | undefined {
  return options.typedArrays ? typedArrayFormOf(type, options) : undefined;
}
