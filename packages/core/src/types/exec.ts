import type { TaskContext } from "./task-context.js";

export interface ExecOptions {
  /** Working directory for this call only; relative paths follow the session's cwd. Does not change the session. */
  cwd?: string;
  /** Variables for this call only; they do not leak into the session. */
  env?: Record<string, string>;
  /** Wall-clock limit in milliseconds. Default 180_000 (the environment's `timeout`). */
  timeoutMs?: number;
  /** Data for the command's stdin. Without it, stdin is empty (end-of-file), never a hang. */
  stdin?: string | Uint8Array;
  signal?: AbortSignal;
  /** Called with output as it arrives (UTF-8 decoded). */
  onStdout?(chunk: string): void;
  onStderr?(chunk: string): void;
  /** Bytes kept per stream; beyond it the head and tail are kept and `truncated` is set. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Run in the persistent session (default, where supported) or in a fresh process. */
  session?: boolean;
  task?: TaskContext;
}

export interface ExecResult {
  /** Exit code, or null when the command was ended by a signal (timeout, abort, kill). */
  exitCode: number | null;
  /** The signal that ended the command, e.g. "SIGKILL", else null. */
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** True when either stream went over `maxOutputBytes` and its middle was dropped. */
  truncated: boolean;
  durationMs: number;
  /** The session's working directory after the call (for `session: false`, where the command ran). */
  cwd: string;
  /** Configured instance name of the backend that ran the command. */
  backend: string;
}

export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Initial stdin data; more can be written with `handle.write()`. */
  stdin?: string | Uint8Array;
  signal?: AbortSignal;
  /** Kill the process after this many milliseconds. Default: no limit. */
  timeoutMs?: number;
  onStdout?(chunk: string): void;
  onStderr?(chunk: string): void;
  /** Bytes kept per stream for `wait()`'s result. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Allocate a pseudo-terminal (backends with the `pty` capability). */
  pty?: boolean;
  task?: TaskContext;
}

/** A background process started by `spawn`. */
export interface ProcessHandle {
  readonly id: string;
  /** Process id inside the environment, when the backend knows it. */
  readonly pid: number | undefined;
  /** Output as it arrives. Reading applies backpressure; output not read is still kept (capped) for `wait()`. */
  readonly stdout: AsyncIterable<string>;
  readonly stderr: AsyncIterable<string>;
  write(data: string | Uint8Array): Promise<void>;
  closeStdin(): Promise<void>;
  /** Resolves when the process has exited and its output has been read. */
  wait(): Promise<ExecResult>;
  /** Signals the process and every process it started. Default SIGTERM, then SIGKILL after a grace period. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}
