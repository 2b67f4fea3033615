import { posix } from "node:path";
import { EventEmitter } from "eventemitter3";
import { BackendUnavailableError } from "../errors/backend-unavailable-error.js";
import { CommandAbortedError } from "../errors/command-aborted-error.js";
import { EnvironmentDisposedError } from "../errors/environment-disposed-error.js";
import { HermesError } from "../errors/hermes-error.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { UnsupportedCapabilityError } from "../errors/unsupported-capability-error.js";
import { ownerLabel } from "../lifecycle/owner-process.js";
import { OutputCapture } from "../session/output-capture.js";
import { collectProcessOutput } from "../session/raw-process-output.js";
import { Session } from "../session/session.js";
import type { ShellState } from "../session/session-script.js";
import { exportStatement, quoteShellWord } from "../session/shell-quote.js";
import { decodeShellWord } from "../session/shell-word.js";
import { newId } from "../session/shell-worker.js";
import type { Backend, BackendInstance } from "../types/backend.js";
import type { Capabilities } from "../types/capabilities.js";
import type { ExecOptions, ExecResult, ProcessHandle, SpawnOptions } from "../types/exec.js";
import type { EnvironmentEvents, EnvironmentState, EnvironmentStatus, ExecutionEnvironment } from "../types/execution-environment.js";
import type { FileSystem } from "../types/file-system.js";
import { environmentFileSystem } from "./environment-file-system.js";
import { checkCommand, checkOptions, defaultMaxOutputBytes, stdinBytes } from "./exec-request.js";
import { rawCommandSpec } from "./raw-command.js";
import { SpawnedProcess } from "./spawned-process.js";

export interface EnvironmentOptions {
  /** The environment's id (it labels what the backend creates). Default: a new random id. */
  id?: string;
  /** Configured instance name (defaults to the backend type). */
  backendName?: string;
  /** Default `exec` timeout. Default 180_000 ms. */
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when a command is ended. Default 1000 ms. */
  killGraceMs?: number;
  /** Most session shells open at once for concurrent calls. Default 8. */
  maxShells?: number;
  /** Working directory the session starts in, resolved against the backend's default. */
  cwd?: string;
  /** Variables exported in the session at start. */
  env?: Record<string, string>;
  /** Configuration warnings, emitted as `warning` events when the environment starts. */
  warnings?: readonly string[];
}

interface RunningCommand {
  outcome: Promise<{ exitCode: number | null; signal: string | null; cwd: string; error?: Error }>;
  cancel(graceMs: number): Promise<void>;
}

/**
 * The `ExecutionEnvironment` every backend gets: core derives sessions, one-shot runs, spawn, timeouts,
 * aborts, output capping and the file API from the backend's primitives. Starts lazily on first use.
 */
export class Environment extends EventEmitter<EnvironmentEvents> implements ExecutionEnvironment {
  readonly id: string;
  readonly backend: string;
  readonly type: string;
  readonly capabilities: Capabilities;
  readonly files: FileSystem;
  private readonly timeoutMs: number;
  private readonly killGraceMs: number;
  private instance: BackendInstance | undefined;
  private session: Session | undefined;
  private baseState: ShellState | undefined;
  private starting: Promise<void> | undefined;
  private disposing: Promise<void> | undefined;
  private state: EnvironmentState = "created";
  private startError: string | undefined;
  private startedAt: Date | null = null;
  private lastUsedAt: Date | null = null;
  private commandsRun = 0;
  private readonly running = new Set<RunningCommand>();
  private readonly processes = new Set<SpawnedProcess>();

  constructor(
    private readonly source: Backend,
    private readonly options: EnvironmentOptions = {},
  ) {
    super();
    this.id = options.id ?? newId();
    this.type = source.type;
    this.backend = options.backendName ?? source.type;
    this.capabilities = source.capabilities;
    this.timeoutMs = options.timeoutMs ?? 180_000;
    this.killGraceMs = options.killGraceMs ?? 1000;
    this.files = environmentFileSystem({
      primitives: async (operation) => {
        this.requireCapability("fileAccess", "the files API");
        return (await this.ready(operation)).files;
      },
      location: () => ({ cwd: this.sessionCwd(), home: this.sessionHome() }),
      warn: (code, message) => this.emit("warning", { code, message }),
    });
  }

