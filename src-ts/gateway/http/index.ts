/** HTTP mapping from the IDL (Thrift api.* annotations, google.api.http) and `gateway.fromIDL`. */
export { fromIDL } from './handler.js';
export type { GatewayHandler, GatewayOptions, RawCaller } from './handler.js';
