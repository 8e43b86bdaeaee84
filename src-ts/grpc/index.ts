/**
 * gRPC over HTTP/2 as one more transport of heddle's RPC core: a client
 * (`rpc.createClient({ transport: 'grpc' })`, on heddle's own HTTP/2 engine or node:http2) and the
 * gRPC side (on either engine) of `rpc.createServer`, which takes connections that start with the
 * HTTP/2 preface, or a TLS handshake, on the same port as TTHeader and Framed. Unary and
 * all three streaming kinds as async iterables, deadlines, metadata, status codes, cancellation,
 * gzip, keepalive, flow control and message size limits.
 */
export { GrpcClient } from './client.js';
export type { GrpcCallOptions, GrpcClientContext, GrpcClientOptions, GrpcResponseStream, Http2Engine } from './client.js';
export type { GrpcContext } from './context.js';
export type { GrpcServerOptions } from './server.js';
export type { KeepaliveOptions } from './keepalive.js';
export type { GrpcClientTlsOptions, GrpcServerTlsOptions, PemInput } from './tls.js';
export type { GrpcMetadata } from './metadata.js';
export { GrpcStatus, grpcStatusError, grpcStatusName, isGrpcStatusError } from './status.js';
export type { GrpcStatusCode, GrpcStatusError, GrpcStatusInit } from './status.js';
export { encodeGrpcTimeout, parseGrpcTimeout } from './timeout.js';
