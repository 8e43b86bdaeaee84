import { networkInterfaces } from 'node:os';
import type { Etcd3, Lease, Watcher } from 'etcd3';
import { ErrorCode, HeddleError } from '../errors.js';
import { decodeInstanceValue, encodeInstanceValue, instanceKey, KITEX_ETCD_PREFIX, serviceKeyPrefix } from './kitex-etcd-format.js';
import type { CallerInfo, CallerRegistry, Registry, RegistryInfo, Resolver, ServiceInstance } from './types.js';
import { hostPort } from '../rpc/address.js';

/** Options of {@link etcd}. */
export interface EtcdDiscoveryOptions {
  /** etcd client endpoints: `host:port` or `http(s)://host:port`. */
  endpoints: string[];
  /** Key prefix, without the trailing slash. Default `kitex/registry-etcd`, registry-etcd's. */
  prefix?: string;
  /** Lease TTL of each registration, in seconds. Default `KITEX_ETCD_REGISTRY_LEASE_TTL` from the
   * environment, else 60, as registry-etcd. */
  leaseTtlSeconds?: number;
  /** Where caller-only entries (merged deployment) go. Default `<prefix>-callers`: registry-etcd's
   * resolver reads `<prefix>/<service>` by prefix, so they must sit outside `<prefix>/`. */
  callerPrefix?: string;
  /** Called for each registry value the resolver skips, with the key and why (not JSON, no
   * address, ...). Default: skipped silently. */
  onSkip?: (key: string, reason: string) => void;
}

interface Registration {
  readonly key: string;
  readonly value: string;
  lease: Lease | undefined;
  stopped: boolean;
}

/**
 * Registry and resolver over etcd's v3 API, in kitex-contrib/registry-etcd's format: key
 * `kitex/registry-etcd/<service>/<host>:<port>`, value `{"network":"tcp","address":...,
 * "weight":10,"tags":null}` under a lease kept alive (and granted again if etcd drops it).
 * Go Kitex servers and clients using registry-etcd see heddle's instances and the other way round.
 *
 * Needs the `etcd3` package (an optional peer dependency), loaded on first use.
 */
export class EtcdDiscovery implements Registry, Resolver, CallerRegistry {
  readonly endpoints: readonly string[];
  readonly prefix: string;
  readonly callerPrefix: string;
  readonly leaseTtlSeconds: number;
  private readonly onSkip: ((key: string, reason: string) => void) | undefined;
  private client: Promise<Etcd3> | undefined;
  private readonly registrations = new Map<string, Registration>();
  private closed = false;

