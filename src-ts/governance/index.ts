/**
 * Client-side governance as pure logic, with no I/O: load balancers (Kitex's smooth weighted
 * round robin default, weighted random, consistent hash).
 */
export { ConsistentHash, createPicker, hash32, SmoothWeightedRoundRobin, WeightedRandom } from './load-balancer.js';
export type { LoadBalancerName, Picker, Random, Weighted } from './load-balancer.js';
