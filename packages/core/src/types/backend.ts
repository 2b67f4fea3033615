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
  /** What the backend supports; each one left out takes core's default (`defaultCapabilities`). */
  readonly capabilities?: Partial<Capabilities>;
  /** Creates the resources of one environment (container, connection, ...). */
  create(context: BackendContext): Promise<BackendInstance>;
  /** Whether environments can be created now. Never throws. Default: create one, run `true`, dispose it. */
  health?(): Promise<HealthReport>;
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
  /** What a user may want to know when `ok` (a cluster's queue state), one line. */
  detail?: string;
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

/**
 * A process in the target with its byte streams: the one primitive every session, exec and spawn runs on.
 * Streams may be Node streams or web streams (what cloud SDKs hand out); core adapts either.
 */
export interface RawProcess {
  /** Process id in the target's pid namespace, when known. */
  readonly pid?: number | undefined;
  /** Null when the spec asked for `stdin: "ignore"`. */
  readonly stdin: Writable | WritableStream<Uint8Array> | null;
  readonly stdout: Readable | ReadableStream<Uint8Array>;
  readonly stderr: Readable | ReadableStream<Uint8Array>;
  /**
   * Resolves with how the process ended (output still buffered in the streams may follow). A rejection
   * means the connection to the target was lost.
   */
  wait(): Promise<ProcessExit>;
  /**
   * Signals the process itself (core kills trees by tag). Optional: without it core finds the process by
   * the `HERMES_PROCESS_TAG` it put in the spec's environment and signals it from another `start()`.
   */
  kill?(signal: NodeJS.Signals): void;
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
   * command began, unless tagged by another command. `since` is the shell's clock then: `e` and bash 5's
   * $EPOCHREALTIME, or the target's /proc/uptime reading.
   */
  shell?: { pid: number; since: string };
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

/**
 * One environment's resources, as created by `Backend.create`. Only `start` and `dispose` are required;
 * core derives every other member from `start` when it is absent (see "Writing a backend" in core's
 * README). Paths given to it are absolute.
 */
export interface BackendInstance {
  /** Starts a process. `spec.env` carries core's tags (HERMES_PROCESS_TAG, HERMES_OWNER, ...): pass it on. */
  start(spec: ProcessSpec): Promise<RawProcess>;
  /** Frees the environment's resources; core has already ended its processes. */
  dispose(): Promise<void>;
  /** Where commands start until one changes directory. Default: the target's `$HOME`, asked once. */
  readonly defaultCwd?: string;
  /** The bash executable in the target. Default `bash`, found on the target's PATH. */
  readonly bashPath?: string;
  /** One line of bash run first in every shell core starts (resource limits, login files); no newline. */
  readonly shellPrelude?: string;
  /**
   * Ends the selected processes: SIGSTOP them all (so none can fork away), send `signal`, SIGCONT, wait up
   * to `graceMs` for them to exit, SIGKILL what is left. Resolves when none is left; returns how many were
   * found. Default: core's kill program (bash and /proc) in a control shell started once through `start`.
   */
  killTagged?(selector: ProcessSelector, options: KillOptions): Promise<number>;
  /**
   * The transport holds a small write back until this side sends something (Nagle against a delayed ACK,
   * as Slurm's srun I/O does: about 40 ms per command). Core then answers output that reaches a session
   * shell with a byte of filler on its stdin, which the session skips. Default false.
   */
  readonly nudgeAcks?: boolean;
  /**
   * The processes' stdout and stderr are pipes this program reads itself, in its own event loop: what a
   * process wrote to stderr before a write to stdout has been read by the end of the loop turn that reads
   * that write. A quick session command then writes no end marker on stderr (one redirection and one read
   * fewer per command). Not so for a stream relayed by a daemon (docker, sshd, srun), which reads the two on
   * its own schedule. Default false.
   */
  readonly outputInOrder?: boolean;
  /** Native file primitives; each one absent is derived from shell programs run through `start`. */
  readonly files?: Partial<FilePrimitives>;
}