  constructor(options: EtcdDiscoveryOptions) {
    if (!Array.isArray(options?.endpoints) || options.endpoints.length === 0 || options.endpoints.some((e) => typeof e !== 'string' || e === '')) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'discovery.etcd: endpoints must be a non-empty array of "host:port" strings');
    }
    this.endpoints = options.endpoints.map((e) => (/^https?:\/\//.test(e) ? e : `http://${e}`));
    this.prefix = options.prefix ?? KITEX_ETCD_PREFIX;
    if (typeof this.prefix !== 'string' || this.prefix.endsWith('/')) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.etcd: prefix must be a string without a trailing slash, got ${JSON.stringify(this.prefix)}`);
    }
    this.callerPrefix = options.callerPrefix ?? `${this.prefix}-callers`;
    if (typeof this.callerPrefix !== 'string' || this.callerPrefix.endsWith('/') || `${this.callerPrefix}/`.startsWith(`${this.prefix}/`)) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.etcd: callerPrefix must be a string without a trailing slash, outside ${this.prefix}/, got ${JSON.stringify(this.callerPrefix)}`);
    }
    this.leaseTtlSeconds = options.leaseTtlSeconds ?? ttlFromEnvironment();
    if (!Number.isInteger(this.leaseTtlSeconds) || this.leaseTtlSeconds < 1) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `discovery.etcd: leaseTtlSeconds must be a positive integer, got ${this.leaseTtlSeconds}`);
    }
    this.onSkip = options.onSkip;
  }

  /**
   * Writes the instance's key under a new lease and keeps the lease alive. The registered host is
   * `KITEX_IP_TO_REGISTRY` when set, else the bound host, with an unspecified one (`""`, `::`,
   * `0.0.0.0`) replaced by this machine's first external IPv4 address; the port is
   * `KITEX_PORT_TO_REGISTRY` when set.
   */
  async register(info: RegistryInfo): Promise<void> {
    const address = addressToRegister(info.address);
    const key = instanceKey(this.prefix, checkServiceName(info.serviceName), address);
    await this.putLeased(key, encodeInstanceValue('tcp', address, info));
  }

  /** Deletes the instance's key and revokes its lease. */
  async deregister(info: RegistryInfo): Promise<void> {
    await this.deleteLeased(instanceKey(this.prefix, checkServiceName(info.serviceName), addressToRegister(info.address)));
  }

  /** Writes a caller-only entry, `<callerPrefix>/<service>/<id>` with the caller's tags as a JSON
   * object, under a lease kept alive like an instance's. */
  async registerCaller(info: CallerInfo): Promise<void> {
    await this.putLeased(instanceKey(this.callerPrefix, checkServiceName(info.serviceName), checkServiceName(info.id)), JSON.stringify(info.tags));
  }

  /** Deletes a caller-only entry and revokes its lease. */
  async deregisterCaller(info: CallerInfo): Promise<void> {
    await this.deleteLeased(instanceKey(this.callerPrefix, checkServiceName(info.serviceName), checkServiceName(info.id)));
  }

  /** The tags of every caller-only entry of `service`; values that are not objects of strings are skipped. */
  async resolveCallers(service: string): Promise<Array<Readonly<Record<string, string>>>> {
    const client = await this.etcd();
    const entries = await backend(`reading callers of ${service}`, client.getAll().prefix(serviceKeyPrefix(this.callerPrefix, checkServiceName(service))).strings());
    const callers: Array<Record<string, string>> = [];
    for (const [key, value] of Object.entries(entries)) {
      let tags: unknown;
      try {
        tags = JSON.parse(value);
      } catch {
        tags = undefined;
      }
      if (typeof tags === 'object' && tags !== null && !Array.isArray(tags) && Object.values(tags).every((v) => typeof v === 'string')) callers.push(tags as Record<string, string>);
      else this.onSkip?.(key, 'a caller entry is not a JSON object of strings');
    }
    return callers;
  }

  private async putLeased(key: string, value: string): Promise<void> {
    const registration: Registration = { key, value, lease: undefined, stopped: false };
    this.registrations.get(key)?.lease?.release();
    this.registrations.set(key, registration);
    await this.grantAndPut(registration);
  }

  private async deleteLeased(key: string): Promise<void> {
    const registration = this.registrations.get(key);
    this.registrations.delete(key);
    if (registration !== undefined) registration.stopped = true;
    const client = await this.etcd();
    await backend(`deleting ${key}`, client.delete().key(key).exec());
    if (registration?.lease !== undefined) await registration.lease.revoke().catch(() => undefined);
  }

  /** Reads every instance under `<prefix>/<service>/`; values that do not parse are skipped (see `onSkip`). */
  async resolve(service: string): Promise<ServiceInstance[]> {
    const client = await this.etcd();
    const entries = await backend(`reading ${service}`, client.getAll().prefix(serviceKeyPrefix(this.prefix, checkServiceName(service))).strings());
    const instances: ServiceInstance[] = [];
    for (const [key, value] of Object.entries(entries)) {
      try {
        instances.push(decodeInstanceValue(value));
      } catch (error) {
        this.onSkip?.(key, (error as Error).message);
      }
    }
    return instances;
  }

  /** Watches `<prefix>/<service>/` and calls `onChange` with a fresh read after every change. */
  watch(service: string, onChange: (instances: ServiceInstance[]) => void): () => void {
    let watcher: Watcher | undefined;
    let stopped = false;
    const reread = () => {
      if (!stopped) this.resolve(service).then((list) => !stopped && onChange(list), () => undefined);
    };
    this.etcd()
      .then((client) => client.watch().prefix(serviceKeyPrefix(this.prefix, checkServiceName(service))).create())
      .then((created) => {
        watcher = created;
        if (stopped) void created.cancel();
        // A reconnect may have missed events: read again, the client's periodic read backs this up.
        created.on('put', reread).on('delete', reread).on('connected', reread).on('error', () => undefined);
        // Changes made between the caller's first read and the watch taking hold were not seen.
        reread();
      }, () => undefined);
    return () => {
      stopped = true;
      void watcher?.cancel().catch(() => undefined);
    };
  }

  /** Stops keeping leases alive (registered keys expire after their TTL) and closes the etcd client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const registration of this.registrations.values()) {
      registration.stopped = true;
      registration.lease?.release();
    }
    this.registrations.clear();
    const client = await this.client?.catch(() => undefined);
    client?.close();
  }

  private async grantAndPut(registration: Registration): Promise<void> {
    const client = await this.etcd();
    if (registration.stopped) return;
    const lease = client.lease(this.leaseTtlSeconds);
    registration.lease = lease;
    // A lease etcd no longer knows (expired while partitioned, revoked by someone) is granted
    // again and the key written again, as registry-etcd does when it finds its key gone.
    lease.on('lost', () => {
      if (!registration.stopped && registration.lease === lease) this.regrant(registration, lease, 1000);
    });
    await backend(`registering ${registration.key}`, lease.put(registration.key).value(registration.value).exec());
    if (registration.stopped) await this.undoLatePut(client, registration, lease);
  }

  /**
   * A deregistration (or close) ran while the key was being written, so its delete may have come
   * first: revoke this lease, which drops the key if this write was the last, and put back a newer
   * registration's value if one took the key meanwhile.
   */
  private async undoLatePut(client: Etcd3, registration: Registration, lease: Lease): Promise<void> {
    await lease.revoke().catch(() => undefined);
    const newer = this.registrations.get(registration.key);
    if (newer !== undefined && !newer.stopped && newer.lease !== undefined) {
      await newer.lease.put(registration.key).value(newer.value).exec().catch(() => undefined);
    } else {
      await client.delete().key(registration.key).exec().catch(() => undefined);
    }
  }

  /** Grants a new lease and writes the key again after `delayMs`; while etcd refuses, tries again
   * with the delay doubled up to 10 s, until it succeeds or the registration is withdrawn. */
  private regrant(registration: Registration, lost: Lease, delayMs: number): void {
    setTimeout(() => {
      if (registration.stopped || registration.lease !== lost || this.closed) return;
      this.grantAndPut(registration).catch(() => {
        const failed = registration.lease;
        failed?.release();
        if (failed !== undefined) this.regrant(registration, failed, Math.min(delayMs * 2, 10_000));
      });
    }, delayMs).unref();
  }

  private etcd(): Promise<Etcd3> {
    if (this.closed) return Promise.reject(new HeddleError(ErrorCode.ERR_DISCOVERY, 'discovery.etcd: closed'));
    this.client ??= import('etcd3').then(
      // Unary calls get registry-etcd's 3 s deadline, so an etcd that drops packets fails a
      // register or read instead of hanging it; watches and keepalives are streams, left open.
      (module) => new module.Etcd3({ hosts: [...this.endpoints], dialTimeout: 3000, defaultCallOptions: (call) => (call.isStream ? {} : { deadline: Date.now() + 3000 }) }),
      (error) => {
        this.client = undefined;
        throw new HeddleError(ErrorCode.ERR_DISCOVERY, 'discovery.etcd needs the etcd3 package: npm install etcd3', { cause: error });
      },
    );
    return this.client;
  }
}

