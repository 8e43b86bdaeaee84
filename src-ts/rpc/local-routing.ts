import { statSync } from 'node:fs';
import { ErrorCode, HeddleError } from '../errors.js';
import { hostIdentityOf, identityOfStat, MergedTag, PROCESS_TOKEN } from '../discovery/host-identity.js';
import { localShare, ShareSplitter, type InstanceCounts } from '../discovery/merged-split.js';
import type { CallerInfo, CallerRegistry, Resolver, ServiceInstance } from '../discovery/types.js';
import { pickerOrNone, type LoadBalancerName, type Picker } from '../governance/load-balancer.js';
import { logWarn } from '../log/index.js';
import { shmUnavailableReason } from '../shm/native-shm.js';
import type { ShmConnectOptions } from '../shm/options.js';

/** The `localFirst` option of a discovery client (docs/merged-deployment.md). */
export interface LocalFirstOptions {
  /** The caller's own service name: registered as a caller-only entry (when the resolver is also
   * a CallerRegistry, as `discovery.etcd` is) and counted as m, m'. Default `fromService`; without
   * either, this client counts as the only caller (m = m' = 1). */
  serviceName?: string;
  /** This host's identity. Default: from the environment, else the kernel's boot id (host-identity.ts). */
  hostIdentity?: string;
  /** Call a server of this process directly, no encoding (service inline). Default true. */
  inline?: boolean;
  /** Isolate inline arguments and results with structuredClone. Default true; false shares the
   * objects between caller and handler (faster, for callers that never mutate them). */
  clone?: boolean;
  /** Owners (uids) of same-host endpoints this client follows; an endpoint file owned by another
   * uid is not used (the instance is then reached over TCP). Default: our own uid. */
  allowedUids?: readonly number[];
  /** Use a same-host instance's shared memory when it registered some. Default true. */
  sharedMemory?: boolean;
}

/** Where a local or remote pick leads. */
export interface Route {
  /** Key of the connection client for this instance. */
  readonly key: string;
  /** `inline` (same process), an address URL otherwise. */
  readonly address: string;
  readonly shm?: ShmConnectOptions;
}

/** One side of the split: the instances and their balancer. */
export interface RouteSide {
  readonly list: readonly ServiceInstance[];
  readonly picker: Picker<ServiceInstance> | undefined;
}

/** The instance list split by host: local first, then remote, and the share that goes local. */
export interface RouteTable {
  readonly local: RouteSide;
  readonly remote: RouteSide;
  /** Instances registered by servers of this process, when inline calls are on. */
  readonly ownProcess: readonly ServiceInstance[];
}

const REFUSED_LOGGED = new Set<string>();

/** Clients of this process registered as callers, per registry and service name. */
const callerClients = new WeakMap<object, Map<string, number>>();

/**
 * Local-first routing of one discovery client: which listed instances share this host (their
 * `heddle.host` tag), how they are reached (this process inline; shared memory, else their Unix
 * socket; else TCP), and what share of calls goes local under the whitepaper's K rule, from the
 * instance counts of callee and caller services read from the registry.
 */
export class LocalRouter {
  readonly host: string;
  readonly inline: boolean;
  readonly clone: boolean;
  private readonly serviceName: string | undefined;
  private readonly allowedUids: ReadonlySet<number>;
  private readonly sharedMemory: boolean;
  private readonly splitter = new ShareSplitter(1);
  private callers = { total: 1, local: 1 };
  private callerEntry: CallerInfo | undefined;
  private callees = { total: 0, local: 0 };

