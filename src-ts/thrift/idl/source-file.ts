import type { FileNode } from './ast.js';

/** One parsed file of a model, with its includes already located. */
export interface SourceFile {
  node: FileNode;
  /** The include prefix: the base name without its extension (`shared` for `idl/shared.thrift`). */
  prefix: string;
  /** Absolute path, for files read from disk. */
  path?: string;
  /** Include prefix → index in the file list, for the files this one includes directly. */
  includes: Map<string, number>;
}

/** The include prefix of a file name, as the compiler's `program_name` computes it. */
export function programName(filename: string): string {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot < 0 ? base : base.slice(0, dot);
}
