import type { CallerInfo, CallerRegistry, Registry, RegistryInfo, Resolver, ServiceInstance } from '../../src-ts/discovery/types.js';

/** An in-memory registry, resolver and caller registry, for routing tests that need no etcd. */
export class MemoryRegistry implements Registry, Resolver, CallerRegistry {
  readonly instances = new Map<string, Map<string, ServiceInstance>>();
  readonly callers = new Map<string, Map<string, Record<string, string>>>();

  async register(info: RegistryInfo): Promise<void> {
    const byAddress = this.instances.get(info.serviceName) ?? new Map<string, ServiceInstance>();
    byAddress.set(info.address, { network: 'tcp', address: info.address, weight: info.weight, tags: info.tags });
    this.instances.set(info.serviceName, byAddress);
  }

  async deregister(info: RegistryInfo): Promise<void> {
    this.instances.get(info.serviceName)?.delete(info.address);
  }

  async resolve(service: string): Promise<ServiceInstance[]> {
    return [...(this.instances.get(service)?.values() ?? [])];
  }

  async registerCaller(info: CallerInfo): Promise<void> {
    const byId = this.callers.get(info.serviceName) ?? new Map<string, Record<string, string>>();
    byId.set(info.id, { ...info.tags });
    this.callers.set(info.serviceName, byId);
  }

  async deregisterCaller(info: CallerInfo): Promise<void> {
    this.callers.get(info.serviceName)?.delete(info.id);
  }

  async resolveCallers(service: string): Promise<Array<Record<string, string>>> {
    return [...(this.callers.get(service)?.values() ?? [])];
  }
}
