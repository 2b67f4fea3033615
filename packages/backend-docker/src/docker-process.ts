import { PassThrough, type Readable, type Writable } from "node:stream";
import { BackendUnavailableError, type ProcessExit, type ProcessSpec, type RawProcess } from "@hermes/core";
import type Docker from "dockerode";
import { describeEngineError } from "./engine-errors.js";
import { demuxFrames } from "./frame-demuxer.js";

/** How long to wait for the engine to mark an exec finished after its stream ended. */
const exitReportMs = 5_000;

export interface DockerProcessContext {
  container: Docker.Container;
  backendName: string;
}

/**
 * A process in the container through one attached exec: its stdin, stdout and stderr are one hijacked
 * connection to the engine, so a session shell started here takes every later command as a round trip.
 * The engine cannot signal an exec, so there is no `kill`: core signals the process by its tag.
 */
export async function startDockerProcess(context: DockerProcessContext, spec: ProcessSpec): Promise<RawProcess> {
  const exec = await context.container.exec({
    Cmd: [...spec.argv],
    AttachStdin: spec.stdin === "pipe",
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Env: Object.entries(spec.env ?? {}).map(([name, value]) => `${name}=${value}`),
    ...(spec.cwd !== undefined && { WorkingDir: spec.cwd }),
  });
  const socket = (await exec.start({ hijack: true, stdin: spec.stdin === "pipe" })) as unknown as Readable &
    Writable & { ref?(): void; unref?(): void };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  demuxFrames(socket, stdout, stderr);
  let lost: Error | undefined;
  socket.on("error", (error: Error) => {
    lost = error;
  });
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const exited = ended.then(async (): Promise<ProcessExit> => {
    stdout.end();
    stderr.end();
    try {
      const code = await exitCode(exec);
      return { code, signal: null };
    } catch (error) {
      return {
        code: null,
        signal: null,
        error: new BackendUnavailableError({
          backend: context.backendName,
          reason: `the connection to the Docker engine was lost (${describeEngineError(lost ?? error)})`,
          retryable: true,
          cause: lost ?? error,
        }),
      };
    }
  });
  return {
    // Ending it half-closes the connection: the engine closes the process's stdin and keeps its output flowing.
    stdin: spec.stdin === "pipe" ? socket : null,
    stdout,
    stderr,
    wait: () => exited,
    unref: () => socket.unref?.(),
    ref: () => socket.ref?.(),
  };
}

/** The exec's exit code, once the engine reports it finished. */
async function exitCode(exec: Docker.Exec): Promise<number | null> {
  const deadline = Date.now() + exitReportMs;
  for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
    const info = await exec.inspect();
    if (!info.Running || Date.now() > deadline) return info.ExitCode ?? null;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
