import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.EnvironmentDisposedError");

/** An operation was called on an environment after `dispose()`. */
export class EnvironmentDisposedError extends HermesError {
  readonly [marker] = true;
  readonly environmentId: string;

  constructor(options: { environmentId: string; operation: string }) {
    super({
      message: `Cannot ${options.operation}: environment ${options.environmentId} has been disposed. Create a new one with createEnv().`,
      code: "ENVIRONMENT_DISPOSED",
    });
    this.name = "EnvironmentDisposedError";
    this.environmentId = options.environmentId;
  }

  static override isInstance(error: unknown): error is EnvironmentDisposedError {
    return hasMarker(error, marker);
  }
}
