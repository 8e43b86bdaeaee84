import { HeddleError } from '../../errors.js';
import type { CodecOptions } from '../../protobuf/index.js';
import type { LongClass, ProtobufjsConventions } from '../../protobuf/codegen/object-conventions.js';

/**
 * @grpc/proto-loader's options, which are protobufjs's conversion options plus `includeDirs`,
 * with one of heddle's own: `strict`.
 */
export interface Options {
  /** Keep .proto field names; default: protobufjs's camelCase. */
  keepCase?: boolean;
  /** `String`, `Number` or `BigInt`: the form of decoded 64-bit integers; default `Long` objects. */
  longs?: Function;
  /** `String`: decode enums to value names; default numbers. */
  enums?: Function;
  /** `String` (base64) or `Array`: the form of decoded bytes; default Buffer. */
  bytes?: Function;
  /** Decode unset fields to their defaults. */
  defaults?: boolean;
  /** Decode unset repeated fields to `[]`. */
  arrays?: boolean;
  /** Decode unset map fields to `{}`. */
  objects?: boolean;
  /** Set virtual oneof properties to the name of the member that is set. */
  oneofs?: boolean;
  /** Non-finite floats as strings; google.protobuf.Any unpacked with `@type`. */
  json?: boolean;
  /** Directories imports (and relative file names) are searched in. */
  includeDirs?: string[];
  /** heddle only: refuse protobufjs's silent coercions when serializing (ERR_BAD_VALUE). */
  strict?: boolean;
  [key: string]: unknown;
}

/** Why `long` could not be loaded, when it could not. */
let longMissing: unknown;

/**
 * The `long` package, an optional peer (grpc-js installs it with protobufjs): the class
 * proto-loader re-exports as `Long`, and what the default `longs` form decodes to. Undefined when
 * it is not installed; the other `longs` forms work without it.
 */
export const longPackage: LongClass | undefined = (() => {
  try {
    return require('long') as LongClass;
  } catch (error) {
    longMissing = error;
    return undefined;
  }
})();

function loadLong(): LongClass {
  if (longPackage !== undefined) return longPackage;
  throw new HeddleError('ERR_INVALID_ARGUMENT',
    'decoding 64-bit integers to Long objects (the default longs option) needs the "long" package: npm install long, or pass longs: String, Number or BigInt',
    { cause: longMissing });
}

/** The heddle codec options (the protobufjs profile) that give proto-loader's values for `options`. */
export function codecOptions(options: Options): CodecOptions {
  const { longs, enums, bytes, defaults, arrays, objects, oneofs, json, strict } = options;
  const protobufjs: ProtobufjsConventions = {
    longs: longs === String ? 'string' : longs === Number ? 'number' : longs === BigInt ? 'bigint' : 'long',
    enums: enums === String ? 'string' : 'number',
    bytes: bytes === String ? 'base64' : bytes === Array ? 'array' : 'buffer',
    defaults, arrays, objects, oneofs, json, strict,
  };
  if (protobufjs.longs === 'long') protobufjs.Long = loadLong();
  return { keepCase: options.keepCase === true, protobufjs };
}

/** Checks the options proto-loader checks itself. */
export function checkOptions(options: Options): void {
  if (options.includeDirs !== undefined && !Array.isArray(options.includeDirs)) {
    throw new HeddleError('ERR_INVALID_ARGUMENT', 'The includeDirs option must be an array');
  }
}
