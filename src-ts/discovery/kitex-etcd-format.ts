import { ErrorCode, HeddleError } from '../errors.js';
import type { RegistryInfo, ServiceInstance } from './types.js';

/** The key prefix kitex-contrib/registry-etcd uses (no leading slash). */
export const KITEX_ETCD_PREFIX = 'kitex/registry-etcd';

/** The weight registry-etcd's resolver gives an instance registered with weight 0 or less. */
export const KITEX_DEFAULT_WEIGHT = 10;

/** `<prefix>/<service>/`: every instance of `service` sits under it. */
export function serviceKeyPrefix(prefix: string, service: string): string {
  return `${prefix}/${service}/`;
}

/** The key registry-etcd writes for one instance: `<prefix>/<service>/<host>:<port>`. */
export function instanceKey(prefix: string, service: string, address: string): string {
  return serviceKeyPrefix(prefix, service) + address;
}

/**
 * The value registry-etcd writes: compact JSON with the fields in Go's struct order
 * (`network`, `address`, `weight`, `tags`); tags `null` when the server has none (Go's nil map).
 */
export function encodeInstanceValue(network: 'tcp' | 'unix', address: string, info: Pick<RegistryInfo, 'weight' | 'tags'>): string {
  return JSON.stringify({ network, address, weight: info.weight, tags: info.tags ?? null });
}

/**
 * Reads one registry value as registry-etcd's resolver does: a weight of 0 or less (or none)
 * becomes {@link KITEX_DEFAULT_WEIGHT}. Throws HeddleError ERR_BAD_VALUE naming what is wrong,
 * for the caller to skip the entry with that reason.
 */
export function decodeInstanceValue(value: string): ServiceInstance {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HeddleError(ErrorCode.ERR_BAD_VALUE, 'not a JSON object');
  const { network, address, weight, tags } = parsed as Record<string, unknown>;
  if (network !== 'tcp' && network !== 'unix') throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `network ${JSON.stringify(network)} is neither "tcp" nor "unix"`);
  if (typeof address !== 'string' || address === '') throw new HeddleError(ErrorCode.ERR_BAD_VALUE, 'no address string');
  if (network === 'tcp' && !/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/.test(address)) {
    throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `address ${JSON.stringify(address)} is not host:port`);
  }
  if (weight !== undefined && weight !== null && !Number.isInteger(weight)) throw new HeddleError(ErrorCode.ERR_BAD_VALUE, `weight ${JSON.stringify(weight)} is not an integer`);
  if (tags !== undefined && tags !== null) {
    if (typeof tags !== 'object' || Array.isArray(tags) || Object.values(tags).some((v) => typeof v !== 'string')) {
      throw new HeddleError(ErrorCode.ERR_BAD_VALUE, 'tags is neither null nor an object of strings');
    }
  }
  const w = typeof weight === 'number' && weight > 0 ? weight : KITEX_DEFAULT_WEIGHT;
  return { network, address, weight: w, tags: (tags as Record<string, string> | null | undefined) ?? null };
}
