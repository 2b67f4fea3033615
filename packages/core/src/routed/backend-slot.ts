import type { EventEmitter } from "eventemitter3";
import { Environment } from "../environment/environment.js";
import type { EnvironmentOptions } from "../environment/environment-options.js";
import { type EnvironmentMiddleware, wrapEnvironment } from "../environment/wrap-environment.js";
import { BackendUnavailableError } from "../errors/backend-unavailable-error.js";
import { BudgetExceededError } from "../errors/budget-exceeded-error.js";
import { EnvironmentDisposedError } from "../errors/environment-disposed-error.js";
import { HermesError } from "../errors/hermes-error.js";
import type { PolicyAction } from "../policy/create-policy.js";
import type { Backend } from "../types/backend.js";
import type { EnvironmentEvents, ExecutionEnvironment } from "../types/execution-environment.js";
import type { UsageStore } from "../usage/usage-store.js";

/** Events of a backend's environment that the routed environment passes on. */
const forwardedEvents = ["exec:start", "exec:end", "session:restart", "output:stray", "warning", "progress"] as const;

/** How often a running environment's cost is compared with its budget. */
const budgetCheckMs = 1000;
/** After a backend fails to start with a retryable error, calls skip it this long instead of waiting on it again. */
const retryAfterMs = 30_000;

export interface SlotOptions {
  name: string;
  type: string;
  /** The backend object (imported on first use for configured instances). */
  backend: () => Promise<Backend>;
  environment: EnvironmentOptions;
  /** Disposed after this long without a call, unless a command or background process runs. */
  idleMs: number;
  /** USD per hour the environment exists. */
  pricePerHour: number;
  budgetUsd: number | undefined;
  usage: UsageStore | undefined;
  /** Wraps the started environment (the security policy); default: used as it is. */
  wrap?: (environment: Environment) => ExecutionEnvironment;
  /** Throws when the policy denies an action outright, checked before an environment is started for it. */
  precheck?: (action: PolicyAction) => void;
  /** Where forwarded and lifecycle events go (the routed environment). */
  events: EventEmitter<EnvironmentEvents>;
}

/**
 * One configured backend inside a routed environment: its live environment (created on first use, so it
 * keeps its session between calls), idle expiry, usage and cost accounting, and the run's budget.
 */
export class BackendSlot {
  private environment: ExecutionEnvironment | undefined;
  private creating: Promise<ExecutionEnvironment> | undefined;
  private busy = 0;
  private lastUse = 0;
  /** At most one pending timer, re-armed for the remaining time when it fires (a timer per call costs ~20 µs). */
  private idleTimer: NodeJS.Timeout | undefined;
  private budgetTimer: NodeJS.Timeout | undefined;
  private retiring: Promise<void> | undefined;
  /** How many environments this slot has created. */
  private generation = 0;
  private runStartedAt = 0;
  private costCountedAt = 0;
  private exceeded: BudgetExceededError | undefined;
  /** Aborts the calls in flight when the budget is passed. */
  private stopAll = new AbortController();
  private closed = false;
  private failure: { until: number; error: BackendUnavailableError } | undefined;

  constructor(private readonly options: SlotOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** The live environment, if one runs. */
  get live(): ExecutionEnvironment | undefined {
    return this.environment;
  }

  /** The live environment when a call may use it at once (the budget not passed), as `acquire` would give it. */
  get usable(): ExecutionEnvironment | undefined {
    return this.exceeded ? undefined : this.environment;
  }

  /** Before starting an environment for an action (described only then): refuses it now if the policy denies it anyway. */
  precheck(describe: () => PolicyAction): void {
    if (!this.environment && this.options.precheck) this.options.precheck(describe());
  }

  /** The environment, created and started if there is none. */
  acquire(): Promise<ExecutionEnvironment> {
    if (this.exceeded) return Promise.reject(this.exceeded);
    if (this.environment) return Promise.resolve(this.environment);
    if (this.failure && Date.now() < this.failure.until) return Promise.reject(this.failure.error);
    this.creating ??= this.create().then(
      (environment) => {
        this.failure = undefined;
        return environment;
      },
      (error: unknown) => {
        this.creating = undefined;
        // A retryable failure (engine down, host unreachable) is remembered, so the next calls do not each wait
        // for the same timeout; they fail (and fall back) at once until it is time to try again.
        if (HermesError.isInstance(error) && error.retryable) {
          this.failure = {
            until: Date.now() + retryAfterMs,
            error: new BackendUnavailableError({
              backend: this.name,
              reason: `it failed to start at ${new Date().toISOString()} and is tried again after ${retryAfterMs / 1000}s (${error.message})`,
              cause: error,
            }),
          };
        }
        throw error;
      },
    );
    return this.creating;
  }

  /** Runs `work` on the environment; idle expiry waits for it. */
  async use<T>(environment: ExecutionEnvironment, work: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await work();
    } finally {
      this.busy--;
      this.lastUse = Date.now();
      if (!this.idleTimer && this.environment === environment) this.armIdleTimer(this.options.idleMs);
    }
  }

