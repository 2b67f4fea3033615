import type { TargetProcess } from "../backend/target-process.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type { ExecResult, ProcessHandle } from "../types/exec.js";
import type { CommandRun } from "./command-run.js";
import type { OutputStream } from "./output-stream.js";

/** A background process started by `spawn`: streamed output, stdin writes, a kill that reaches its whole tree. */
export class SpawnedProcess implements ProcessHandle {
  readonly pid: number | undefined;
  private stdinClosed = false;
  private readonly result: Promise<ExecResult>;

  constructor(
    readonly id: string,
    private readonly process: TargetProcess,
    private readonly run: CommandRun,
    readonly stdout: OutputStream,
    readonly stderr: OutputStream,
  ) {
    this.pid = process.pid;
    this.result = run.finished.then(({ result }) => {
      stdout.end();
      stderr.end();
      return result;
    });
  }

  async write(data: string | Uint8Array): Promise<void> {
    const stdin = this.process.stdin;
    if (!stdin || this.stdinClosed || stdin.writableEnded || stdin.destroyed) {
      throw new InvalidArgumentError({
        argument: "write",
        value: "stdin",
        expected: "an open stdin (it was closed, or the process has exited)",
      });
    }
    await new Promise<void>((resolve, reject) => stdin.write(data, (error) => (error ? reject(error) : resolve())));
  }

  async closeStdin(): Promise<void> {
    this.stdinClosed = true;
    const stdin = this.process.stdin;
    if (!stdin || stdin.writableEnded) return;
    await new Promise<void>((resolve) => stdin.end(() => resolve()));
  }

  wait(): Promise<ExecResult> {
    return this.result;
  }

  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.run.end("kill", signal);
    await this.result;
  }
}
