import { ErrorCode, HeddleError } from '../errors.js';
import type { Resolver, ServiceInstance } from './types.js';

/** An entry of {@link staticResolver}: `host:port`, or an instance with a weight and tags. */
export type StaticInstance = string | { address: string; weight?: number; tags?: Record<string, string> | null; network?: 'tcp' | 'unix' };

/**
 * A resolver over a fixed list: every service name resolves to the same instances. For tests,
 * and for estates without a registry. Weights default to 10, as Kitex's.
 */
export function staticResolver(instances: readonly StaticInstance[]): Resolver {
  if (!Array.isArray(instances)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'discovery.static takes an array of instances');
  const list: ServiceInstance[] = instances.map((entry, i) => {
    const item = typeof entry === 'string' ? { address: entry } : entry;
    if (typeof item?.address !== 'string' || item.address === '') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.static: instance ${i} has no address`);
    const weight = item.weight ?? 10;
    if (!Number.isInteger(weight) || weight < 1) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.static: instance ${i} weight must be a positive integer, got ${weight}`);
    return Object.freeze({ network: item.network ?? 'tcp', address: item.address, weight, tags: item.tags ?? null });
  });
  return { resolve: async () => list.slice() };
}
