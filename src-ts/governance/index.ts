/**
 * Client-side governance as pure logic, with no I/O: load balancers (Kitex's smooth weighted
 * round robin default, weighted random, consistent hash), retry policies, the retry budget and
 * error-rate circuit breakers over a sliding window, each on an injectable clock.
 */
export { ConsistentHash, createPicker, hash32, SmoothWeightedRoundRobin, WeightedRandom } from './load-balancer.js';
export type { LoadBalancerName, Picker, Random, Weighted } from './load-balancer.js';
export { monotonicNow, SlidingWindow } from './sliding-window.js';
export type { Clock, Outcome, WindowOptions } from './sliding-window.js';
export { BreakerPanel, CircuitBreaker, instanceOutcome, serviceBreakerKey, serviceOutcome } from './circuit-breaker.js';
export type { BreakerState, BreakerTransition, CircuitBreakerOptions } from './circuit-breaker.js';
export { RETRY_BUDGET_MIN_SAMPLES, RetryBudget } from './retry-budget.js';
export type { RetryBudgetOptions } from './retry-budget.js';
export { backoffMs, isRetryableError, RETRY_TRANSIT_KEY, RetryPolicies } from './retry-policy.js';
export type { RetryBackoff, RetryConfig, RetryOptions, RetryPolicy } from './retry-policy.js';
export { realTimers, runWithRetry } from './retry-runner.js';
export type { RetryOutcome, RetryRun, Timers } from './retry-runner.js';
