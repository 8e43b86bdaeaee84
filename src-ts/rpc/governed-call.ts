import { ErrorCode, HeddleError } from '../errors.js';
import { BREAKER_OPTION_NAMES, BreakerPanel, CircuitBreaker, instanceOutcome, serviceBreakerKey, serviceOutcome, type BreakerTransition, type CircuitBreakerOptions } from '../governance/circuit-breaker.js';
import { RetryBudget } from '../governance/retry-budget.js';
import { RETRY_TRANSIT_KEY, RetryPolicies, type RetryConfig, type RetryPolicy } from '../governance/retry-policy.js';
import { realTimers, runWithRetry, type Timers } from '../governance/retry-runner.js';
import { logWarn } from '../log/index.js';
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
  /** The sender names the instance it chose, before sending, and what to run when the attempt
   * settles (the governor already waits for it: the sender needs no promise hop of its own). */
  chosen(address: string, onSettled?: () => void): void;
}

/**
 * Hears how one attempt ended, exactly once, before the attempt's promise settles. The client
 * that sends the attempt calls it from its own settling code, so the breakers and in-flight
 * counts cost no promise hop of their own.
 */
export interface AttemptWatcher {
  attemptSettled(error: unknown, failed: boolean): void;
}

/**
 * Sends one attempt to one instance it picks under `choice`. With `watcher`, the sender (or the
 * client it hands the attempt to) reports the outcome to it exactly once, a refusal before
 * sending included; without, the governor waits on the promise.
 */
export type AttemptSender = (method: string, request: Record<string, unknown>, options: GovernedCallOptions, choice: InstanceChoice, watcher: AttemptWatcher | undefined) => Promise<unknown>;

/** An attempt refused before it was sent: its watcher hears so, as it hears every outcome. */
export function refused(error: unknown, watcher: AttemptWatcher | undefined): Promise<never> {
  watcher?.attemptSettled(error, true);
  return Promise.reject(error);
}

/** Reports `attempt`'s outcome to `watcher` when it settles: for clients whose middleware may
 * answer without reaching the code that settles a sent call. */
