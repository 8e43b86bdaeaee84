import { ErrorCode, HeddleError } from '../errors.js';
import { BreakerPanel, CircuitBreaker, instanceOutcome, serviceBreakerKey, serviceOutcome, type BreakerTransition, type CircuitBreakerOptions } from '../governance/circuit-breaker.js';
import { RetryBudget } from '../governance/retry-budget.js';
import { RETRY_TRANSIT_KEY, RetryPolicies, type RetryConfig, type RetryPolicy } from '../governance/retry-policy.js';
import { realTimers, runWithRetry, type Timers } from '../governance/retry-runner.js';
import { currentServerCall, enableCallScope } from './call-scope.js';
import type { CallContext, RpcContext } from './context.js';

/** The `circuitBreaker` client option: thresholds for both levels (Kitex's defaults: error
 * rate 0.5 over at least 200 samples in 10 s, open 5 s, two half-open successes close). */
export interface CircuitBreakerConfig extends CircuitBreakerOptions {
  /** The service-level breaker, keyed `fromService/toService/method`, counting every failure and
   * timeout: `false` for none, or thresholds of its own. Default on. */
  service?: boolean | CircuitBreakerOptions;
  /** The instance-level breaker, keyed by instance address, counting connection failures only
   * (an open one makes calls skip that instance): `false` for none. Default on. */
  instance?: boolean | CircuitBreakerOptions;
  /** Per-method service-level overrides; `false` turns the service breaker off for that method. */
  methods?: Record<string, CircuitBreakerOptions | false>;
  /** Called on every breaker state change, e.g. to log it. */
  onStateChange?: (transition: BreakerTransition & { level: 'service' | 'instance' }) => void;
}

/** What one attempt may go to, as the governor tells the client that sends it. */
export interface InstanceChoice {
  /** The instance the previous attempt went to, to avoid when another is available (no
   * retry-same-node), or to pick again (retry-same-node); undefined on the first attempt. */
  readonly previous: string | undefined;
  readonly sameNode: boolean;
  /** Whether the instance-level breaker of `address` lets a call through now. */
  allowed(address: string): boolean;
  /** The sender names the instance it chose, before sending. */
  chosen(address: string): void;
}

/** Sends one attempt to one instance it picks under `choice`. */
export type AttemptSender = (method: string, request: Record<string, unknown>, options: GovernedCallOptions, choice: InstanceChoice) => Promise<unknown>;

/** The call options the governor reads. */
export interface GovernedCallOptions {
  timeoutMs?: number;
  metainfo?: { transient?: Record<string, string>; persistent?: Record<string, string> };
  onContext?: (ctx: RpcContext) => void;
  parent?: RpcContext;
}

/**
 * Retries and circuit breaking around a client's calls (Kitex's retry container and CBSuite):
 * per attempt, the service breaker is asked first (an open one fails the attempt with
 * ERR_CIRCUIT_OPEN), the sender picks an instance whose breaker allows it, and both breakers hear
 * the outcome; the retry policy decides on further attempts. Retries carry `RPC_PERSIST_RetryReq`.
 */
export class Governor {
  private readonly policies: RetryPolicies | undefined;
  private readonly budgets = new Map<RetryPolicy, RetryBudget>();
  private readonly servicePanels = new Map<string, BreakerPanel | undefined>();
  private readonly instancePanel: BreakerPanel | undefined;
  private readonly breakerOptions: CircuitBreakerConfig | undefined;

