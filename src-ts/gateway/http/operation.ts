/** What the IDL mappings (Thrift api.* annotations, google.api.http) give the HTTP handler. */
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteTemplate, PathValues } from './route-template.js';
import type { ParamValues } from './request-text.js';

/** One request's parts, as a binding reads them. */
export interface HttpRequestParts {
  path: PathValues;
  query: ParamValues;
  headers: IncomingHttpHeaders;
  /** The body, whole (bounded by the handler's `maxBodySize`); empty when there is none. */
  body: Buffer;
}

/** A response ready to write: status, headers and the JSON body bytes. */
export interface RenderedResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

/** One RPC method reached over HTTP: the request bound to argument bytes, the reply rendered. */
export interface HttpOperation {
  readonly rpcMethod: string;
  /** The method's argument bytes (Thrift args struct, Protobuf request message). Throws HeddleError on bad input. */
  bind(request: HttpRequestParts): Uint8Array;
  /** The reply bytes `callRaw` resolved to, as an HTTP response. */
  render(reply: Uint8Array): RenderedResponse;
}

export interface HttpRoute {
  /** Upper-case HTTP method. */
  httpMethod: string;
  template: RouteTemplate;
  operation: HttpOperation;
}
