import type { Readable, Writable } from "node:stream";
import type { ProcessExit, ProcessSpec, RawProcess } from "@hermes/core";
import { execa } from "execa";

/** Starts a process on this machine with the given base environment; resolves once it is running. */
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
    // execa kills the process if this one exits first.
    cleanup: true,
  });
  // Outcomes are read from the child's own events; the promise only needs a handler.
  subprocess.catch(() => {});
  const exited = new Promise<ProcessExit>((resolve) => {
    subprocess.once("exit", (code, signal) => resolve({ code, signal }));
    subprocess.once("error", () => resolve({ code: null, signal: null }));
  });
  await new Promise<void>((resolve, reject) => {
    subprocess.once("spawn", () => resolve());
    subprocess.once("error", (error) => reject(error));
  });
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
