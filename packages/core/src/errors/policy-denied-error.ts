import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.PolicyDeniedError");

/** The security policy refused an action (or nobody approved one that needed approval): nothing ran. */
export class PolicyDeniedError extends HermesError {
  readonly [marker] = true;
  /** The rule that decided, e.g. `rm_rf_root`, `sandbox_root`, `require_confirm.shell_exec`. */
  readonly rule: string | undefined;
  /** Why, written for the agent's model to read and act on. */
  readonly reason: string;
  /** The action kind: `shell_exec`, `write_file`, ... */
  readonly action: string;

  constructor(options: { action: string; rule?: string; reason: string }) {
    super({
      message: `Policy denied ${options.action}${options.rule ? ` (${options.rule})` : ""}: ${options.reason}`,
      code: "POLICY_DENIED",
      retryable: false,
    });
    this.name = "PolicyDeniedError";
    this.rule = options.rule;
    this.reason = options.reason;
    this.action = options.action;
  }

  static override isInstance(error: unknown): error is PolicyDeniedError {
    return hasMarker(error, marker);
  }
}
