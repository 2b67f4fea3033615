import type { Readable } from "node:stream";
import type { TargetProcess } from "../backend/target-process.js";
import type { ProcessExit } from "../types/backend.js";

/**
 * After a process exits, a child it left in the background may still hold its pipes open. Reading
 * stops once every stream has ended or sat idle this long (a stream paused by a slow reader is not idle).
 */
const idleAfterExitMs = 200;
const pollMs = 50;
/** Checks in a row (each a turn of the event loop) that must see a stream bring nothing before it is idle. */
const quietChecks = 3;

export interface OutputSinks {
  stdout(bytes: Buffer): void;
  stderr(bytes: Buffer): void;
}

/** Feeds a process's output to `sinks`; resolves with its exit status once its output is read. */
export function collectProcessOutput(process: TargetProcess, sinks: OutputSinks): Promise<ProcessExit> {
  const streams = [follow(process.stdout, sinks.stdout), follow(process.stderr, sinks.stderr)];
  return process.exited.then(
    (exit) =>
      new Promise<ProcessExit>((resolve) => {
        // Idle counts from the exit at the earliest: on a busy event loop the exit can be seen before output
        // that was written earlier has been read, and a stream silent since it was opened is not idle yet.
        // Wall time alone is not enough there either: the checks must also have seen turns of the loop (each
        // with its poll for I/O, where waiting output is read) go by with nothing new.
        const exitedAt = Date.now();
        const quiet = streams.map(() => ({ since: -1, checks: 0 }));
        const check = () => {
          const now = Date.now();
          const idle = (stream: FollowedStream, index: number) => {
            const turns = quiet[index] as { since: number; checks: number };
            if (turns.since === stream.lastDataAt) turns.checks++;
            else Object.assign(turns, { since: stream.lastDataAt, checks: 0 });
            return turns.checks >= quietChecks && now - Math.max(stream.lastDataAt, exitedAt) >= idleAfterExitMs;
          };
          const done = streams.every((stream, index) => stream.ended || (!stream.paused() && idle(stream, index)));
          if (!done) return;
          clearInterval(timer);
          for (const stream of streams) stream.stop();
          resolve(exit);
        };
        const timer = setInterval(check, pollMs);
        for (const stream of streams) stream.onEnd(check);
        check();
      }),
  );
}

interface FollowedStream {
  ended: boolean;
  lastDataAt: number;
  paused(): boolean;
  onEnd(listener: () => void): void;
  stop(): void;
}

function follow(stream: Readable, sink: (bytes: Buffer) => void): FollowedStream {
  const followed: FollowedStream = {
    ended: stream.readableEnded || stream.destroyed,
    lastDataAt: Date.now(),
    paused: () => stream.isPaused(),
    onEnd: (listener) => {
      for (const event of ["end", "close", "error"]) stream.once(event, listener);
    },
    stop: () => {
      stream.off("data", onData);
      if (!stream.readableEnded) stream.destroy();
    },
  };
  const onData = (chunk: Buffer) => {
    followed.lastDataAt = Date.now();
    sink(chunk);
  };
  stream.on("data", onData);
  followed.onEnd(() => {
    followed.ended = true;
  });
  return followed;
}
