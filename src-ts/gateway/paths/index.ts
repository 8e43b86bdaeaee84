/**
 * Field paths on raw Thrift bytes: compiled paths, `peek`/`peekMany`, `patch` and `project`
 * (docs/gateway.md, "Field paths"). Thrift codecs expose them as methods; this module holds the
 * implementation and its types.
 */
export { CompiledPath } from './compile-path.js';
export type { PieceOutputOptions } from './pieces.js';
export { ThriftPaths } from './thrift-paths.js';
