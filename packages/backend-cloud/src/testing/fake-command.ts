import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { constants } from "node:os";
import type { LocalSandbox } from "./local-sandbox.js";

type Stream = "stdout" | "stderr";
export interface OutputChunk {
  stream: Stream;
  data: Buffer;
}
const prefixes: Record<Stream, Buffer> = { stdout: Buffer.from([1, 1, 1]), stderr: Buffer.from([2, 2, 2]) };

/**
 * A command a fake daemon runs in a sandbox: its output kept as the daemon logs it (each chunk tagged with
 * its stream, so a log stream opened late gets it all), its input, its exit code.
 */
export class FakeCommand {
  readonly id = randomUUID();
  private readonly child: ChildProcess;
  private readonly chunks: OutputChunk[] = [];
  private readonly followers = new Set<(chunk: OutputChunk | null) => void>();
  exitCode: number | undefined;
  /** Both output pipes have ended and the exit code is known. */
  done = false;
  /** Resolves once `done`. */
  readonly finished: Promise<void>;

  /**
   * `options.args` become the script's `$0 $1 …`; `options.cwd` is where it starts (default the sandbox's
   * workDir); `options.input: false` gives it `/dev/null` for stdin (vendors whose commands have none).
   */
  constructor(
    box: LocalSandbox,
    readonly command: string,
    env: Record<string, string>,
    options: { cwd?: string; args?: readonly string[]; input?: boolean } = {},
  ) {
    const { child, ...output } = box.run(command, env, options.cwd, options.args, options.input);
    this.child = child;
    let open = 2;
    let resolveFinished = () => {};
    this.finished = new Promise((resolve) => {
      resolveFinished = resolve;
    });
    const finish = () => {
      if (open > 0 || this.exitCode === undefined || this.done) return;
      this.done = true;
      resolveFinished();
      for (const follow of this.followers) follow(null);
      this.followers.clear();
    };
    for (const stream of ["stdout", "stderr"] as const) {
      output[stream].on("data", (data: Buffer) => {
        const chunk = { stream, data };
        this.chunks.push(chunk);
        for (const follow of this.followers) follow(chunk);
      });
      // `close` comes after the end, or after an error, which then ends the output too.
      output[stream].on("error", () => {});
      output[stream].on("close", () => {
        open--;
        finish();
      });
    }
    this.child.stdin?.on("error", () => {});
    this.child.on("exit", (code, signal) => {
      this.exitCode = code ?? 128 + (signal ? constants.signals[signal] : 15);
      finish();
    });
  }

  /** What the command printed so far, on one stream or both, as text. */
  text(stream?: Stream): string {
    return Buffer.concat(this.chunks.filter((chunk) => !stream || chunk.stream === stream).map((chunk) => chunk.data)).toString("utf8");
  }

  input(data: string | Uint8Array): void {
    this.child.stdin?.write(data);
  }

  /** Closes the command's stdin: it reads end-of-file. */
  endInput(): void {
    this.child.stdin?.end();
  }

  /** Signals the command's process group; SIGKILL is what deleting its session does. */
  kill(signal: NodeJS.Signals | number = "SIGKILL"): void {
    if (this.done || !this.child.pid) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {}
  }

  /** Every chunk so far, then the rest as it comes, then null once `done`. Returns what stops following. */
  tail(listener: (chunk: OutputChunk | null) => void): () => void {
    for (const chunk of this.chunks) listener(chunk);
    if (this.done) listener(null);
    else this.followers.add(listener);
    return () => this.followers.delete(listener);
  }

  /**
   * The log stream: every frame so far (the stream's 3-byte marker, then the bytes), then the rest as it
   * comes, then `end`. Returns what stops following.
   */
  follow(send: (frame: Buffer) => void, end: () => void): () => void {
    return this.tail((chunk) => (chunk === null ? end() : send(Buffer.concat([prefixes[chunk.stream], chunk.data]))));
  }
}
