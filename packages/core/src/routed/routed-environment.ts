import { EventEmitter } from "eventemitter3";
import { capabilitiesOf } from "../backend/backend-capabilities.js";
import { fileSystemFacade } from "../environment/wrap-environment.js";
import { BackendUnavailableError } from "../errors/backend-unavailable-error.js";
import { EnvironmentDisposedError } from "../errors/environment-disposed-error.js";
import { HermesError } from "../errors/hermes-error.js";
import type { PolicyAction } from "../policy/create-policy.js";
import { commandText } from "../policy/with-policy.js";
import type { Router } from "../router/create-router.js";
import type { Backend } from "../types/backend.js";
import type { Capabilities, IsolationLevel } from "../types/capabilities.js";
import type { ExecOptions, ExecResult, ProcessHandle, SpawnOptions } from "../types/exec.js";
import type { EnvironmentEvents, EnvironmentStatus, ExecutionEnvironment } from "../types/execution-environment.js";
import type { FileSystem } from "../types/file-system.js";
import type { TaskContext } from "../types/task-context.js";
import type { UsageStore } from "../usage/usage-store.js";
import type { BackendSlot } from "./backend-slot.js";
import { register, unregister } from "./environment-registry.js";

/** How often recorded usage is written to the store. */
const usageFlushMs = 5000;

/** Stronger isolation ranks higher; a fallback to a lower rank is reported as less isolated. */
const isolationRank: Record<IsolationLevel, number> = { none: 0, "remote-host": 1, namespace: 2, container: 3, microvm: 4 };

export interface RoutedEnvironmentOptions {
  id: string;
  router: Router;
  slots: Map<string, BackendSlot>;
  /** The default backend (loaded when the environment is made). */
  defaultBackend: Pick<Backend, "type" | "capabilities">;
  /** The isolation of each configured backend, known without loading its package (for fallback warnings). */
  isolationOf: (name: string) => IsolationLevel;
  usage: UsageStore | undefined;
}

/**
 * One `ExecutionEnvironment` over every configured backend: each call goes to the backend the router picks
 * from its `task`, each backend keeps one live environment (and so its session), a backend that cannot start
 * hands over to the next in `fallback`, loudly. `files` go to the backend of the latest call (the default one
 * before any). `backend`, `type` and `capabilities` are the default backend's.
 */
