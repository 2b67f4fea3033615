import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { OutputCapture } from "../session/output-capture.js";
import { collectProcessOutput } from "../session/raw-process-output.js";
import type { BackendInstance, RawProcess } from "../types/backend.js";
import type { ExecResult, ProcessHandle, SpawnOptions } from "../types/exec.js";
import { defaultMaxOutputBytes } from "./exec-request.js";
import { OutputStream } from "./output-stream.js";

export interface SpawnedProcessParameters {
  process: RawProcess;
  execId: string;
  instance: BackendInstance;
  backendName: string;
  cwd: string;
  options: SpawnOptions;
  killGraceMs: number;
}

/** A background process started by `spawn`: streamed output, stdin writes, a kill that reaches its whole tree. */
export class SpawnedProcess implements ProcessHandle {
  readonly id: string;
  readonly pid: number | undefined;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  private readonly result: Promise<ExecResult>;
  private endedBy: { signal: NodeJS.Signals; timedOut: boolean } | undefined;
  private stdinClosed = false;
  private exited = false;

  constructor(private readonly parameters: SpawnedProcessParameters) {
    const { process, options } = parameters;
    this.id = parameters.execId;
    this.pid = process.pid;
    const limit = options.maxOutputBytes ?? defaultMaxOutputBytes;
    this.stdout = new OutputStream(process.stdout, limit);
    this.stderr = new OutputStream(process.stderr, limit);
    const stdout = new OutputCapture(limit, (text) => {
      options.onStdout?.(text);
      this.stdout.push(text);
    });
    const stderr = new OutputCapture(limit, (text) => {
      options.onStderr?.(text);
      this.stderr.push(text);
    });
    process.stdin?.on("error", () => {});
    void process.exited.then(() => {
      this.exited = true;
    });
    if (options.stdin !== undefined) process.stdin?.write(options.stdin);
    const started = Date.now();
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => void this.end("SIGTERM", true), options.timeoutMs);
    const onAbort = () => void this.end("SIGTERM", false);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    this.result = collectProcessOutput(process, { stdout: (bytes) => stdout.push(bytes), stderr: (bytes) => stderr.push(bytes) }).then(
      (exit) => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        stdout.end();
        stderr.end();
        this.stdout.end();
        this.stderr.end();
        return {
          exitCode: this.endedBy ? null : exit.code,
          signal: this.endedBy?.signal ?? exit.signal,
          stdout: stdout.text(),
          stderr: stderr.text(),
          timedOut: this.endedBy?.timedOut ?? false,
          truncated: stdout.truncated || stderr.truncated,
          durationMs: Date.now() - started,
          cwd: parameters.cwd,
          backend: parameters.backendName,
        };
      },
    );
    if (options.signal?.aborted) onAbort();
  }

  async write(data: string | Uint8Array): Promise<void> {
    const stdin = this.parameters.process.stdin;
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
    const stdin = this.parameters.process.stdin;
    if (!stdin || stdin.writableEnded) return;
    await new Promise<void>((resolve) => stdin.end(() => resolve()));
  }

  wait(): Promise<ExecResult> {
    return this.result;
  }

  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.end(signal, false);
    await this.result;
  }

  private async end(signal: NodeJS.Signals, timedOut: boolean): Promise<void> {
    if (this.exited) return;
    this.endedBy ??= { signal, timedOut };
    const graceMs = signal === "SIGKILL" ? 0 : this.parameters.killGraceMs;
    await this.parameters.instance.killTagged({ execId: this.id }, { signal, graceMs });
    this.parameters.process.kill("SIGKILL");
  }
}
