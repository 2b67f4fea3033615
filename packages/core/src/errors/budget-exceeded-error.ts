import type { ExecResult } from "../types/exec.js";
import { HermesError, hasMarker } from "./hermes-error.js";

const marker = Symbol.for("hermes.error.BudgetExceededError");

/** An environment's estimated cost passed its backend's `budget_per_run_usd`: the command was stopped, or refused. */
export class BudgetExceededError extends HermesError {
  readonly [marker] = true;
  readonly backend: string;
  readonly budgetUsd: number;
  readonly costUsd: number;
  /** What the stopped command had produced, when one was running. */
  readonly result?: ExecResult;

  constructor(options: { backend: string; budgetUsd: number; costUsd: number; result?: ExecResult }) {
    super({
      message:
        `The estimated cost of this run on backend "${options.backend}" ($${options.costUsd.toFixed(4)}) passed its budget_per_run_usd ` +
        `($${options.budgetUsd}); ${options.result ? "the command was stopped and " : ""}no more commands run there. ` +
        `Raise budget_per_run_usd, or dispose this environment and create a new one for a new run.`,
      code: "BUDGET_EXCEEDED",
      retryable: false,
    });
    this.name = "BudgetExceededError";
    this.backend = options.backend;
    this.budgetUsd = options.budgetUsd;
    this.costUsd = options.costUsd;
    if (options.result) this.result = options.result;
  }

  static override isInstance(error: unknown): error is BudgetExceededError {
    return hasMarker(error, marker);
  }
}
