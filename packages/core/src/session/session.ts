import type { Target } from "../backend/derive-target.js";
import { BackendUnavailableError } from "../errors/backend-unavailable-error.js";
import type { KillOptions } from "../types/backend.js";
import { OutputCapture } from "./output-capture.js";
import { type CommandOutcome, ShellWorker } from "./shell-worker.js";
import { type ShellState, stateRestore } from "./state-restore.js";

/** Extra shells (opened for concurrent calls) close after idling this long. */
const idleShellMs = 30_000;

export interface SessionOptions {
  environmentId: string;
  backendName: string;
  /** Most shells open at once; calls beyond it wait for a free shell. */
  maxShells: number;
  onStray(stream: "stdout" | "stderr", bytes: Buffer): void;
  /** A shell died under a command and will be replaced on the next call. */
  onRestart(reason: string): void;
}

export interface SessionCommand {
  command: string;
  execId: string;
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  stdin?: Uint8Array;
  stdout: OutputCapture;
  stderr: OutputCapture;
}

export interface SessionRun {
  readonly outcome: Promise<CommandOutcome & { cwd: string }>;
  /** Ends the command's process tree; the session keeps its state. */
  cancel(options: KillOptions): Promise<void>;
}

/**
 * The persistent session: its state (cwd and exported variables) is kept here, in core, and any number
 * of shells run commands against it. Sequential calls reuse the first shell, so everything else a shell
 * keeps (functions, aliases, plain variables) lives on too; a concurrent call gets another shell brought
 * to the same state; a command's changes are merged back as a delta, so concurrent calls do not undo
 * each other.
 */
export class Session {
  private readonly shells: ShellWorker[] = [];
  private readonly leased = new Set<ShellWorker>();
  private readonly waiting: Array<() => void> = [];
  private readonly idleTimers = new Map<ShellWorker, NodeJS.Timeout>();
  /** Shells closed on purpose; their exit is not a restart. */
  private readonly closing = new WeakSet<ShellWorker>();
  private starting = 0;
  private disposed = false;
  /** Null until the first shell reports. */
  state: ShellState | null = null;

  constructor(
    private readonly instance: Target,
    private readonly options: SessionOptions,
  ) {}

  get shellCount(): number {
    return this.shells.length;
  }

  /** Opens the first shell now, so the state is known and the first command is fast. */
  async warm(): Promise<void> {
    if (this.shells.length > 0) return;
    this.release(await this.acquire());
  }

  run(request: SessionCommand): SessionRun {
    let shell: ShellWorker | undefined;
    let cancelled = false;
    const attempt = async (): Promise<CommandOutcome & { cwd: string }> => {
      // A command with stdin gets a shell of its own: the data follows the command on that shell's stdin.
      shell = request.stdin ? await this.startShell(false) : (this.leaseIdle() ?? (await this.acquire()));
      const current = shell;
      try {
        if (cancelled) return { exitCode: null, signal: "SIGKILL", state: null, started: false, cwd: this.state?.cwd ?? "" };
        const baseline = this.state ?? current.state;
        const result = await current.run(
          {
            command: request.command,
            execId: request.execId,
            restore: stateRestore(current.state, baseline),
            ...(request.cwd !== undefined && { cwd: request.cwd }),
            ...(request.env !== undefined && { env: request.env }),
          },
          { stdout: request.stdout, stderr: request.stderr },
          request.stdin,
        );
        const isolated = request.cwd !== undefined || request.env !== undefined;
        if (result.state && !isolated) this.state = mergeState(this.state ?? baseline, baseline, result.state);
        return Object.assign(result, { cwd: this.state?.cwd ?? baseline.cwd });
      } finally {
        if (request.stdin) current.close();
        else this.release(current);
      }
    };
    const outcome = (async () => {
      const first = await attempt();
      // The shell died before the command began (it was already exiting): nothing ran, so run it on a new one.
      if (!first.started && !cancelled && !request.stdin) return attempt();
      return first;
    })();
    const cancel = async (options: KillOptions) => {
      cancelled = true;
      const selector = shell?.commandSelector(request.execId) ?? { execId: request.execId };
      try {
        await this.instance.killTagged(selector, options);
      } catch (error) {
        // The kill went unconfirmed (a target that stopped answering): the command must not wait for it.
        const reason = `the command was ended, but its kill failed: ${error instanceof Error ? error.message : String(error)}; it may still run there`;
        shell?.abandon(new BackendUnavailableError({ backend: this.options.backendName, reason, cause: error }));
        throw error;
      }
      // Bash cannot abandon a running command, so its shell goes too (the kill above normally took it).
      shell?.kill();
    };
    return { outcome, cancel };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    for (const wake of this.waiting.splice(0)) wake();
    const shells = this.shells.splice(0);
    for (const shell of shells) shell.close();
    await Promise.race([Promise.all(shells.map((shell) => shell.exited())), delay(1000)]);
    for (const shell of shells) shell.kill();
  }

