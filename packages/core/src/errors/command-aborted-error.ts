import type { ExecResult } from "../types/exec.js";
import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.CommandAbortedError");

/** The caller's AbortSignal fired: the command's process tree was ended; `result` holds the output so far. */
export class CommandAbortedError extends HermesError {
  readonly [marker] = true;
  readonly result: ExecResult;

  constructor(options: { result: ExecResult; reason: unknown }) {
    super({ message: `Command aborted${describeReason(options.reason)}`, code: "ABORTED", cause: options.reason });
    this.name = "CommandAbortedError";
    this.result = options.result;
  }

  static override isInstance(error: unknown): error is CommandAbortedError {
    return hasMarker(error, marker);
  }
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error && reason.message) return `: ${reason.message}`;
  if (typeof reason === "string" && reason) return `: ${reason}`;
  return "";
}
