import { ErrorCode, HeddleError } from '../errors.js';
import type { Registry, RegistryInfo } from '../discovery/types.js';
import { hostPort, type RpcAddress } from './address.js';

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
}

/**
 * Publishes each TCP address a server listens on, and withdraws them all first thing on close, so
 * clients stop picking the server before it stops answering.
 */
export class ServerRegistration {
  private readonly registered: RegistryInfo[] = [];

  private constructor(
    private readonly registry: Registry,
    private readonly serviceName: string,
    private readonly weight: number,
    private readonly tags: Record<string, string> | null,
  ) {}

  /** Checks the options; undefined when the server has no registry. */
  static from(options: ServerRegistrationOptions): ServerRegistration | undefined {
    if (options.registry === undefined) {
      if (options.serviceName !== undefined || options.weight !== undefined || options.tags !== undefined) {
        throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'createServer: serviceName, weight and tags need a registry');
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
    return new ServerRegistration(options.registry, options.serviceName, weight, tags);
  }

  /** Registers a bound TCP address; other schemes are not registered (nothing remote can reach them). */
  async add(bound: RpcAddress): Promise<void> {
    if (bound.scheme !== 'tcp') return;
    const info: RegistryInfo = { serviceName: this.serviceName, address: hostPort(bound.host, bound.port), weight: this.weight, tags: this.tags };
    await this.registry.register(info);
    this.registered.push(info);
  }

  /** Deregisters every address; failures are reported to `onError`, and the rest still go. */
  async withdraw(onError: (error: unknown) => void): Promise<void> {
    const all = this.registered.splice(0);
    await Promise.all(all.map((info) => this.registry.deregister(info).catch(onError)));
  }
}
