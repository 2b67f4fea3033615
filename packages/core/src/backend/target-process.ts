import { Readable, Writable } from "node:stream";
import type { ReadableStream as NodeReadableStream, WritableStream as NodeWritableStream } from "node:stream/web";
import { BackendUnavailableError } from "../errors/backend-unavailable-error.js";
import { HermesError } from "../errors/hermes-error.js";
import type { ProcessExit, RawProcess } from "../types/backend.js";

/** A started process as core uses it: Node streams, an `exited` promise that never rejects, `kill` always there. */
export interface TargetProcess {
  readonly pid: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<ProcessExit>;
  /** `exited`, so a TargetProcess is also a RawProcess. */
  wait(): Promise<ProcessExit>;
  kill(signal: NodeJS.Signals): void;
  unref(): void;
  ref(): void;
}

/**
 * Adapts what a backend's `start` gave: web streams become Node streams, a rejected `wait()` a lost
 * connection, and a missing `kill` goes through `signalByTag` (the process's HERMES_PROCESS_TAG).
 */
export function targetProcess(raw: RawProcess, backendName: string, signalByTag: (signal: NodeJS.Signals) => Promise<void>): TargetProcess {
  const exited = Promise.resolve()
    .then(() => raw.wait())
    .catch((error: unknown) => ({ code: null, signal: null, error: lostConnection(backendName, error) }));
  return {
    pid: raw.pid,
    stdin: raw.stdin === null ? null : asWritable(raw.stdin),
    stdout: asReadable(raw.stdout),
    stderr: asReadable(raw.stderr),
    exited,
    wait: () => exited,
    kill: raw.kill
      ? (signal) => raw.kill?.(signal)
      : (signal) => {
          void signalByTag(signal).catch(() => {});
        },
    unref: () => raw.unref?.(),
    ref: () => raw.ref?.(),
  };
}

function asReadable(stream: Readable | ReadableStream<Uint8Array>): Readable {
  return "getReader" in stream ? Readable.fromWeb(stream as NodeReadableStream<Uint8Array>) : stream;
}

function asWritable(stream: Writable | WritableStream<Uint8Array>): Writable {
  return "getWriter" in stream ? Writable.fromWeb(stream as NodeWritableStream<Uint8Array>) : stream;
}

function lostConnection(backendName: string, error: unknown): Error {
  if (HermesError.isInstance(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new BackendUnavailableError({ backend: backendName, reason: `the connection to the process was lost (${reason})`, cause: error });
}
