/**
 * How generated codecs report errors. Deep inside a value, code throws a lightweight
 * `CodecFailure` (no stack capture: hostile input can make failures frequent); every generated
 * struct function catches it on the way out and prepends its own path segment; the codec's entry
 * point turns it into a `HeddleError` naming the whole path, e.g. `Order.items[3].title`.
 */
import { ErrorCode, HeddleError } from '../../errors.js';

/** An error on its way out of generated code, collecting path segments innermost first. */
export class CodecFailure {
  /** Path segments such as `.items[3]`, innermost first. */
  readonly segments: string[] = [];

  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    /** Byte offset into the input (decode); undefined for encode. */
    readonly offset: number | undefined,
    readonly cause?: unknown,
  ) {}
}

/** Input ended inside a value of `width` bytes starting at `offset`. */
export function truncated(offset: number, what: string): CodecFailure {
  return new CodecFailure(ErrorCode.ERR_TRUNCATED, `input ends inside ${what}`, offset);
}

/** A length or count that is negative or larger than the bytes that remain or the size limit. */
export function badLength(offset: number, what: string, length: number, available: number): CodecFailure {
  const why = length < 0 ? 'is negative' : `is more than the ${available} bytes that remain can hold`;
  return new CodecFailure(ErrorCode.ERR_SIZE_LIMIT, `${what} ${length} ${why}`, offset);
}

/** A wire type id that is not what the schema expects, or no Thrift type at all. */
export function badType(offset: number | undefined, message: string): CodecFailure {
  return new CodecFailure(ErrorCode.ERR_BAD_TYPE, message, offset);
}

/** A value invalid for its type (bad UTF-8, an i64 too large for a number, a wrong JS type). */
export function badValue(offset: number | undefined, message: string): CodecFailure {
  return new CodecFailure(ErrorCode.ERR_BAD_VALUE, message, offset);
}

/** Nesting deeper than `maxDepth`. */
export function depthLimit(offset: number | undefined, maxDepth: number): CodecFailure {
  return new CodecFailure(ErrorCode.ERR_DEPTH_LIMIT, `nesting deeper than maxDepth ${maxDepth}`, offset);
}

/** A required field that is missing; the caller adds the field's path segment. */
export function requiredField(offset: number | undefined, name: string): CodecFailure {
  return new CodecFailure(ErrorCode.ERR_REQUIRED_FIELD, `required field '${name}' is missing`, offset);
}

/** The encoded size (or the input, for decode) exceeds `maxSize`. */
export function sizeLimit(offset: number | undefined, size: number, maxSize: number): CodecFailure {
  return new CodecFailure(ErrorCode.ERR_SIZE_LIMIT, `size ${size} exceeds maxSize ${maxSize}`, offset);
}

/** Bytes left over after the struct ended at `offset`, in input that should hold exactly one. */
export function trailingBytes(offset: number, count: number): CodecFailure {
  return new CodecFailure(ErrorCode.ERR_BAD_VALUE, `${count} bytes after the end of the struct`, offset);
}

/** Describes a JS value briefly for an error message, without dumping large objects. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a string of length ${value.length}` : JSON.stringify(value);
    case 'bigint':
      return `${value}n`;
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'object':
      return `an object (${Object.prototype.toString.call(value)})`;
    default:
      return `a ${typeof value}`;
  }
}

/** A value of the wrong JS type or range for a field: `expected` says what was wanted. */
export function wrongValue(expected: string, value: unknown): CodecFailure {
  return new CodecFailure(ErrorCode.ERR_BAD_VALUE, `expected ${expected}, got ${describe(value)}`, undefined);
}

/**
 * Prepends a path segment to a failure passing through a generated function. HeddleErrors from
 * helpers (the kernels) are converted so they collect a path too; anything else is a bug or a
 * user getter's exception and passes through untouched.
 */
export function withPath(error: unknown, segment: string): unknown {
  let failure: CodecFailure;
  if (error instanceof CodecFailure) failure = error;
  else if (error instanceof HeddleError) failure = fromHeddleError(error);
  else return error;
  if (segment !== '') failure.segments.push(segment);
  return failure;
}

function fromHeddleError(error: HeddleError): CodecFailure {
  // The kernels' messages carry their own "(at byte N)" suffix; the offset is kept separately.
  const bare = error.message.replace(/ \([^()]*\)$/, '');
  return new CodecFailure(error.code, bare, error.offset, error);
}

/**
 * The codec entry point's conversion: a failure becomes a HeddleError whose path starts with the
 * root type's name. Other errors pass through. `offsetBase` is added to the failure's offset: the
 * message offset of the window a decoder of input in pieces was reading when it failed.
 */
export function toHeddleError(error: unknown, root: string, offsetBase = 0): unknown {
  let failure: CodecFailure;
  if (error instanceof CodecFailure) failure = error;
  else if (error instanceof HeddleError) failure = fromHeddleError(error);
  else return error;
  let path = root;
  for (let i = failure.segments.length - 1; i >= 0; i--) path += failure.segments[i];
  const options: { path: string; offset?: number; cause?: unknown } = { path };
  if (failure.offset !== undefined) options.offset = failure.offset + offsetBase;
  if (failure.cause !== undefined) options.cause = failure.cause;
  return new HeddleError(failure.code, failure.message, options);
}
