import { execFile } from "node:child_process";
import { constants, mkdtempSync, openSync, rmSync, unlinkSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Real pipes for a child's stdout and stderr. Node connects `stdio: "pipe"` through UNIX socket pairs, and a
 * socket is not a pipe to the programs a command runs: opening `/dev/stdout` or `/dev/stderr` (as `echo x
 * >/dev/stderr` or `tee /dev/stderr` do) fails with ENXIO. Node cannot make an anonymous pipe, so this makes
 * named ones (`mkfifo`, a batch at a time, in a private directory), opens both ends and unlinks them at once.
 * (Not for stdin: unlike an anonymous pipe, a named one makes a reader that opens it after the last writer
 * closed wait for a writer, so `cat /dev/stdin` after the data was sent would hang.)
 */
export interface PipeEnds {
  /** The child's end, for its stdio; close it here once the child is spawned. */
  child: number;
  /** This process's end. */
  stream: Socket;
}

const batchSize = 24;
/** `<tmpdir>/hermes-pipes-<pid>-XXXXXX`: removed at exit, or by `reap()` when that process died without exiting. */
export const pipeDirectoryPrefix = "hermes-pipes-";
let directory: string | undefined;
let spare: string[] = [];
let filling: Promise<void> | undefined;
let counter = 0;
/** Set once `mkfifo` failed: the caller falls back to Node's socket pairs. */
let unavailable = false;

/** Whether named pipes can be made here; when not, use Node's own stdio pipes. */
export async function pipesAvailable(count: number): Promise<boolean> {
  while (!unavailable && spare.length < count) {
    filling ??= fill().finally(() => {
      filling = undefined;
    });
    await filling;
  }
  return !unavailable;
}

/** A pipe the child writes (its stdout or stderr). Call `pipesAvailable` first. */
export function outputPipe(): PipeEnds {
  const path = take();
  // Opening the read end without blocking lets the write end open at once.
  const read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const child = openSync(path, constants.O_WRONLY);
  unlinkSync(path);
  return { child, stream: new Socket({ fd: read, readable: true, writable: false }) };
}

function take(): string {
  const path = spare.pop();
  if (path === undefined) throw new Error("no named pipe is ready: call pipesAvailable() first");
  return path;
}

async function fill(): Promise<void> {
  if (directory === undefined) {
    directory = mkdtempSync(join(tmpdir(), `${pipeDirectoryPrefix}${process.pid}-`));
    const made = directory;
    process.once("exit", () => rmSync(made, { recursive: true, force: true }));
  }
  const paths = Array.from({ length: batchSize }, () => join(directory as string, String(counter++)));
  const failed = await new Promise<boolean>((resolve) => {
    execFile("mkfifo", ["-m", "600", ...paths], (error) => resolve(error !== null));
  });
  if (failed) unavailable = true;
  else spare = [...spare, ...paths];
}
