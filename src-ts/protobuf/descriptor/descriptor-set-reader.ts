import { HeddleError } from '../../errors.js';
import { descriptorRoot, Root } from '../root.js';
import { WELL_KNOWN_SOURCES } from '../wkt/well-known-sources.js';
import { DESCRIPTOR_FILE } from './bootstrap.js';
import type { FileDescriptorProto, FileDescriptorSet } from './descriptor-proto.js';
import { loadProtoFile } from './file-loader.js';
import { linkFile } from './link-file.js';
import { forEachOptionsHolder } from './options-walk.js';
import { DescriptorPool } from './pool.js';

/**
 * Loads a serialized FileDescriptorSet (from `protoc --descriptor_set_out` or `buf build`): decodes
 * it with heddle's own codec for descriptor.proto, links the files dependencies first (checking
 * them as protoc would), then reads custom options, which can only be decoded once the files that
 * define them are linked.
 */
export function readDescriptorSet(bytes: Uint8Array): Root {
  if (!(bytes instanceof Uint8Array)) {
    throw new HeddleError('ERR_INVALID_ARGUMENT', 'fromDescriptorSet expects the bytes of a FileDescriptorSet');
  }
  const set = descriptorRoot()
    .codec<FileDescriptorSet>('google.protobuf.FileDescriptorSet', { keepCase: true, keepUnknown: true })
    .decode(bytes);
  const byName = new Map<string, FileDescriptorProto>();
  for (const file of set.file) {
    if (file.name === undefined) throw new HeddleError('ERR_IDL_SYNTAX', 'a file in the descriptor set has no name');
    byName.set(file.name, file);
  }
  const pool = new DescriptorPool();
  const linking = new Set<string>();
  const link = (file: FileDescriptorProto): void => {
    const name = file.name!;
    if (pool.files.has(name)) return;
    if (linking.has(name)) {
      throw new HeddleError('ERR_IDL_SYNTAX', `File recursively imports itself: ${[...linking, name].join(' -> ')}`, { file: name });
    }
    linking.add(name);
    for (const dependency of file.dependency) {
      const inSet = byName.get(dependency);
      const builtIn = WELL_KNOWN_SOURCES.get(dependency);
      if (inSet !== undefined) link(inSet);
      else if (builtIn !== undefined) loadProtoFile(pool, dependency, builtIn, () => undefined);
      else {
        throw new HeddleError('ERR_UNKNOWN_TYPE', `Import "${dependency}" was not found in the descriptor set`, { file: name });
      }
    }
    linkFile(pool, { filename: name, proto: file, options: new Map(), positions: new Map(), importPositions: [] });
    linking.delete(name);
  };
  set.file.forEach(link);
  const root = new Root(pool, set.file);
  readCustomOptions(root);
  return root;
}

/**
 * Custom options arrive as unknown fields of the options messages (the first decode did not know
 * their extensions). Decode them again with codecs that do, and keep what is still unknown.
 */
function readCustomOptions(root: Root): void {
  if (!root.pool.files.has(DESCRIPTOR_FILE)) return;
  for (const file of root.pool.files.values()) {
    forEachOptionsHolder(file, (element, kind) => {
      const options = element.options as (Record<string, unknown> & { $unknown?: Uint8Array[] }) | undefined;
      if (options?.$unknown === undefined) return;
      const raw = Buffer.concat(options.$unknown);
      delete options.$unknown;
      const decoded = root.codec(`google.protobuf.${kind}`, { keepCase: true, keepUnknown: true }).decode(raw);
      for (const [key, value] of Object.entries(decoded)) {
        if (Array.isArray(value) && value.length === 0) continue;
        options[key] = value;
      }
    });
  }
}
