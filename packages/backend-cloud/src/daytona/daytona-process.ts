import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import {
  BackendUnavailableError,
  type PipedStdin,
  type ProcessExit,
  type ProcessSpec,
  pipedStdin,
  posixQuote,
  type RawProcess,
  type RunToExit,
  shellCommandLine,
} from "@hermes/core";
import { type DaytonaSandbox, daytonaFailure } from "./daytona-sdk.js";

/**
 * A process in the sandbox: an asynchronous command in a Daytona session of its own (commands in one
 * session run one after another), its output from the command's log stream (a WebSocket that
 * demultiplexes stdout and stderr). Daytona can write to a command's input but not close it, so a process
 * that wants stdin reads a named pipe in the sandbox instead, fed one command per write (core's
 * `pipedStdin`), which can end. The SDK hands output over as decoded UTF-8 text.
 */
export async function startDaytonaProcess(sandbox: DaytonaSandbox, backend: string, spec: ProcessSpec): Promise<RawProcess> {
  const piped = spec.stdin === "pipe" ? pipedStdin(spec.argv) : undefined;
  const sessionId = `hermes-${randomUUID()}`;
  let cmdId: string;
  try {
    await sandbox.process.createSession(sessionId);
  } catch (error) {
    throw daytonaFailure(backend, "starting a command in the sandbox", error);
  }
  try {
    const command = shellCommandLine({ ...spec, argv: piped?.argv ?? spec.argv });
    cmdId = (await sandbox.process.executeSessionCommand(sessionId, { command, runAsync: true })).cmdId;
  } catch (error) {
    // The session made for it must not outlive the command that never started.
    await sandbox.process.deleteSession(sessionId).catch(() => {});
    throw daytonaFailure(backend, "starting a command in the sandbox", error);
  }
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdinWriter = piped ? writer(sandbox, backend, piped, sessionId) : undefined;
  let ended = false;
  const exited: Promise<ProcessExit> = sandbox.process
    .getSessionCommandLogs(
      sessionId,
      cmdId,
      (text) => stdout.write(text),
      (text) => stderr.write(text),
    )
    .then(async () => ({ code: await exitCodeAfterLogs(sandbox, backend, sessionId, cmdId), signal: null }))
    .catch((error: unknown) => ({ code: null, signal: null, error: daytonaFailure(backend, "the command's log stream", error) }))
    .finally(() => {
      ended = true;
      stdout.end();
      stderr.end();
      void sandbox.process.deleteSession(sessionId).catch(() => {});
      void stdinWriter?.close();
    });
  return { stdin: stdinWriter ? stdinWriter.input(() => ended) : null, stdout, stderr, wait: () => exited };
}

/**
 * The command's exit code once its log stream has ended. The SDK ends the stream the same way when the
 * command ends and when the connection under it goes, so a command the sandbox still calls running means
 * the stream was lost (asked twice: the exit code may be recorded a moment after the stream closes).
 */
async function exitCodeAfterLogs(sandbox: DaytonaSandbox, backend: string, sessionId: string, cmdId: string) {
  for (let attempt = 1; ; attempt++) {
    const command = await sandbox.process.getSessionCommand(sessionId, cmdId);
    if (typeof command.exitCode === "number") return command.exitCode;
    if (attempt === 2)
      throw new BackendUnavailableError({ backend, reason: "the command's log stream was cut while the command still ran" });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The stdin of a process behind core's pipe: its write commands run one after another in a Daytona session
 * of their own (made at the first write), whose shell runs them (`executeCommand` would split the line
 * itself, without one).
 */
function writer(sandbox: DaytonaSandbox, backend: string, piped: PipedStdin, processSession: string) {
  const sessionId = `${processSession}-stdin`;
  let created: Promise<void> | undefined;
  const run: RunToExit = async (argv) => {
    try {
      created ??= sandbox.process.createSession(sessionId);
      await created;
      const result = await sandbox.process.executeSessionCommand(sessionId, { command: argv.map(posixQuote).join(" ") });
      return { exitCode: result.exitCode ?? null, stderr: result.stderr ?? "" };
    } catch (error) {
      throw daytonaFailure(backend, "writing to a process's stdin", error);
    }
  };
  return {
    input: (exited: () => boolean) => piped.input(run, exited),
    close: async () => {
      if (created) await sandbox.process.deleteSession(sessionId).catch(() => {});
    },
  };
}
