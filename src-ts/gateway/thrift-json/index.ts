/**
 * Thrift JSON transcoding (Kitex JSON generic conventions), the TypeScript implementation.
 *
 * It lives under `gateway/` rather than `thrift/` because it is the first piece of the gateway
 * subsystem (DESIGN.md: JSON <-> wire transcoders, HTTP mapping, paths); the Thrift codec only
 * holds its descriptor table and forwards `fromJSON`/`toJSON` here.
 */
export { buildDescriptor, type StructDesc } from './descriptor.js';
export { jsonToWire, type FromJSONOptions, type TranscodeLimits } from './from-json.js';
export { wireToJson, type ToJSONOptions } from './to-json.js';
export { ThriftJsonTranscoder } from './transcoder.js';
