import { ErrorCode, HeddleError } from '../errors.js';
import type { Resolver, ServiceInstance } from '../discovery/types.js';
import { MergedTag } from '../discovery/host-identity.js';
import { pickerOrNone, type LoadBalancerName, type Picker } from '../governance/load-balancer.js';
import { RpcClient, type CallOptions, type ClientOptions } from './client.js';
import type { ServiceBinding } from './binding.js';
import { Governor, isGoverned, refused, type AttemptWatcher, type InstanceChoice } from './governed-call.js';
import { InlineClient } from './inline-call.js';
import { RawArgs } from './raw-args.js';
import { inlineServer } from './inline-services.js';
import { LocalRouter, type LocalFirstOptions, type Route, type RouteSide, type RouteTable } from './local-routing.js';
import { logWarn } from '../log/index.js';

/** Options of {@link createClient} for a service found through a resolver instead of one address. */
export interface DiscoveryClientOptions extends Omit<ClientOptions, 'address' | 'shm'> {
  /** Where instances come from: `discovery.etcd(...)`, `discovery.static([...])` or your own. */
  resolver: Resolver;
  /** The service name instances are registered under (Kitex's destService). */
  destService: string;
  /** Default `weighted-round-robin`, Kitex's default. `consistent-hash` needs `hashKey` on every call. */
  loadBalancer?: LoadBalancerName;
  /** How often the instance list is read again, besides the resolver's own change notices.
   * Default 5000 ms, as Kitex. */
  refreshIntervalMs?: number;
  /**
   * Merged deployment (docs/merged-deployment.md): instances registered with the same host
   * identity are called first, a server of this process inline, others over shared memory or
   * their Unix socket, splitting local and remote calls by the whitepaper's K rule. Default on
   * (`true`): without merged-deployment tags in the registry, every instance is remote and nothing
   * changes; when the host identity cannot be found, off. `false` turns it off.
   */
  localFirst?: boolean | LocalFirstOptions;
}

/** Options of one call through a {@link DiscoveryClient}. */
export interface DiscoveryCallOptions extends CallOptions {
  /** The consistent-hash load balancer's key: calls with the same key go to the same instance
   * while the instance list is unchanged. */
  hashKey?: string;
}

interface InstanceClient {
  readonly client: Pick<RpcClient, 'attempt' | 'close'>;
  inflight: number;
  /** Gone from the instance list: closed once its last call settles. */
  retired: boolean;
  /** Ends one call's count: made once per instance, handed to the governor on every attempt. */
  readonly settle: () => void;
}

/**
 * A client of every instance of `destService`: each call picks an instance with the load
 * balancer and goes out on that instance's connections (one {@link RpcClient} per instance,
 * opened on first use). The context passed to `onContext` has `peer` set to the instance that
 * served the call (`host:port`; the socket path of a same-host instance reached over shared
 * memory or its Unix socket; `transport` is `inline` for a server of this process) and `attempts`
 * to the attempts it took. With `localFirst` (default on), instances on this host are preferred
 * as docs/merged-deployment.md describes. Calls fail with
 * ERR_NO_INSTANCE while the list is empty, and with ERR_DISCOVERY when the first read of the
 * registry fails; a later failed read keeps the last list. With `retry`, a retry goes to another
 * instance than the one that failed when there is one; with `circuitBreaker`, instances whose
 * breaker is open are skipped.
 */
export class DiscoveryClient {
  readonly destService: string;
  readonly loadBalancer: LoadBalancerName;
  private readonly resolver: Resolver;
  private readonly base: ClientOptions;
  private readonly refreshIntervalMs: number;
  private list: readonly ServiceInstance[] = [];
  private listKey = '';
  private picker: Picker<ServiceInstance> | undefined;
  private readonly clients = new Map<string, InstanceClient>();
  private started: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private unwatch: (() => void) | undefined;
  private closed = false;
  /** The first read of the registry succeeded. */
  private ready = false;
  private readonly governor: Governor | undefined;
  private readonly router: LocalRouter | undefined;
  /** This client's service binding, to tell whether a server of this process maps values alike. */
  private readonly binding: ServiceBinding;
  /** The list split into local and remote sides, when local-first routing is on. */
  private routes: RouteTable | undefined;
  /** Set once the router registers this client as a caller and reads caller counts (joinMergedEstate). */
  private joining: Promise<void> | undefined;
  /** How each listed instance is reached, computed once per instance (and inline server). */
  private readonly routeCache = new WeakMap<ServiceInstance, { inlineId: string | undefined; route: Route }>();
  /** Instance addresses of the current list, to forget the breakers of those that leave it. */
  private seen = new Set<string>();

