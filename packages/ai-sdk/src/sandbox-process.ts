import { constants } from "node:os";
import type { ExecResult, ProcessHandle } from "@hermes/core";
import type { Experimental_SandboxProcess } from "ai";

/** A process handle with stdin, as the spec's `WritableSandboxProcess` (not re-exported by `ai`). */
type WritableSandboxProcess = Experimental_SandboxProcess & { readonly stdin: WritableStream<Uint8Array> };

/** The AI SDK wants a number: a command ended by a signal gets the shell's `128 + n`, as bash reports it. */
export function exitCodeOf(result: Pick<ExecResult, "exitCode" | "signal">): number {
  if (result.exitCode !== null) return result.exitCode;
  const signal = result.signal ? constants.signals[result.signal as NodeJS.Signals] : undefined;
  return 128 + (signal ?? constants.signals.SIGKILL);
}

/**
 * A spawned process as the AI SDK's process handle: output as byte streams (Hermes hands out decoded
 * text, encoded again here as UTF-8), `wait()` rejecting with the abort's reason when aborted, an
 * idempotent `kill()`, and stdin as a writable stream when asked for (else it is closed at once).
 */
export function sandboxProcess(
  handle: ProcessHandle,
  stdin: boolean,
  abortSignal: AbortSignal | undefined,
): Experimental_SandboxProcess | WritableSandboxProcess {
  const aborted = new Promise<never>((_, reject) => {
    if (!abortSignal) return;
    const abort = () => reject(abortSignal.reason);
    if (abortSignal.aborted) abort();
    else abortSignal.addEventListener("abort", abort, { once: true });
  });
  aborted.catch(() => {});
  const exited = handle.wait();
  const process: Experimental_SandboxProcess = {
    ...(handle.pid !== undefined && { pid: handle.pid }),
    stdout: byteStream(handle.stdout),
    stderr: byteStream(handle.stderr),
    wait: async () => {
      const result = await Promise.race([exited, aborted]);
      return { exitCode: exitCodeOf(result) };
    },
    kill: async () => {
      // Killing a process that has ended is no error: kill() is idempotent.
      await handle.kill().catch(() => {});
    },
  };
  if (!stdin) {
    void handle.closeStdin().catch(() => {});
    return process;
  }
  const input = new WritableStream<Uint8Array>({
    write: (chunk) => handle.write(chunk),
    close: () => handle.closeStdin(),
  });
  return { ...process, stdin: input };
}

function byteStream(text: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const chunks = text[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return?.();
    },
  });
}
