import { constants } from "node:os";
import { PassThrough } from "node:stream";
import { type ProcessExit, type ProcessSpec, pipedStdin, type RawProcess, type RunToExit } from "@hermes/core";
import { type VercelCommand, type VercelSession, vercelFailure } from "./vercel-sdk.js";

/**
 * A process in the sandbox: a detached command (Vercel runs argv, no shell), its output from the command's
 * log stream (NDJSON, stdout and stderr apart, as the SDK's decoded text), its exit from the command's wait.
 * Vercel commands have no stdin, so a process that wants one reads a named pipe in the sandbox, fed one
 * command per write (core's `pipedStdin`).
 */
export async function startVercelProcess(session: VercelSession, backend: string, spec: ProcessSpec): Promise<RawProcess> {
  const piped = spec.stdin === "pipe" ? pipedStdin(spec.argv) : undefined;
  const [cmd = "true", ...args] = piped?.argv ?? spec.argv;
  let command: VercelCommand;
  try {
    command = await session.runCommand({
      cmd,
      args,
      ...(spec.cwd !== undefined && { cwd: spec.cwd }),
      ...(spec.env !== undefined && { env: { ...spec.env } }),
      detached: true,
    });
  } catch (error) {
    throw vercelFailure(backend, "starting a command in the sandbox", error);
  }
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let ended = false;
  const exited: Promise<ProcessExit> = (async () => {
    for await (const line of command.logs()) (line.stream === "stdout" ? stdout : stderr).write(line.data);
    const finished = await command.wait();
    return { code: finished.exitCode, signal: null };
  })()
    .catch((error: unknown) => ({ code: null, signal: null, error: vercelFailure(backend, "the command's log stream", error) }))
    .finally(() => {
      ended = true;
      stdout.end();
      stderr.end();
    });
  const runToExit: RunToExit = async ([program = "true", ...rest]) => {
    try {
      const finished = await session.runCommand({ cmd: program, args: rest });
      return { exitCode: finished.exitCode, stderr: await finished.stderr() };
    } catch (error) {
      throw vercelFailure(backend, "writing to a process's stdin", error);
    }
  };
  if (piped) return { stdin: piped.input(runToExit, () => ended), stdout, stderr, wait: () => exited };
  // A process started directly is the command itself: Vercel's own call signals it (behind the pipe, core kills by tag).
  const kill = (signal: NodeJS.Signals) => void command.kill(vercelSignal(signal)).catch(() => {});
  return { stdin: null, stdout, stderr, wait: () => exited, kill };
}

/** The SDK knows a few signals by name; the others go as numbers (this machine's, which are Linux's on Linux). */
const namedBySdk = new Set(["SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGTERM", "SIGCONT", "SIGSTOP"]);
function vercelSignal(signal: NodeJS.Signals): Parameters<VercelCommand["kill"]>[0] {
  return namedBySdk.has(signal) ? (signal as "SIGTERM") : constants.signals[signal];
}
