import { HeddleError, type ErrorCode } from '../../errors.js';

/**
 * An error raised inside generated encoders and decoders. It collects the field path while it
 * unwinds through the generated functions (each adds its own segment), and becomes a HeddleError
 * with `path` and `offset` when it leaves the codec.
 */
export class CodecFault extends Error {
  /** Path segments, innermost first: `title`, `[3]`, `items`. */
  readonly segments: string[] = [];

  constructor(readonly code: ErrorCode, readonly detail: string, readonly offset?: number, cause?: unknown) {
    super(detail, cause === undefined ? undefined : { cause });
  }

  /** The HeddleError the caller sees. */
  toHeddleError(): HeddleError {
    const path = this.segments.reduceRight((acc, s) => (s.startsWith('[') || acc === '' ? acc + s : `${acc}.${s}`), '');
    const options: { path?: string; offset?: number; cause?: unknown } = {};
    if (path !== '') options.path = path;
    if (this.offset !== undefined) options.offset = this.offset;
    if (this.cause !== undefined) options.cause = this.cause;
    return new HeddleError(this.code, this.detail, options);
  }
}

/** Turns anything thrown inside a codec into a CodecFault (kernels throw HeddleError). */
export function asFault(error: unknown): CodecFault {
  if (error instanceof CodecFault) return error;
  if (error instanceof HeddleError) {
    return new CodecFault(error.code, error.message.replace(/ \(at byte \d+\)$/, ''), error.offset);
  }
  if (error instanceof RangeError) {
    // Allocation failures for absurd sizes land here; lengths are checked before allocating.
    return new CodecFault('ERR_SIZE_LIMIT', error.message, undefined, error);
  }
  throw error;
}

/** Adds `field` (and an index or map key) to a fault's path and returns it, for rethrowing. */
export function withPath(error: unknown, field: string, index?: number | string): CodecFault {
  const fault = asFault(error);
  if (index !== undefined) fault.segments.push(typeof index === 'number' ? `[${index}]` : `[${JSON.stringify(index)}]`);
  fault.segments.push(field);
  return fault;
}

/** Converts a fault leaving the codec into the public error. */
export function toPublicError(error: unknown): unknown {
  if (error instanceof CodecFault) return error.toHeddleError();
  if (error instanceof HeddleError) return error;
  return asFault(error).toHeddleError();
}
