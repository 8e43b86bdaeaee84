/** Options of `doc.codec(...)`: what they mean, their defaults, and how they are checked. */
import { ErrorCode, HeddleError } from '../errors.js';

/** Options for a Thrift codec. Every combination is compiled (and cached) separately. */
export interface CodecOptions {
  /** Wire protocol. Default `'binary'` (strict Binary, as Kitex speaks). */
  protocol?: 'binary' | 'compact';
  /**
   * JS form of i64 values: `'bigint'` (default), `'number'` (decode fails with ERR_BAD_VALUE on
   * values beyond Number.MAX_SAFE_INTEGER), `'string'` (decimal) or `'node-int64'` (objects of the
   * `node-int64` package, as the `thrift` npm package's generated code uses; encoders then take them,
   * safe-integer numbers or bigints). `'node-int64'` needs that package installed.
   */
  i64?: 'bigint' | 'number' | 'string' | 'node-int64';
  /**
   * Fields a decoded struct lacks: `'absent'` (default; not own properties of the object) or
   * `'null'` (present with value `null`, as `thrift --gen js:node` code leaves them). Encoders
   * skip `null` and `undefined` fields whatever this says.
   */
  unset?: 'absent' | 'null';
  /** JS form of decoded `binary` values: `'Uint8Array'` (default) or `'Buffer'`. */
  binary?: 'Uint8Array' | 'Buffer';
  /**
   * Decoded `binary` values: `'view'` (default) are views into the input, no copy; they show
   * whatever the input's bytes are, so keep the input unchanged while you use them (a pooled
   * network buffer that is reused would change them). `'copy'` gives each value bytes of its own.
   */
  bytes?: 'view' | 'copy';
  /**
   * JS form of decoded maps: `'map'` (a Map, default) or `'object'` (a plain object whose keys are
   * the keys' string forms; only for maps whose keys are strings, numbers, bools, enums or uuids).
   * Encoders accept both forms whatever this says.
   */
  map?: 'map' | 'object';
  /** JS form of decoded sets: `'array'` (default) or `'set'`. Encoders accept both. */
  set?: 'array' | 'set';
  /**
   * Decode numeric lists as TypedArrays: list<double> as Float64Array, list<i64> as
   * BigInt64Array (with i64 'bigint'), list<i32> as Int32Array, list<i16> as Int16Array, list<i8>
   * as Int8Array. Encoders accept TypedArrays or arrays whatever this says. Default false.
   */
  typedArrays?: boolean;
  /**
   * Order encoders write a struct's fields in: `'declaration'` (default; IDL order, as the `thrift`
   * npm package writes them) or `'id'` (ascending field id, as Apache Thrift's Python, Java, C++ and
   * Go generated code write them). Decoders accept any order.
   */
  fieldOrder?: 'declaration' | 'id';
  /** Deepest nesting of structs and containers allowed; deeper is ERR_DEPTH_LIMIT. Default 64. */
  maxDepth?: number;
  /** Largest input accepted by decode and output produced by encode, in bytes. Default 64 MiB. */
  maxSize?: number;
  /** Compile with a `//# sourceURL`, so the generated code shows by name in stack traces and debuggers. */
  debug?: boolean;
}

/** {@link CodecOptions} with every default applied. */
export interface ResolvedCodecOptions {
  readonly protocol: 'binary' | 'compact';
  readonly i64: 'bigint' | 'number' | 'string' | 'node-int64';
  readonly unset: 'absent' | 'null';
  readonly binary: 'Uint8Array' | 'Buffer';
  readonly bytes: 'view' | 'copy';
  readonly map: 'map' | 'object';
  readonly set: 'array' | 'set';
  readonly typedArrays: boolean;
  readonly fieldOrder: 'declaration' | 'id';
  readonly maxDepth: number;
  readonly maxSize: number;
  readonly debug: boolean;
}

/** Default nesting limit. */
export const DEFAULT_MAX_DEPTH = 64;
/** Default message size limit: 64 MiB. */
export const DEFAULT_MAX_SIZE = 64 * 1024 * 1024;

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new HeddleError(
    ErrorCode.ERR_INVALID_ARGUMENT,
    `option ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`,
  );
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `option ${name} must be a positive integer, got ${JSON.stringify(value)}`);
}

/** A boolean option: false when absent, ERR_INVALID_ARGUMENT when not a boolean. */
export function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `option ${name} must be a boolean, got ${JSON.stringify(value)}`);
}

/** Applies defaults and checks every option; a bad one is ERR_INVALID_ARGUMENT. */
export function resolveCodecOptions(options: CodecOptions = {}): ResolvedCodecOptions {
  if (typeof options !== 'object' || options === null) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'codec options must be an object');
  }
  return Object.freeze({
    protocol: oneOf('protocol', options.protocol, ['binary', 'compact'] as const, 'binary'),
    i64: oneOf('i64', options.i64, ['bigint', 'number', 'string', 'node-int64'] as const, 'bigint'),
    unset: oneOf('unset', options.unset, ['absent', 'null'] as const, 'absent'),
    binary: oneOf('binary', options.binary, ['Uint8Array', 'Buffer'] as const, 'Uint8Array'),
    bytes: oneOf('bytes', options.bytes, ['view', 'copy'] as const, 'view'),
    map: oneOf('map', options.map, ['map', 'object'] as const, 'map'),
    set: oneOf('set', options.set, ['array', 'set'] as const, 'array'),
    typedArrays: flag('typedArrays', options.typedArrays),
    fieldOrder: oneOf('fieldOrder', options.fieldOrder, ['declaration', 'id'] as const, 'declaration'),
    maxDepth: positiveInteger('maxDepth', options.maxDepth, DEFAULT_MAX_DEPTH),
    maxSize: positiveInteger('maxSize', options.maxSize, DEFAULT_MAX_SIZE),
    debug: flag('debug', options.debug),
  });
}

/** A string identifying a resolved option set, for caches. */
export function optionsKey(options: ResolvedCodecOptions): string {
  const { protocol, i64, unset, binary, bytes, map, set, typedArrays, fieldOrder, maxDepth, maxSize, debug } = options;
  return `${protocol}/${i64}/${unset}/${binary}/${bytes}/${map}/${set}/${typedArrays ? 'ta' : '-'}/${fieldOrder}/${maxDepth}/${maxSize}/${debug ? 'debug' : '-'}`;
}
