/**
 * Kitex-compatible RPC over TCP and Unix sockets: `createServer` and `createClient` from a Thrift
 * IDL, with TTHeader, Framed and buffered transports, a pool of long connections or multiplexed
 * calls, middleware, timeouts and graceful shutdown, on the native epoll/readv/writev path when
 * the addon is loaded.
 */
export { createClient, RpcClient } from './client.js';
export type { CallOptions, ClientOptions } from './client.js';
export { createServer, RpcServer } from './server.js';
export type { CloseOptions, Handler, ServerLogEntry, ServerOptions } from './server.js';
export type { Invoke, Middleware, RpcContext } from './context.js';
export { formatAddress, parseAddress } from './address.js';
export type { RpcAddress } from './address.js';
export type { IoPath } from './connect.js';
export type { TransportName } from './wire.js';
