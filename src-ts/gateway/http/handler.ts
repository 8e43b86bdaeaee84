/**
 * `gateway.fromIDL`: a `node:http` request handler that routes by method and path from the IDL's
 * HTTP mapping, binds the request into the RPC's argument bytes, calls the service with
 * `callRaw`, and renders the reply bytes as JSON, with no JavaScript object per JSON field.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, HeddleError } from '../../errors.js';
import type { Root } from '../../protobuf/root.js';
import { createClient } from '../../rpc/client.js';
import type { TransportName } from '../../rpc/index.js';
import type { ThriftDocument } from '../../thrift/document.js';
import { errorResponse, type ErrorStage } from './http-errors.js';
import type { HttpRoute } from './operation.js';
import { protoRoutes } from './proto-mapping.js';
import { parseUrlEncoded, splitTarget } from './request-text.js';
import { compareSpecificity, matchTemplate } from './route-template.js';
import { thriftRoutes } from './thrift-mapping.js';

/** What the gateway calls: an `rpc.createClient` client (gRPC too), a discovery client, or anything with `callRaw`. */
export interface RawCaller {
  callRaw(method: string, argsBytes: Uint8Array, options?: { timeoutMs?: number }): Promise<Uint8Array>;
}

export interface GatewayOptions {
  /** A Thrift document (`api.*` annotations) or a Protobuf root (`google.api.http` rules). */
  idl: ThriftDocument | Root;
  /** The service whose annotated methods become routes. */
  service: string;
  /** The client to call through; or give `address` and the gateway makes one (and closes it in `close()`). */
  client?: RawCaller;
  address?: string;
  /** The client the gateway makes: a Kitex transport (default `ttheader`), or `grpc` for a
   * Protobuf service, as grpc-gateway calls gRPC servers. */
  transport?: TransportName | 'grpc';
  /** Thrift protocol of the argument and reply bytes; must match the client's. Default `binary`. */
  protocol?: 'binary' | 'compact';
  /** Largest request body read, in bytes; a larger one is 413. Default 1 MiB. */
  maxBodySize?: number;
  /** Per-call deadline passed to `callRaw`; default the client's. */
  timeoutMs?: number;
  /** Protobuf: write zero values in responses, as grpc-gateway's EmitUnpopulated. Default true. */
  emitDefaultValues?: boolean;
  /** Protobuf: skip unknown JSON members, as grpc-gateway's DiscardUnknown. Default true. */
  ignoreUnknownFields?: boolean;
}

/** A `(req, res)` handler for `http.createServer`, with its routes and a `close()` for the client it made. */
export interface GatewayHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  readonly routes: ReadonlyArray<{ method: string; path: string; rpcMethod: string }>;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 1 << 20;
const JSON_TYPE = 'application/json; charset=utf-8';

function isProtobufRoot(idl: unknown): idl is Root {
  return typeof (idl as Root | undefined)?.lookupService === 'function';
}

/** A node:http handler serving `options.service`'s HTTP-mapped methods through a heddle client. */
export function fromIDL(options: GatewayOptions): GatewayHandler {
  const maxBodySize = options.maxBodySize ?? DEFAULT_MAX_BODY;
  if (!Number.isInteger(maxBodySize) || maxBodySize < 0) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `maxBodySize must be a non-negative integer, got ${maxBodySize}`);
  const routes = isProtobufRoot(options.idl)
    ? protoRoutes(options.idl, options.service, { emitDefaultValues: options.emitDefaultValues ?? true, ignoreUnknownFields: options.ignoreUnknownFields ?? true })
    : thriftRoutes(options.idl, options.service, { protocol: options.protocol ?? 'binary', maxSize: Math.max(maxBodySize, 1 << 20) * 4 });
  if (routes.length === 0) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `${options.service} has no HTTP-mapped methods (api.get/post/... annotations or google.api.http rules)`);
  const router = new Router(routes);
  let ownClient: { close(): Promise<void> } | undefined;
  let client = options.client;
  if (client === undefined) {
    if (options.address === undefined) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'fromIDL needs a client or an address');
    const made = options.transport === 'grpc'
      ? createClient({ idl: options.idl, service: options.service, address: options.address, transport: 'grpc' })
      : createClient({
        idl: options.idl,
        service: options.service,
        address: options.address,
        ...(options.transport === undefined ? {} : { transport: options.transport }),
        ...(options.protocol === undefined || isProtobufRoot(options.idl) ? {} : { protocol: options.protocol }),
      });
    client = made;
    ownClient = made;
  }
  const caller = client;
  const callOptions = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };

  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    const { segments, query } = splitTarget(req.url ?? '/');
    let found: ReturnType<Router['match']>;
    try {
      found = router.match(req.method ?? 'GET', segments);
    } catch (matchError) {
      sendError(res, matchError, 'request');
      return;
    }
    if (found === undefined) {
      sendError(res, new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `no route for ${req.method} ${req.url}`), 'request', 404);
      return;
    }
    readBody(req, maxBodySize, (error, body) => {
      if (error !== undefined) {
        sendError(res, error, 'request');
        if (error.code === ErrorCode.ERR_SIZE_LIMIT) res.once('finish', () => req.destroy());
        return;
      }
      let args: Uint8Array;
      try {
        args = found!.route.operation.bind({ path: found.values, query: parseUrlEncoded(query, 'the query string'), headers: req.headers, body: body! });
      } catch (bindError) {
        sendError(res, bindError, 'request');
        return;
      }
      caller.callRaw(found.route.operation.rpcMethod, args, callOptions).then(
        (reply) => {
          // Everything that reads the reply is inside: a value node:http refuses (a status, a
          // header) answers 502 instead of escaping as an unhandled rejection.
          try {
            const rendered = found.route.operation.render(reply);
            res.statusCode = httpStatusOf(rendered.status);
            for (const [name, value] of rendered.headers) res.appendHeader(name, headerText(value));
            res.setHeader('content-type', JSON_TYPE);
            res.setHeader('content-length', rendered.body.length);
            res.end(rendered.body);
          } catch (renderError) {
            // Headers of the reply appended before the failure must not ride on the error.
            if (!res.headersSent) for (const name of res.getHeaderNames()) res.removeHeader(name);
            sendError(res, renderError, 'reply');
          }
        },
        (callError) => sendError(res, callError, 'call'),
      );
    });
  }) as GatewayHandler;
  Object.defineProperty(handler, 'routes', {
    value: routes.map((r) => ({ method: r.httpMethod, path: r.template.source, rpcMethod: r.operation.rpcMethod })),
  });
  handler.close = async () => {
    await ownClient?.close();
  };
  return handler;
}

