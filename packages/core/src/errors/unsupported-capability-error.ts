import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.UnsupportedCapabilityError");

/** The call needs a capability the backend does not declare; thrown before anything runs. */
export class UnsupportedCapabilityError extends HermesError {
  readonly [marker] = true;
  readonly capability: string;
  readonly backend: string;

  constructor(options: { capability: string; backend: string; hint?: string }) {
    const hint = options.hint ? ` ${options.hint}` : "";
    super({
      message: `Backend "${options.backend}" does not support ${options.capability}.${hint}`,
      code: "UNSUPPORTED_CAPABILITY",
    });
    this.name = "UnsupportedCapabilityError";
    this.capability = options.capability;
    this.backend = options.backend;
  }

  static override isInstance(error: unknown): error is UnsupportedCapabilityError {
    return hasMarker(error, marker);
  }
}
