import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.BackendUnavailableError");

/** The backend cannot run anything right now: not reachable, failed to start, or went away. */
export class BackendUnavailableError extends HermesError {
  readonly [marker] = true;
  readonly backend: string;

  constructor(options: { backend: string; reason: string; retryable?: boolean; cause?: unknown }) {
    super({
      message: `Backend "${options.backend}" is unavailable: ${options.reason}`,
      code: "BACKEND_UNAVAILABLE",
      retryable: options.retryable ?? true,
      cause: options.cause,
    });
    this.name = "BackendUnavailableError";
    this.backend = options.backend;
  }

  static override isInstance(error: unknown): error is BackendUnavailableError {
    return hasMarker(error, marker);
  }
}