  /** @internal Use {@link createClient}. */
  constructor(options: DiscoveryClientOptions) {
    const { resolver, destService, loadBalancer, refreshIntervalMs, retry, circuitBreaker, localFirst, ...base } = options;
    if (typeof resolver?.resolve !== 'function') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createClient: resolver must have a resolve(service) method');
    if (typeof destService !== 'string' || destService === '') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createClient: destService must be a non-empty string');
    this.loadBalancer = loadBalancer ?? 'weighted-round-robin';
    if (!['weighted-round-robin', 'weighted-random', 'consistent-hash'].includes(this.loadBalancer)) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `unknown loadBalancer ${JSON.stringify(loadBalancer)}: use weighted-round-robin, weighted-random or consistent-hash`);
    }
    this.refreshIntervalMs = refreshIntervalMs ?? 5000;
    if (!Number.isInteger(this.refreshIntervalMs) || this.refreshIntervalMs < 1) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `refreshIntervalMs must be a positive integer, got ${refreshIntervalMs}`);
    }
    this.resolver = resolver;
    this.destService = destService;
    this.base = { ...base, address: 'tcp://127.0.0.1:1' };
    // Validates the remaining options now rather than at the first call; opens nothing.
    const probe = new RpcClient(this.base);
    this.binding = probe.service;
    this.router = routerOf(localFirst, base.fromService);
    if (isGoverned({ retry, circuitBreaker })) {
      this.governor = new Governor(retry, circuitBreaker, base.fromService ?? '', destService, probe.timeoutMs, (method, request, callOptions, choice, watcher) =>
        this.attempt(method, request, callOptions, choice, watcher),
      );
    }
  }

  /** Local-first routing's view: the host identity, the instance counts and the share of calls
   * going local; undefined when `localFirst` is off. */
  get localRouting(): { host: string; localShare: number; counts: LocalRouter['counts'] } | undefined {
    const router = this.router;
    return router === undefined ? undefined : { host: router.host, localShare: router.localShare, counts: router.counts };
  }

  /** The instances the last successful read found. */
  get instances(): readonly ServiceInstance[] {
    return this.list;
  }

  /** Picks an instance and calls `method` on it; see {@link RpcClient.call}. */
  call(method: string, request: Record<string, unknown> = {}, options: DiscoveryCallOptions = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new HeddleError(ErrorCode.ERR_CONNECTION, 'the client is closed'));
    // Once the first read is done, calls go straight out, without waiting a turn for it.
    if (!this.ready) return (this.started ??= this.start()).then(() => this.call(method, request, options));
    if (this.governor !== undefined) return this.governor.call(method, request, options);
    return this.attempt(method, request, options, undefined, undefined);
  }

  /**
   * {@link RpcClient.callRaw} through discovery: argument bytes to the instance the balancer
   * picks, the reply body's bytes back. A server of this process is called inline, its handler
   * given the decoded arguments and its result encoded.
   */
  callRaw(method: string, argsBytes: Uint8Array, options: DiscoveryCallOptions = {}): Promise<Uint8Array> {
    if (!(argsBytes instanceof Uint8Array)) return Promise.reject(new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'callRaw expects the encoded arguments as a Uint8Array'));
    return this.call(method, new RawArgs(argsBytes) as unknown as Record<string, unknown>, options) as Promise<Uint8Array>;
  }

  /** One attempt on one instance: the balancer's pick, or under `choice` (a retry, breakers)
   * the first acceptable instance. `watcher` (a governed call of one attempt) hears the outcome. */
  private attempt(method: string, request: Record<string, unknown>, options: DiscoveryCallOptions, choice: InstanceChoice | undefined, watcher: AttemptWatcher | undefined): Promise<unknown> {
    let entry: InstanceClient;
    let address: string;
    try {
      if (this.picker === undefined) throw new HeddleError(ErrorCode.ERR_NO_INSTANCE, `no instance of ${this.destService} in the registry`);
      const instance =
        this.routes !== undefined ? this.routed(this.routes, options.hashKey, choice) : choice === undefined ? this.picker.pick(options.hashKey) : this.choose(this.picker, this.list, options.hashKey, choice);
      address = addressOf(instance);
      entry = this.clientOf(instance, address);
      choice?.chosen(address, entry.settle);
    } catch (error) {
      return refused(error, watcher);
    }
    entry.inflight++;
    // Under a governor, `entry.settle` runs when the governor hears the outcome.
    if (choice !== undefined) return entry.client.attempt(method, request, options, watcher);
    return this.sendOn(entry, method, request, options, address);
  }

  /**
   * `method` on `entry`'s instance, counted in its in-flight calls. With `failOverFrom` (the
   * instance's address) a refused connection sends the call once to another instance.
   */
  private sendOn(entry: InstanceClient, method: string, request: Record<string, unknown>, options: DiscoveryCallOptions, failOverFrom?: string): Promise<unknown> {
    // Plain callbacks rather than an async function: no extra promise hop on every call.
    return entry.client.attempt(method, request, options).then(
      (value) => {
        this.settled(entry);
        return value;
      },
      (error: unknown) => {
        this.settled(entry);
        if (failOverFrom !== undefined && connectionRefused(error)) return this.elsewhere(method, request, options, failOverFrom, error);
        throw error;
      },
    );
  }

  /**
   * A call whose instance refused the connection was never sent, so it goes once to another
   * instance: a server stopping gracefully (Kitex's Stop) leaves the registry and closes its
   * listener at once, and calls picked before the registry's watch reports it would otherwise
   * fail. `refusal` is the error when no other instance is listed.
   */
  private elsewhere(method: string, request: Record<string, unknown>, options: DiscoveryCallOptions, refusedAddress: string, refusal: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(refusal);
    const others = this.list.filter((i) => i.weight > 0 && addressOf(i) !== refusedAddress);
    if (others.length === 0 || this.picker === undefined) return Promise.reject(refusal);
    let instance = this.picker.pick(options.hashKey);
    if (addressOf(instance) === refusedAddress) instance = others[Math.floor(Math.random() * others.length)]!;
    const entry = this.clientOf(instance, addressOf(instance));
    entry.inflight++;
    return this.sendOn(entry, method, request, options);
  }

  /** A call on `entry` is over: a retired instance's connections close with its last call. */
  private settled(entry: InstanceClient): void {
    entry.inflight--;
    // Not from inside the settling client's own frame handling, where a governed call's last
    // reply reports: the close waits a microtask.
    if (entry.retired && entry.inflight === 0) queueMicrotask(() => void entry.client.close());
  }

  /**
   * The balancer's pick when acceptable: not the previous attempt's instance (unless
   * retry-same-node, or no other will do) and its breaker allowing it. Otherwise a few more picks,
   * then the list in order (a consistent hash picks the same instance every time).
   */
  private choose(picker: Picker<ServiceInstance>, list: readonly ServiceInstance[], hashKey: string | undefined, choice: InstanceChoice): ServiceInstance {
    if (choice.sameNode && choice.previous !== undefined) {
      const same = list.find((i) => addressOf(i) === choice.previous);
      if (same !== undefined && choice.allowed(choice.previous)) return same;
    }
    const first = picker.pick(hashKey);
    const firstAddress = addressOf(first);
    if (firstAddress !== choice.previous && choice.allowed(firstAddress)) return first;
    for (const avoidPrevious of choice.previous === undefined || choice.sameNode ? [false] : [true, false]) {
      const acceptable = (i: ServiceInstance): boolean => i.weight > 0 && !(avoidPrevious && addressOf(i) === choice.previous) && choice.allowed(addressOf(i));
      for (let tries = 0; tries < 3; tries++) {
        const picked = picker.pick(hashKey);
        if (acceptable(picked)) return picked;
      }
      const found = list.find(acceptable);
      if (found !== undefined) return found;
    }
    throw new HeddleError(ErrorCode.ERR_CIRCUIT_OPEN, `the circuit breaker of every instance of ${this.destService} is open`);
  }

  /**
   * Local-first: the splitter says whether this call goes local; the chosen side is tried first
   * (on the local side a server of this process before any other), the other side when it has no
   * acceptable instance, so a failing or broken local instance sends its calls remote.
   */
  private routed(routes: RouteTable, hashKey: string | undefined, choice: InstanceChoice | undefined): ServiceInstance {
    const local = this.router!.nextIsLocal(this.loadBalancer === 'consistent-hash' ? hashKey : undefined);
    let refused: unknown;
    for (const side of local ? [routes.local, routes.remote] : [routes.remote, routes.local]) {
      if (side.picker === undefined) continue;
      const inline = side === routes.local ? this.router!.inlineInstance(routes, this.inlineId()) : undefined;
      if (inline !== undefined && (choice === undefined || this.acceptable(inline, choice))) return inline;
      try {
        return this.pickOn(side, hashKey, choice);
      } catch (error) {
        refused = error;
      }
    }
    throw refused ?? new HeddleError(ErrorCode.ERR_NO_INSTANCE, `no instance of ${this.destService} in the registry`);
  }

  private pickOn(side: RouteSide, hashKey: string | undefined, choice: InstanceChoice | undefined): ServiceInstance {
    return choice === undefined ? side.picker!.pick(hashKey) : this.choose(side.picker!, side.list, hashKey, choice);
  }

  private acceptable(instance: ServiceInstance, choice: InstanceChoice): boolean {
    const address = addressOf(instance);
    return (choice.sameNode || address !== choice.previous) && choice.allowed(address);
  }

  /** Reads the instance list now, starting the watch and the periodic reads if no call has yet
   * (the list is also read every `refreshIntervalMs` and on the resolver's change notices). */
  async refresh(): Promise<void> {
    // A closed client must not start: it would register a caller entry nobody withdraws.
    if (this.closed) throw new HeddleError(ErrorCode.ERR_CONNECTION, 'the client is closed');
    if (this.started === undefined) return (this.started = this.start());
    const list = await this.read();
    this.apply(list);
    await this.joinMergedEstate(list);
  }

  /** Stops watching and closes every instance's connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.unwatch?.();
    await Promise.all([...this.clients.values()].map((entry) => entry.client.close()));
    this.clients.clear();
    await this.router?.deregisterCaller(this.resolver).catch((error: unknown) => logWarn(ErrorCode.ERR_DISCOVERY, `withdrawing the caller entry failed: ${(error as Error)?.message}`));
  }

  private async start(): Promise<void> {
    try {
      const list = await this.read();
      this.apply(list);
      await this.joinMergedEstate(list);
    } catch (error) {
      this.started = undefined;
      throw error;
    }
    if (this.closed) return;
    this.ready = true;
    this.unwatch = this.resolver.watch?.(this.destService, (list) => this.apply(list));
    this.timer = setInterval(() => {
      // New caller counts change the share only; the instance tables stay.
      if (this.joining !== undefined) void this.router!.readCallers(this.resolver).catch(() => undefined);
      this.read().then((list) => this.apply(list), () => undefined);
    }, this.refreshIntervalMs);
    this.timer.unref();
  }

  /** Registers this caller and reads the caller counts; a registry that refuses costs only the
   * counts (the client then counts as the only caller). */
  /**
   * Registers this client as a caller and reads the caller counts, once `list` shows the callee
   * service takes part in merged deployment (an instance with a host identity tag): in an estate
   * without it, local-first routing writes nothing to the registry and reads nothing more.
   */
  private joinMergedEstate(list: readonly ServiceInstance[]): Promise<void> {
    const router = this.router;
    if (this.joining !== undefined || router === undefined || this.closed || !list.some((i) => i.tags?.[MergedTag.host] !== undefined)) return this.joining ?? Promise.resolve();
    this.joining = this.startRouter(router).then(async () => {
      // Closed while registering: the entry must not outlive the client.
      if (this.closed) await router.deregisterCaller(this.resolver).catch(() => undefined);
    });
    return this.joining;
  }

  private async startRouter(router: LocalRouter): Promise<void> {
    await router.registerCaller(this.resolver).catch((error: unknown) => logWarn(ErrorCode.ERR_DISCOVERY, `registering as a caller failed: ${(error as Error)?.message}`));
    await router.readCallers(this.resolver).catch(() => undefined);
  }

  private async read(): Promise<ServiceInstance[]> {
    try {
      return await this.resolver.resolve(this.destService);
    } catch (error) {
      if (error instanceof HeddleError) throw error;
      throw new HeddleError(ErrorCode.ERR_DISCOVERY, `resolving ${this.destService} failed: ${(error as Error)?.message}`, { cause: error });
    }
  }

  /** Takes a new list; the picker is rebuilt only when the list changed, so round robin keeps its place. */
  private apply(list: readonly ServiceInstance[]): void {
    if (this.closed) return;
    const key = JSON.stringify(list.map((i) => [i.network, i.address, i.weight, i.tags]).sort());
    if (key === this.listKey) return;
    this.listKey = key;
    this.list = list;
    this.picker = pickerOrNone(this.loadBalancer, list);
    if (this.ready && this.joining === undefined) void this.joinMergedEstate(list);
    const routes = this.router?.table(list, this.loadBalancer);
    // Nothing on this host: calls take the plain balancer's path, as without local-first routing.
    this.routes = routes === undefined || routes.local.list.length === 0 ? undefined : routes;
    const live = new Set(list.map((i) => this.routeOf(i).key));
    const liveAddresses = new Set(list.map(addressOf));
    for (const [routeKey, entry] of this.clients) {
      if (live.has(routeKey)) continue;
      this.clients.delete(routeKey);
      entry.retired = true;
      if (entry.inflight === 0) void entry.client.close();
    }
    for (const address of this.forgettable(liveAddresses)) this.governor?.forgetInstance(address);
  }

  /** Instance addresses seen before and gone now, whose breakers can go. */
  private forgettable(live: ReadonlySet<string>): string[] {
    const gone = [...this.seen].filter((address) => !live.has(address));
    this.seen = new Set(live);
    return gone;
  }

  /**
   * The `heddle.server` tag of the server of this process that calls may go to inline: one
   * serving the same service with the same value mapping, whose values structuredClone keeps
   * intact when inline calls clone. Any other is reached through its sockets, where the codecs
   * translate between the two mappings as they do between processes.
   */
  private inlineId(): string | undefined {
    const server = inlineServer(this.destService);
    if (server === undefined) return undefined;
    const own = this.binding;
    const fits = server.service.name === own.name && server.service.valueShape === own.valueShape && (!this.router!.clone || own.cloneable);
    return fits ? server.inlineId : undefined;
  }

  /** How an instance is reached: by its registered address, or local-first's choice. */
  private routeOf(instance: ServiceInstance, address = addressOf(instance)): Route {
    if (this.router === undefined) return { key: address, address };
    // Cached per instance object (a new list brings new objects): same-host routes stat socket files.
    const inlineId = this.inlineId();
    const cached = this.routeCache.get(instance);
    if (cached !== undefined && cached.inlineId === inlineId) return cached.route;
    const route = this.router.route(instance, address, inlineId);
    this.routeCache.set(instance, { inlineId, route });
    return route;
  }

  private clientOf(instance: ServiceInstance, address: string): InstanceClient {
    const route = this.routeOf(instance, address);
    let entry = this.clients.get(route.key);
    if (entry === undefined) {
      const client =
        route.address === 'inline'
          ? new InlineClient(this.base, this.destService, instance.address, this.router!.clone)
          : new RpcClient({ ...this.base, address: route.address, ...(route.shm === undefined ? {} : { shm: route.shm }) });
      const made: InstanceClient = { client, inflight: 0, retired: false, settle: () => this.settled(made) };
      entry = made;
      this.clients.set(route.key, entry);
    }
    return entry;
  }
}

