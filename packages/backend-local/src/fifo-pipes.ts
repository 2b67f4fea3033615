import { execFile } from "node:child_process";
import { constants, mkdtempSync, openSync, readdirSync, rmdirSync, unlinkSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Real pipes for a child's stdout and stderr. Node connects `stdio: "pipe"` through UNIX socket pairs, and a
 * socket is not a pipe to the programs a command runs: opening `/dev/stdout` or `/dev/stderr` (as `echo x
 * >/dev/stderr` or `tee /dev/stderr` do) fails with ENXIO. Node cannot make an anonymous pipe, so this makes
 * named ones (`mkfifo`, a batch at a time, in a private directory), opens both ends and removes them at once.
 * (Not for stdin: unlike an anonymous pipe, a named one makes a reader that opens it after the last writer
 * closed wait for a writer, so `cat /dev/stdin` after the data was sent would hang.)
 */
export interface PipeEnds {
  /** The child's end, for its stdio; close it here once the child is spawned. */
  child: number;
  /** This process's end. */
  stream: Socket;
}

const batchSize = 8;
/** `<tmpdir>/hermes-pipes-<pid>-XXXXXX`: exists only while a batch is made; `reap()` removes one a crash left. */
export const pipeDirectoryPrefix = "hermes-pipes-";
/** Opened pipes ready for use: both ends, already unlinked, so nothing stays on disk between commands. */
const spare: Array<{ read: number; write: number }> = [];
let filling: Promise<void> | undefined;
/** Set once `mkfifo` failed: the caller falls back to Node's socket pairs. */
let unavailable = false;

/**
 * `count` pipes the child writes (its stdout and stderr), or undefined when named pipes cannot be made
 * here (then use Node's own stdio pipes). Taken in the same step as the check, so concurrent starts that
 * waited for one batch never take the same ends.
 */
export async function outputPipes(count: number): Promise<PipeEnds[] | undefined> {
  while (!unavailable && spare.length < count) {
    filling ??= fill().finally(() => {
      filling = undefined;
    });
    await filling;
  }
  if (unavailable) return undefined;
  return spare.splice(spare.length - count).map((ends) => ({
    child: ends.write,
    stream: new Socket({ fd: ends.read, readable: true, writable: false }),
  }));
}

async function fill(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), `${pipeDirectoryPrefix}${process.pid}-`));
  try {
    const paths = Array.from({ length: batchSize }, (_, i) => join(directory, String(i)));
    const failed = await new Promise<boolean>((resolve) => {
      execFile("mkfifo", ["-m", "600", ...paths], (error) => resolve(error !== null));
    });
    if (failed) {
      unavailable = true;
      return;
    }
    for (const path of paths) {
      // Opening the read end without blocking lets the write end open at once. Node opens both close-on-exec.
      const read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      spare.push({ read, write: openSync(path, constants.O_WRONLY) });
    }
  } finally {
    // unlink, not rm: rm lstat()s each pipe, and Node's realpath (which its module resolver uses) then reads
    // that FIFO's mode from the process's last stat and stops early, so a package imported later through a
    // symlink (pnpm's layout) loads from an unresolved path and does not find its own dependencies.
    for (const entry of readdirSync(directory)) unlinkSync(join(directory, entry));
    rmdirSync(directory);
  }
}
