import { HeddleError } from '../../errors.js';
import { parseProtoFile } from '../parser/parse-file.js';
import type { ParsedFile, Position } from '../parser/parsed-file.js';
import { WELL_KNOWN_SOURCES } from '../wkt/well-known-sources.js';
import type { FileDescriptorProto } from './descriptor-proto.js';
import { linkFile } from './link-file.js';
import type { DescriptorPool } from './pool.js';

/** Finds the source of an imported file by its import path, or undefined if there is none. */
export type SourceResolver = (importPath: string) => string | undefined;

const DESCRIPTOR_FILE = 'google/protobuf/descriptor.proto';

/**
 * Parses `filename` and everything it imports, depth first, and links each file into `pool` once
 * its imports are there. Sources come from `resolve`, then from the built-in well-known types.
 */
export function loadProtoFile(pool: DescriptorPool, filename: string, source: string, resolve: SourceResolver): FileDescriptorProto {
  // Files being loaded, outermost first, each with the import statement it is resolving.
  const loading: Array<{ name: string; importAt?: Position }> = [];

  const sourceOf = (name: string): string | undefined => resolve(name) ?? WELL_KNOWN_SOURCES.get(name);

  const load = (name: string, text: string): FileDescriptorProto => {
    const done = pool.files.get(name);
    if (done !== undefined) return done;
    const entry: { name: string; importAt?: Position } = { name };
    loading.push(entry);
    const parsed = parseProtoFile(text, name);
    parsed.proto.dependency.forEach((dependency, i) => {
      entry.importAt = parsed.importPositions[i]!;
      loadImport(parsed, dependency, entry.importAt);
    });
    // Options are interpreted against descriptor.proto's types, imported or not.
    if (parsed.options.size > 0 && !pool.files.has(DESCRIPTOR_FILE) && name !== DESCRIPTOR_FILE) {
      load(DESCRIPTOR_FILE, sourceOf(DESCRIPTOR_FILE)!);
    }
    const linked = linkFile(pool, parsed);
    loading.pop();
    return linked;
  };

  const loadImport = (importer: ParsedFile, dependency: string, where: Position): void => {
    if (pool.files.has(dependency)) return;
    const cycle = loading.findIndex((l) => l.name === dependency);
    if (cycle >= 0) {
      // protoc reports the cycle where it starts: the first file's import of the next one.
      const first = loading[cycle]!;
      throw new HeddleError('ERR_IDL_SYNTAX',
        `File recursively imports itself: ${[...loading.slice(cycle).map((l) => l.name), dependency].join(' -> ')}`,
        { file: first.name, ...first.importAt });
    }
    const text = sourceOf(dependency);
    if (text === undefined) {
      throw new HeddleError('ERR_UNKNOWN_TYPE', `Import "${dependency}" was not found or had errors.`,
        { file: importer.filename, ...where });
    }
    load(dependency, text);
  };

  return load(filename, source);
}