export class RoutedEnvironment extends EventEmitter<EnvironmentEvents> implements ExecutionEnvironment {
  readonly id: string;
  readonly backend: string;
  readonly type: string;
  readonly capabilities: Capabilities;
  readonly files: FileSystem;
  private latest: BackendSlot;
  private disposing: Promise<void> | undefined;
  private readonly flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RoutedEnvironmentOptions) {
    super();
    this.id = options.id;
    this.backend = options.router.defaultBackend;
    this.type = options.defaultBackend.type;
    this.capabilities = capabilitiesOf(options.defaultBackend);
    this.latest = this.slot(this.backend);
    this.files = fileSystemFacade(async () => {
      this.assertOpen("use the files API");
      return (await this.latest.acquire()).files;
    });
    if (options.usage) this.flushTimer = setInterval(() => void this.flushUsage(), usageFlushMs).unref();
    register(this);
  }

  async start(): Promise<void> {
    this.assertOpen("start");
    await this.environmentFor({});
  }

  async exec(command: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const chosen = this.choose(options.task, "run a command", () => shellAction(command, options));
    const { slot, environment } = chosen instanceof Promise ? await chosen : chosen;
    return slot.use(environment, () => environment.exec(command, options));
  }

  async spawn(command: string | readonly string[], options: SpawnOptions = {}): Promise<ProcessHandle> {
    const chosen = this.choose(options.task, "spawn a process", () => shellAction(command, options));
    const { slot, environment } = chosen instanceof Promise ? await chosen : chosen;
    return slot.use(environment, () => environment.spawn(command, options));
  }

  /** The environment of the backend a call with this `task` would use (after fallback), started. */
  async environmentFor(task: TaskContext = {}): Promise<ExecutionEnvironment> {
    return (await this.choose(task, "choose a backend")).environment;
  }

  async status(): Promise<EnvironmentStatus> {
    const live = [...this.options.slots.values()].flatMap((slot) => (slot.live ? [slot.live] : []));
    const statuses = await Promise.all(live.map((environment) => environment.status()));
    const main = statuses.find((status) => status.backend === this.backend) ?? statuses[0];
    const sum = (key: "commandsRun" | "runningCommands" | "backgroundProcesses") =>
      statuses.reduce((total, status) => total + status[key], 0);
    return {
      id: this.id,
      backend: this.backend,
      type: this.type,
      state: this.disposing ? "disposed" : statuses.length > 0 ? "ready" : "created",
      cwd: main?.cwd ?? null,
      commandsRun: sum("commandsRun"),
      runningCommands: sum("runningCommands"),
      backgroundProcesses: sum("backgroundProcesses"),
      startedAt: statuses.reduce<Date | null>(
        (first, status) => (first && (!status.startedAt || first < status.startedAt) ? first : status.startedAt),
        null,
      ),
      lastUsedAt: statuses.reduce<Date | null>(
        (last, status) => (last && (!status.lastUsedAt || last > status.lastUsedAt) ? last : status.lastUsedAt),
        null,
      ),
    };
  }

  dispose(): Promise<void> {
    this.disposing ??= this.disposeNow();
    return this.disposing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** Writes recorded usage (and the cost of the time live environments existed) to the store. */
  async flushUsage(): Promise<void> {
    for (const slot of this.options.slots.values()) slot.countCost();
    await this.options.usage?.flush().catch((error: unknown) => {
      this.emit("warning", {
        code: "USAGE_NOT_SAVED",
        message: `could not write usage to ${this.options.usage?.directory}: ${String(error)}`,
      });
    });
  }

  /** For process exit: nothing asynchronous runs any more. */
  flushUsageSync(): void {
    for (const slot of this.options.slots.values()) slot.countCost();
    try {
      this.options.usage?.flushSync();
    } catch {
      // Exiting: there is nobody left to tell.
    }
  }

  /**
   * The backend for a call and its environment: at once when that is live (most calls: no wait on a
   * promise), else once it has started or the fallback has found one.
   */
  private choose(task: TaskContext | undefined, operation: string, action?: () => PolicyAction): Chosen | Promise<Chosen> {
    this.assertOpen(operation);
    const context = task ?? {};
    const decision = this.options.router.select(context);
    if (this.listenerCount("route") > 0) this.emit("route", { task: context, ...decision });
    const chosen = this.slot(decision.backend);
    const live = chosen.usable;
    if (live) {
      this.latest = chosen;
      return { slot: chosen, environment: live };
    }
    if (action) chosen.precheck(action);
    return this.acquire(chosen, context);
  }

  private async acquire(chosen: BackendSlot, context: TaskContext): Promise<Chosen> {
    try {
      const environment = await chosen.acquire();
      this.latest = chosen;
      return { slot: chosen, environment };
    } catch (error) {
      if (!HermesError.isInstance(error) || !error.retryable) throw error;
      return this.fallBack(chosen, error, context);
    }
  }

  /** Tries the `fallback` backends in order; each attempt is a `fallback` event and a warning. */
  private async fallBack(chosen: BackendSlot, failure: HermesError, task: TaskContext) {
    const failures = [`${chosen.name}: ${failure.message}`];
    for (const name of this.options.router.fallback) {
      if (name === chosen.name) continue;
      const lessIsolated = isolationRank[this.options.isolationOf(name)] < isolationRank[this.options.isolationOf(chosen.name)];
      const reason = failures.at(-1) as string;
      this.emit("fallback", { from: chosen.name, to: name, reason, lessIsolated, task });
      this.warn(
        "BACKEND_FALLBACK",
        `backend "${chosen.name}" is unavailable, using "${name}" instead${lessIsolated ? " (LESS ISOLATED)" : ""}: ${reason}`,
      );
      const slot = this.slot(name);
      try {
        const environment = await slot.acquire();
        this.latest = slot;
        return { slot, environment };
      } catch (error) {
        if (!HermesError.isInstance(error) || !error.retryable) throw error;
        failures.push(`${name}: ${error.message}`);
      }
    }
    if (failures.length === 1) throw failure;
    throw new BackendUnavailableError({
      backend: chosen.name,
      reason: `it and every fallback failed (${failures.join("; ")})`,
      cause: failure,
    });
  }

  /** A warning event; with nobody listening, a process warning, so a fallback is never silent. */
  private warn(code: string, message: string): void {
    if (this.listenerCount("warning") > 0) this.emit("warning", { code, message });
    else process.emitWarning(message, { code: `HERMES_${code}` });
  }

  private slot(name: string): BackendSlot {
    const slot = this.options.slots.get(name);
    if (!slot) throw new BackendUnavailableError({ backend: name, reason: "it is not configured", retryable: false });
    return slot;
  }

  private assertOpen(operation: string): void {
    if (this.disposing) throw new EnvironmentDisposedError({ environmentId: this.id, operation });
  }

  private async disposeNow(): Promise<void> {
    clearInterval(this.flushTimer);
    unregister(this);
    await Promise.all([...this.options.slots.values()].map((slot) => slot.dispose()));
    await this.flushUsage();
    this.emit("disposed");
    this.removeAllListeners();
  }
}

type Chosen = { slot: BackendSlot; environment: ExecutionEnvironment };

/** A shell action for the policy's check before a backend starts (a relative per-call cwd is left to the full check). */
function shellAction(command: string | readonly string[], options: ExecOptions | SpawnOptions): PolicyAction {
  return {
    action: "shell_exec",
    command: commandText(command),
    ...(options.cwd?.startsWith("/") && { cwd: options.cwd }),
    ...(options.env !== undefined && { env: options.env }),
  };
}
