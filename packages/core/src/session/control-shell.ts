import type { TargetProcess } from "../backend/target-process.js";
import type { KillOptions, ProcessSelector } from "../types/backend.js";
import { killTaggedFunction } from "./kill-tagged-script.js";
import { MarkerSplitter } from "./marker-splitter.js";
import { signalTaggedProgram } from "./signal-tagged-program.js";

/**
 * How long past a kill's grace the target may take to confirm it. A target that stops answering (a
 * network gone silent) must not hold a timeout, an abort or a dispose forever.
 */
const killAnswerMs = 5000;

/**
 * A bash started once per environment, with no tags, that runs short bash programs for core and the
 * backend (tree kills, signals) one at a time. Starting it early means a kill needs no new process, so it
 * works when a fork bomb has used up a PID limit, and costs a round trip instead of a process start
 * (a `docker exec` or an ssh channel). If it dies, the next call starts another.
 */
export class ControlShell {
  private process: Promise<ControlProcess> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private counter = 0;

  constructor(private readonly startProcess: () => Promise<TargetProcess>) {}

  /** Starts the shell now. */
  async warm(): Promise<void> {
    await this.current();
  }

  /**
   * Runs `program` (bash that defines and calls what it needs; it must not `exit`) and resolves with what
   * it printed on stdout. Rejects when the shell dies meanwhile, or when it has not answered within
   * `deadlineMs` (then the shell is given up and the next call starts another).
   */
  run(program: string, deadlineMs?: number): Promise<string> {
    const next = this.queue.then(() => this.runNow(program, deadlineMs));
    this.queue = next.catch(() => {});
    return next;
  }

  /** A backend's `killTagged`: kills the selected processes' trees; returns how many were found. */
  async killTagged(selector: ProcessSelector, options: KillOptions): Promise<number> {
    const output = await this.run(`${killTaggedFunction(selector, options)}\n__hermes_kill_tagged`, options.graceMs + killAnswerMs);
    return Number.parseInt(output.trim(), 10) || 0;
  }

  /** Sends `signal` to the process started with `tag` (not its descendants). */
  async signalTagged(tag: string, signal: NodeJS.Signals): Promise<void> {
    await this.run(signalTaggedProgram(tag, signal), killAnswerMs);
  }

  /** Ends the shell. */
  close(): void {
    void this.process?.then((control) => control.raw.stdin?.end()).catch(() => {});
    this.process = undefined;
  }

  private current(): Promise<ControlProcess> {
    if (this.process) return this.process;
    const started = this.startProcess().then((raw) => new ControlProcess(raw, () => this.forget(started)));
    this.process = started;
    started.catch(() => this.forget(started));
    return started;
  }

  /** Drops `started` as the current shell (not a newer one that replaced it). */
  private forget(started: Promise<ControlProcess>): void {
    if (this.process === started) this.process = undefined;
  }

  private async runNow(program: string, deadlineMs: number | undefined): Promise<string> {
    const marker = `\x1e__HERMES_CONTROL_${process.pid}_${++this.counter}_DONE\n`;
    const started = this.current();
    const done = started.then((control) => control.run(program, marker));
    if (deadlineMs === undefined) return done;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Given up, starting or running: the next call starts another shell.
        const error = new Error(`the target did not answer within ${deadlineMs / 1000} s (its connection may be lost)`);
        this.forget(started);
        void started.then((control) => control.giveUp(error)).catch(() => {});
        reject(error);
      }, deadlineMs);
    });
    try {
      return await Promise.race([done, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

class ControlProcess {
  private readonly splitter: MarkerSplitter;
  private pending: { reject(error: Error): void } | undefined;
  private dead: Error | undefined;

  constructor(
    readonly raw: TargetProcess,
    private readonly onExit: () => void,
  ) {
    this.splitter = new MarkerSplitter(() => {});
    raw.stdout.on("data", (chunk: Buffer) => this.splitter.push(chunk));
    raw.stderr.resume();
    raw.stdin?.on("error", () => {});
    raw.unref?.();
    // An idle coprocess that never writes: reading it with a timeout is a sleep that needs no fork later
    // (see nap in kill-tagged-script.ts). It reads this shell's pipe, so it ends when the shell does.
    raw.stdin?.write("coproc __hermes_nap { builtin read -r _; } 2>/dev/null\n");
    void raw.exited.then((exit) => this.die(exit.error ?? new Error(`the control shell exited (${exit.code ?? exit.signal})`)));
  }

  /** Fails what waits on this shell, once; the next call starts another. */
  private die(error: Error): void {
    if (this.dead) return;
    this.dead = error;
    this.onExit();
    this.pending?.reject(error);
  }

  /** Fails what waits on it and kills it: the target stopped answering. */
  giveUp(error: Error): void {
    this.die(error);
    this.raw.kill("SIGKILL");
  }

  run(program: string, marker: string): Promise<string> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<string>((resolve, reject) => {
      const output: Buffer[] = [];
      this.pending = { reject };
      this.splitter.expect(
        Buffer.from(marker),
        (bytes) => output.push(Buffer.from(bytes)),
        () => {
          this.pending = undefined;
          this.raw.unref?.();
          resolve(Buffer.concat(output).toString("utf8"));
        },
      );
      this.raw.ref?.();
      // The program runs in a brace group in this shell: no subshell, so no fork.
      this.raw.stdin?.write(`{\n${program}\n} </dev/null 2>/dev/null; builtin printf '%s' ${quoteMarker(marker)}\n`);
    });
  }
}

function quoteMarker(marker: string): string {
  return `$'${marker.replace(/\x1e/g, "\\x1e").replace(/\n/g, "\\n")}'`;
}