  start(): Promise<void> {
    this.assertOpen("start");
    this.starting ??= this.startBackend().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  async exec(command: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    checkCommand(command);
    checkOptions(options, "exec");
    if (options.signal?.aborted) throw this.abortedBeforeStart(options.signal);
    if (options.stdin !== undefined) this.requireCapability("stdin", "stdin for exec");
    if (options.session === true && typeof command === "string") this.requireCapability("persistentSession", "session: true");
    const instance = await this.ready("run a command");
    const useSession = typeof command === "string" && options.session !== false && this.capabilities.persistentSession;
    const execId = newId();
    const limit = options.maxOutputBytes ?? defaultMaxOutputBytes;
    const stdout = new OutputCapture(limit, options.onStdout);
    const stderr = new OutputCapture(limit, options.onStderr);
    this.emit("exec:start", { execId, command, session: useSession, ...(options.task && { task: options.task }) });
    const started = Date.now();
    const run = useSession
      ? this.runInSession(command as string, execId, options, stdout, stderr)
      : this.runOneShot(instance, command, execId, options, stdout, stderr);
    this.running.add(run);
    let endedBy: "timeout" | "abort" | undefined;
    let killed: Promise<void> | undefined;
    const end = (reason: "timeout" | "abort") => {
      endedBy ??= reason;
      killed ??= run.cancel(this.killGraceMs).catch((error: unknown) => {
        this.emit("warning", { code: "KILL_FAILED", message: `could not end every process of the command: ${String(error)}` });
      });
    };
    const timer = setTimeout(() => end("timeout"), options.timeoutMs ?? this.timeoutMs);
    const onAbort = () => end("abort");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    try {
      const outcome = await run.outcome;
      // A timed-out or aborted command returns once its whole tree is gone.
      await killed;
      // The target went away under the command: there is no result to give, only a (retryable) error.
      if (outcome.error && !endedBy) throw outcome.error;
      stdout.end();
      stderr.end();
      const result: ExecResult = {
        exitCode: endedBy ? null : outcome.exitCode,
        signal: endedBy ? (outcome.signal ?? "SIGTERM") : outcome.signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut: endedBy === "timeout",
        truncated: stdout.truncated || stderr.truncated,
        durationMs: Date.now() - started,
        cwd: outcome.cwd,
        backend: this.backend,
      };
      this.commandsRun++;
      this.lastUsedAt = new Date();
      this.emit("exec:end", { execId, result });
      if (endedBy === "abort") throw new CommandAbortedError({ result, reason: options.signal?.reason });
      return result;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      this.running.delete(run);
    }
  }

  async spawn(command: string | readonly string[], options: SpawnOptions = {}): Promise<ProcessHandle> {
    checkCommand(command);
    checkOptions(options, "spawn");
    this.requireCapability("background", "spawn (background processes)");
    if (options.pty) this.requireCapability("pty", "spawn with a pseudo-terminal (pty: true)");
    const instance = await this.ready("spawn a process");
    const execId = newId();
    const process = await instance.start(this.rawSpec(instance, command, execId, options, true));
    const handle = new SpawnedProcess({
      process,
      execId,
      instance,
      backendName: this.backend,
      cwd: this.commandCwd(options.cwd),
      options,
      killGraceMs: this.killGraceMs,
    });
    this.processes.add(handle);
    void handle.wait().then(() => this.processes.delete(handle));
    this.lastUsedAt = new Date();
    return handle;
  }

  async status(): Promise<EnvironmentStatus> {
    return {
      id: this.id,
      backend: this.backend,
      type: this.type,
      state: this.state,
      cwd: this.session?.state?.cwd ?? null,
      commandsRun: this.commandsRun,
      runningCommands: this.running.size,
      backgroundProcesses: this.processes.size,
      startedAt: this.startedAt,
      lastUsedAt: this.lastUsedAt,
      ...(this.startError !== undefined && { error: this.startError }),
    };
  }

  dispose(): Promise<void> {
    this.disposing ??= this.disposeNow();
    return this.disposing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private async startBackend(): Promise<void> {
    this.state = "starting";
    for (const message of this.options.warnings ?? []) this.emit("warning", { code: "CONFIG_WARNING", message });
    try {
      const instance = await this.source.create({
        environmentId: this.id,
        backendName: this.backend,
        labels: {
          "hermes.owner": ownerLabel(),
          "hermes.env-id": this.id,
          "hermes.created": new Date().toISOString(),
        },
        warn: (code, message) => this.emit("warning", { code, message }),
        progress: (message, detail) => this.emit("progress", { backend: this.backend, message, ...detail }),
      });
      this.instance = instance;
      if (this.disposing) throw new EnvironmentDisposedError({ environmentId: this.id, operation: "start" });
      const session = new Session(instance, {
        environmentId: this.id,
        backendName: this.backend,
        maxShells: this.options.maxShells ?? 8,
        onStray: (stream, bytes) => this.emit("output:stray", { stream, text: bytes.toString("utf8") }),
        onRestart: (reason) => {
          if (!this.disposing) this.emit("session:restart", { reason });
        },
      });
      this.session = session;
      await session.warm();
      this.baseState = session.state ?? undefined;
      await this.applyInitialState(session);
      this.state = "ready";
      this.startedAt = new Date();
      this.startError = undefined;
    } catch (error) {
      this.state = "failed";
      this.startError = error instanceof Error ? error.message : String(error);
      await this.session?.dispose();
      await this.instance?.dispose().catch(() => {});
      this.session = undefined;
      this.instance = undefined;
      if (HermesError.isInstance(error)) throw error;
      throw new BackendUnavailableError({ backend: this.backend, reason: this.startError, cause: error });
    }
  }

  /** createEnv's `cwd` and `env` options become the session's starting state; a missing cwd fails the start. */
  private async applyInitialState(session: Session): Promise<void> {
    const steps: string[] = [];
    if (this.options.env && Object.keys(this.options.env).length > 0) steps.push(exportStatement(this.options.env, "createEnv env"));
    if (this.options.cwd !== undefined) steps.push(`builtin cd -- ${quoteShellWord(this.options.cwd, "createEnv cwd")}`);
    if (steps.length === 0) return;
    const stderr = new OutputCapture(4096);
    const outcome = await session.run({ command: steps.join(" && "), execId: newId(), stdout: new OutputCapture(0), stderr }).outcome;
    if (outcome.exitCode !== 0) {
      throw new InvalidArgumentError({
        argument: "createEnv cwd",
        value: this.options.cwd,
        expected: `an existing directory in the environment (${stderr.text().trim()})`,
      });
    }
  }

  private async ready(operation: string): Promise<BackendInstance> {
    this.assertOpen(operation);
    await this.start();
    this.assertOpen(operation);
    if (!this.instance) throw new BackendUnavailableError({ backend: this.backend, reason: "the environment did not start" });
    return this.instance;
  }

  private runInSession(
    command: string,
    execId: string,
    options: ExecOptions,
    stdout: OutputCapture,
    stderr: OutputCapture,
  ): RunningCommand {
    const session = this.session as Session;
    const stdin = stdinBytes(options.stdin);
    const run = session.run({
      command,
      execId,
      stdout,
      stderr,
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      ...(options.env !== undefined && { env: options.env }),
      ...(stdin !== undefined && { stdin }),
    });
    return {
      outcome: run.outcome.then((outcome) => ({ ...outcome, cwd: options.cwd === undefined ? outcome.cwd : this.commandCwd(options.cwd) })),
      cancel: run.cancel,
    };
  }

  private runOneShot(
    instance: BackendInstance,
    command: string | readonly string[],
    execId: string,
    options: ExecOptions,
    stdout: OutputCapture,
    stderr: OutputCapture,
  ): RunningCommand {
    const stdin = stdinBytes(options.stdin);
    const started = instance.start(this.rawSpec(instance, command, execId, options, stdin !== undefined));
    const outcome = started.then(async (process) => {
      process.stdin?.on("error", () => {});
      if (stdin !== undefined) process.stdin?.end(stdin);
      const exit = await collectProcessOutput(process, { stdout: (bytes) => stdout.push(bytes), stderr: (bytes) => stderr.push(bytes) });
      return { exitCode: exit.code, signal: exit.signal, cwd: this.commandCwd(options.cwd), ...(exit.error && { error: exit.error }) };
    });
    const cancel = async (graceMs: number) => {
      await instance.killTagged({ execId }, { graceMs });
      (await started.catch(() => undefined))?.kill("SIGKILL");
    };
    return { outcome, cancel };
  }

  private rawSpec(
    instance: BackendInstance,
    command: string | readonly string[],
    execId: string,
    options: ExecOptions | SpawnOptions,
    stdin: boolean,
  ) {
    const sessionState = this.session?.state;
    return rawCommandSpec(instance, {
      command,
      environmentId: this.id,
      execId,
      session: sessionState && this.baseState ? { state: sessionState, base: this.baseState } : undefined,
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      ...(options.env !== undefined && { env: options.env }),
      stdin,
    });
  }

  /** An exec whose signal had already fired: nothing runs. */
  private abortedBeforeStart(signal: AbortSignal): CommandAbortedError {
    const result: ExecResult = {
      exitCode: null,
      signal: null,
      stdout: "",
      stderr: "",
      timedOut: false,
      truncated: false,
      durationMs: 0,
      cwd: this.sessionCwd(),
      backend: this.backend,
    };
    return new CommandAbortedError({ result, reason: signal.reason });
  }

  private sessionHome(): string | undefined {
    const home = this.session?.state?.env.get("HOME");
    return home == null ? undefined : decodeShellWord(home);
  }

  private sessionCwd(): string {
    return this.session?.state?.cwd ?? this.instance?.defaultCwd ?? "/";
  }

  private commandCwd(cwd: string | undefined): string {
    return cwd === undefined ? this.sessionCwd() : posix.resolve(this.sessionCwd(), cwd);
  }

  private requireCapability(capability: keyof Capabilities, what: string): void {
    if (this.capabilities[capability] === false) throw new UnsupportedCapabilityError({ capability: what, backend: this.backend });
  }

  private assertOpen(operation: string): void {
    if (this.disposing) throw new EnvironmentDisposedError({ environmentId: this.id, operation });
  }

  private async disposeNow(): Promise<void> {
    this.state = "disposed";
    await this.starting?.catch(() => {});
    const instance = this.instance;
    if (instance) {
      // Everything the environment started carries HERMES_ENV_ID, including what commands put in the background.
      await instance
        .killTagged({ environmentId: this.id }, { graceMs: this.killGraceMs })
        .catch((error: unknown) =>
          this.emit("warning", { code: "DISPOSE_KILL_FAILED", message: `could not end every process: ${String(error)}` }),
        );
      await this.session?.dispose();
      await Promise.allSettled([...this.running].map((run) => run.outcome));
      await instance.dispose();
    }
    this.emit("disposed");
    this.removeAllListeners();
  }
}
