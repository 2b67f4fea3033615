import type { RawProcess } from "@hermes/core";

export interface CollectedOutput {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Feeds `stdin` (if any) to a short helper process, waits for it and returns its exit code and output. */
export async function collectOutput(process: RawProcess, stdin?: Uint8Array): Promise<CollectedOutput> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  process.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  process.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  process.stdin?.on("error", () => {});
  if (stdin !== undefined) process.stdin?.end(stdin);
  const exit = await process.exited;
  if (exit.error) throw exit.error;
  return { code: exit.code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString("utf8") };
}
