import type { EventEmitter } from "eventemitter3";
import type { Capabilities } from "./capabilities.js";
import type { ExecOptions, ExecResult, ProcessHandle, SpawnOptions } from "./exec.js";
import type { FileSystem } from "./file-system.js";
import type { TaskContext } from "./task-context.js";

export type EnvironmentState = "created" | "starting" | "ready" | "failed" | "disposed";

export interface EnvironmentStatus {
  id: string;
  backend: string;
  type: string;
  state: EnvironmentState;
  /** The session's working directory, once known. */
  cwd: string | null;
  commandsRun: number;
  runningCommands: number;
  backgroundProcesses: number;
  startedAt: Date | null;
  lastUsedAt: Date | null;
  /** The reason of the last start failure, when `state` is "failed". */
  error?: string;
}

/** Events of an environment, for `env.on(name, listener)`. */
export interface EnvironmentEvents {
  "exec:start": (event: { execId: string; command: string | readonly string[]; session: boolean; task?: TaskContext }) => void;
  "exec:end": (event: { execId: string; result: ExecResult }) => void;
  /** A session shell was replaced (after a timeout, an abort, `exit` or a crash); cwd and exported variables were restored. */
  "session:restart": (event: { reason: string }) => void;
  /** Output that arrived outside any command, e.g. from a process a command left in the background. */
  "output:stray": (event: { stream: "stdout" | "stderr"; text: string }) => void;
  warning: (event: { code: string; message: string }) => void;
  /** Slow preparation in progress, e.g. an image pull (`current`/`total` in bytes when known). */
  progress: (event: { backend: string; message: string; current?: number; total?: number }) => void;
  disposed: () => void;
  /** A routed environment chose a backend for a call. */
  route: (event: { task: TaskContext; backend: string; rule?: number; reason: string }) => void;
  /** The chosen backend was unavailable and a fallback is used; also a `warning`. */
  fallback: (event: { from: string; to: string; reason: string; lessIsolated: boolean; task: TaskContext }) => void;
  /** A backend's environment idled past its lifetime (or keep_warm) and was disposed; the next call there starts a new one. */
  expired: (event: { backend: string; idleMs: number }) => void;
}

export interface ExecutionEnvironment extends AsyncDisposable {
  readonly id: string;
  /** Configured instance name, e.g. "ssh-home". */
  readonly backend: string;
  /** Backend type, e.g. "ssh". */
  readonly type: string;
  readonly capabilities: Capabilities;
  exec(command: string | readonly string[], options?: ExecOptions): Promise<ExecResult>;
  spawn(command: string | readonly string[], options?: SpawnOptions): Promise<ProcessHandle>;
  readonly files: FileSystem;
  /** Starts the backend now instead of at the first call. */
  start(): Promise<void>;
  status(): Promise<EnvironmentStatus>;
  /** Ends every process the environment started and frees its resources. Idempotent. */
  dispose(): Promise<void>;
  on<E extends EventEmitter.EventNames<EnvironmentEvents>>(event: E, listener: EventEmitter.EventListener<EnvironmentEvents, E>): this;
  once<E extends EventEmitter.EventNames<EnvironmentEvents>>(event: E, listener: EventEmitter.EventListener<EnvironmentEvents, E>): this;
  off<E extends EventEmitter.EventNames<EnvironmentEvents>>(event: E, listener?: EventEmitter.EventListener<EnvironmentEvents, E>): this;
}
