import type { ProcessSpec, RawProcess } from "../types/backend.js";
import { targetProcess } from "./target-process.js";

export interface ProgramOutput {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a short helper program through `start`, feeding it `stdin` (if any), and gives its exit code and
 * output once both streams have ended. Rejects when the connection to the target is lost.
 */
export async function runProgram(
  start: (spec: ProcessSpec) => Promise<RawProcess>,
  argv: readonly string[],
  stdin?: Uint8Array,
): Promise<ProgramOutput> {
  const raw = await start({ argv, stdin: stdin === undefined ? "ignore" : "pipe" });
  // A helper is never signalled, so a backend without kill needs no fallback here.
  const process = targetProcess(raw, "the target", async () => {});
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  process.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  process.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  process.stdin?.on("error", () => {});
  if (stdin !== undefined) process.stdin?.end(stdin);
  const exit = await process.exited;
  if (exit.error) throw exit.error;
  await Promise.all([ended(process.stdout), ended(process.stderr)]);
  return { code: exit.code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString("utf8") };
}

/** A helper's output is complete when its stream ends (it leaves nothing in the background). */
function ended(stream: NodeJS.ReadableStream & { readableEnded?: boolean; destroyed?: boolean }): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded || stream.destroyed) resolve();
    for (const event of ["end", "close", "error"]) stream.once(event, () => resolve());
  });
}
