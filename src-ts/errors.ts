/**
 * Every error heddle throws is a `HeddleError` with one of the stable codes below.
 *
 * Codes are part of the public API: match on `err.code`, never on the message. Each code's
 * comment says when it happens and what the caller should do about it.
 */
export const ErrorCode = {
  /** Input ended before a complete value: a truncated message or frame. Wait for more bytes if
   * reading a stream; otherwise the peer sent a short message and the message must be dropped. */
  ERR_TRUNCATED: 'ERR_TRUNCATED',
  /** A wire type or type id did not match what the schema expects, or is not a valid type at all.
   * The peer uses a different IDL version or sent corrupt bytes; drop the message. */
  ERR_BAD_TYPE: 'ERR_BAD_TYPE',
  /** A value is invalid for its type: bad UTF-8, an enum or union in an impossible state, an i64
   * that does not fit a JS number in `i64: 'number'` mode. Fix the value, or choose another option. */
  ERR_BAD_VALUE: 'ERR_BAD_VALUE',
  /** Nesting went deeper than the configured limit (default 64). Hostile or corrupt input, or a
   * legitimately deep value: raise `maxDepth` only if you trust the sender. */
  ERR_DEPTH_LIMIT: 'ERR_DEPTH_LIMIT',
  /** A length or count is negative, exceeds the bytes present, or exceeds a configured limit
   * (default message size 64 MiB). Drop the input; raise the limit only for trusted senders. */
  ERR_SIZE_LIMIT: 'ERR_SIZE_LIMIT',
  /** A field the IDL marks required is missing, on encode or on decode. Set the field, or relax
   * the IDL. */
  ERR_REQUIRED_FIELD: 'ERR_REQUIRED_FIELD',
  /** The IDL (Thrift or .proto) is not valid. The message carries file:line:column; fix the IDL. */
  ERR_IDL_SYNTAX: 'ERR_IDL_SYNTAX',
  /** A name in the IDL or in an API call does not resolve to a type, service or method. Check the
   * spelling and the includes/imports. */
  ERR_UNKNOWN_TYPE: 'ERR_UNKNOWN_TYPE',
  /** A frame (TTHeader, Framed, shmipc control message, ...) is malformed: bad magic, sizes that
   * contradict each other, or a length over the limit. Close the connection it came from. */
  ERR_BAD_FRAME: 'ERR_BAD_FRAME',
  /** A connect or call deadline passed. The call may or may not have run on the server; retry only
   * idempotent calls. */
  ERR_TIMEOUT: 'ERR_TIMEOUT',
  /** The connection failed, was reset, or closed while a call was in flight. Retry on a new
   * connection if the call is idempotent. */
  ERR_CONNECTION: 'ERR_CONNECTION',
  /** A shared-memory peer broke the protocol: an out-of-bounds offset, a corrupt queue or slice
   * header. The session is closed; the peer is buggy or hostile. */
  ERR_SHM_PEER: 'ERR_SHM_PEER',
  /** A feature needs the native addon, which did not load (see `native.reason`). Use a transport
   * or option that has a pure-TypeScript path, or install a platform with prebuilds. */
  ERR_NATIVE_UNAVAILABLE: 'ERR_NATIVE_UNAVAILABLE',
  /** An argument passed to a heddle API is of the wrong type or out of range. Fix the call site. */
  ERR_INVALID_ARGUMENT: 'ERR_INVALID_ARGUMENT',
  /** An object was used after it was released or closed (a LinkBuffer view after `release()`, a
   * closed client). This is a bug in the calling code. */
  ERR_USE_AFTER_RELEASE: 'ERR_USE_AFTER_RELEASE',
  /** The remote side answered with an application-level error (a Thrift TApplicationException, a
   * non-zero gRPC status). `err.remote` holds the peer's type and message. */
  ERR_REMOTE: 'ERR_REMOTE',
  /** The remote handler failed with a business status (Kitex's BizStatusError: `biz-status`,
   * `biz-message`, `biz-extra` in the TTHeader reply). `err.bizStatus` holds code, message and
   * extra; the call ran, and the status is the service's answer, not a transport failure. */
  ERR_BIZ_STATUS: 'ERR_BIZ_STATUS',
  /** The call was cancelled: the caller aborted it (AbortSignal), or the peer reset the stream
   * (gRPC CANCELLED). Nothing to fix; the work was abandoned on purpose. */
  ERR_CANCELLED: 'ERR_CANCELLED',
  /** Service discovery found no instance to call: the resolver's list for the service is empty
   * (none registered, all deregistered or expired, every weight filtered out). Start or register
   * an instance; the client picks it up on its next refresh. */
  ERR_NO_INSTANCE: 'ERR_NO_INSTANCE',
  /** The registry or resolver backend failed: etcd unreachable, a lease that could not be granted,
   * the optional `etcd3` package not installed. `cause` holds the backend's error; check the
   * endpoints and that the backend runs. */
  ERR_DISCOVERY: 'ERR_DISCOVERY',
  /** A worker thread of a multi-threaded server (rpc.createWorkerServer) failed to load its module,
   * to listen, or died; the message names the worker and `cause` holds its error. Fix the module,
   * or raise the server's restart budget if crashes are expected. */
  ERR_WORKER: 'ERR_WORKER',
  /** A circuit breaker refused the call without sending it: the service-level breaker of this
   * from/to/method is open (its error rate passed the threshold), or the instance-level breaker
   * of every instance is open (connections to them kept failing). Back off or fail over; the
   * breaker lets probes through after its cooling time (default 5 s) and closes when they succeed. */
  ERR_CIRCUIT_OPEN: 'ERR_CIRCUIT_OPEN',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Where in the input or the IDL an error was found. Every field is optional; the message names
 * whichever are known. */
export interface ErrorLocation {
  /** Dotted field path from the top-level value, e.g. `items[3].title`. */
  path?: string;
  /** Byte offset into the input buffer or frame. */
  offset?: number;
  /** IDL source position. */
  file?: string;
  line?: number;
  column?: number;
}

export interface HeddleErrorOptions extends ErrorLocation {
  cause?: unknown;
}

/** The single error class heddle throws. `code` is stable; `message` names what went wrong and
 * where. */
export class HeddleError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly offset?: number;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(code: ErrorCode, message: string, options: HeddleErrorOptions = {}) {
    super(formatMessage(message, options), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HeddleError';
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
    if (options.offset !== undefined) this.offset = options.offset;
    if (options.file !== undefined) this.file = options.file;
    if (options.line !== undefined) this.line = options.line;
    if (options.column !== undefined) this.column = options.column;
  }
}

function formatMessage(message: string, where: ErrorLocation): string {
  const parts: string[] = [];
  if (where.file !== undefined || where.line !== undefined) {
    const file = where.file ?? '<input>';
    parts.push(where.line === undefined ? file : `${file}:${where.line}:${where.column ?? 1}`);
  }
  if (where.path !== undefined && where.path !== '') parts.push(`at ${where.path}`);
  if (where.offset !== undefined) parts.push(`at byte ${where.offset}`);
  return parts.length === 0 ? message : `${message} (${parts.join(', ')})`;
}

/** `error` itself when it is a HeddleError; otherwise one with `code`, its text, and it as the cause. */
export function asHeddleError(error: unknown, code: ErrorCode): HeddleError {
  return error instanceof HeddleError ? error : new HeddleError(code, String(error), { cause: error });
}
