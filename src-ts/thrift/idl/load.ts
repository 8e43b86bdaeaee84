/**
 * Finding, reading and parsing a root file and everything it includes, from an in-memory map
 * (`parseThriftModel`) or from disk (`loadThriftModel`), then resolving them into one model.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { ErrorCode, HeddleError } from '../../errors.js';
import type { ThriftModel } from '../model.js';
import type { IncludeNode } from './ast.js';
import { parseFile } from './parser.js';
import { resolveModel } from './resolve.js';
import { programName, type SourceFile } from './source-file.js';

export interface ParseOptions {
  /** The name the root file is known by, in error messages and locations. Its base name without
   * `.thrift` is the prefix of its definitions' keys. Default `input.thrift`. */
  filename?: string;
  /** Source text of included files, keyed by include path as written (`include "x.thrift"`);
   * a key also matches an include with the same base name. */
  includes?: Record<string, string>;
}

export interface LoadOptions {
  /** Directories searched for includes after the directory of the including file, in order. */
  includeDirs?: string[];
}

/** A file found for an include: `id` tells two includes of the same file apart from two files. */
interface Found {
  id: string;
  filename: string;
  source: string;
  path?: string;
}

/** Locates an include written in file `from`; returns an error message when it cannot. */
type Locate = (include: string, from: Found) => Found | string;

/**
 * Parses Thrift IDL source into a resolved model. Includes are looked up in `options.includes`.
 * Throws `HeddleError` with code ERR_IDL_SYNTAX or ERR_UNKNOWN_TYPE, carrying file, line and column.
 */
export function parseThriftModel(source: string, options: ParseOptions = {}): ThriftModel {
  if (typeof source !== 'string') {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `source must be a string, got ${typeof source}`);
  }
  const filename = options.filename ?? 'input.thrift';
  if (typeof filename !== 'string' || filename === '') {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'options.filename must be a non-empty string');
  }
  const table = new Map<string, string>(Object.entries(options.includes ?? {}));
  for (const [key, text] of table) {
    if (typeof text !== 'string') {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `options.includes["${key}"] must be the file's source text, got ${typeof text}`);
    }
  }
  table.set(filename, source);
  const root: Found = { id: filename, filename, source };
  return build(root, (include, from) => locateInMemory(table, include, from));
}

/**
 * Reads a Thrift file and every file it includes from disk and resolves them into a model.
 * Includes are searched relative to the including file, then in `options.includeDirs`.
 */
export function loadThriftModel(path: string, options: LoadOptions = {}): ThriftModel {
  if (typeof path !== 'string' || path === '') {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'path must be a non-empty string');
  }
  const root = readFound(path);
  if (root === undefined) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `cannot read Thrift file ${path}: no such file`);
  }
  const dirs = options.includeDirs ?? [];
  return build(root, (include, from) => {
    const candidates = isAbsolute(include) ? [include] : [join(dirname(from.filename), include), ...dirs.map((d) => join(d, include))];
    for (const candidate of candidates) {
      const found = readFound(candidate);
      if (found !== undefined) return found;
    }
    return `cannot find include "${include}" (looked in: ${candidates.map((c) => dirname(c)).join(', ')})`;
  });
}

function readFound(path: string): Found | undefined {
  let real: string;
  try {
    real = realpathSync(path);
    if (!statSync(real).isFile()) return undefined;
  } catch {
    return undefined;
  }
  try {
    return { id: real, filename: path, source: readFileSync(real, 'utf8'), path: real };
  } catch (cause) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `cannot read Thrift file ${path}`, { cause });
  }
}

/** Exact key, then the path relative to the including file, then a unique base-name match. */
function locateInMemory(table: Map<string, string>, include: string, from: Found): Found | string {
  const tryKey = (key: string): Found | undefined => {
    const source = table.get(key);
    return source === undefined ? undefined : { id: key, filename: key, source };
  };
  const normalized = posix.normalize(include);
  const relative = posix.normalize(posix.join(posix.dirname(from.filename), include));
  const exact = tryKey(include) ?? tryKey(normalized) ?? tryKey(relative);
  if (exact !== undefined) return exact;
  const base = posix.basename(include);
  const matches = [...table.keys()].filter((k) => posix.basename(k) === base);
  if (matches.length === 1) return tryKey(matches[0]!)!;
  if (matches.length > 1) return `include "${include}" is ambiguous: it matches ${matches.map((m) => `"${m}"`).join(', ')} in options.includes`;
  return `cannot find include "${include}": pass its source in options.includes (under "${include}" or "${base}")`;
}

/** Parses the root and, depth first, every include; refuses cycles and prefix clashes. */
function build(root: Found, locate: Locate): ThriftModel {
  const files: SourceFile[] = [];
  /** Files parsed completely, by id. */
  const indexById = new Map<string, number>();
  const byPrefix = new Map<string, Found>();
  /** Files on the current include path, for cycle detection. */
  const stack: Found[] = [];

  const visit = (found: Found, site?: { file: SourceFile; include: IncludeNode }): number => {
    const onPath = stack.findIndex((f) => f.id === found.id);
    if (onPath >= 0) {
      const cycle = [...stack.slice(onPath), found].map((f) => f.filename);
      throw siteError(site!, `include cycle: ${cycle.join(' -> ')}`);
    }
    const known = indexById.get(found.id);
    if (known !== undefined) return known;
    const prefix = programName(found.filename);
    const clash = byPrefix.get(prefix);
    if (clash !== undefined) {
      throw siteError(site!, `"${found.filename}" and "${clash.filename}" are different files with the same include prefix '${prefix}': rename one`);
    }
    byPrefix.set(prefix, found);
    const file: SourceFile = { node: parseFile(found.source, found.filename), prefix, includes: new Map() };
    if (found.path !== undefined) file.path = found.path;
    // The index is taken before the includes are parsed, so the root comes first.
    const index = files.push(file) - 1;
    stack.push(found);
    for (const include of file.node.includes) {
      const target = locate(include.path, found);
      if (typeof target === 'string') throw siteError({ file, include }, target);
      const targetIndex = visit(target, { file, include });
      file.includes.set(files[targetIndex]!.prefix, targetIndex);
    }
    stack.pop();
    indexById.set(found.id, index);
    return index;
  };

  visit(root);
  return resolveModel(files);
}

function siteError(site: { file: SourceFile; include: IncludeNode }, message: string): HeddleError {
  return new HeddleError(ErrorCode.ERR_IDL_SYNTAX, message, {
    file: site.file.node.filename,
    line: site.include.pos.line,
    column: site.include.pos.column,
  });
}