  private async acquire(): Promise<ShellWorker> {
    for (;;) {
      if (this.disposed) throw new Error("session disposed");
      const idle = this.leaseIdle();
      if (idle) return idle;
      if (this.shells.length + this.starting < this.options.maxShells) return this.startShell(true);
      await new Promise<void>((wake) => this.waiting.push(wake));
    }
  }

  /** An idle shell, now leased; none when every shell is busy (or there is none yet). */
  private leaseIdle(): ShellWorker | undefined {
    if (this.disposed) return undefined;
    const idle = this.shells.find((shell) => shell.usable && !this.leased.has(shell));
    if (!idle) return undefined;
    const timer = this.idleTimers.get(idle);
    if (timer) {
      clearTimeout(timer);
      this.idleTimers.delete(idle);
    }
    this.leased.add(idle);
    return idle;
  }

  private release(shell: ShellWorker): void {
    this.leased.delete(shell);
    if (!shell.usable) {
      this.forget(shell);
      return;
    }
    const idleShells = this.shells.filter((other) => other.usable && !this.leased.has(other));
    if (idleShells.length > 1 && shell !== this.shells[0]) {
      const timer = setTimeout(() => {
        this.idleTimers.delete(shell);
        if (this.leased.has(shell)) return;
        this.closing.add(shell);
        shell.close();
      }, idleShellMs);
      timer.unref?.();
      this.idleTimers.set(shell, timer);
    }
    this.waiting.shift()?.();
  }

  private async startShell(pooled: boolean): Promise<ShellWorker> {
    this.starting++;
    try {
      const shell = await ShellWorker.start(this.instance, {
        environmentId: this.options.environmentId,
        backendName: this.options.backendName,
        onStray: this.options.onStray,
        sinks: () => ({ stdout: new OutputCapture(64 * 1024), stderr: new OutputCapture(64 * 1024) }),
      });
      if (!this.state) this.state = shell.state;
      if (pooled) {
        this.shells.push(shell);
        this.leased.add(shell);
        void shell.exited().then(() => this.forget(shell));
      }
      return shell;
    } finally {
      this.starting--;
    }
  }

  private forget(shell: ShellWorker): void {
    const index = this.shells.indexOf(shell);
    if (index === -1) return;
    this.shells.splice(index, 1);
    clearTimeout(this.idleTimers.get(shell));
    this.idleTimers.delete(shell);
    if (!this.disposed && !this.closing.has(shell))
      this.options.onRestart("a session shell exited; the next call starts a new one with the same cwd and exported variables");
    this.waiting.shift()?.();
  }
}

/** Applies what a command changed (reported vs. the state it started from) onto the current state. */
export function mergeState(current: ShellState, baseline: ShellState, reported: ShellState): ShellState {
  // Nothing else changed the state meanwhile (no concurrent call): the shell's report is the state. Kept as
  // the same object, so the next command's restore and merge see at once that nothing changed.
  if (current === baseline && reported.cwd !== "") return reported;
  // An empty cwd: the command unset PWD, so where the shell is is unknown; keep what was known.
  const moved = reported.cwd !== "" && reported.cwdWord !== baseline.cwdWord;
  const env = new Map(current.env);
  for (const [name, value] of reported.env) {
    if (!baseline.env.has(name) || baseline.env.get(name) !== value) env.set(name, value);
  }
  for (const name of baseline.env.keys()) {
    if (!reported.env.has(name)) env.delete(name);
  }
  return { cwd: moved ? reported.cwd : current.cwd, cwdWord: moved ? reported.cwdWord : current.cwdWord, env };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