  /** Adds the cost of the time the environment has existed since the last count to the usage store. */
  countCost(): void {
    if (!this.environment || this.options.pricePerHour === 0) return;
    const now = Date.now();
    this.options.usage?.add(this.name, { costUsd: ((now - this.costCountedAt) / 3_600_000) * this.options.pricePerHour });
    this.costCountedAt = now;
  }

  async dispose(): Promise<void> {
    this.closed = true;
    await this.creating?.catch(() => {});
    await this.retire();
  }

  private async create(): Promise<ExecutionEnvironment> {
    // Each environment of the slot has an id of its own: the one before may still be tearing down (its
    // processes, its sandbox of that name) while this one starts, and must not take this one's with it.
    const generation = this.generation++;
    const { id } = this.options.environment;
    const options =
      generation === 0 || id === undefined ? this.options.environment : { ...this.options.environment, id: `${id}-${generation}` };
    const started = new Environment(await this.options.backend(), options);
    for (const name of forwardedEvents) {
      started.on(name, (...args: unknown[]) => (this.options.events.emit as (event: string, ...rest: unknown[]) => boolean)(name, ...args));
    }
    started.on("exec:end", ({ result }) => this.options.usage?.add(this.name, { commands: 1, busySeconds: result.durationMs / 1000 }));
    try {
      await started.start();
    } catch (error) {
      await started.dispose();
      throw error;
    }
    const guarded = this.options.wrap ? this.options.wrap(started) : started;
    const environment = this.options.budgetUsd === undefined ? guarded : wrapEnvironment(guarded, this.budget());
    if (this.closed) {
      await environment.dispose();
      throw new EnvironmentDisposedError({ environmentId: this.options.environment.id ?? this.name, operation: "start" });
    }
    this.environment = environment;
    this.runStartedAt = Date.now();
    this.costCountedAt = this.runStartedAt;
    if (this.options.budgetUsd !== undefined && this.options.pricePerHour > 0) {
      this.budgetTimer = setInterval(() => this.checkBudget(), budgetCheckMs).unref();
    }
    this.lastUse = Date.now();
    this.armIdleTimer(this.options.idleMs);
    return environment;
  }

  /**
   * Each command gets a signal that fires when the budget is passed; what fails then fails with
   * BudgetExceededError, carrying the stopped command's result.
   */
  private budget(): EnvironmentMiddleware {
    const explained = async <T>(work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        if (this.exceeded) throw new BudgetExceededError({ ...this.budgetFacts(), ...resultOf(error) });
        throw error;
      }
    };
    const stop = this.stopAll.signal;
    return {
      exec: (command, options, next) =>
        explained(() => next(command, { ...options, signal: options.signal ? AbortSignal.any([options.signal, stop]) : stop })),
      spawn: (command, options, next) => explained(() => next(command, options)),
    };
  }

  private budgetFacts() {
    return { backend: this.name, budgetUsd: this.options.budgetUsd ?? 0, costUsd: this.runCost() };
  }

  private runCost(): number {
    return ((Date.now() - this.runStartedAt) / 3_600_000) * this.options.pricePerHour;
  }

  private checkBudget(): void {
    if (this.exceeded || !this.environment || this.runCost() < (this.options.budgetUsd ?? Number.POSITIVE_INFINITY)) return;
    this.exceeded = new BudgetExceededError(this.budgetFacts());
    this.options.events.emit("warning", { code: "BUDGET_EXCEEDED", message: this.exceeded.message });
    this.stopAll.abort(this.exceeded);
    // Whatever still runs there keeps costing: the environment goes (its calls in flight return first).
    void this.retire();
  }

  private armIdleTimer(delayMs: number): void {
    if (this.closed || !Number.isFinite(this.options.idleMs)) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      void this.expireIfIdle();
    }, delayMs).unref();
  }

  private async expireIfIdle(): Promise<void> {
    const environment = this.environment;
    if (!environment) return;
    const idleFor = Date.now() - this.lastUse;
    if (this.busy > 0) return this.armIdleTimer(this.options.idleMs);
    if (idleFor < this.options.idleMs) return this.armIdleTimer(this.options.idleMs - idleFor);
    const status = await environment.status();
    if (status.runningCommands > 0 || status.backgroundProcesses > 0) return this.armIdleTimer(this.options.idleMs);
    if (this.environment !== environment || this.busy > 0) return;
    await this.retire();
    this.options.events.emit("expired", { backend: this.name, idleMs: this.options.idleMs });
  }

  /**
   * Disposes the live environment, counting its cost up to now. A dispose already under way (the budget's,
   * the idle expiry's) is waited for, so that the slot's own dispose returns only once nothing is left.
   */
  private async retire(): Promise<void> {
    const environment = this.environment;
    if (!environment) return this.retiring;
    this.countCost();
    this.environment = undefined;
    this.creating = undefined;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    clearInterval(this.budgetTimer);
    this.retiring = environment.dispose();
    await this.retiring;
  }
}

/** The partial result a stopped command carries (CommandAbortedError has one). */
function resultOf(error: unknown): { result?: never } {
  const result = (error as { result?: unknown } | undefined)?.result;
  return result === undefined ? {} : ({ result } as never);
}