/** The status a reply's `api.http_code` asks for: 0 is unset (200, as Hertz writes it); anything
 * else outside 100-599 is a reply the gateway cannot render. */
function httpStatusOf(code: number): number {
  if (code === 0) return 200;
  if (Number.isInteger(code) && code >= 100 && code <= 599) return code;
  throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `the reply's HTTP status ${code} is outside 100-599`);
}

/**
 * A header value as Go servers put it on the wire: its UTF-8 bytes (node:http takes a header
 * string as Latin-1, one byte a character, and refuses anything above U+00FF), with CR, LF and the
 * other control characters node:http refuses turned into spaces (Go's net/http does the same to
 * newlines), so no reply value can end the header or start another.
 */
function headerText(value: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = value.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ');
  return /[^\u0000-\u007f]/.test(safe) ? Buffer.from(safe, 'utf8').toString('latin1') : safe;
}

function sendError(res: ServerResponse, error: unknown, stage: ErrorStage, status?: number): void {
  const response = errorResponse(error, stage);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status ?? response.status;
  res.setHeader('content-type', JSON_TYPE);
  res.setHeader('content-length', response.body.length);
  res.end(response.body);
}

/** Reads the whole body, up to `limit` bytes; over it, ERR_SIZE_LIMIT (as soon as Content-Length says so). */
function readBody(req: IncomingMessage, limit: number, done: (error: HeddleError | undefined, body?: Buffer) => void): void {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    done(new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `request body of ${declared} bytes is over the ${limit}-byte limit`));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  req.on('data', (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > limit) {
      finished = true;
      chunks.length = 0;
      done(new HeddleError(ErrorCode.ERR_SIZE_LIMIT, `request body is over the ${limit}-byte limit`));
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (finished) return;
    finished = true;
    done(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  });
  req.on('error', (error) => {
    if (finished) return;
    finished = true;
    done(new HeddleError(ErrorCode.ERR_CONNECTION, `reading the request body failed: ${error.message}`, { cause: error }));
  });
}

/** Routes by HTTP method, most specific template first; fully literal paths in a map. */
class Router {
  private readonly literal = new Map<string, HttpRoute>();
  private readonly templated = new Map<string, HttpRoute[]>();

  constructor(routes: readonly HttpRoute[]) {
    for (const route of routes) {
      const isLiteral = route.template.variables.length === 0 && route.template.verb === undefined && route.template.segments.every((s) => s.kind === 'literal');
      if (isLiteral) {
        const key = `${route.httpMethod} ${route.template.source}`;
        if (this.literal.has(key)) throw duplicate(route);
        this.literal.set(key, route);
        continue;
      }
      let list = this.templated.get(route.httpMethod);
      if (list === undefined) this.templated.set(route.httpMethod, (list = []));
      if (list.some((other) => other.template.source === route.template.source)) throw duplicate(route);
      list.push(route);
    }
    for (const list of this.templated.values()) list.sort((a, b) => compareSpecificity(a.template, b.template));
  }

  match(method: string, segments: readonly string[]): { route: HttpRoute; values: Map<string, string> } | undefined {
    const literal = this.literal.get(`${method} /${segments.join('/')}`);
    if (literal !== undefined) return { route: literal, values: new Map() };
    const list = this.templated.get(method);
    if (list === undefined) return undefined;
    for (const route of list) {
      const values = matchTemplate(route.template, segments);
      if (values !== undefined) return { route, values };
    }
    return undefined;
  }
}

function duplicate(route: HttpRoute): HeddleError {
  return new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `two methods are mapped to ${route.httpMethod} ${route.template.source}`);
}
