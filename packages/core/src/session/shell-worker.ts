import type { Target } from "../backend/derive-target.js";
import type { TargetProcess } from "../backend/target-process.js";
import { BackendUnavailableError } from "../errors/backend-unavailable-error.js";
import type { ProcessExit, ProcessSelector } from "../types/backend.js";
import { AckNudger } from "./ack-nudger.js";
import { type FramedCommand, frameCommand, type Sinks } from "./command-framing.js";
import { type CommandScriptOptions, commandPayload } from "./command-payload.js";
import { MarkerSplitter } from "./marker-splitter.js";
import { newId } from "./new-id.js";
import { sessionLoop } from "./session-script.js";
import { markersFor } from "./session-trailer.js";
import { ShellReport } from "./shell-report.js";
import type { ShellState } from "./state-restore.js";

/** How long to wait for output still in the pipes after a shell exited mid-command. */
const drainAfterExitMs = 200;
/**
 * How long a shell that reported it is exiting gets to exit, so the result can carry a signal that ended
 * it (`kill $$`); a background child holding its pipes can keep a remote exit status from arriving.
 */
const exitStatusWaitMs = 500;

export interface CommandOutcome {
  /** `$?` of the command, or the shell's exit code when it died without reporting. */
  exitCode: number | null;
  signal: string | null;
  /** The shell's state after the command; null when the shell died without reporting it. */
  state: ShellState | null;
  /** False when the shell died before the command began (it never ran). */
  started: boolean;
  /** The connection to the target was lost under the command: how it ended is unknown. */
  error?: Error;
}

interface RunningCommand extends FramedCommand {
  stdoutDone: boolean;
  stderrDone: boolean;
  settle(outcome: CommandOutcome): void;
}

export interface ShellWorkerOptions {
  environmentId: string;
  backendName: string;
  /** Output that arrives outside any command. */
  onStray(stream: "stdout" | "stderr", bytes: Buffer): void;
}

/** One bash process speaking the session protocol (see session-script.ts). Runs one command at a time. */
export class ShellWorker {
  private current: RunningCommand | undefined;
  private readonly stdoutSplitter: MarkerSplitter;
  private readonly stderrSplitter: MarkerSplitter;
  private exit: ProcessExit | undefined;
  /** Present on transports that need it (`nudgeAcks`). */
  private readonly nudger: AckNudger | undefined;
  /** The shell said it is exiting (`exit` or errexit in a command): it must not get another command. */
  private exiting = false;
  private onStray: ShellWorkerOptions["onStray"];
  /** This shell's random nonce, in every marker: unguessable to a command that does not go looking. */
  private readonly nonce = newId();
  private readonly markers = markersFor(this.nonce);
  private readonly report = new ShellReport(this.nonce);
  /** The last payload was quick: the shell reads the next in a block (see `commandPayload`). */
  private inQuickRun = false;

  private constructor(
    private readonly process: TargetProcess,
    onStray: ShellWorkerOptions["onStray"],
    nudgeAcks: boolean,
    /** See `BackendInstance.outputInOrder`: a quick command's stderr then has no END marker. */
    private readonly outputInOrder: boolean,
  ) {
    this.nudger = nudgeAcks ? new AckNudger(process.stdin, () => this.current !== undefined) : undefined;
    this.onStray = onStray;
    this.stdoutSplitter = new MarkerSplitter((bytes) => this.onStray("stdout", bytes));
    this.stderrSplitter = new MarkerSplitter((bytes) => this.onStray("stderr", bytes));
    process.stdout.on("data", (chunk: Buffer) => {
      this.stdoutSplitter.push(chunk);
      this.nudger?.output();
    });
    process.stderr.on("data", (chunk: Buffer) => {
      this.stderrSplitter.push(chunk);
      this.nudger?.output();
    });
    // A shell whose stdin is gone must not take us down with EPIPE.
    process.stdin?.on("error", () => {});
    void process.exited.then((exit) => this.onExit(exit));
  }

  /** Starts a shell and waits until it has reported its initial state. */
  static async start(instance: Target, options: ShellWorkerOptions & { sinks: () => Sinks }): Promise<ShellWorker> {
    const process = await instance.start({
      argv: [instance.bashPath, "--noprofile", "--norc", "-s"],
      cwd: instance.defaultCwd,
      env: { HERMES_ENV_ID: options.environmentId },
      stdin: "pipe",
    });
    const startupErrors: Buffer[] = [];
    const worker = new ShellWorker(
      process,
      (stream, bytes) => {
        if (stream === "stderr") startupErrors.push(Buffer.from(bytes));
      },
      instance.nudgeAcks,
      instance.outputInOrder,
    );
    const sinks = options.sinks();
    // The loop line reports the shell's initial state as if it were a first command.
    const loop = sessionLoop(worker.nonce, instance.shellPrelude, instance.nudgeAcks, !instance.outputInOrder);
    const outcome = await worker.send(loop, sinks);
    if (!outcome.state) {
      worker.kill();
      const detail = Buffer.concat(startupErrors).toString("utf8").trim() || sinks.stderr.text().trim();
      throw new BackendUnavailableError({
        backend: options.backendName,
        reason: `the bash session did not start (exit ${outcome.exitCode ?? outcome.signal})${detail ? `: ${detail}` : ""}. The target needs bash on its PATH.`,
      });
    }
    worker.onStray = options.onStray;
    return worker;
  }

  /** The shell's state as it last reported it. */
  get state(): ShellState {
    return this.report.state;
  }

  /** Can take another command. */
  get usable(): boolean {
    return this.exit === undefined && !this.exiting;
  }