  constructor(options: LocalFirstOptions, fromService: string | undefined) {
    this.host = hostIdentityOf(options.hostIdentity, 'createClient localFirst');
    this.inline = options.inline ?? true;
    this.clone = options.clone ?? true;
    this.sharedMemory = options.sharedMemory ?? true;
    const name = options.serviceName ?? fromService;
    this.serviceName = name === '' ? undefined : name;
    const uids = options.allowedUids ?? (process.getuid === undefined ? [] : [process.getuid()]);
    if (!Array.isArray(uids) || uids.some((u) => !Number.isInteger(u) || u < 0)) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'localFirst.allowedUids must be an array of uids');
    this.allowedUids = new Set(uids);
  }

  /** The instance counts the split was last computed from. */
  get counts(): InstanceCounts {
    return { callers: this.callers.total, localCallers: this.callers.local, callees: this.callees.total, localCallees: this.callees.local };
  }

  /** The share of calls that go local now (0..1). */
  get localShare(): number {
    return this.splitter.localShare;
  }

  /** True when this call should go local; `hashKey` (consistent hashing only) keeps a key on one side. */
  nextIsLocal(hashKey?: string): boolean {
    return this.splitter.next(hashKey);
  }

  /** Registers this process as a caller of its service, when it has a name and the resolver can.
   * One entry per process and service: clients of the process share it, the last to close
   * withdraws it. */
  async registerCaller(resolver: Resolver): Promise<void> {
    if (this.serviceName === undefined || !isCallerRegistry(resolver)) return;
    const entry: CallerInfo = { serviceName: this.serviceName, id: PROCESS_TOKEN, tags: { [MergedTag.host]: this.host, [MergedTag.proc]: PROCESS_TOKEN } };
    let counts = callerClients.get(resolver);
    if (counts === undefined) callerClients.set(resolver, (counts = new Map()));
    const before = counts.get(entry.serviceName) ?? 0;
    counts.set(entry.serviceName, before + 1);
    this.callerEntry = entry;
    if (before > 0) return;
    try {
      await resolver.registerCaller(entry);
    } catch (error) {
      this.callerEntry = undefined;
      counts.set(entry.serviceName, (counts.get(entry.serviceName) ?? 1) - 1);
      throw error;
    }
  }

  /** Withdraws this client's share of the caller entry; the entry goes with the last one. */
  async deregisterCaller(resolver: Resolver): Promise<void> {
    const entry = this.callerEntry;
    this.callerEntry = undefined;
    if (entry === undefined || !isCallerRegistry(resolver)) return;
    const counts = callerClients.get(resolver);
    const left = (counts?.get(entry.serviceName) ?? 1) - 1;
    if (left > 0) {
      counts!.set(entry.serviceName, left);
      return;
    }
    counts?.delete(entry.serviceName);
    await resolver.deregisterCaller(entry);
  }

  /** Reads m and m': instances of the caller's service (servers and caller-only entries, one per
   * process), everywhere and on this host. Without a name, the client is the only caller. */
  async readCallers(resolver: Resolver): Promise<void> {
    if (this.serviceName === undefined) return;
    const [served, callersOnly] = await Promise.all([
      resolver.resolve(this.serviceName).catch(() => [] as ServiceInstance[]),
      isCallerRegistry(resolver) ? resolver.resolveCallers(this.serviceName) : Promise.resolve([]),
    ]);
    const all = new Map<string, boolean>();
    for (const instance of served) all.set(instance.tags?.[MergedTag.proc] ?? instance.address, instance.tags?.[MergedTag.host] === this.host);
    for (const tags of callersOnly) all.set(tags[MergedTag.proc] ?? JSON.stringify(tags), tags[MergedTag.host] === this.host);
    // This client counts even before its own entry is visible.
    all.set(PROCESS_TOKEN, true);
    this.callers = { total: all.size, local: [...all.values()].filter(Boolean).length };
    this.updateShare();
  }

  /** Splits a new instance list into local and remote sides with a balancer each. */
  table(list: readonly ServiceInstance[], loadBalancer: LoadBalancerName): RouteTable {
    const local = list.filter((i) => i.tags?.[MergedTag.host] === this.host);
    const remote = list.filter((i) => i.tags?.[MergedTag.host] !== this.host);
    this.callees = { total: countServers(list), local: countServers(local) };
    this.updateShare();
    const ownProcess = this.inline ? local.filter((i) => i.tags?.[MergedTag.proc] === PROCESS_TOKEN) : [];
    return { local: { list: local, picker: pickerOrNone(loadBalancer, local) }, remote: { list: remote, picker: pickerOrNone(loadBalancer, remote) }, ownProcess };
  }

  /** The listed instance of the server of this process serving inline now (`inlineId`), if any. */
  inlineInstance(routes: RouteTable, inlineId: string | undefined): ServiceInstance | undefined {
    return inlineId === undefined ? undefined : routes.ownProcess.find((i) => i.tags?.[MergedTag.server] === inlineId);
  }

  /** How to reach `instance`: inline when it is the server of this process now serving inline
   * (`inlineId`; during its exit wait it is reached through its sockets), a same-host endpoint
   * whose owner is allowed, or TCP. */
  route(instance: ServiceInstance, tcpAddress: string, inlineId: string | undefined): Route {
    const tags = instance.tags;
    if (tags?.[MergedTag.host] !== this.host) return { key: tcpAddress, address: tcpAddress };
    if (this.inline && inlineId !== undefined && tags[MergedTag.proc] === PROCESS_TOKEN && tags[MergedTag.server] === inlineId) return { key: `inline:${tcpAddress}`, address: 'inline' };
    const unix = this.followable(tags[MergedTag.unix], tags[MergedTag.unixId]);
    const shmPath = this.sharedMemory && shmUnavailableReason === undefined ? this.followable(tags[MergedTag.shm], tags[MergedTag.shmId]) : undefined;
    if (shmPath !== undefined) {
      const shm: ShmConnectOptions = { allowedUids: [...this.allowedUids], ...(unix === undefined ? {} : { fallback: `unix://${unix}` }) };
      return { key: `shm://${shmPath}`, address: `shm://${shmPath}`, shm };
    }
    if (unix !== undefined) return { key: `unix://${unix}`, address: `unix://${unix}` };
    return { key: tcpAddress, address: tcpAddress };
  }

  /**
   * A same-host endpoint path when it is the socket the instance registered (its `dev:ino`, when
   * the registration carries one: another mount namespace on this host may have its own socket at
   * that path) and is owned by an allowed uid (the server side checks us with SO_PEERCRED; shared
   * memory checks the server the same way).
   */
  private followable(path: string | undefined, identity: string | undefined): string | undefined {
    if (path === undefined || !path.startsWith('/')) return undefined;
    let owner: number;
    try {
      const stat = statSync(path, { bigint: true });
      if (!stat.isSocket()) return undefined;
      if (identity !== undefined && identity !== identityOfStat(stat)) return undefined;
      owner = Number(stat.uid);
    } catch {
      return undefined;
    }
    if (this.allowedUids.has(owner)) return path;
    if (!REFUSED_LOGGED.has(path)) {
      REFUSED_LOGGED.add(path);
      logWarn(ErrorCode.ERR_SHM_PEER, `not following ${path}: owned by uid ${owner}, not in localFirst.allowedUids`);
    }
    return undefined;
  }

  private updateShare(): void {
    this.splitter.setShare(localShare(this.counts));
  }
}

function isCallerRegistry(resolver: Resolver): resolver is Resolver & CallerRegistry {
  const r = resolver as Partial<CallerRegistry>;
  return typeof r.registerCaller === 'function' && typeof r.deregisterCaller === 'function' && typeof r.resolveCallers === 'function';
}

/** Callee instances counted once per server (a server may register several addresses). */
function countServers(list: readonly ServiceInstance[]): number {
  return new Set(list.map((i) => (i.tags?.[MergedTag.proc] === undefined ? i.address : `${i.tags[MergedTag.proc]}/${i.tags[MergedTag.server] ?? ''}`))).size;
}
