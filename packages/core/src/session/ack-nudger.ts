import type { Writable } from "node:stream";

/** Filler at most this often within one command: output of one segment can come as several reads. */
const spacingMs = 1;
/**
 * A receiver whose delayed ACK went out on its timer (40 ms on Linux) leaves its interactive mode and
 * acknowledges what it reads at once, until it next sends data soon after receiving. Output after a gap
 * this long (a little under that timer) is therefore answered late, and only if it stalls.
 */
const gapMs = 30;
const stallMs = 2;

/**
 * For a transport that holds a small write back until this side sends something (Nagle against a
 * delayed ACK, as Slurm's srun I/O does): output that arrives while a command still runs is answered with
 * a byte of filler on the shell's stdin, which the session loop skips before the next payload; the ACK it
 * carries releases what was held.
 *
 * A filler must never cross output that was not held: then nothing answers it, and it holds the next
 * payload back for the peer's delayed ACK (40 ms). So: never after the command's last output, at most one
 * a millisecond, not once stdin is closed (a command's stdin data went there), and, while the peer
 * acknowledges at once (the first command after a gap, until a filler puts it back in interactive mode),
 * only when output stalls.
 */
export class AckNudger {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastAt = Number.NEGATIVE_INFINITY;
  private lastOutputAt = Number.NEGATIVE_INFINITY;
  /** The peer likely acknowledges at once: filler only after a stall. */
  private quick = false;

  constructor(
    private readonly stdin: Writable | null,
    private readonly running: () => boolean,
  ) {}

  commandStarted(): void {
    this.lastAt = Number.NEGATIVE_INFINITY;
    this.quick = performance.now() - this.lastOutputAt > gapMs;
  }

  commandEnded(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }

  /** Output arrived (and was taken in: `running` says whether the command still runs). */
  output(): void {
    const now = performance.now();
    this.lastOutputAt = now;
    if (this.timer || this.immediate || !this.running()) return;
    if (this.quick) this.timer = setTimeout(() => this.afterStall(), stallMs);
    else {
      // Not before the rest of this round of reads: the same segment's other stream may be waiting in its pipe.
      const wait = this.lastAt + spacingMs - now;
      if (wait > 0) this.timer = setTimeout(() => this.nudge(), wait);
      else this.immediate = setImmediate(() => this.nudge());
    }
  }

  private afterStall(): void {
    this.timer = undefined;
    const quiet = performance.now() - this.lastOutputAt;
    if (quiet < stallMs) this.timer = setTimeout(() => this.afterStall(), stallMs - quiet);
    else this.nudge();
  }

  private nudge(): void {
    this.timer = this.immediate = undefined;
    if (!this.running() || !this.stdin || this.stdin.writableEnded) return;
    this.lastAt = performance.now();
    this.quick = false;
    this.stdin.write("\n");
  }
}
