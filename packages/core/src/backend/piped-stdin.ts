import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";

/**
 * Stdin for transports whose commands have none, or one that cannot be closed (cloud sandbox APIs): the
 * process is started behind a named pipe in a directory of its own, and every write is a short command of
 * its own that puts the bytes into the pipe. What a backend needs is a way to run one argv to its exit.
 */

/**
 * Starts the process behind the pipe. A keeper (a `sleep` that never ends by itself, so nothing wakes while
 * the process idles) holds the pipe open for reading and writing, so that no open of it ever blocks; once
 * it is ended (the host ended stdin, or the process ended) the pipe has no writer left. A relay `cat`
 * copies the pipe into an anonymous pipe, the process's stdin: a named pipe would make `cat /dev/stdin`
 * after end-of-file wait for a writer, an anonymous one gives end-of-file again, as bash's own stdin does.
 * When the process ends, the keeper goes and so does the directory. The keeper's and the relay's stderr go
 * nowhere, so the process's output ends with the process. Kills go by tag: signalling the wrapper alone
 * would leave the rest.
 */
const behindPipe = [
  'd=$1; shift; mkdir -m 700 "$d" && mkfifo "$d/in" || exit 126',
  'sleep 2147483647 1<>"$d/in" 2>/dev/null &',
  'echo $! > "$d/keeper"',
  'cat "$d/in" 2>/dev/null | { "$@"; rc=$?; kill "$(cat "$d/keeper")" 2>/dev/null; rm -rf "$d"; exit "$rc"; }',
].join("\n");

/** Waits (up to 10 s) for the keeper: a write may reach the target before the process has started. */
const untilKept = 'i=0; until [ -s "$1/keeper" ]; do i=$((i+1)); [ "$i" -le 2000 ] || exit 3; sleep 0.005; done';

/**
 * One write: claimed by its sequence number first, because a transport that sends a request again after a
 * lost response would otherwise write a command line twice, and it would run twice; refused (32) when
 * nobody reads any more.
 */
const writeScript = `${untilKept}; mkdir "$1/w$2" 2>/dev/null || exit 0; kill -0 "$(cat "$1/keeper")" 2>/dev/null || exit 32; printf %s "$3" | base64 -d > "$1/in"`;
const endScript = `${untilKept}; kill "$(cat "$1/keeper")" 2>/dev/null; exit 0`;
const brokenPipe = 32;

/** Base64 text per write command: under Linux's 128 KiB limit for one argument, a multiple of 4. */
const maxArgumentChars = 96 * 1024;

/** Runs an argv in the target to its end: its exit code and what it printed on stderr. */
export type RunToExit = (argv: readonly string[]) => Promise<{ exitCode: number | null; stderr: string }>;

export interface PipedStdin {
  /** The argv that starts `argv` behind the pipe. Give the process no `kill`: core then ends the whole tree by tag. */
  readonly argv: readonly string[];
  /** The process's stdin; `exited` says whether the process has ended (writes then fail with EPIPE at once). */
  input(run: RunToExit, exited: () => boolean): Writable;
}

export function pipedStdin(argv: readonly string[]): PipedStdin {
  const dir = `/tmp/hermes-stdin-${randomUUID()}`;
  return {
    argv: ["sh", "-c", behindPipe, "hermes-stdin", dir, ...argv],
    input: (run, exited) => pipeInput(dir, run, exited),
  };
}

const gone = () => Object.assign(new Error("write EPIPE: the process no longer reads its stdin"), { code: "EPIPE" });

/**
 * Writes go one after another; Node hands the writes that queued meanwhile to `writev` together, so a
 * burst is one command. The end is a command that lets the keeper go.
 */
function pipeInput(dir: string, run: RunToExit, exited: () => boolean): Writable {
  let sequence = 0;
  const runScript = async (script: string, ...args: string[]) => {
    if (exited()) throw gone();
    const { exitCode, stderr } = await run(["sh", "-c", script, "hermes-stdin", dir, ...args]);
    if (exitCode === brokenPipe) throw gone();
    if (exitCode !== 0) throw new Error(`writing to the process's stdin failed (exit ${exitCode}): ${stderr}`);
  };
  const write = async (data: Buffer) => {
    const text = data.toString("base64");
    for (let start = 0; start < text.length; start += maxArgumentChars) {
      await runScript(writeScript, String(sequence++), text.slice(start, start + maxArgumentChars));
    }
  };
  const settle = (promise: Promise<void>, callback: (error?: Error | null) => void) =>
    promise.then(
      () => callback(),
      (error: unknown) => callback(error as Error),
    );
  return new Writable({
    writev(chunks, callback) {
      settle(write(Buffer.concat(chunks.map(({ chunk }) => chunk as Buffer))), callback);
    },
    final(callback) {
      settle(runScript(endScript), callback);
    },
  });
}
