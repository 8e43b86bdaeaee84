/**
 * Errors as HTTP responses. Request errors (bad JSON, a bad path or query value, a missing
 * required field) are 400 with the HeddleError's code, JSON byte offset and field path; a body
 * over the limit is 413. RPC errors: a gRPC status maps as grpc-gateway's HTTPStatusFromCode maps
 * it; Kitex's application exceptions (TApplicationException) and business status errors are 500
 * with their message (and the biz status code); timeouts 504, no connection or instance 503. A
 * reply the gateway cannot render is 502.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { BizStatus } from '../../rpc/biz-status.js';

/** grpc-gateway's HTTPStatusFromCode, indexed by gRPC status code. */
const HTTP_STATUS_OF_GRPC = [200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401];

export type ErrorStage = 'request' | 'call' | 'reply';

export interface ErrorResponse {
  status: number;
  body: Buffer;
}

export function errorResponse(error: unknown, stage: ErrorStage): ErrorResponse {
  const heddle = error instanceof HeddleError ? error : undefined;
  const code = heddle?.code ?? 'ERR_INTERNAL';
  const body: Record<string, unknown> = { code, message: heddle?.message ?? String(error) };
  if (heddle?.offset !== undefined) body['offset'] = heddle.offset;
  if (heddle?.path !== undefined) body['path'] = heddle.path;
  const grpcStatus = (error as { grpcStatus?: unknown } | undefined)?.grpcStatus;
  if (typeof grpcStatus === 'number') body['grpcStatus'] = grpcStatus;
  const bizStatus = (error as { bizStatus?: BizStatus } | undefined)?.bizStatus;
  if (bizStatus !== undefined) body['bizStatus'] = { code: bizStatus.code, message: bizStatus.message };
  return { status: statusOf(heddle, stage, grpcStatus), body: Buffer.from(JSON.stringify({ error: body })) };
}

function statusOf(error: HeddleError | undefined, stage: ErrorStage, grpcStatus: unknown): number {
  if (stage === 'request') return error?.code === ErrorCode.ERR_SIZE_LIMIT ? 413 : error === undefined ? 500 : 400;
  if (stage === 'reply') return 502;
  if (typeof grpcStatus === 'number') return HTTP_STATUS_OF_GRPC[grpcStatus] ?? 500;
  switch (error?.code) {
    case ErrorCode.ERR_TIMEOUT:
      return 504;
    case ErrorCode.ERR_CONNECTION:
    case ErrorCode.ERR_NO_INSTANCE:
    case ErrorCode.ERR_DISCOVERY:
    case ErrorCode.ERR_CIRCUIT_OPEN:
      return 503;
    case ErrorCode.ERR_CANCELLED:
      return 499;
    default:
      return 500;
  }
}
