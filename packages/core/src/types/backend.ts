import type { Readable, Writable } from "node:stream";
import type { Capabilities } from "./capabilities.js";
import type { FileEntry, FileStat } from "./file-system.js";

/**
 * What a backend package provides: a factory (`local(options)`, `docker(options)`) returns this object
 * without doing any I/O. Backends write primitives; core derives sessions, timeouts, output capping,
 * spawn and the file API from them.
 */
export interface Backend {
  readonly type: string;
  readonly capabilities: Capabilities;
  /** Creates the resources of one environment (container, connection, ...). */
  create(context: BackendContext): Promise<BackendInstance>;
  /** Whether environments can be created now. Never throws. */
  health(): Promise<HealthReport>;
  /** Removes resources a crashed process left behind, found by their `hermes.*` labels. */
  reap?(options?: ReapOptions): Promise<ReapReport>;
}

export interface BackendContext {
  readonly environmentId: string;
  /** Configured instance name, for messages. */
  readonly backendName: string;
  /** `hermes.owner`, `hermes.env-id`, `hermes.created`: put them on every resource the backend creates. */
  readonly labels: Readonly<Record<string, string>>;
  /** Reports something the user should know (an ignored option, a missing variable) as a `warning` event. */
  warn(code: string, message: string): void;
  /** Reports progress of slow preparation (an image pull) as a `progress` event. */
  progress(message: string, detail?: { current?: number; total?: number }): void;
}

export interface HealthReport {
  ok: boolean;
  /** Why not, when `ok` is false, in words a user can act on. */
  reason?: string;
  /** Not a reachability problem: the configuration is incomplete or wrong (a missing host or key). */
  notConfigured?: boolean;
}

export interface ReapOptions {
  /** Only resources created more than this long ago. Default 0. */
  olderThanMs?: number;
  /** Report what would be removed without removing it. */
  dryRun?: boolean;
}

export interface ReapReport {
  removed: string[];
}

export interface ProcessSpec {
  /** `argv[0]` is looked up on the target's PATH. */
  argv: readonly string[];
  cwd?: string;
  /** Set on top of the backend's base environment. */
  env?: Readonly<Record<string, string>>;
  /** "pipe" gives the process a writable stdin; "ignore" connects it to /dev/null. */
  stdin: "pipe" | "ignore";
}

export interface ProcessExit {
  code: number | null;
  signal: string | null;
  /**
   * Set when the connection to the target was lost and how the process ended is unknown (it may still
   * run there): a session command in flight then fails with this error instead of giving a result.
   */
  error?: Error;
}

/** A process in the target with its byte streams: the one primitive every session, exec and spawn runs on. */
export interface RawProcess {
  /** Process id in the target's pid namespace, when known. */
  readonly pid: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the process has exited and both output streams have ended. Never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** Signals the process itself (not its descendants: core uses `killTagged` for trees). */
  kill(signal: NodeJS.Signals): void;
  /** Lets the host process exit while this process idles (optional). */
  unref?(): void;
  ref?(): void;
}

/**
 * Every process core starts carries `HERMES_ENV_ID` in its environment, and every command `HERMES_EXEC_ID`;
 * descendants inherit them, so a tree can be found even after `setsid` or a double fork.
 */
export interface ProcessSelector {
  execId?: string;
  environmentId?: string;
  /**
   * A session shell running the command: it is ended too, with every descendant it started since the
   * command began (`sinceUptime`, the target's /proc/uptime reading), unless tagged by another command.
   */
  shell?: { pid: number; sinceUptime: string };
}

export interface KillOptions {
  /** The first signal sent. Default SIGTERM. */
  signal?: NodeJS.Signals;
  /** Time between the first signal and SIGKILL for what is left. 0 with SIGKILL kills at once. */
  graceMs: number;
}

export interface FilePrimitives {
  /** Null when the path does not exist. */
  read(path: string): Promise<Uint8Array | null>;
  /** Creates missing parent directories. */
  write(path: string, data: Uint8Array, options: { mode?: number }): Promise<void>;
  /** Does not follow a final symlink. Null when the path does not exist. */
  stat(path: string): Promise<FileStat | null>;
  list(path: string): Promise<FileEntry[]>;
  remove(path: string, options: { recursive: boolean }): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<void>;
  /** Optional fast paths for whole folders; core derives them from the calls above when absent. */
  upload?(hostPath: string, envPath: string): Promise<void>;
  download?(envPath: string, hostPath: string): Promise<void>;
}

/** One environment's resources, as created by `Backend.create`. Paths given to it are absolute. */
export interface BackendInstance {
  /** Where commands start until one changes directory. */
  readonly defaultCwd: string;
  /** The bash executable in the target. */
  readonly bashPath: string;
  /** One line of bash run first in every shell core starts (resource limits, login files); no newline. */
  readonly shellPrelude?: string;
  start(spec: ProcessSpec): Promise<RawProcess>;
  /**
   * Ends the selected processes: SIGSTOP them all (so none can fork away), send `signal`, SIGCONT, wait up
   * to `graceMs` for them to exit, SIGKILL what is left. Resolves when none is left; returns how many were found.
   */
  killTagged(selector: ProcessSelector, options: KillOptions): Promise<number>;
  readonly files: FilePrimitives;
  /** Frees the environment's resources; core has already ended its processes. */
  dispose(): Promise<void>;
}
