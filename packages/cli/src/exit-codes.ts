import { constants } from "node:os";
import type { ExecResult } from "@hermes/core";

/** Exit codes of `hermes-env`, in the conventions of `timeout(1)` and `docker run`. */
export const exitCodes = {
  ok: 0,
  failure: 1,
  /** Bad arguments or bad configuration. */
  usage: 2,
  /** The command ran out of time. */
  timeout: 124,
  /** The environment itself failed: backend not installed or unreachable. */
  environment: 125,
} as const;

/** The command's own code; 124 on timeout; 128 + n when a signal ended it, as a shell reports it. */
export function exitCodeOf(result: ExecResult): number {
  if (result.timedOut) return exitCodes.timeout;
  if (result.exitCode !== null) return result.exitCode;
  return signalExitCode(result.signal);
}

export function signalExitCode(signal: string | null): number {
  const number = signal ? constants.signals[signal as NodeJS.Signals] : undefined;
  return 128 + (number ?? constants.signals.SIGKILL);
}
