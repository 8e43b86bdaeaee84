/**
 * Field paths on raw Thrift and Protobuf bytes: compiled paths, `peek`/`peekMany`, `patch` and
 * `project` (docs/gateway.md, "Field paths"). Thrift and Protobuf codecs expose them as methods;
 * this module holds the implementation and its types.
 */
export { CompiledPath } from './compile-path.js';
export type { PieceOutputOptions } from './pieces.js';
export { CompiledProtoPath } from './proto-path-compile.js';
export { ProtoPaths } from './proto-paths.js';
export { ThriftPaths } from './thrift-paths.js';
