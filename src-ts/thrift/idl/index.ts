/**
 * The Thrift IDL front end: source text in, resolved {@link ThriftModel} out.
 *
 * - `parseThriftModel(source, { filename, includes })` parses from memory;
 * - `loadThriftModel(path, { includeDirs })` reads a file and its includes from disk.
 *
 * Both accept the whole Apache Thrift 0.17 grammar (plus `uuid`) and throw `HeddleError` with
 * code ERR_IDL_SYNTAX or ERR_UNKNOWN_TYPE and the file, line and column of the problem.
 */
export { loadThriftModel, parseThriftModel } from './load.js';
export type { LoadOptions, ParseOptions } from './load.js';