/** The router of a `localFirst` option; the default gives up quietly where no host identity is found. */
function routerOf(option: boolean | LocalFirstOptions | undefined, fromService: string | undefined): LocalRouter | undefined {
  if (option === false) return undefined;
  if (option !== undefined && option !== true && (typeof option !== 'object' || option === null)) {
    throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'localFirst must be true, false or an object of options');
  }
  if (option === undefined) {
    try {
      return new LocalRouter({}, fromService);
    } catch (error) {
      if (error instanceof HeddleError && error.code === ErrorCode.ERR_DISCOVERY) return undefined;
      throw error;
    }
  }
  return new LocalRouter(option === true ? {} : option, fromService);
}

/** Each instance's address URL, made once: calls look it up several times (balancer, breakers, connections). */
const addresses = new WeakMap<ServiceInstance, string>();

export function addressOf(instance: ServiceInstance): string {
  let address = addresses.get(instance);
  if (address === undefined) {
    address = instance.network === 'unix' ? `unix://${instance.address}` : `tcp://${instance.address}`;
    addresses.set(instance, address);
  }
  return address;
}

/** Whether `error` is a connection the peer refused (nothing listening): a call that met it was never sent. */
function connectionRefused(error: unknown): boolean {
  if (!(error instanceof HeddleError) || error.code !== ErrorCode.ERR_CONNECTION) return false;
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOENT';
}
