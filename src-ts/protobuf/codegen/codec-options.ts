import { HeddleError } from '../../errors.js';
import { protobufjsKey, resolveProtobufjs, type ProtobufjsConventions, type ResolvedProtobufjs } from './object-conventions.js';

/** Options of `root.codec(type, options)`. */
export interface CodecOptions {
  /** How 64-bit integers are decoded: bigint (default), decimal string, or number (fails with
   * ERR_BAD_VALUE when a value is not a safe integer). Encode accepts all three forms. */
  int64?: 'bigint' | 'string' | 'number';
  /** Use .proto field names (`sku_id`) instead of lowerCamelCase (`skuId`). */
  keepCase?: boolean;
  /** Decode repeated numeric fields into TypedArrays (Float64Array, Int32Array, BigInt64Array,
   * ...). bool and enum fields stay arrays. Encode accepts both forms whatever this says. */
  typedArrays?: boolean;
  /**
   * Decoded `bytes` fields: `'copy'` (default) gives each value bytes of its own; `'view'` makes
   * them views into the input, no copy, which show whatever the input's bytes are: keep the input
   * unchanged while you use them (a pooled network buffer that is reused would change them).
   * Not under the `protobufjs` profile.
   */
  bytes?: 'copy' | 'view';
  /** Keep unknown fields on decode (as raw bytes in `$unknown`) and write them back on encode. */
  keepUnknown?: boolean;
  /** Deepest nesting of messages and groups decode accepts; default 64. */
  maxDepth?: number;
  /** A codec profile: protobufjs's toObject/fromObject value conventions (what @grpc/proto-loader
   * gives) instead of heddle's. `int64` and `typedArrays` do not apply under it; `keepCase` does. */
  protobufjs?: ProtobufjsConventions;
}

/** CodecOptions with every default applied. */
export type ResolvedCodecOptions = Required<Omit<CodecOptions, 'protobufjs'>> & { protobufjs: ResolvedProtobufjs | undefined };

/** Applies defaults and checks option values (ERR_INVALID_ARGUMENT). */
export function resolveCodecOptions(options: CodecOptions = {}): ResolvedCodecOptions {
  const int64 = options.int64 ?? 'bigint';
  if (int64 !== 'bigint' && int64 !== 'string' && int64 !== 'number') {
    throw new HeddleError('ERR_INVALID_ARGUMENT', `int64 must be 'bigint', 'string' or 'number', got ${String(int64)}`);
  }
  const maxDepth = options.maxDepth ?? 64;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) {
    throw new HeddleError('ERR_INVALID_ARGUMENT', `maxDepth must be a positive integer, got ${String(maxDepth)}`);
  }
  const protobufjs = options.protobufjs === undefined ? undefined : resolveProtobufjs(options.protobufjs);
  const bytes = options.bytes ?? 'copy';
  if (bytes !== 'copy' && bytes !== 'view') throw new HeddleError('ERR_INVALID_ARGUMENT', `bytes must be 'copy' or 'view', got ${String(bytes)}`);
  return {
    // Under the protobufjs profile, string and bigint longs take the int64 paths of the same name.
    int64: protobufjs === undefined ? int64 : protobufjs.longs === 'bigint' ? 'bigint' : 'string',
    keepCase: options.keepCase === true,
    typedArrays: protobufjs === undefined && options.typedArrays === true,
    keepUnknown: options.keepUnknown === true,
    bytes: protobufjs === undefined ? bytes : 'copy',
    maxDepth,
    protobufjs,
  };
}

/** A cache key: equal for options that generate the same code. */
export function codecOptionsKey(options: ResolvedCodecOptions): string {
  return `${options.int64}|${options.keepCase ? 1 : 0}|${options.typedArrays ? 1 : 0}|${options.keepUnknown ? 1 : 0}|${options.bytes}|${options.maxDepth}|${protobufjsKey(options.protobufjs)}`;
}
