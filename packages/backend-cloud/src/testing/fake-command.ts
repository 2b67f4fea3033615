import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { LocalSandbox } from "./local-sandbox.js";

type Stream = "stdout" | "stderr";
const prefixes: Record<Stream, Buffer> = { stdout: Buffer.from([1, 1, 1]), stderr: Buffer.from([2, 2, 2]) };

/**
 * A command a fake daemon runs in a sandbox: its output kept as the daemon logs it (each chunk tagged with
 * its stream, so a log stream opened late gets it all), its input, its exit code.
 */
export class FakeCommand {
  readonly id = randomUUID();
  private readonly child: ChildProcess;
  private readonly chunks: Array<{ stream: Stream; data: Buffer }> = [];
  private readonly followers = new Set<(chunk: { stream: Stream; data: Buffer } | null) => void>();
  exitCode: number | undefined;
  /** Both output pipes have ended and the exit code is known. */
  done = false;
  /** Resolves once `done`. */
  readonly finished: Promise<void>;

  constructor(
    box: LocalSandbox,
    readonly command: string,
    env: Record<string, string>,
  ) {
    this.child = box.run(command, env);
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
    };
    for (const stream of ["stdout", "stderr"] as const) {
      this.child[stream]?.on("data", (data: Buffer) => {
        const chunk = { stream, data };
        this.chunks.push(chunk);
        for (const follow of this.followers) follow(chunk);
      });
      this.child[stream]?.on("end", () => {
        open--;
        finish();
      });
    }
    this.child.stdin?.on("error", () => {});
    this.child.on("exit", (code, signal) => {
      this.exitCode = code ?? 128 + (signal === "SIGKILL" ? 9 : 15);
      finish();
    });
  }

  /** What the command printed so far, on one stream or both, as text. */
  text(stream?: Stream): string {
    return Buffer.concat(this.chunks.filter((chunk) => !stream || chunk.stream === stream).map((chunk) => chunk.data)).toString("utf8");
  }

  input(data: string): void {
    this.child.stdin?.write(data);
  }

  /** Ends the command's process group (what deleting its session does). */
  kill(): void {
    if (this.done || !this.child.pid) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {}
  }

  /**
   * The log stream: every frame so far (the stream's 3-byte marker, then the bytes), then the rest as it
   * comes, then `end`. Returns what stops following.
   */
  follow(send: (frame: Buffer) => void, end: () => void): () => void {
    const follower = (chunk: { stream: Stream; data: Buffer } | null) => {
      if (chunk === null) {
        this.followers.delete(follower);
        end();
      } else send(Buffer.concat([prefixes[chunk.stream], chunk.data]));
    };
    for (const chunk of this.chunks) follower(chunk);
    if (this.done) follower(null);
    else this.followers.add(follower);
    return () => this.followers.delete(follower);
  }
}
