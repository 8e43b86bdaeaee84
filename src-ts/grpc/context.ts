import type { IncomingHttpHeaders } from 'node:http2';
import { ErrorCode, HeddleError } from '../errors.js';
import { MetaInfo, PERSISTENT_PREFIX, TRANSIENT_PREFIX } from '../transport/index.js';
import type { RpcContext } from '../rpc/context.js';
import { readMetadata, type GrpcMetadata } from './metadata.js';

/** HTTP header prefixes metainfo travels under over HTTP/2 (bytedance/gopkg metainfo, as Kitex
 * and Hertz use them): `rpc-transit-` for transient values, `rpc-persist-` for persistent ones. */
export const HTTP_TRANSIENT_PREFIX = 'rpc-transit-';
export const HTTP_PERSISTENT_PREFIX = 'rpc-persist-';

/** `KEY_NAME` -> `key-name`, the header form of a metainfo key. */
export function metainfoHeaderKey(prefix: string, key: string): string {
  return prefix + key.toLowerCase().replace(/_/g, '-');
}

/** The metainfo in request headers (`rpc-transit-*`, `rpc-persist-*`). */
export function metainfoOfHeaders(headers: IncomingHttpHeaders): MetaInfo {
  const info = new MetaInfo();
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (typeof value !== 'string') continue;
    if (key.startsWith(HTTP_TRANSIENT_PREFIX)) info.strInfo.set(TRANSIENT_PREFIX + key.slice(HTTP_TRANSIENT_PREFIX.length).toUpperCase().replace(/-/g, '_'), value);
    else if (key.startsWith(HTTP_PERSISTENT_PREFIX)) info.strInfo.set(PERSISTENT_PREFIX + key.slice(HTTP_PERSISTENT_PREFIX.length).toUpperCase().replace(/-/g, '_'), value);
  }
  return info;
}

/**
 * What a gRPC handler (and server middleware) sees besides the request: the RPC context every
 * transport gives, plus the request metadata, an AbortSignal that fires when the client cancels
 * or the deadline passes, and the response headers and trailers to send.
 */
export interface GrpcContext extends RpcContext {
  readonly transport: 'grpc';
  /** The request's custom metadata (`-bin` values as Uint8Array). */
  readonly metadata: GrpcMetadata;
  /** Aborted when the client cancels (RST_STREAM), the connection drops, or the deadline passes;
   * `signal.reason` is a HeddleError (ERR_CANCELLED, ERR_CONNECTION or ERR_TIMEOUT). */
  readonly signal: AbortSignal;
  /** Response header metadata, sent with the first message (or with the status when there is none).
   * Ignored once headers went out. */
  setHeader(metadata: GrpcMetadata): void;
  /** Trailer metadata, sent with the status. */
  setTrailer(metadata: GrpcMetadata): void;
}

/** @internal The server's context of one gRPC stream. */
export class GrpcServerContext implements GrpcContext {
  readonly side = 'server';
  readonly transport = 'grpc';
  seqId: number;
  readonly deadline: number | undefined;
  headerMetadata: GrpcMetadata | undefined;
  trailerMetadata: GrpcMetadata | undefined;
  headersSent = false;
  private controller: AbortController | undefined;
  private abortReason: HeddleError | undefined;
  private parsedMetadata: GrpcMetadata | undefined;
  private request: MetaInfo | undefined;
  private response: MetaInfo | undefined;

  constructor(
    readonly service: string,
    readonly method: string,
    readonly peer: string,
    streamId: number,
    timeoutMs: number | undefined,
    private readonly headers: IncomingHttpHeaders,
  ) {
    this.seqId = streamId;
    this.deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  }

  get metadata(): GrpcMetadata {
    return (this.parsedMetadata ??= readMetadata(this.headers));
  }

  get metainfo(): MetaInfo {
    return (this.request ??= metainfoOfHeaders(this.headers));
  }

  get responseMetainfo(): MetaInfo {
    return (this.response ??= new MetaInfo());
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** True once the call was cancelled or timed out. */
  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  /** @internal */
  abort(reason: HeddleError): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  setHeader(metadata: GrpcMetadata): void {
    if (this.headersSent) return;
    this.headerMetadata = { ...this.headerMetadata, ...metadata };
  }

  setTrailer(metadata: GrpcMetadata): void {
    this.trailerMetadata = { ...this.trailerMetadata, ...metadata };
  }
}

/** The error a cancelled server call's signal carries. */
export function cancelledError(what: string): HeddleError {
  return new HeddleError(ErrorCode.ERR_CANCELLED, what);
}
