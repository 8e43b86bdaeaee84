import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { HeddleError } from '../../errors.js';
import { loadProtoFile } from '../../protobuf/descriptor/file-loader.js';
import { DescriptorPool } from '../../protobuf/descriptor/pool.js';
import { Root } from '../../protobuf/root.js';

/**
 * Loads .proto files as proto-loader finds them: a name is looked up in the include directories,
 * then taken as a path (relative to the working directory); imports are looked up in the include
 * directories, then beside the file that was asked for, then among the built-in well-known types.
 * All files share one pool, so they may import each other.
 */
export function loadRoot(filenames: string | string[], includeDirs: readonly string[] = []): Root {
  const dirs = includeDirs.map((dir) => resolve(dir));
  const pool = new DescriptorPool();
  const files = [];
  for (const filename of Array.isArray(filenames) ? filenames : [filenames]) {
    const { name, path } = locate(filename, dirs);
    const searched = [...dirs, dirname(path)];
    const source = readSource(path, false)!;
    try {
      files.push(loadProtoFile(pool, name, source, (importPath) => {
        for (const dir of searched) {
          const found = readSource(join(dir, importPath), true);
          if (found !== undefined) return found;
        }
        return undefined;
      }));
    } catch (error) {
      if (error instanceof HeddleError && error.code === 'ERR_UNKNOWN_TYPE' && error.message.includes('was not found')) {
        throw new HeddleError('ERR_UNKNOWN_TYPE', `${error.message.replace(/ \(.*\)$/, '')} Searched: ${searched.join(', ')}`, {
          ...(error.file === undefined ? {} : { file: error.file }),
          ...(error.line === undefined ? {} : { line: error.line, column: error.column }),
          cause: error,
        });
      }
      throw error;
    }
  }
  return new Root(pool, files);
}

/** Where `filename` is, and its name in descriptors: relative to the include directory it is in. */
function locate(filename: string, dirs: readonly string[]): { name: string; path: string } {
  if (!isAbsolute(filename)) {
    for (const dir of dirs) {
      const path = join(dir, filename);
      if (readSource(path, true) !== undefined) return { name: filename.split(sep).join('/'), path };
    }
  }
  const path = resolve(filename);
  for (const dir of dirs) {
    if (path.startsWith(dir + sep)) return { name: relative(dir, path).split(sep).join('/'), path };
  }
  if (readSource(path, true) === undefined) {
    throw new HeddleError('ERR_INVALID_ARGUMENT', `${filename} not found in any of the include paths ${dirs.join(', ') || '(none)'} nor at ${path}`);
  }
  return { name: relative(dirname(path), path).split(sep).join('/'), path };
}

function readSource(path: string, optional: boolean): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (optional && (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR')) return undefined;
    throw new HeddleError('ERR_INVALID_ARGUMENT', `cannot read ${path}`, { cause: error });
  }
}
