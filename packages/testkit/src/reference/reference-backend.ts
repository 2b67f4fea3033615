import { spawn } from "node:child_process";
import { Readable, Writable } from "node:stream";
import type { Backend, ProcessExit, ProcessSpec, RawProcess } from "@hermes/core";

export interface ReferenceBackendOptions {
  /** The whole environment of every process (core adds its tags). Default: PATH and HOME of this process. */
  env?: Record<string, string>;
  /** Hand out web streams, as cloud SDKs do, instead of Node streams. Default "node". */
  streams?: "node" | "web";
}

/**
 * The smallest complete backend: it starts processes on this machine and does nothing else. Core
 * derives the rest from `start`: the persistent session, timeouts and aborts that kill the whole tree
 * (by tag, through a control shell: there is no `kill` here), spawn, the files API over shell programs,
 * the default cwd ($HOME), capabilities and health. The example of "Writing a backend" in core's README.
 */
export function referenceBackend(options: ReferenceBackendOptions = {}): Backend {
  const env = options.env ?? { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/" };
  return {
    type: "reference",
    create: async () => ({
      start: (spec) => start(spec, env, options.streams ?? "node"),
      dispose: async () => {},
    }),
  };
}

async function start(spec: ProcessSpec, env: Record<string, string>, streams: "node" | "web"): Promise<RawProcess> {
  const [file = "", ...args] = spec.argv;
  const child = spawn(file, args, {
    ...(spec.cwd !== undefined && { cwd: spec.cwd }),
    env: { ...env, ...spec.env },
    stdio: [spec.stdin, "pipe", "pipe"],
    // A session of its own: no controlling terminal, and a process group apart from this program's.
    detached: true,
  });
  const exited = new Promise<ProcessExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => child.once("spawn", resolve).once("error", reject));
  const { stdin, stdout, stderr } = child as { stdin: Writable | null; stdout: Readable; stderr: Readable };
  if (streams === "web") {
    return {
      pid: child.pid,
      stdin: stdin && (Writable.toWeb(stdin) as WritableStream<Uint8Array>),
      stdout: Readable.toWeb(stdout) as ReadableStream<Uint8Array>,
      stderr: Readable.toWeb(stderr) as ReadableStream<Uint8Array>,
      wait: () => exited,
    };
  }
  return { pid: child.pid, stdin, stdout, stderr, wait: () => exited };
}
