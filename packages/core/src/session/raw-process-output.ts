import type { Readable } from "node:stream";
import type { TargetProcess } from "../backend/target-process.js";
import type { ProcessExit } from "../types/backend.js";

/**
 * After a process exits, a child it left in the background may still hold its pipes open. Reading
 * stops once every stream has ended or sat idle this long (a stream paused by a slow reader is not idle).
 */
const idleAfterExitMs = 200;
const pollMs = 50;

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
        const check = () => {
          const now = Date.now();
          const done = streams.every((stream) => stream.ended || (!stream.paused() && now - stream.lastDataAt >= idleAfterExitMs));
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
