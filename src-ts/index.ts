/**
 * heddle: Kitex-compatible RPC, run-time Thrift and Protobuf codecs, zero-copy linked buffers and
 * shmipc-compatible shared memory for Node.js.
 */
export { native } from './native.js';
export type { NativeStatus } from './native.js';
export { HeddleError, ErrorCode } from './errors.js';
export type { ErrorLocation, HeddleErrorOptions } from './errors.js';
export { LinkBuffer } from './buffer/index.js';
export * as thrift from './thrift/index.js';
export * as protobuf from './protobuf/index.js';
export * as transport from './transport/index.js';
export * as rpc from './rpc/index.js';
export * as grpc from './grpc/index.js';
export * as shm from './shm/index.js';
export * as discovery from './discovery/index.js';
export * as governance from './governance/index.js';
export * as log from './log/index.js';
export * as gateway from './gateway/index.js';
export type { FromJSONOptions, ToJSONOptions, ProtoFromJSONOptions, ProtoToJSONOptions } from './gateway/index.js';
