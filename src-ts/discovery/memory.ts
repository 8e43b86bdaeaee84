import type { CallerInfo, CallerRegistry, Registry, RegistryInfo, Resolver, ServiceInstance } from './types.js';

/**
 * A registry, resolver and caller registry held in this process's memory: servers registered
 * with it are found by clients given it as `resolver`. For tests, demos, and one process that
 * hosts several services and wants their clients to call them inline (merged deployment) without
 * an etcd. Watchers hear every change.
 */
export class MemoryDiscovery implements Registry, Resolver, CallerRegistry {
  private readonly instances = new Map<string, Map<string, ServiceInstance>>();
  private readonly callers = new Map<string, Map<string, Readonly<Record<string, string>>>>();
  private readonly watchers = new Map<string, Set<(instances: ServiceInstance[]) => void>>();

  async register(info: RegistryInfo): Promise<void> {
    entriesOf(this.instances, info.serviceName).set(info.address, Object.freeze({ network: 'tcp' as const, address: info.address, weight: info.weight, tags: info.tags }));
    this.notify(info.serviceName);
  }

  async deregister(info: RegistryInfo): Promise<void> {
    if (this.instances.get(info.serviceName)?.delete(info.address)) this.notify(info.serviceName);
  }

  async resolve(service: string): Promise<ServiceInstance[]> {
    return this.list(service);
  }

  watch(service: string, onChange: (instances: ServiceInstance[]) => void): () => void {
    const set = this.watchers.get(service) ?? new Set();
    this.watchers.set(service, set);
    set.add(onChange);
    return () => set.delete(onChange);
  }

  async registerCaller(info: CallerInfo): Promise<void> {
    entriesOf(this.callers, info.serviceName).set(info.id, { ...info.tags });
  }

  async deregisterCaller(info: CallerInfo): Promise<void> {
    this.callers.get(info.serviceName)?.delete(info.id);
  }

  async resolveCallers(service: string): Promise<Array<Readonly<Record<string, string>>>> {
    return [...(this.callers.get(service)?.values() ?? [])];
  }

  private list(service: string): ServiceInstance[] {
    return [...(this.instances.get(service)?.values() ?? [])];
  }

  private notify(service: string): void {
    for (const onChange of this.watchers.get(service) ?? []) onChange(this.list(service));
  }
}

function entriesOf<V>(map: Map<string, Map<string, V>>, service: string): Map<string, V> {
  let entries = map.get(service);
  if (entries === undefined) map.set(service, (entries = new Map()));
  return entries;
}

/** A registry and resolver in this process's memory; see {@link MemoryDiscovery}. */
export function memory(): MemoryDiscovery {
  return new MemoryDiscovery();
}