export function watched(attempt: Promise<unknown>, watcher: AttemptWatcher): Promise<unknown> {
  return attempt.then(
    (value) => {
      watcher.attemptSettled(undefined, false);
      return value;
    },
    (error: unknown) => {
      watcher.attemptSettled(error, true);
      throw error;
    },
  );
}

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
  private readonly methods = new Map<string, MethodGovernance>();
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
      for (const name of Object.keys(config)) {
        if (!BREAKER_OPTION_NAMES.has(name) && !['service', 'instance', 'methods', 'onStateChange'].includes(name)) {
          throw new HeddleError(ErrorCode.ERR_INVALID_ARGUMENT, `unknown circuitBreaker option ${JSON.stringify(name)}`);
        }
      }
      this.breakerOptions = config;
      const { instance } = config;
      if (instance !== false) this.instancePanel = new BreakerPanel({ ...thresholds(config), ...(instance === true || instance === undefined ? {} : instance) }, timers.now, this.reporter('instance'));
      // Builds the default service panel now, so bad thresholds fail at createClient.
      this.servicePanelFor('');
      for (const method of Object.keys(config.methods ?? {})) this.servicePanelFor(method);
    }
  }

  /** Makes the call: attempts under the method's retry policy, each through the breakers. */
  call(method: string, request: Record<string, unknown>, options: GovernedCallOptions): Promise<unknown> {
    const m = this.methodOf(method);
    // Without a retry policy (breakers only) a call is one attempt: no run, no contexts to keep,
    // and its Choice hears the outcome straight from the client that sends it.
    if (m.policy === undefined) {
      if (m.breaker !== undefined && !m.breaker.allow()) return Promise.reject(this.openError(m));
      const choice = new Choice(this, m.breaker, this.instancePanel, false);
      return this.sender(m.method, request, options, choice, choice);
    }
    const choice = new Choice(this, m.breaker, this.instancePanel, m.policy.retrySameNode);
    return this.retried(m, request, options, options.parent ?? currentServerCall(), choice);
  }

  private retried(m: MethodGovernance, request: Record<string, unknown>, options: GovernedCallOptions, parent: RpcContext | undefined, choice: Choice): Promise<unknown> {
    // Each attempt's context is kept only when someone will read the deciding one.
    const report = options.onContext;
    const contexts: Array<CallContext | undefined> | undefined = report === undefined ? undefined : [];
    const run = runWithRetry(
      {
        policy: m.policy,
        method: m.method,
        budget: m.budget,
        budgetKey: m.key,
        servingRetry: parent?.side === 'server' && parent.metainfo.getPersistent(RETRY_TRANSIT_KEY) !== undefined,
        limit: this.limitOf(m.policy, parent),
        attempt: (n, timeLeftMs) => this.attempt(m, request, this.attemptOptions(options, parent, n, timeLeftMs, contexts), choice),
      },
      this.timers,
    );
    return run.then((outcome) => {
      const ctx = contexts?.[outcome.winner];
      if (ctx !== undefined) {
        ctx.attempts = outcome.attempts;
        report!(ctx);
      }
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    });
  }

  /** One attempt of a retried call through the service breaker, to an instance the sender picks
   * under `choice`. Attempts may overlap (backups), so each waits on its own promise. */
  private attempt(m: MethodGovernance, request: Record<string, unknown>, options: GovernedCallOptions, choice: Choice): Promise<unknown> {
    if (m.breaker !== undefined && !m.breaker.allow()) return Promise.reject(this.openError(m));
    choice.current = undefined;
    choice.onSettled = undefined;
    const sent = this.sender(m.method, request, options, choice, undefined);
    // The sender chose synchronously; a backup attempt sent meanwhile chooses anew, so this
    // attempt's instance and bookkeeping are taken now.
    const instance = choice.current;
    const onSettled = choice.onSettled;
    return sent.then(
      (value) => {
        this.settled(m.breaker, instance, onSettled, undefined, false);
        return value;
      },
      (error: unknown) => {
        this.settled(m.breaker, instance, onSettled, error, true);
        throw error;
      },
    );
  }

  /** Drops the instance breaker of an address that left the instance list. */
  forgetInstance(address: string): void {
    this.instancePanel?.delete(address);
  }

  private openError(m: MethodGovernance): HeddleError {
    return new HeddleError(ErrorCode.ERR_CIRCUIT_OPEN, `circuit breaker ${m.key} is open: calls fail fast until it lets a probe through`);
  }

  /** @internal An attempt is over: the sender's bookkeeping, then both breakers hear it. */
  settled(breaker: CircuitBreaker | undefined, instance: string | undefined, onSettled: (() => void) | undefined, error: unknown, failed: boolean): void {
    onSettled?.();
    const outcome = serviceOutcome(error, failed);
    // One clock reading serves both breakers' windows.
    const now = this.timers.now();
    if (breaker !== undefined && outcome !== undefined) breaker.record(outcome, now);
    if (instance !== undefined && this.instancePanel !== undefined) this.instancePanel.get(instance).record(instanceOutcome(error, failed), now);
  }

  private attemptOptions(options: GovernedCallOptions, parent: RpcContext | undefined, n: number, timeLeftMs: number | undefined, contexts: Array<CallContext | undefined> | undefined): GovernedCallOptions {
    if (n === 0 && timeLeftMs === undefined && contexts === undefined && parent === options.parent) return options;
    // The parent goes along explicitly: a backoff timer or a backup's may run outside its scope.
    const attempt: GovernedCallOptions = { ...options, parent, onContext: contexts && ((ctx: RpcContext) => (contexts[n] = ctx as CallContext)) };
    if (n > 0) attempt.metainfo = { transient: options.metainfo?.transient, persistent: { ...options.metainfo?.persistent, [RETRY_TRANSIT_KEY]: String(n) } };
    if (timeLeftMs !== undefined) {
      const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
      attempt.timeoutMs = timeoutMs === 0 ? Math.ceil(timeLeftMs) : Math.min(timeoutMs, Math.ceil(timeLeftMs));
    }
    return attempt;
  }

  /** The method's key, breaker, policy and budget, worked out on its first call. */
  private methodOf(method: string): MethodGovernance {
    let m = this.methods.get(method);
    if (m === undefined) {
      const key = serviceBreakerKey(this.fromService, this.toService, method);
      const policy = this.policies?.policyFor(method);
      m = { method, key, breaker: this.servicePanelFor(method)?.get(key), policy, budget: this.budgetOf(policy) };
      this.methods.set(method, m);
    }
    return m;
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
    // Transitions happen while a client settles a call: a throwing listener must not break that.
    return (
      report &&
      ((transition) => {
        try {
          report({ ...transition, level });
        } catch (error) {
          logWarn(ErrorCode.ERR_INVALID_ARGUMENT, `circuitBreaker onStateChange threw: ${(error as Error)?.message}`);
        }
      })
    );
  }
}

interface MethodGovernance {
  readonly method: string;
  /** Kitex's service breaker key, `from/to/method`, which also keys the retry budget. */
  readonly key: string;
  readonly breaker: CircuitBreaker | undefined;
  readonly policy: RetryPolicy | undefined;
  readonly budget: RetryBudget | undefined;
}

/**
 * The {@link InstanceChoice} of one call: remembers the instance each attempt went to. For a call
 * of one attempt it is also the attempt's {@link AttemptWatcher}.
 */
class Choice implements InstanceChoice, AttemptWatcher {
  previous: string | undefined;
  /** The instance of the attempt in progress. */
  current: string | undefined;
  /** The sender's own bookkeeping for the attempt in progress. */
  onSettled: (() => void) | undefined;

  constructor(
    private readonly governor: Governor,
    private readonly breaker: CircuitBreaker | undefined,
    private readonly panel: BreakerPanel | undefined,
    readonly sameNode: boolean,
  ) {}

  attemptSettled(error: unknown, failed: boolean): void {
    this.governor.settled(this.breaker, this.current, this.onSettled, error, failed);
  }

  allowed(address: string): boolean {
    return this.panel?.peek(address)?.allow() ?? true;
  }

  chosen(address: string, onSettled?: () => void): void {
    this.current = this.previous = address;
    this.onSettled = onSettled;
  }
}

/** The threshold fields of a breaker config (the names BREAKER_OPTION_NAMES lists), set ones only. */
function thresholds(config: CircuitBreakerConfig): CircuitBreakerOptions {
  return Object.fromEntries(Object.entries(config).filter(([name, value]) => BREAKER_OPTION_NAMES.has(name) && value !== undefined));
}

/** Whether client options ask for retries or circuit breakers, which put a Governor around calls. */
export function isGoverned(options: { retry?: unknown; circuitBreaker?: unknown }): boolean {
  return options.retry !== undefined || (options.circuitBreaker !== undefined && options.circuitBreaker !== false);
}
