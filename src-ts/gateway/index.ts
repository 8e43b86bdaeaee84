/**
 * Gateway transcoding: JSON bytes to wire bytes and back with no JS object per field. So far in
 * TypeScript: `codec.fromJSON` and `codec.toJSON` on Thrift codecs (Kitex JSON generic
 * conventions) and on Protobuf codecs (ProtoJSON); see docs/gateway.md for what is done and what
 * is not yet.
 */
export type { FromJSONOptions, ToJSONOptions } from './thrift-json/index.js';
export type { ProtoFromJSONOptions } from './proto-json/from-json.js';
export type { ProtoToJSONOptions } from './proto-json/to-json.js';
export { fromIDL } from './http/index.js';
export type { GatewayHandler, GatewayOptions, RawCaller } from './http/index.js';
