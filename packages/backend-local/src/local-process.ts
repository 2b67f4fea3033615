import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { closeSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import type { ProcessExit, ProcessSpec, RawProcess } from "@hermes/core";
import { outputPipes } from "./fifo-pipes.js";

/** Process groups of the processes started here that still run; ended if this process exits first. */
const running = new Set<number>();
let exitHookInstalled = false;

/**
 * Starts a process on this machine with the given base environment; resolves once it is running. Each
 * process leads a new session (setsid): it has no controlling terminal, so `/dev/tty` cannot reach the
 * user's terminal, and its process group is its own, so `kill 0` or a signal to its group cannot reach
 * the program that embeds the SDK (nor a Ctrl-C on that terminal reach the process). Its stdout and
 * stderr are real pipes (see fifo-pipes.ts).
 */
export async function startLocalProcess(spec: ProcessSpec, baseEnvironment: Readonly<Record<string, string>>): Promise<RawProcess> {
  const [file, ...args] = spec.argv as [string, ...string[]];
  // Stdin stays Node's: a named pipe's reader that opens /dev/stdin after the writer closed would wait forever.
  const stdinOption = spec.stdin === "pipe" ? "pipe" : "ignore";
  const [stdoutPipe, stderrPipe] = (await outputPipes(2)) ?? [];
  const pipes = stdoutPipe && stderrPipe ? { stdout: stdoutPipe, stderr: stderrPipe } : undefined;
  const stdio: StdioOptions = pipes ? [stdinOption, pipes.stdout.child, pipes.stderr.child] : [stdinOption, "pipe", "pipe"];
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      ...(spec.cwd !== undefined && { cwd: spec.cwd }),
      env: { ...baseEnvironment, ...spec.env },
      stdio,
      detached: true,
    });
  } finally {
    // The child has its own copies now (or failed to start); ours would keep the pipes from ending.
    for (const end of [pipes?.stdout, pipes?.stderr]) if (end) closeSync(end.child);
  }
  const stdin = child.stdin;
  const stdout = (pipes ? pipes.stdout.stream : child.stdout) as Readable;
  const stderr = (pipes ? pipes.stderr.stream : child.stderr) as Readable;
  const exited = processExit(child);
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (error) => {
      for (const stream of [stdin, stdout, stderr]) stream?.destroy();
      reject(error);
    });
  });
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    running.add(child.pid);
    installExitHook();
  }
  const handles = [child, stdin, stdout, stderr] as Array<{ ref?(): void; unref?(): void } | null>;
  return {
    pid: child.pid,
    stdin: stdin as Writable | null,
    stdout,
    stderr,
    wait: () => exited,
    kill: (signal) => {
      child.kill(signal);
    },
    unref: () => {
      for (const handle of handles) handle?.unref?.();
    },
    ref: () => {
      for (const handle of handles) handle?.ref?.();
    },
  };
}

/** How the process ended (output may still be in the pipes: core drains them). Never rejects. */
function processExit(child: ChildProcess): Promise<ProcessExit> {
  return new Promise<ProcessExit>((resolve) => {
    child.once("exit", (code, signal) => {
      if (child.pid !== undefined) running.delete(child.pid);
      resolve({ code, signal });
    });
    child.once("error", () => resolve({ code: null, signal: null }));
  });
}

/** If this process exits with processes still running (no dispose), their groups get SIGTERM, as a terminal would. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const group of running) {
      try {
        process.kill(-group, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
  });
}
