import type { Readable, Writable } from "node:stream";
import type { ProcessExit, ProcessSpec, RawProcess } from "@hermes/core";
import { execa } from "execa";

/** Process groups of the processes started here that still run; ended if this process exits first. */
const running = new Set<number>();
let exitHookInstalled = false;

/**
 * Starts a process on this machine with the given base environment; resolves once it is running. Each
 * process leads a new session (setsid): it has no controlling terminal, so `/dev/tty` cannot reach the
 * user's terminal, and its process group is its own, so `kill 0` or a signal to its group cannot reach
 * the program that embeds the SDK (nor a Ctrl-C on that terminal reach the process).
 */
export async function startLocalProcess(spec: ProcessSpec, baseEnvironment: Readonly<Record<string, string>>): Promise<RawProcess> {
  const [file, ...args] = spec.argv as [string, ...string[]];
  const subprocess = execa(file, args, {
    ...(spec.cwd !== undefined && { cwd: spec.cwd }),
    env: { ...baseEnvironment, ...spec.env },
    extendEnv: false,
    stdin: spec.stdin,
    stdout: "pipe",
    stderr: "pipe",
    encoding: "buffer",
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    detached: true,
    // execa does not clean up detached processes: the exit hook below does.
    cleanup: false,
  });
  // Outcomes are read from the child's own events; the promise only needs a handler.
  subprocess.catch(() => {});
  const exited = new Promise<ProcessExit>((resolve) => {
    subprocess.once("exit", (code, signal) => {
      if (subprocess.pid !== undefined) running.delete(subprocess.pid);
      resolve({ code, signal });
    });
    subprocess.once("error", () => resolve({ code: null, signal: null }));
  });
  await new Promise<void>((resolve, reject) => {
    subprocess.once("spawn", () => resolve());
    subprocess.once("error", (error) => reject(error));
  });
  if (subprocess.pid !== undefined && subprocess.exitCode === null && subprocess.signalCode === null) {
    running.add(subprocess.pid);
    installExitHook();
  }
  const streams = [subprocess.stdin, subprocess.stdout, subprocess.stderr] as Array<{ ref?(): void; unref?(): void } | null>;
  return {
    pid: subprocess.pid,
    stdin: subprocess.stdin as Writable | null,
    stdout: subprocess.stdout as Readable,
    stderr: subprocess.stderr as Readable,
    exited,
    kill: (signal) => {
      subprocess.kill(signal);
    },
    unref: () => {
      subprocess.unref();
      for (const stream of streams) stream?.unref?.();
    },
    ref: () => {
      subprocess.ref();
      for (const stream of streams) stream?.ref?.();
    },
  };
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
