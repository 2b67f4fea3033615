import { randomUUID } from "node:crypto";
import { PassThrough, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { type ProcessExit, type ProcessSpec, type RawProcess, shellCommandLine } from "@hermes/core";
import { type DaytonaSandbox, daytonaFailure } from "./daytona-sdk.js";

/**
 * A process in the sandbox: an asynchronous command in a Daytona session of its own (commands in one
 * session run one after another), its output from the command's log stream (a WebSocket that
 * demultiplexes stdout and stderr), its stdin through the session's input call, one call per write, in
 * order. Daytona has no end-of-file for a command's input: ending stdin deletes the session, which ends
 * the process (core ends idle shells that way). The SDK hands output over as decoded UTF-8 text.
 */
export async function startDaytonaProcess(sandbox: DaytonaSandbox, backend: string, spec: ProcessSpec): Promise<RawProcess> {
  const sessionId = `hermes-${randomUUID()}`;
  let cmdId: string;
  try {
    await sandbox.process.createSession(sessionId);
  } catch (error) {
    throw daytonaFailure(backend, "starting a command in the sandbox", error);
  }
  try {
    cmdId = (await sandbox.process.executeSessionCommand(sessionId, { command: shellCommandLine(spec), runAsync: true })).cmdId;
  } catch (error) {
    // The session made for it must not outlive the command that never started.
    await sandbox.process.deleteSession(sessionId).catch(() => {});
    throw daytonaFailure(backend, "starting a command in the sandbox", error);
  }
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let ended = false;
  const endSession = async () => {
    if (ended) return;
    ended = true;
    await sandbox.process.deleteSession(sessionId).catch(() => {});
  };
  const exited: Promise<ProcessExit> = sandbox.process
    .getSessionCommandLogs(
      sessionId,
      cmdId,
      (text) => stdout.write(text),
      (text) => stderr.write(text),
    )
    .then(async () => {
      const command = await sandbox.process.getSessionCommand(sessionId, cmdId).catch(() => undefined);
      return { code: command?.exitCode ?? null, signal: null };
    })
    .catch((error: unknown) => ({ code: null, signal: null, error: daytonaFailure(backend, "the command's log stream", error) }))
    .finally(() => {
      stdout.end();
      stderr.end();
      void endSession();
    });
  return { stdin: spec.stdin === "pipe" ? sessionInput(sandbox, sessionId, cmdId, endSession) : null, stdout, stderr, wait: () => exited };
}

function sessionInput(sandbox: DaytonaSandbox, sessionId: string, cmdId: string, endSession: () => Promise<void>): Writable {
  const decoder = new StringDecoder("utf8");
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = decoder.write(chunk);
      if (text === "") return callback();
      sandbox.process.sendSessionCommandInput(sessionId, cmdId, text).then(
        () => callback(),
        (error: unknown) => callback(error as Error),
      );
    },
    final(callback) {
      void endSession().then(() => callback());
    },
  });
}
