import { describeValue } from "./config-error.js";
import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.InvalidArgumentError");

/** A call argument was rejected before anything ran. */
export class InvalidArgumentError extends HermesError {
  readonly [marker] = true;
  readonly argument: string;

  constructor(options: { argument: string; value: unknown; expected: string }) {
    super({
      message: `Invalid ${options.argument}: got ${describeValue(options.value)}; expected ${options.expected}`,
      code: "INVALID_ARGUMENT",
    });
    this.name = "InvalidArgumentError";
    this.argument = options.argument;
  }

  static override isInstance(error: unknown): error is InvalidArgumentError {
    return hasMarker(error, marker);
  }
}
