/**
 * Gateway transcoding: JSON bytes to wire bytes and back with no JS object per field. So far the
 * Thrift half in TypeScript (`codec.fromJSON`, `codec.toJSON` on Thrift codecs); see
 * docs/gateway.md for what is done and what is not yet.
 */
export type { FromJSONOptions, ToJSONOptions } from './thrift-json/index.js';
