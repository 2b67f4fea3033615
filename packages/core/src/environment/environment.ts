import { posix } from "node:path";
import { EventEmitter } from "eventemitter3";
import { capabilitiesOf } from "../backend/backend-capabilities.js";
import type { Target } from "../backend/derive-target.js";
import { BackendUnavailableError } from "../errors/backend-unavailable-error.js";
import { CommandAbortedError } from "../errors/command-aborted-error.js";
import { EnvironmentDisposedError } from "../errors/environment-disposed-error.js";
import { UnsupportedCapabilityError } from "../errors/unsupported-capability-error.js";
import { newId } from "../session/new-id.js";
import type { Session } from "../session/session.js";
import { decodeShellWord } from "../session/shell-word.js";
import type { ShellState } from "../session/state-restore.js";
import type { Backend } from "../types/backend.js";
import type { Capabilities } from "../types/capabilities.js";
import type { ExecOptions, ExecResult, ProcessHandle, SpawnOptions } from "../types/exec.js";
import type { EnvironmentEvents, EnvironmentState, EnvironmentStatus, ExecutionEnvironment } from "../types/execution-environment.js";
import type { FileSystem } from "../types/file-system.js";
import { commandDefaults } from "./command-defaults.js";
import { abortedBeforeStart, type Captures, CommandRun, outputCaptures, type RunningCommand } from "./command-run.js";
import { environmentFileSystem } from "./environment-file-system.js";
import type { EnvironmentOptions } from "./environment-options.js";
import { checkCommand, checkOptions, stdinBytes } from "./exec-request.js";
import { oneShotCommand } from "./one-shot-command.js";
import { OutputStream } from "./output-stream.js";
import { rawCommandSpec } from "./raw-command.js";
import { SpawnedProcess } from "./spawned-process.js";
import { startTarget } from "./start-target.js";
import { SyncedDirectory } from "./synced-directory.js";

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
  private target: Target | undefined;
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
  private readonly syncedDir: SyncedDirectory | undefined;
  private readonly fileContext = { warn: (code: string, message: string) => this.emit("warning", { code, message }) };

  constructor(
    private readonly source: Backend,
    private readonly options: EnvironmentOptions = {},
  ) {
    super();
    this.id = options.id ?? newId();
    this.type = source.type;
    this.backend = options.backendName ?? source.type;
    this.capabilities = capabilitiesOf(source);
    this.timeoutMs = options.timeoutMs ?? commandDefaults.timeoutMs;
    this.killGraceMs = options.killGraceMs ?? commandDefaults.killGraceMs;
    if (options.syncDir !== undefined) this.syncedDir = new SyncedDirectory(options.syncDir, this.fileContext.warn);
    this.files = environmentFileSystem({
      primitives: async (operation) => {
        this.requireCapability("fileAccess", "the files API");
        return (await this.ready(operation)).files;
      },
      location: () => ({ cwd: this.sessionCwd(), home: this.sessionHome() }),
      warn: this.fileContext.warn,
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
    if (options.signal?.aborted) throw abortedBeforeStart(options.signal, this.sessionCwd(), this.backend);
    if (options.stdin !== undefined) this.requireCapability("stdin", "stdin for exec");
    if (options.session === true && typeof command === "string") this.requireCapability("persistentSession", "session: true");
    const target = this.readyTarget() ?? (await this.ready("run a command"));
    const inSession = typeof command === "string" && options.session !== false && this.capabilities.persistentSession;
    const execId = newId();
    const captures = outputCaptures(options);
    this.emit("exec:start", { execId, command, session: inSession, ...(options.task && { task: options.task }) });
    let running: RunningCommand;
    if (inSession) running = this.runInSession(command as string, execId, options, captures);
    else {
      const stdin = stdinBytes(options.stdin);
      const process = await this.startProcess(target, command, execId, options, stdin !== undefined);
      running = oneShotCommand(target, process, { execId, cwd: this.commandCwd(options.cwd), ...captures });
      if (stdin !== undefined) process.stdin?.end(stdin);
    }
    this.running.add(running);
    try {
      const run = new CommandRun(running, this.limits(options.timeoutMs ?? this.timeoutMs, options.signal, captures));
      const { result, endedBy, error } = await run.finished;
      // The target went away under the command: there is no result to give, only a (retryable) error.
      if (error && !endedBy) throw error;
      this.commandsRun++;
      this.lastUsedAt = new Date();
      this.emit("exec:end", { execId, result });
      if (endedBy === "abort") throw new CommandAbortedError({ result, reason: options.signal?.reason });
      return result;
    } finally {
      this.running.delete(running);
    }
  }

  async spawn(command: string | readonly string[], options: SpawnOptions = {}): Promise<ProcessHandle> {
    checkCommand(command);
    checkOptions(options, "spawn");
    this.requireCapability("background", "spawn (background processes)");
    if (options.pty) this.requireCapability("pty", "spawn with a pseudo-terminal (pty: true)");
    const target = await this.ready("spawn a process");
    const execId = newId();
    const process = await this.startProcess(target, command, execId, options, true);
    const limit = options.maxOutputBytes ?? commandDefaults.maxOutputBytes;
    const stdout = new OutputStream(process.stdout, limit);
    const stderr = new OutputStream(process.stderr, limit);
    const captures = outputCaptures(options, { stdout, stderr });
    if (options.stdin !== undefined) process.stdin?.write(options.stdin);
    const running = oneShotCommand(target, process, { execId, cwd: this.commandCwd(options.cwd), ...captures });
    const run = new CommandRun(running, this.limits(options.timeoutMs, options.signal, captures));
    const handle = new SpawnedProcess(execId, process, run, stdout, stderr);
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
      const started = await startTarget({
        backend: this.source,
        environmentId: this.id,
        backendName: this.backend,
        maxShells: this.options.maxShells ?? commandDefaults.maxShells,
        cwd: this.options.cwd,
        env: this.options.env,
        events: this,
        disposing: () => this.disposing !== undefined,
      });
      // A dispose that came during the start frees what it made (it waits for this start).
      ({ target: this.target, session: this.session, baseState: this.baseState } = started);
      if (this.disposing) throw new EnvironmentDisposedError({ environmentId: this.id, operation: "start" });
      if (this.syncedDir) await this.syncIn(started, this.syncedDir);
      this.state = "ready";
      this.startedAt = new Date();
      this.startError = undefined;
    } catch (error) {
      if (!this.disposing) this.state = "failed";
      this.startError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  /** The target once started and while open: a call then need not wait on the start. */
  private readyTarget(): Target | undefined {
    return this.state === "ready" && !this.disposing ? this.target : undefined;
  }

  private async ready(operation: string): Promise<Target> {
    this.assertOpen(operation);
    await this.start();
    this.assertOpen(operation);
    if (!this.target) throw new BackendUnavailableError({ backend: this.backend, reason: "the environment did not start" });
    return this.target;
  }

  private limits(timeoutMs: number | undefined, signal: AbortSignal | undefined, captures: Captures) {
    return {
      timeoutMs,
      signal,
      killGraceMs: this.killGraceMs,
      backendName: this.backend,
      ...captures,
      onKillFailed: (error: unknown) =>
        this.emit("warning", { code: "KILL_FAILED", message: `could not end every process of the command: ${String(error)}` }),
    };
  }

  private runInSession(command: string, execId: string, options: ExecOptions, captures: Captures): RunningCommand {
    const stdin = stdinBytes(options.stdin);
    const run = (this.session as Session).run({
      command,
      execId,
      ...captures,
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      ...(options.env !== undefined && { env: options.env }),
      ...(stdin !== undefined && { stdin }),
    });
    if (options.cwd === undefined) return run;
    const cwd = options.cwd;
    return { outcome: run.outcome.then((outcome) => Object.assign(outcome, { cwd: this.commandCwd(cwd) })), cancel: run.cancel };
  }

  /** A process of its own for a command, started in the session's state (its cwd and exported variables). */
  private startProcess(
    target: Target,
    command: string | readonly string[],
    execId: string,
    options: ExecOptions | SpawnOptions,
    stdin: boolean,
  ) {
    const state = this.session?.state;
    return target.start(
      rawCommandSpec(target, {
        command,
        environmentId: this.id,
        execId,
        session: state && this.baseState ? { state, base: this.baseState } : undefined,
        ...(options.cwd !== undefined && { cwd: options.cwd }),
        ...(options.env !== undefined && { env: options.env }),
        stdin,
      }),
    );
  }

  private sessionHome(): string | undefined {
    const home = this.session?.state?.env.get("HOME");
    return home == null ? undefined : decodeShellWord(home);
  }

  private sessionCwd(): string {
    return this.session?.state?.cwd ?? this.target?.defaultCwd ?? "/";
  }

  private commandCwd(cwd: string | undefined): string {
    return cwd === undefined ? this.sessionCwd() : posix.resolve(this.sessionCwd(), cwd);
  }

  /** The sync directory into the session's starting directory; if that fails, the start does, freeing what it made. */
  private async syncIn(started: { target: Target; session: Session }, synced: SyncedDirectory): Promise<void> {
    try {
      await synced.copyIn(started.target.files, this.sessionCwd());
    } catch (error) {
      await started.session.dispose();
      await started.target.dispose().catch(() => {});
      this.target = undefined;
      this.session = undefined;
      throw error;
    }
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
    const target = this.target;
    if (target) {
      // Everything the environment started carries HERMES_ENV_ID, including what commands put in the background.
      await target
        .killTagged({ environmentId: this.id }, { graceMs: this.killGraceMs })
        .catch((error: unknown) =>
          this.emit("warning", { code: "DISPOSE_KILL_FAILED", message: `could not end every process: ${String(error)}` }),
        );
      await Promise.allSettled([...this.running].map((run) => run.outcome));
      await this.syncedDir?.copyBack(target.files);
      await this.session?.dispose();
      await target.dispose();
    }
    this.emit("disposed");
    this.removeAllListeners();
  }
}
