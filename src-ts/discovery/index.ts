/**
 * Service discovery: `discovery.etcd(...)` (a registry and a resolver in
 * kitex-contrib/registry-etcd's format), `discovery.dns(host:port)` (Kubernetes headless services), `discovery.static([...])`,
 * `discovery.memory()` (in this process), and the `Registry` /
 * `Resolver` interfaces other backends implement.
 */
export { etcd, EtcdDiscovery } from './etcd.js';
export type { EtcdDiscoveryOptions } from './etcd.js';
export { staticResolver as static } from './static.js';
export { memory, MemoryDiscovery } from './memory.js';
export { dnsResolver as dns } from './dns.js';
export type { DnsDiscoveryOptions } from './dns.js';
export type { StaticInstance } from './static.js';
export { decodeInstanceValue, encodeInstanceValue, instanceKey, KITEX_DEFAULT_WEIGHT, KITEX_ETCD_PREFIX } from './kitex-etcd-format.js';
export type { CallerInfo, CallerRegistry, Registry, RegistryInfo, Resolver, ServiceInstance } from './types.js';
export { defaultHostIdentity, HOST_IDENTITY_ENV, HOST_IDENTITY_FILES, MergedTag } from './host-identity.js';
export { ALL_LOCAL_UP_TO_K, combineRatio, localShare } from './merged-split.js';
export type { InstanceCounts } from './merged-split.js';
