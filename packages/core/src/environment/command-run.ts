import { CommandAbortedError } from "../errors/command-aborted-error.js";
import { OutputCapture } from "../session/output-capture.js";
import type { KillOptions } from "../types/backend.js";
import type { ExecOptions, ExecResult, SpawnOptions } from "../types/exec.js";
import { afterDeadline, type Deadline } from "./command-deadlines.js";
import { commandDefaults } from "./command-defaults.js";
import type { OutputStream } from "./output-stream.js";

export type Captures = { stdout: OutputCapture; stderr: OutputCapture };

/** How a command ended, as its runner (the session, or a process of its own) saw it. */
export interface CommandEnd {
  exitCode: number | null;
  signal: string | null;
  /** The session's cwd after it, or where it ran. */
  cwd: string;
  /** The target went away under the command: how it ended is unknown. */
  error?: Error;
}

/** A command in flight, as a runner hands it to the pipeline. */
export interface RunningCommand {
  /** Resolves once the command has ended and its output has been read. Never rejects. */
  readonly outcome: Promise<CommandEnd>;
  /**
   * When the process itself ended, if that is known before `outcome`: ending it after that does nothing,
   * unless the exit carries an `error` (the connection was lost: the process may still run there).
   */
  readonly exited?: Promise<{ error?: Error }>;
  /** Ends the command's process tree: `options.signal`, then SIGKILL after the grace. */
  cancel(options: KillOptions): Promise<void>;
}

export interface CommandLimits {
  /** Undefined: no time limit. */
  timeoutMs: number | undefined;
  signal: AbortSignal | undefined;
  killGraceMs: number;
  backendName: string;
  stdout: OutputCapture;
  stderr: OutputCapture;
  /** A kill that could not reach every process (the command still ends). */
  onKillFailed(error: unknown): void;
}

export type EndReason = "timeout" | "abort" | "kill";

export interface CommandFinish {
  result: ExecResult;
  /** Why the command was ended from here, if it was. */
  endedBy: EndReason | undefined;
  error: Error | undefined;
}

/**
 * The one pipeline of `exec` and `spawn`: a timer and an abort signal that end the command's whole tree
 * (the signal, then SIGKILL after the grace), and its result once every process of it is gone.
 */
export class CommandRun {
  private endedBy: { reason: EndReason; signal: NodeJS.Signals } | undefined;
  private killed: Promise<void> | undefined;
  private over = false;
  private readonly deadline: Deadline | undefined;
  private readonly startedAt = Date.now();
  private readonly onAbort = () => void this.end("abort");
  readonly finished: Promise<CommandFinish>;

  constructor(
    private readonly running: RunningCommand,
    private readonly limits: CommandLimits,
  ) {
    this.deadline = limits.timeoutMs === undefined ? undefined : afterDeadline(limits.timeoutMs, () => void this.end("timeout"));
    limits.signal?.addEventListener("abort", this.onAbort, { once: true });
    void running.exited?.then((exit) => {
      if (!exit.error) this.over = true;
    });
    this.finished = this.finish();
    if (limits.signal?.aborted) this.onAbort();
  }

  /** Ends the command's tree (once; later calls wait for the first). Does nothing once it has ended. */
  end(reason: EndReason, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (this.over && !this.killed) return Promise.resolve();
    this.endedBy ??= { reason, signal };
    this.killed ??= this.running
      .cancel({ signal, graceMs: signal === "SIGKILL" ? 0 : this.limits.killGraceMs })
      .catch((error: unknown) => this.limits.onKillFailed(error));
    return this.killed;
  }

  private async finish(): Promise<CommandFinish> {
    const { stdout, stderr } = this.limits;
    try {
      const end = await this.running.outcome;
      // A lost connection says nothing of the process: a later kill must still try to reach it.
      if (!end.error) this.over = true;
      // A command ended from here returns once its whole tree is gone.
      await this.killed;
      stdout.end();
      stderr.end();
      const endedBy = this.endedBy;
      const result: ExecResult = {
        exitCode: endedBy ? null : end.exitCode,
        signal: endedBy ? (end.signal ?? endedBy.signal) : end.signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut: endedBy?.reason === "timeout",
        truncated: stdout.truncated || stderr.truncated,
        durationMs: Date.now() - this.startedAt,
        cwd: end.cwd,
        backend: this.limits.backendName,
      };
      return { result, endedBy: endedBy?.reason, error: end.error };
    } finally {
      this.deadline?.cancel();
      this.limits.signal?.removeEventListener("abort", this.onAbort);
    }
  }
}

/** A command's output captures, capped at `maxOutputBytes`, feeding its callbacks (and a spawned process's streams). */
export function outputCaptures(options: ExecOptions | SpawnOptions, streams?: { stdout: OutputStream; stderr: OutputStream }): Captures {
  const limit = options.maxOutputBytes ?? commandDefaults.maxOutputBytes;
  const tee = (callback: ((text: string) => void) | undefined, stream: OutputStream | undefined) =>
    stream
      ? (text: string) => {
          callback?.(text);
          stream.push(text);
        }
      : callback;
  return {
    stdout: new OutputCapture(limit, tee(options.onStdout, streams?.stdout)),
    stderr: new OutputCapture(limit, tee(options.onStderr, streams?.stderr)),
  };
}

/** An exec whose signal had already fired: nothing runs. */
export function abortedBeforeStart(signal: AbortSignal, cwd: string, backend: string): CommandAbortedError {
  const result: ExecResult = {
    exitCode: null,
    signal: null,
    stdout: "",
    stderr: "",
    timedOut: false,
    truncated: false,
    durationMs: 0,
    cwd,
    backend,
  };
  return new CommandAbortedError({ result, reason: signal.reason });
}
