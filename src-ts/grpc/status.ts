import { ErrorCode, HeddleError } from '../errors.js';
import { isBizStatusError } from '../rpc/biz-status.js';
import type { GrpcMetadata } from './metadata.js';

/** gRPC status codes (grpc/grpc doc/statuscodes.md). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

const statusNames = Object.fromEntries(Object.entries(GrpcStatus).map(([name, code]) => [code, name])) as Record<number, string>;

/** `CANCELLED` for 1, ...; `STATUS_<n>` for a code outside 0..16. */
export function grpcStatusName(code: number): string {
  return statusNames[code] ?? `STATUS_${code}`;
}

/** What a non-OK gRPC status carries besides its code. */
export interface GrpcStatusInit {
  /** `grpc-status-details-bin`: usually an encoded google.rpc.Status. */
  details?: Uint8Array;
  /** Trailers to send (server) or received (client) with the status. */
  metadata?: GrpcMetadata;
  cause?: unknown;
  /** Where in the stream's bytes the problem is, for errors found in received bytes. */
  offset?: number;
}

/** A HeddleError that carries a gRPC status: thrown by handlers to answer with it, and what a
 * client call rejects with. */
export type GrpcStatusError = HeddleError & {
  readonly grpcStatus: number;
  /** The status message as sent (grpc-message), without heddle's prefix. */
  readonly grpcMessage: string;
  readonly details?: Uint8Array;
  readonly metadata?: GrpcMetadata;
};

/** The HeddleError code a status maps to on the side that receives it. */
function errorCodeOf(status: number, remote: boolean): ErrorCode {
  switch (status) {
    case GrpcStatus.DEADLINE_EXCEEDED:
      return ErrorCode.ERR_TIMEOUT;
    case GrpcStatus.CANCELLED:
      return ErrorCode.ERR_CANCELLED;
    case GrpcStatus.UNAVAILABLE:
      // Either way the answer is the same: retry (idempotent calls) on another connection.
      return ErrorCode.ERR_CONNECTION;
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return remote ? ErrorCode.ERR_REMOTE : ErrorCode.ERR_SIZE_LIMIT;
    default:
      return ErrorCode.ERR_REMOTE;
  }
}

/**
 * An error with gRPC status `status`. A handler throws one to answer with that status (and
 * `details`, `metadata` as trailers); a client call rejects with one for every non-OK status, with
 * `code` ERR_TIMEOUT for DEADLINE_EXCEEDED, ERR_CANCELLED for CANCELLED, ERR_CONNECTION for
 * UNAVAILABLE and ERR_REMOTE otherwise (ERR_SIZE_LIMIT for a RESOURCE_EXHAUSTED found locally).
 */
export function grpcStatusError(status: number, message: string, init: GrpcStatusInit & { local?: boolean } = {}): GrpcStatusError {
  if (!Number.isInteger(status) || status < 1 || status > 0x7fffffff) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `gRPC status must be a positive integer (1..16 are defined), got ${status}`);
  }
  if (typeof message !== 'string') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'gRPC status message must be a string');
  const where = { ...(init.cause === undefined ? {} : { cause: init.cause }), ...(init.offset === undefined ? {} : { offset: init.offset }) };
  const error = new HeddleError(errorCodeOf(status, init.local !== true), `gRPC status ${grpcStatusName(status)} (${status}): ${message}`, where);
  return Object.assign(error, {
    grpcStatus: status,
    grpcMessage: message,
    ...(init.details === undefined ? {} : { details: init.details }),
    ...(init.metadata === undefined ? {} : { metadata: init.metadata }),
  });
}

/** True for an error carrying a gRPC status. */
export function isGrpcStatusError(error: unknown): error is GrpcStatusError {
  return error instanceof HeddleError && typeof (error as Partial<GrpcStatusError>).grpcStatus === 'number';
}

/** The status a server answers with for `error` thrown by a handler: its own status if it has
 * one; heddle's errors by code (a timeout is DEADLINE_EXCEEDED, bad input INVALID_ARGUMENT, ...);
 * UNKNOWN for anything else, as grpc-go does for a plain error. */
export function statusOfError(error: unknown): { status: number; message: string; details?: Uint8Array; metadata?: GrpcMetadata } {
  if (isGrpcStatusError(error)) {
    return { status: error.grpcStatus, message: error.grpcMessage, ...(error.details ? { details: error.details } : {}), ...(error.metadata ? { metadata: error.metadata } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (isBizStatusError(error)) {
    // As Kitex's gRPC server sends one: INTERNAL with the business message, and `biz-status` and
    // `biz-extra` (JSON, non-ASCII escaped so it fits a header) as trailers.
    const { code, message: bizMessage, extra } = error.bizStatus;
    const metadata: GrpcMetadata = { 'biz-status': String(code) };
    if (extra !== undefined) metadata['biz-extra'] = JSON.stringify(extra).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return { status: GrpcStatus.INTERNAL, message: bizMessage, metadata };
  }
  if (!(error instanceof HeddleError)) return { status: GrpcStatus.UNKNOWN, message };
  switch (error.code) {
    case ErrorCode.ERR_TIMEOUT:
      return { status: GrpcStatus.DEADLINE_EXCEEDED, message };
    case ErrorCode.ERR_CANCELLED:
      return { status: GrpcStatus.CANCELLED, message };
    case ErrorCode.ERR_INVALID_ARGUMENT:
    case ErrorCode.ERR_BAD_VALUE:
    case ErrorCode.ERR_REQUIRED_FIELD:
      return { status: GrpcStatus.INVALID_ARGUMENT, message };
    case ErrorCode.ERR_SIZE_LIMIT:
      return { status: GrpcStatus.RESOURCE_EXHAUSTED, message };
    case ErrorCode.ERR_CONNECTION:
      return { status: GrpcStatus.UNAVAILABLE, message };
    default:
      return { status: GrpcStatus.UNKNOWN, message };
  }
}

/** The status a client reports for a response whose HTTP status is not 200 and that carries no
 * grpc-status (grpc/grpc doc/http-grpc-status-mapping.md). */
export function statusOfHttp(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

/** grpc-message is percent-encoded: bytes outside printable ASCII and '%' itself (grpc's
 * PROTOCOL-HTTP2.md "Status-Message"). */
export function encodeGrpcMessage(message: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x20-\x24\x26-\x7e]/.test(message)) return message;
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of {@link encodeGrpcMessage}; a malformed escape is kept as it is, as the spec asks. */
export function decodeGrpcMessage(value: string): string {
  if (!value.includes('%')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < value.length && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(c & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
