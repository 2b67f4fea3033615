import { once } from "node:events";
import { PassThrough } from "node:stream";
import type { ProcessExit, ProcessSpec, RawProcess } from "@hermes/core";
import type { ModalExec, ModalSandbox } from "./modal-sdk.js";

/** Turns an SDK error into the typed error that says what happened (and whether the sandbox has ended). */
export type ExplainFailure = (doing: string, error: unknown) => Promise<Error>;

/**
 * A process in the sandbox: one exec (Modal runs argv, no shell) with its own stdin, stdout and stderr, in
 * bytes, over the command router's streams. Modal cannot signal an exec, so core kills by tag through
 * another one. The SDK retries an exec's wait forever while the router is unreachable; its output streams
 * give up after about ten seconds of failed retries, and that ends the process here with the error. An
 * exec killed with its sandbox ends with the error that says the sandbox has ended.
 */
export async function startModalProcess(
  sandbox: ModalSandbox,
  spec: ProcessSpec,
  explain: ExplainFailure,
  sandboxEnded: () => Promise<Error | undefined>,
): Promise<RawProcess> {
  let exec: ModalExec;
  try {
    exec = await sandbox.exec(spec.stdin === "ignore" ? withoutInput(spec.argv) : [...spec.argv], {
      mode: "binary",
      ...(spec.cwd !== undefined && { workdir: spec.cwd }),
      ...(spec.env !== undefined && { env: { ...spec.env } }),
    });
  } catch (error) {
    throw await explain("starting a command in the sandbox", error);
  }
  if (spec.stdin === "ignore") void exec.stdin.close().catch(() => {});
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let lost: (error: unknown) => void = () => {};
  const streamLost = new Promise<never>((_, reject) => {
    lost = reject;
  });
  void Promise.all([pump(exec.stdout, stdout), pump(exec.stderr, stderr)]).catch((error: unknown) => lost(error));
  const exited: Promise<ProcessExit> = Promise.race([exec.wait(), streamLost]).then(
    // Killed: perhaps with the whole sandbox, and then the command did not end, the sandbox did.
    async (code) => {
      const ended = code >= 128 ? await sandboxEnded() : undefined;
      return ended ? { code: null, signal: null, error: ended } : { code, signal: null };
    },
    async (error: unknown) => ({ code: null, signal: null, error: await explain("the command's output stream", error) }),
  );
  return { stdin: spec.stdin === "pipe" ? exec.stdin : null, stdout, stderr, wait: () => exited };
}

/**
 * An exec's stdin is always a pipe. Without input the command reads `/dev/null`, as it would elsewhere: an
 * ended pipe gives end-of-file too, but a program that opens `/dev/stdin` again would wait for a writer.
 */
const withoutInput = (argv: readonly string[]) => ["sh", "-c", 'exec "$@" </dev/null', "sh", ...argv];

/** Copies one output stream, at the pace its reader takes it; ends the copy when the source ends or fails. */
async function pump(source: ReadableStream<Uint8Array>, sink: PassThrough): Promise<void> {
  try {
    for await (const chunk of source) if (!sink.write(chunk)) await once(sink, "drain");
  } finally {
    sink.end();
  }
}
