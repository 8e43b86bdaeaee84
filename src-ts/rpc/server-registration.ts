import { ErrorCode, HeddleError } from '../errors.js';
import type { Registry, RegistryInfo } from '../discovery/types.js';
import { fileIdentity, hostIdentityOf, MergedTag, PROCESS_TOKEN } from '../discovery/host-identity.js';
import { hostPort, type RpcAddress } from './address.js';

/** The `mergedDeployment` option of a server: what it registers for local-first clients. */
export interface MergedServerOptions {
  /** This host's identity (the whitepaper's "combine key"). Default: the Kubernetes node name or
   * host IP from the environment, else the kernel's boot id (discovery/host-identity.ts). */
  hostIdentity?: string;
}

/** The discovery options of a server (see ServerOptions). */
export interface ServerRegistrationOptions {
  /** Where to publish the server once it listens: `discovery.etcd(...)` or your own Registry. */
  registry?: Registry;
  /** The name clients resolve (Kitex's ServiceName). Required with `registry`. */
  serviceName?: string;
  /** Registered weight, a positive integer. Default 10, as Kitex. */
  weight?: number;
  /** Registered tags. Default none (registry-etcd writes `null`). */
  tags?: Record<string, string>;
  /**
   * Merged deployment (docs/merged-deployment.md): the registered tags also carry the host
   * identity, this process, and the same-host endpoints the server listens on (`shm://` control
   * socket, `unix://` socket), so local-first clients on this host use them, and clients in this
   * process call the handlers directly. Go Kitex clients see the same instance, extra tags
   * ignored. Default off.
   */
  mergedDeployment?: boolean | MergedServerOptions;
}

let serverSerial = 0;

/**
 * Publishes each TCP address a server listens on, and withdraws them all first thing on close, so
 * clients stop picking the server before it stops answering. With merged deployment, same-host
 * endpoints join the tags of every registered address as the server opens them.
 */
export class ServerRegistration {
  /** Tells this server from others of the process in its `heddle.server` tag. */
  readonly serverId = String(++serverSerial);
  private readonly registered: RegistryInfo[] = [];
  /** Registry writes, one after another: listeners opened together must not write tag sets that
   * miss each other's endpoints. */
  private writes: Promise<unknown> = Promise.resolve();
  /** Set by withdraw(): nothing is registered after it, and what was on its way is taken back. */
  private withdrawn = false;
  /** Host identity, process and same-host endpoint tags; undefined without merged deployment. */
  private readonly merged: Record<string, string> | undefined;

  private constructor(
    private readonly registry: Registry,
    readonly serviceName: string,
    private readonly weight: number,
    private readonly tags: Record<string, string> | null,
    merged: MergedServerOptions | undefined,
  ) {
    if (merged !== undefined) {
      const uid = process.getuid?.();
      this.merged = { [MergedTag.host]: hostIdentityOf(merged.hostIdentity, 'createServer'), [MergedTag.proc]: PROCESS_TOKEN, [MergedTag.server]: this.serverId, ...(uid === undefined ? {} : { [MergedTag.uid]: String(uid) }) };
    }
  }

  /** Checks the options; undefined when the server has no registry. */
  static from(options: ServerRegistrationOptions): ServerRegistration | undefined {
    if (options.registry === undefined) {
      if (options.serviceName !== undefined || options.weight !== undefined || options.tags !== undefined || options.mergedDeployment !== undefined) {
        throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createServer: serviceName, weight, tags and mergedDeployment need a registry');
      }
      return undefined;
    }
    if (typeof options.registry.register !== 'function' || typeof options.registry.deregister !== 'function') {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createServer: registry must have register(info) and deregister(info) methods');
    }
    if (typeof options.serviceName !== 'string' || options.serviceName === '') {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createServer: a registry needs serviceName, the name clients resolve');
    }
    const weight = options.weight ?? 10;
    if (!Number.isInteger(weight) || weight < 1) throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `createServer: weight must be a positive integer, got ${weight}`);
    const tags = options.tags ?? null;
    if (tags !== null && (typeof tags !== 'object' || Object.values(tags).some((v) => typeof v !== 'string'))) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createServer: tags must be an object of strings');
    }
    const merged = options.mergedDeployment;
    if (merged !== undefined && typeof merged !== 'boolean' && (typeof merged !== 'object' || merged === null)) {
      throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createServer: mergedDeployment must be true, false or an object');
    }
    return new ServerRegistration(options.registry, options.serviceName, weight, tags, merged === true ? {} : merged || undefined);
  }

  /** True when the server takes part in merged deployment (and so may be called inline). */
  get isMerged(): boolean {
    return this.merged !== undefined;
  }

  /**
   * Registers a bound TCP address. A Unix socket is not registered as an instance (nothing
   * remote can reach it) but, with merged deployment, becomes the `heddle.unix` tag of the TCP
   * instances, registered again with it.
   */
  async add(bound: RpcAddress): Promise<void> {
    if (bound.scheme === 'unix') return this.addSameHost(MergedTag.unix, bound.path);
    if (bound.scheme !== 'tcp') return;
    return this.serially(async () => {
      const info: RegistryInfo = { serviceName: this.serviceName, address: hostPort(bound.host, bound.port), weight: this.weight, tags: this.tagsNow() };
      await this.registry.register(info);
      this.registered.push(info);
    });
  }

  /** A shmipc listener's control socket, and its fallback when that is a Unix socket. */
  async addShm(controlPath: string, fallback: string | undefined): Promise<void> {
    if (fallback?.startsWith('unix://')) await this.addSameHost(MergedTag.unix, fallback.slice('unix://'.length));
    await this.addSameHost(MergedTag.shm, controlPath);
  }

  /** Deregisters every address, once registry writes on their way are done; failures are reported
   * to `onError`, and the rest still go. */
  async withdraw(onError: (error: unknown) => void): Promise<void> {
    this.withdrawn = true;
    await this.writes.catch(() => undefined);
    const all = this.registered.splice(0);
    await Promise.all(all.map((info) => this.registry.deregister(info).catch(onError)));
  }

  /** The first endpoint of each kind is the one advertised; registered instances are written again. */
  private addSameHost(tag: typeof MergedTag.unix | typeof MergedTag.shm, path: string): Promise<void> {
    return this.serially(async () => {
      if (this.merged === undefined || this.merged[tag] !== undefined) return;
      this.merged[tag] = path;
      const identity = fileIdentity(path);
      if (identity !== undefined) this.merged[tag === MergedTag.unix ? MergedTag.unixId : MergedTag.shmId] = identity;
      const tags = this.tagsNow();
      for (const [i, info] of this.registered.entries()) {
        const updated = { ...info, tags };
        await this.registry.register(updated);
        this.registered[i] = updated;
      }
    });
  }

  /** Runs `write` after the registry writes before it, unless the server withdrew meanwhile. */
  private serially(write: () => Promise<void>): Promise<void> {
    const next = this.writes.catch(() => undefined).then(() => (this.withdrawn ? undefined : write()));
    this.writes = next;
    return next;
  }

  private tagsNow(): Record<string, string> | null {
    return this.merged === undefined ? this.tags : { ...this.tags, ...this.merged };
  }
}
