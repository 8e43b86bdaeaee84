import { DESCRIPTOR_PROTO } from '../wkt/descriptor-source.js';
import { loadProtoFile } from './file-loader.js';
import { DescriptorPool } from './pool.js';

/** The import path of descriptor.proto. */
export const DESCRIPTOR_FILE = 'google/protobuf/descriptor.proto';

let cached: DescriptorPool | undefined;

/**
 * A pool holding only the built-in descriptor.proto: the schema heddle reads and writes
 * FileDescriptorSets with when a root has no descriptor.proto of its own.
 */
export function descriptorPool(): DescriptorPool {
  if (cached === undefined) {
    const pool = new DescriptorPool();
    loadProtoFile(pool, DESCRIPTOR_FILE, DESCRIPTOR_PROTO, () => undefined);
    cached = pool;
  }
  return cached;
}
