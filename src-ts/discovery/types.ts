/**
 * The two interfaces service discovery plugs in through. A `Registry` publishes a server's
 * address under a service name; a `Resolver` finds a service's instances. Implement them to add
 * a backend (Nacos, Consul, ZooKeeper): `createServer({ registry })` and
 * `createClient({ resolver })` need nothing else.
 */

/** One instance of a service, as a resolver reports it. */
export interface ServiceInstance {
  /** `tcp` (address `host:port`) or `unix` (address a socket path). */
  readonly network: 'tcp' | 'unix';
  /** `host:port` for tcp, the socket path for unix. */
  readonly address: string;
  /** Relative share of calls, a positive integer (Kitex's default is 10). */
  readonly weight: number;
  /** Free-form labels the server registered, or null (registry-etcd writes `null` for none). */
  readonly tags: Readonly<Record<string, string>> | null;
}

/** What a server registers: a service name, where it listens, its weight and tags. */
export interface RegistryInfo {
  readonly serviceName: string;
  /** The bound `host:port`; a registry may rewrite an unspecified host (see each backend). */
  readonly address: string;
  readonly weight: number;
  readonly tags: Readonly<Record<string, string>> | null;
}

/** Publishes servers. Each `register` is undone by a `deregister` with the same info. */
export interface Registry {
  /** Makes the instance visible to resolvers; rejects (HeddleError ERR_DISCOVERY) when the backend refuses. */
  register(info: RegistryInfo): Promise<void>;
  /** Removes the instance, so clients stop picking it. */
  deregister(info: RegistryInfo): Promise<void>;
}

/** Finds a service's instances. */
export interface Resolver {
  /** The instances registered for `service` now; an empty list when there are none. */
  resolve(service: string): Promise<ServiceInstance[]>;
  /**
   * Optional push: calls `onChange` with the full new list whenever the backend reports a change
   * for `service`. Returns a function that stops watching. Clients also re-resolve periodically,
   * so a resolver without `watch` still converges.
   */
  watch?(service: string, onChange: (instances: ServiceInstance[]) => void): () => void;
}

/** A caller-only registration (merged deployment): a process that calls services under
 * `serviceName` without serving it, counted for the local/remote split and never routed to. */
export interface CallerInfo {
  readonly serviceName: string;
  /** The process's own token (`heddle.proc`), unique per process. */
  readonly id: string;
  /** At least `heddle.host`, the host identity. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Optional part of a backend for merged deployment: caller-only entries live apart from the
 * instances clients route to (etcd: under `<prefix>-callers/`, a prefix registry-etcd's resolver
 * never reads), so a Go Kitex client never picks one.
 */
export interface CallerRegistry {
  registerCaller(info: CallerInfo): Promise<void>;
  deregisterCaller(info: CallerInfo): Promise<void>;
  /** The tags of every caller-only entry of `service`. */
  resolveCallers(service: string): Promise<Array<Readonly<Record<string, string>>>>;
}