  constructor(
    retry: RetryConfig | undefined,
    circuitBreaker: CircuitBreakerConfig | boolean | undefined,
    private readonly fromService: string,
    private readonly toService: string,
    private readonly defaultTimeoutMs: number,
    private readonly sender: AttemptSender,
    private readonly timers: Timers = realTimers,
  ) {
    if (retry !== undefined) {
      this.policies = new RetryPolicies(retry);
      // Retries must know whether the call being served is a retry: expose it to client calls.
      enableCallScope();
    }
    if (circuitBreaker !== undefined && circuitBreaker !== false) {
      const config = circuitBreaker === true ? {} : circuitBreaker;
      if (config === null || typeof config !== 'object') throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, 'circuitBreaker must be true, false or an object of breaker options');
      this.breakerOptions = config;
      const { instance } = config;
      if (instance !== false) this.instancePanel = new BreakerPanel({ ...thresholds(config), ...(instance === true || instance === undefined ? {} : instance) }, timers.now, this.reporter('instance'));
      // Builds the default service panel now, so bad thresholds fail at createClient.
      this.servicePanelFor('');
      for (const method of Object.keys(config.methods ?? {})) this.servicePanelFor(method);
    }
  }

  /** Makes the call: attempts under the method's retry policy, each through the breakers. */
  async call(method: string, request: Record<string, unknown>, options: GovernedCallOptions): Promise<unknown> {
    const parent = options.parent ?? currentServerCall();
    const policy = this.policies?.policyFor(method);
    const key = serviceBreakerKey(this.fromService, this.toService, method);
    const breaker = this.servicePanelFor(method)?.get(key);
    const contexts: Array<CallContext | undefined> = [];
    const limit = this.limitOf(policy, parent);
    let previous: string | undefined;
    const outcome = await runWithRetry(
      {
        policy,
        method,
        budget: this.budgetOf(policy),
        budgetKey: key,
        servingRetry: parent?.side === 'server' && parent.metainfo.getPersistent(RETRY_TRANSIT_KEY) !== undefined,
        limit,
        attempt: async (n, timeLeftMs) => {
          if (breaker !== undefined && !breaker.allow()) {
            throw new HeddleError(ErrorCode.ERR_CIRCUIT_OPEN, `circuit breaker ${key} is open: calls fail fast until it lets a probe through`);
          }
          let chosen: string | undefined;
          const choice: InstanceChoice = {
            previous,
            sameNode: policy?.retrySameNode ?? false,
            allowed: (address) => this.instancePanel?.peek(address)?.allow() ?? true,
            chosen: (address) => {
              chosen = previous = address;
            },
          };
          try {
            const value = await this.sender(method, request, this.attemptOptions(options, parent, n, timeLeftMs, (ctx) => (contexts[n] = ctx)), choice);
            this.recordOutcome(breaker, chosen, undefined, false);
            return value;
          } catch (error) {
            this.recordOutcome(breaker, chosen, error, true);
            throw error;
          }
        },
      },
      this.timers,
    );
    const ctx = contexts[outcome.winner];
    if (ctx !== undefined) {
      ctx.attempts = outcome.attempts;
      options.onContext?.(ctx);
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Drops the instance breaker of an address that left the instance list. */
  forgetInstance(address: string): void {
    this.instancePanel?.delete(address);
  }

  private recordOutcome(breaker: CircuitBreaker | undefined, instance: string | undefined, error: unknown, failed: boolean): void {
    const outcome = serviceOutcome(error, failed);
    if (breaker !== undefined && outcome !== undefined) breaker.record(outcome);
    if (instance !== undefined && this.instancePanel !== undefined) this.instancePanel.get(instance).record(instanceOutcome(error, failed));
  }

  private attemptOptions(options: GovernedCallOptions, parent: RpcContext | undefined, n: number, timeLeftMs: number | undefined, onContext: (ctx: CallContext) => void): GovernedCallOptions {
    const attempt: GovernedCallOptions = { ...options, parent, onContext: onContext as (ctx: RpcContext) => void };
    if (n > 0) attempt.metainfo = { transient: options.metainfo?.transient, persistent: { ...options.metainfo?.persistent, [RETRY_TRANSIT_KEY]: String(n) } };
    if (timeLeftMs !== undefined) {
      const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
      attempt.timeoutMs = timeoutMs === 0 ? Math.ceil(timeLeftMs) : Math.min(timeoutMs, Math.ceil(timeLeftMs));
    }
    return attempt;
  }

  /** When attempts must end: the policy's maxDurationMs and the served call's deadline. */
  private limitOf(policy: RetryPolicy | undefined, parent: RpcContext | undefined): number | undefined {
    const now = this.timers.now();
    let limit = policy !== undefined && policy.maxDurationMs > 0 ? now + policy.maxDurationMs : undefined;
    if (parent?.side === 'server' && parent.deadline !== undefined) {
      const parentLimit = now + (parent.deadline - Date.now());
      limit = limit === undefined ? parentLimit : Math.min(limit, parentLimit);
    }
    return limit;
  }

  private budgetOf(policy: RetryPolicy | undefined): RetryBudget | undefined {
    if (policy === undefined || policy.budget === false) return undefined;
    let budget = this.budgets.get(policy);
    if (budget === undefined) {
      budget = new RetryBudget(policy.budget, this.timers.now);
      this.budgets.set(policy, budget);
    }
    return budget;
  }

  private servicePanelFor(method: string): BreakerPanel | undefined {
    const config = this.breakerOptions;
    if (config === undefined || config.service === false) return undefined;
    const own = config.methods !== undefined && Object.hasOwn(config.methods, method) ? method : '';
    if (this.servicePanels.has(own)) return this.servicePanels.get(own);
    const override = own === '' ? {} : config.methods![own];
    const panel = override === false ? undefined : new BreakerPanel({ ...thresholds(config), ...(typeof config.service === 'object' ? config.service : {}), ...override }, this.timers.now, this.reporter('service'));
    this.servicePanels.set(own, panel);
    return panel;
  }

  private reporter(level: 'service' | 'instance'): ((t: BreakerTransition) => void) | undefined {
    const report = this.breakerOptions?.onStateChange;
    return report && ((transition) => report({ ...transition, level }));
  }
}

function thresholds(config: CircuitBreakerConfig): CircuitBreakerOptions {
  const { errorRate, minSamples, coolingMs, detectMs, halfOpenSuccesses, bucketMs, buckets } = config;
  const picked: CircuitBreakerOptions = { errorRate, minSamples, coolingMs, detectMs, halfOpenSuccesses, bucketMs, buckets };
  for (const name of Object.keys(picked) as Array<keyof CircuitBreakerOptions>) if (picked[name] === undefined) delete picked[name];
  return picked;
}
