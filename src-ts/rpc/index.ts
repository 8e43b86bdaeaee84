/**
 * Kitex-compatible RPC over TCP, Unix sockets and shared memory: `createServer` and
 * `createClient` from a Thrift IDL or a Protobuf root, with TTHeader, Framed and buffered
 * transports (Thrift messages or Kitex Protobuf), calls pipelined on a few connections (or a
 * pool of one call per connection, or multiplexed), middleware, timeouts, business status errors and graceful shutdown, on the native
 * epoll/readv/writev path when the addon is loaded. The core works from service bindings
 * (method tables), never from an IDL.
 */
export { createClient, PIPELINE_QUEUE_AGE_MS, PIPELINE_STALL_MS, RpcClient } from './client.js';
export type { CallOptions, ClientOptions, Sharing } from './client.js';
export { DiscoveryClient } from './discovery-client.js';
export type { DiscoveryCallOptions, DiscoveryClientOptions } from './discovery-client.js';
export type { MergedServerOptions, ServerRegistrationOptions } from './server-registration.js';
export type { LocalFirstOptions } from './local-routing.js';
export { createServer, RpcServer } from './server.js';
export type { CloseOptions, Handler, ServerLogEntry, ServerOptions } from './server.js';
export { createWorkerServer, WorkerServer } from './worker-server.js';
export type { PortSharing, WorkerServerOptions } from './worker-server.js';
export type { WorkerInfo } from './worker-protocol.js';
export type { Invoke, Middleware, RpcContext } from './context.js';
export type { CallRequest, MethodTypes, ServiceTypes, TypedClient, TypedGrpcClient, TypedHandlers } from './typed.js';
export type { CircuitBreakerConfig } from './governed-call.js';
export { enableCallScope } from './call-scope.js';
export { formatAddress, parseAddress } from './address.js';
export type { RpcAddress } from './address.js';
export type { IoPath } from './connect.js';
export type { TransportName } from './wire.js';
export { bindService } from './binding.js';
export type { BindingCodecOptions, BindingEncoding, BodyCodec, MethodBinding, ServiceBinding, ServiceIdl, StreamingKind } from './binding.js';
export { bizStatusError, isBizStatusError } from './biz-status.js';
export type { BizStatus, BizStatusError } from './biz-status.js';
export { GrpcClient, GrpcStatus, grpcStatusError, isGrpcStatusError } from '../grpc/index.js';
export type { GrpcCallOptions, GrpcClientContext, GrpcClientOptions, GrpcClientTlsOptions, GrpcContext, GrpcMetadata, GrpcResponseStream, GrpcServerOptions, GrpcServerTlsOptions, GrpcStatusError } from '../grpc/index.js';
