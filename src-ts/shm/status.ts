import { ErrorCode, HeddleError } from '../errors.js';

/** Status codes of the native shm core, mirrored from src-native/shm/status.h. */
export const NativeStatus = Object.freeze({
  ok: 0,
  poolExhausted: 1,
  queueFull: 2,
  queueEmpty: 3,
  wouldBlock: 4,
  peerViolation: -1,
  badFrame: -2,
  connectionLost: -3,
  systemError: -4,
  invalidArgument: -5,
  peerRejected: -6,
  closed: -7,
  outputLimit: -8,
});

/** What the addon says about a failed call: its status, the errno if a system call failed, and a message. */
export interface NativeFailure {
  status: number;
  errno: number;
  message: string;
}

/** The HeddleError code for a native failure status. */
export function errorCodeFor(status: number): ErrorCode {
  switch (status) {
    case NativeStatus.peerViolation:
      return ErrorCode.ERR_SHM_PEER;
    case NativeStatus.badFrame:
      return ErrorCode.ERR_BAD_FRAME;
    case NativeStatus.invalidArgument:
      return ErrorCode.ERR_INVALID_ARGUMENT;
    case NativeStatus.outputLimit:
      return ErrorCode.ERR_SIZE_LIMIT;
    default:
      return ErrorCode.ERR_CONNECTION;
  }
}

/** A HeddleError for a native failure, with `what` naming the operation. */
export function nativeError(what: string, failure: NativeFailure): HeddleError {
  return new HeddleError(errorCodeFor(failure.status), `shm: ${what}: ${failure.message}`);
}