/** A registry and resolver over etcd in kitex-contrib/registry-etcd's format; see {@link EtcdDiscovery}. */
export function etcd(options: EtcdDiscoveryOptions): EtcdDiscovery {
  return new EtcdDiscovery(options);
}

function ttlFromEnvironment(): number {
  const raw = process.env.KITEX_ETCD_REGISTRY_LEASE_TTL;
  if (raw === undefined || raw === '') return 60;
  const ttl = Number(raw);
  // registry-etcd keeps its default when the variable does not parse.
  return Number.isInteger(ttl) && ttl > 0 ? ttl : 60;
}

function checkServiceName(name: string): string {
  if (typeof name !== 'string' || name === '' || name.includes('/')) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `a service name must be a non-empty string without "/", got ${JSON.stringify(name)}`);
  }
  return name;
}

/** registry-etcd's getAddressOfRegistration, with 0.0.0.0 also treated as unspecified. */
export function addressToRegister(bound: string, env: NodeJS.ProcessEnv = process.env): string {
  const match = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(bound);
  if (match === null) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `cannot register ${JSON.stringify(bound)}: not host:port`);
  let host = match[1] ?? match[2] ?? '';
  let port = match[3]!;
  if (host === '' || host === '::' || host === '0.0.0.0') host = localIPv4();
  if (env.KITEX_IP_TO_REGISTRY) host = env.KITEX_IP_TO_REGISTRY;
  if (env.KITEX_PORT_TO_REGISTRY) port = env.KITEX_PORT_TO_REGISTRY;
  const portNumber = Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `cannot register port ${JSON.stringify(port)}`);
  }
  return hostPort(host, portNumber);
}

function localIPv4(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new HeddleError(ErrorCode.ERR_DISCOVERY, 'no external IPv4 address to register; set KITEX_IP_TO_REGISTRY');
}

async function backend<T>(what: string, operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    throw new HeddleError(ErrorCode.ERR_DISCOVERY, `etcd: ${what} failed: ${(error as Error).message}`, { cause: error });
  }
}
