import { type BackendContext, BackendUnavailableError } from "@hermes/core";

/**
 * Longest a dispose waits for the vendor to delete (or, when kept, stop) a sandbox. When the vendor is up,
 * a delete is one call that answers in well under a second, and a stop a few seconds. Beyond this, the
 * vendor has accepted the call and will not answer: waiting longer holds the caller's `await using` for
 * nothing, and `hermes-env backend reap` removes what is left.
 */
export const defaultDisposeTimeoutMs = 10_000;

export interface Deadline<T> {
  ms: number;
  backend: string;
  /** The vendor's name, for the message. */
  vendor: string;
  doing: string;
  /** Given what the call yields after the deadline (to end a sandbox made too late). */
  late?: (value: T) => void;
}

/** The errors `withDeadline` made: told apart from the vendor's own by identity, not by their words. */
const expiredErrors = new WeakSet<Error>();

/** Whether `error` is a `withDeadline` that expired (the vendor did not answer in time). */
export const deadlineExpired = (error: unknown): boolean => error instanceof Error && expiredErrors.has(error);

/**
 * The call's result, or a retryable `BackendUnavailableError` once `ms` have passed without one. The
 * call is given a signal that aborts then: an SDK that takes one drops the request and its socket, so
 * nothing of it keeps the process alive (the SDKs retry some calls without end, or wait a day).
 */
export function withDeadline<T>(call: Promise<T> | ((signal: AbortSignal) => Promise<T>), deadline: Deadline<T>): Promise<T> {
  const abort = new AbortController();
  const running = typeof call === "function" ? call(abort.signal) : call;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      if (deadline.late) void running.then(deadline.late, () => {});
      const error = new BackendUnavailableError({
        backend: deadline.backend,
        reason: `${deadline.doing}: no answer from ${deadline.vendor} within ${Math.round(deadline.ms / 1000)} s`,
      });
      expiredErrors.add(error);
      reject(error);
      abort.abort(error);
    }, deadline.ms);
  });
  return Promise.race([running, expired]).finally(() => clearTimeout(timer));
}

export interface SandboxEnd {
  context: BackendContext;
  vendor: string;
  /** The sandbox's name, for the warning. */
  name: string;
  /** What ending it is, for the messages: "deleting", "stopping", "terminating". */
  doing: string;
  /** Kept (stopped, not deleted): a reaper leaves it, and the next environment of its name takes it over. */
  kept: boolean;
  ms: number | undefined;
}

/**
 * A dispose's end of its sandbox (`end`, given the deadline's signal, and for an SDK that takes a timeout
 * instead a number of seconds a little past the deadline, so that the deadline is what expires first),
 * within `ms` (default `defaultDisposeTimeoutMs`). When the vendor does not answer in time the dispose
 * returns anyway, and a `sandbox-dispose-unanswered` warning says that the sandbox may still exist and
 * what removes it; any other failure is thrown as `end` threw it.
 */
export async function endSandbox(end: (signal: AbortSignal, seconds: number) => Promise<void>, how: SandboxEnd): Promise<void> {
  const ms = how.ms ?? defaultDisposeTimeoutMs;
  const doing = `${how.doing} the sandbox ${how.name}`;
  try {
    await withDeadline((signal) => end(signal, Math.ceil(ms / 1000) + 1), {
      ms,
      backend: how.context.backendName,
      vendor: how.vendor,
      doing,
    });
  } catch (error) {
    if (!deadlineExpired(error)) throw error;
    const after = how.kept
      ? "it may still run (and cost): the next environment of its name takes it over (`hermes-env backend reap` leaves kept sandboxes)"
      : "it may still exist (and cost): `hermes-env backend reap` removes it once this process has ended";
    how.context.warn("sandbox-dispose-unanswered", `${how.vendor} did not answer ${doing} within ${Math.round(ms / 1000)} s; ${after}`);
  }
}