  /**
   * Runs one command. `stdinData`, when given, follows the command on the shell's own stdin and is then
   * closed: the command reads it to end-of-file and the shell exits afterwards.
   */
  run(
    script: Omit<CommandScriptOptions, "nonce" | "readsStdin" | "exitTrap" | "installExitTrap" | "quick">,
    sinks: Sinks,
    stdinData?: Uint8Array,
  ): Promise<CommandOutcome> {
    const readsStdin = stdinData !== undefined;
    const { installExitTrap, exitTrap, quick } = this.report.nextPayload(script, readsStdin);
    const { command, execId, restore, cwd, env } = script;
    const acknowledgePieces = this.nudger !== undefined;
    const payload = commandPayload({
      nonce: this.nonce,
      execId,
      command,
      restore,
      cwd,
      env,
      readsStdin,
      installExitTrap,
      exitTrap,
      quick,
      acknowledgePieces,
      inQuickRun: this.inQuickRun,
    });
    this.inQuickRun = payload.quick;
    return this.send(payload.text, sinks, stdinData, payload.quick);
  }

  /**
   * Writes `input` (and then `stdinData`, closing stdin) and collects one command's output and outcome. A
   * quick command prints no BEGIN line: it counts as begun once written, and as begun no earlier than the
   * shell's last report.
   */
  private send(input: string, sinks: Sinks, stdinData?: Uint8Array, quick = false): Promise<CommandOutcome> {
    if (this.current) throw new Error("a shell worker runs one command at a time");
    return new Promise<CommandOutcome>((resolve) => {
      const command: RunningCommand = {
        sinks,
        started: false,
        uptime: "",
        trailer: [],
        stdoutDone: false,
        stderrDone: false,
        settle: (outcome) => {
          if (this.current !== command) return;
          this.current = undefined;
          this.nudger?.commandEnded();
          this.stdoutSplitter.expect(null, (bytes) => this.onStray("stdout", bytes));
          this.stderrSplitter.expect(null, (bytes) => this.onStray("stderr", bytes));
          if (this.usable) this.process.unref?.();
          resolve(outcome);
        },
      };
      this.current = command;
      frameCommand({ stdout: this.stdoutSplitter, stderr: this.stderrSplitter }, this.markers, command, {
        quick,
        acknowledgePieces: this.nudger !== undefined,
        stderrEndsWithStdout: quick && this.outputInOrder,
        onStray: (bytes) => this.onStray("stdout", bytes),
        onStdoutDone: () => {
          command.stdoutDone = true;
          this.completeIfDone(command);
        },
        onStderrDone: () => {
          command.stderrDone = true;
          this.completeIfDone(command);
        },
      });
      if (!this.usable) return this.settleAfterExit(command);
      if (quick) {
        command.started = true;
        command.uptime = this.report.clock;
      }
      this.process.ref?.();
      this.nudger?.commandStarted();
      this.process.stdin?.write(input);
      if (stdinData !== undefined) this.process.stdin?.end(stdinData);
    });
  }

  /**
   * Which processes belong to the running command: those tagged with its id, plus what this shell
   * started since the command began (forked subshells carry no tag), plus this shell itself, which is
   * ended with them because bash cannot abandon a running command and go on.
   */
  commandSelector(execId: string): ProcessSelector {
    const uptime = this.current?.uptime ?? "";
    return {
      execId,
      ...(this.report.pid !== undefined && uptime !== "" && { shell: { pid: this.report.pid, since: uptime } }),
    };
  }

  /** Kills the shell process itself. */
  kill(): void {
    if (this.exit === undefined) this.process.kill("SIGKILL");
  }

  /**
   * Gives up on a shell whose backend stopped answering: its command ends now with `error`, it takes no
   * more commands, and it is killed if the backend still hears.
   */
  abandon(error: Error): void {
    this.kill();
    this.onExit({ code: null, signal: null, error });
  }

  /** Asks an idle shell to exit by closing its stdin. What it prints on the way out (its EXIT trap) is dropped. */
  close(): void {
    this.onStray = () => {};
    this.process.stdin?.end();
  }

  exited(): Promise<ProcessExit> {
    return this.process.exited;
  }

  private completeIfDone(command: RunningCommand): void {
    if (!command.stdoutDone || !command.stderrDone) return;
    const trailer = this.report.read(Buffer.concat(command.trailer));
    if (!trailer.exiting) {
      command.settle({ exitCode: trailer.exitCode, signal: null, state: trailer.state, started: true });
      return;
    }
    // The command ended the shell: how the process ends is the truth (a signal, or an EXIT trap's own `exit`).
    this.exiting = true;
    const settle = (exit: ProcessExit | undefined) =>
      command.settle({
        exitCode: exit?.signal ? null : (exit?.code ?? trailer.exitCode),
        signal: exit?.signal ?? null,
        state: trailer.state,
        started: true,
      });
    if (this.exit) {
      settle(this.exit);
      return;
    }
    const timer = setTimeout(() => settle(undefined), exitStatusWaitMs);
    void this.process.exited.then((exit) => {
      clearTimeout(timer);
      settle(exit);
    });
  }

  private onExit(exit: ProcessExit): void {
    if (this.exit) return;
    this.exit = exit;
    if (this.current && !this.exiting) this.settleAfterExit(this.current);
  }

  /** The shell died while a command ran: give the pipes a moment to deliver what is left, then report. */
  private settleAfterExit(command: RunningCommand): void {
    const finish = () => {
      if (this.current !== command) return;
      this.stdoutSplitter.flush();
      this.stderrSplitter.flush();
      const exit = this.exit ?? { code: null, signal: null };
      command.settle({
        exitCode: exit.code,
        signal: exit.signal,
        state: null,
        started: command.started,
        ...(exit.error && { error: exit.error }),
      });
    };
    setTimeout(finish, drainAfterExitMs);
  }
}
