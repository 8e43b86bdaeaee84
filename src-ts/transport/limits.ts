import { ErrorCode, HeddleError } from '../errors.js';
import { TTHEADER_MAX_HEADER_SIZE } from './ttheader-layout.js';

/** Largest frame a reader accepts unless told otherwise: 64 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024;
/** Deepest Thrift nesting the PurePayload skip scan follows unless told otherwise. */
export const DEFAULT_MAX_DEPTH = 64;

/** Limits a frame reader enforces before it buffers or allocates anything. */
export interface FrameLimits {
  /** Largest frame, in bytes after any length prefix (a TTHeader's LENGTH, a Framed length, a gRPC
   * message length, a PurePayload message). Default 64 MiB. A reader never buffers more than this
   * for one frame. */
  maxFrameSize?: number;
  /** Largest TTHeader variable header in bytes. Default and maximum 262140, the most the HEADER
   * SIZE field can express (Kitex's limit too). */
  maxHeaderSize?: number;
  /** Deepest nesting the PurePayload skip scan follows. Default 64. */
  maxDepth?: number;
}

/** {@link FrameLimits} with every default filled in and checked. */
export type ResolvedLimits = Required<FrameLimits>;

export function resolveLimits(limits: FrameLimits = {}): ResolvedLimits {
  const resolved = {
    maxFrameSize: limits.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
    maxHeaderSize: limits.maxHeaderSize ?? TTHEADER_MAX_HEADER_SIZE,
    maxDepth: limits.maxDepth ?? DEFAULT_MAX_DEPTH,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${name} must be a positive integer, got ${value}`);
    }
  }
  if (resolved.maxHeaderSize > TTHEADER_MAX_HEADER_SIZE) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `maxHeaderSize cannot exceed ${TTHEADER_MAX_HEADER_SIZE}, got ${resolved.maxHeaderSize}`);
  }
  return resolved;
}

/** The `ERR_BAD_FRAME` error every frame reader throws, with the stream offset of the bad byte. */
export function badFrame(message: string, offset: number): HeddleError {
  return new HeddleError(ErrorCode.ERR_BAD_FRAME, message, { offset });
}
