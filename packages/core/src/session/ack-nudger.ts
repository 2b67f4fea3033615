import type { Writable } from "node:stream";

/** Filler at most this often within one command: each byte costs the session loop a read. */
const spacingMs = 1;

/**
 * For a transport that holds a small write back until this side sends something (Nagle against a
 * delayed ACK, as Slurm's srun I/O does): output that arrives while a command still runs is answered with
 * a byte of filler on the shell's stdin, which the session loop skips before the next payload; the ACK it
 * carries releases what was held. Never after the command's last output (filler just before the next
 * payload would have that held in turn), the first at once, then at most one a millisecond, and not once
 * stdin is closed (a command's stdin data went there).
 */
export class AckNudger {
  private timer: NodeJS.Timeout | undefined;
  private lastAt = 0;

  constructor(
    private readonly stdin: Writable | null,
    private readonly running: () => boolean,
  ) {}

  commandStarted(): void {
    this.lastAt = 0;
  }

  commandEnded(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Output arrived (and was taken in: `running` says whether the command still runs). */
  output(): void {
    if (this.timer || !this.running()) return;
    const wait = this.lastAt + spacingMs - performance.now();
    if (wait <= 0) this.nudge();
    else this.timer = setTimeout(() => this.nudge(), wait);
  }

  private nudge(): void {
    this.timer = undefined;
    if (!this.running() || !this.stdin || this.stdin.writableEnded) return;
    this.lastAt = performance.now();
    this.stdin.write("\n");
  }
}
