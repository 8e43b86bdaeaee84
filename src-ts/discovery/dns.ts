import { isIP } from 'node:net';
import { promises as dnsPromises } from 'node:dns';
import { ErrorCode, HeddleError } from '../errors.js';
import type { Resolver, ServiceInstance } from './types.js';
import { hostPort } from '../rpc/address.js';

/** Options of {@link dnsResolver}. */
export interface DnsDiscoveryOptions {
  /**
   * DNS servers to ask (`'10.0.0.10'`, `'127.0.0.1:5353'`, `'[::1]:53'`), bypassing the system
   * resolver: A and AAAA records are queried directly. Default: the system's resolver
   * (getaddrinfo, which reads /etc/hosts and the search domains of /etc/resolv.conf, as Go's
   * `net.LookupHost` does), so `echo.default.svc` works inside a Kubernetes pod.
   */
  servers?: string[];
  /** Only IPv4 (4) or only IPv6 (6) addresses. Default both. */
  family?: 0 | 4 | 6;
  /** The port when a target has none. Default 443, as kitex-contrib/resolver-dns. */
  defaultPort?: number;
  /** Weight of every instance. Default 10, Kitex's default. */
  weight?: number;
}

const DEFAULT_PORT = 443;
const DEFAULT_WEIGHT = 10;

/**
 * A resolver over DNS, for Kubernetes headless services (one A/AAAA record per ready pod) and any
 * name with several addresses. With a `target` (`host:port`), every service name resolves to that
 * target's addresses; without one, the client's `destService` is the target, as with
 * kitex-contrib/resolver-dns. Each address becomes a tcp instance of weight 10 on the target's
 * port, sorted so the list is stable between reads. DNS has no push, so clients converge through
 * their periodic reads (`refreshIntervalMs`, 5 s by default). A failed lookup, or one with no
 * address, rejects with ERR_DISCOVERY, so a client keeps its last list, as Kitex keeps its cache.
 */
export function dnsResolver(target?: string, options: DnsDiscoveryOptions = {}): Resolver {
  const defaultPort = options.defaultPort ?? DEFAULT_PORT;
  if (!Number.isInteger(defaultPort) || defaultPort < 1 || defaultPort > 65535) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.dns: defaultPort must be a port number, got ${options.defaultPort}`);
  }
  const weight = options.weight ?? DEFAULT_WEIGHT;
  if (!Number.isInteger(weight) || weight < 1) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.dns: weight must be a positive integer, got ${options.weight}`);
  const family = options.family ?? 0;
  if (family !== 0 && family !== 4 && family !== 6) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.dns: family must be 0, 4 or 6, got ${options.family}`);
  const fixed = target === undefined ? undefined : parseTarget(target, defaultPort);
  let lookup: (host: string) => Promise<string[]>;
  if (options.servers === undefined) {
    lookup = async (host) => (await dnsPromises.lookup(host, { all: true, family })).map((entry) => entry.address);
  } else {
    if (!Array.isArray(options.servers) || options.servers.length === 0) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'discovery.dns: servers must be a non-empty array');
    const resolver = new dnsPromises.Resolver();
    try {
      resolver.setServers(options.servers);
    } catch (error) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.dns: bad servers ${JSON.stringify(options.servers)}: ${(error as Error).message}`, { cause: error });
    }
    lookup = (host) => queryRecords(resolver, host, family);
  }
  return {
    async resolve(service: string): Promise<ServiceInstance[]> {
      const { host, port } = fixed ?? parseTarget(service, defaultPort);
      let addresses: string[];
      if (isIP(host) !== 0) addresses = [host];
      else {
        try {
          addresses = await lookup(host);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          throw new HeddleError(ErrorCode.ERR_DISCOVERY, `discovery.dns: resolving ${host} failed: ${code}`, { cause: error });
        }
      }
      const unique = [...new Set(addresses)].sort();
      if (unique.length === 0) throw new HeddleError(ErrorCode.ERR_DISCOVERY, `discovery.dns: ${host} has no address`);
      return unique.map((address) =>
        Object.freeze({ network: 'tcp' as const, address: hostPort(address, port), weight, tags: null }),
      );
    },
  };
}

/** A and AAAA records from the given servers; a name with records of one family only is fine. */
async function queryRecords(resolver: InstanceType<typeof dnsPromises.Resolver>, host: string, family: 0 | 4 | 6): Promise<string[]> {
  const queries: Array<Promise<string[]>> = [];
  if (family !== 6) queries.push(resolver.resolve4(host));
  if (family !== 4) queries.push(resolver.resolve6(host));
  const results = await Promise.allSettled(queries);
  const found = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  if (found.length > 0) return found;
  // Neither family answered: report the first failure that is not "no records of this type".
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as NodeJS.ErrnoException);
  const real = failures.find((e) => e.code !== 'ENODATA') ?? failures[0];
  if (real !== undefined) throw real;
  return [];
}

/** `host:port`, `[v6]:port`, a bare host or IP (port `defaultPort`); `:port` means localhost, as net.Dial. */
function parseTarget(target: string, defaultPort: number): { host: string; port: number } {
  if (typeof target !== 'string' || target === '') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'discovery.dns: the target is empty; give host:port');
  if (isIP(target) !== 0) return { host: target, port: defaultPort };
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(target);
  const plain = bracketed === null ? /^([^:\[\]]*)(?::(\d*))?$/.exec(target) : null;
  const match = bracketed ?? plain;
  if (match === null) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.dns: ${JSON.stringify(target)} is not host:port`);
  const portText = match[2];
  if (portText === '') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.dns: ${JSON.stringify(target)} has a colon but no port`);
  const port = portText === undefined ? defaultPort : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.dns: ${JSON.stringify(target)} has a bad port`);
  return { host: match[1] === '' ? 'localhost' : match[1]!, port };
}
