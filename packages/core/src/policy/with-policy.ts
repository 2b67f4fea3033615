import { createHash, randomUUID } from "node:crypto";
import { type EnvironmentMiddleware, type FileAccess, wrapEnvironment } from "../environment/wrap-environment.js";
import { PolicyDeniedError } from "../errors/policy-denied-error.js";
import { quoteShellWord } from "../session/shell-quote.js";
import type { ExecOptions, ExecResult, ProcessHandle, SpawnOptions } from "../types/exec.js";
import type { ExecutionEnvironment } from "../types/execution-environment.js";
import type { AuditLog } from "./audit-log.js";
import { canonicalJson } from "./audit-log.js";
import type { Policy, PolicyAction, PolicyDecision } from "./create-policy.js";

/** What a confirm callback is asked. */
export interface ConfirmRequest {
  action: PolicyAction;
  /** The decision, its rule and reason, and every rule that spoke. */
  decision: PolicyDecision;
  /** SHA-256 of the exact action: an approval is for this action only. */
  actionHash: string;
  backend: string;
  /** Fires when the request is withdrawn (timeout, or the environment is disposed): stop asking. */
  signal: AbortSignal;
}

/** Approve (true) or refuse (false); a note is passed on to the agent with a refusal. */
export type ConfirmCallback = (request: ConfirmRequest) => Promise<boolean | { approved: boolean; note?: string }>;

export interface WithPolicyOptions {
  /** Asked for every `confirm` decision. Without one, `confirm` is `deny`. */
  confirm?: ConfirmCallback;
  /** How long a confirmation may take before it counts as refused. Default 60 s. */
  confirmTimeoutMs?: number;
  /** Where decisions and results are recorded (`log_all_commands`). */
  audit?: AuditLog;
}

const defaultConfirmTimeoutMs = 60_000;

type Command = string | readonly string[];

/**
 * `env` with `policy` applied to every operation: `exec`, `spawn` and each `files` call is evaluated first;
 * `deny` throws `PolicyDeniedError` and runs nothing; `confirm` asks the callback (default deny: no callback,
 * a timeout, a throw or a refusal), then evaluates again just before running and runs only the action that
 * was approved. With an audit log, each action gets a decision record and a result record.
 */
export function withPolicy(env: ExecutionEnvironment, policy: Policy, options: WithPolicyOptions = {}): ExecutionEnvironment {
  return wrapEnvironment(env, new PolicyMiddleware(env, policy, options));
}

class PolicyMiddleware implements EnvironmentMiddleware {
  private readonly withdraw = new AbortController();

  constructor(
    private readonly inner: ExecutionEnvironment,
    private readonly policy: Policy,
    private readonly options: WithPolicyOptions,
  ) {}

  private get backend() {
    return this.inner.backend;
  }

  exec(command: Command, options: ExecOptions, next: (command: Command, options: ExecOptions) => Promise<ExecResult>) {
    return this.guarded(
      () => this.shellAction(command, options),
      async () => {
        const result = await next(command, options);
        return {
          value: result,
          facts: { exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, durationMs: result.durationMs },
        };
      },
    );
  }

  spawn(command: Command, options: SpawnOptions, next: (command: Command, options: SpawnOptions) => Promise<ProcessHandle>) {
    return this.guarded(
      () => this.shellAction(command, options),
      async () => {
        const handle = await next(command, options);
        return { value: handle, facts: { spawned: handle.id } };
      },
    );
  }

  file<T>(access: FileAccess, path: string, next: () => Promise<T>): Promise<T> {
    return this.guarded(
      async () => {
        const cwd = await this.cwd(undefined);
        return { action: access, path, ...(cwd !== undefined && { cwd }) };
      },
      async () => ({ value: await next(), facts: {} }),
    );
  }

  async dispose(next: () => Promise<void>): Promise<void> {
    this.withdraw.abort(new Error("the environment was disposed"));
    await next();
  }

  /** The command as the policy sees it: an argv array becomes the shell words that would run it. */
  private async shellAction(command: string | readonly string[], options: ExecOptions | SpawnOptions): Promise<PolicyAction> {
    const text = commandText(command);
    const cwd = await this.cwd(options.cwd);
    return {
      action: "shell_exec",
      command: text,
      ...(cwd !== undefined && { cwd }),
      ...(options.env !== undefined && { env: options.env }),
    };
  }

  /** The session's directory (where relative paths and `cd ..` start), joined with a per-call cwd. */
  private async cwd(relative: string | undefined): Promise<string | undefined> {
    const session = (await this.inner.status()).cwd ?? undefined;
    if (relative === undefined) return session;
    if (relative.startsWith("/") || session === undefined) return relative;
    return `${session}/${relative}`;
  }

  /** `describe` builds the action from the environment's current state; it is built again after an approval. */
  private async guarded<T>(
    describe: () => Promise<PolicyAction>,
    run: () => Promise<{ value: T; facts: Record<string, unknown> }>,
  ): Promise<T> {
    const id = randomUUID();
    await this.authorize(describe, id);
    try {
      const { value, facts } = await run();
      this.options.audit?.append("result", { actionId: id, backend: this.backend, ...facts });
      return value;
    } catch (error) {
      this.options.audit?.append("result", {
        actionId: id,
        backend: this.backend,
        error: (error as { code?: string }).code ?? String(error),
      });
      throw error;
    }
  }

  /** Evaluates, asks when needed, re-checks; throws PolicyDeniedError unless the action may run. */
  private async authorize(describe: () => Promise<PolicyAction>, id: string): Promise<void> {
    const action = await describe();
    const decision = this.policy.evaluate(action);
    const record = (outcome: string, extra: Record<string, unknown> = {}) =>
      this.options.audit?.append("decision", decisionRecord(id, this.backend, action, decision, outcome, extra));
    if (decision.decision === "allow") {
      record("allowed");
      return;
    }
    if (decision.decision === "deny") {
      record("denied");
      throw deniedError(action, decision);
    }
    const approved = Object.freeze(structuredClone(action));
    const actionHash = hashOf(approved);
    const answer = await this.ask(approved, decision, actionHash);
    if (!answer.approved) {
      record("not approved", { confirm: answer.why });
      throw new PolicyDeniedError({
        action: action.action,
        ...(decision.rule !== undefined && { rule: decision.rule }),
        reason: `${decision.reason} It was not approved: ${answer.why}.`,
      });
    }
    // Just before running, from the environment's state now (another call may have changed its cwd meanwhile):
    // still the approved action, and still not denied.
    const now = await describe();
    const recheck = this.policy.evaluate(now);
    if (hashOf(now) !== actionHash || recheck.decision === "deny") {
      record("changed after approval");
      throw new PolicyDeniedError({
        action: action.action,
        rule: recheck.rule ?? "confirm",
        reason: "the action changed after it was approved; nothing ran.",
      });
    }
    record("approved", { actionHash });
  }

  private async ask(action: PolicyAction, decision: PolicyDecision, actionHash: string): Promise<{ approved: boolean; why: string }> {
    const confirm = this.options.confirm;
    if (!confirm) return { approved: false, why: "no confirm callback was given to createEnv, so confirmations are refused" };
    const timeoutMs = this.options.confirmTimeoutMs ?? defaultConfirmTimeoutMs;
    const controller = new AbortController();
    const withdraw = () => controller.abort(this.withdraw.signal.reason);
    this.withdraw.signal.addEventListener("abort", withdraw, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<{ approved: false; why: string }>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error("confirmation timed out"));
        resolve({ approved: false, why: `no answer within ${timeoutMs / 1000}s` });
      }, timeoutMs);
    });
    try {
      const answered = confirm({ action, decision, actionHash, backend: this.backend, signal: controller.signal }).then(
        (reply) => {
          const approved = reply === true || (typeof reply === "object" && reply !== null && reply.approved === true);
          const note = typeof reply === "object" && reply !== null && reply.note ? `: ${reply.note}` : "";
          return { approved, why: approved ? "approved" : `refused${note}` };
        },
        (error: unknown) => ({
          approved: false,
          why: `the confirm callback failed (${error instanceof Error ? error.message : String(error)})`,
        }),
      );
      return await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
      this.withdraw.signal.removeEventListener("abort", withdraw);
    }
  }
}

/** A command as the policy reads it: an argv array becomes the shell words that would run it. */
export function commandText(command: string | readonly string[]): string {
  return typeof command === "string" ? command : command.map((word) => quoteShellWord(word, "command")).join(" ");
}

/**
 * For a backend whose environment has not started yet: throws PolicyDeniedError (and records it) when the
 * policy denies the action outright, so a denied command does not first create a container or a connection.
 * Anything else is decided again, in full, by `withPolicy` once the environment runs.
 */
export function refuseIfDenied(policy: Policy, action: PolicyAction, context: { backend: string; audit?: AuditLog }): void {
  const decision = policy.evaluate(action);
  if (decision.decision !== "deny") return;
  context.audit?.append("decision", decisionRecord(randomUUID(), context.backend, action, decision, "denied before the backend started"));
  throw deniedError(action, decision);
}

function decisionRecord(
  actionId: string,
  backend: string,
  action: PolicyAction,
  decision: PolicyDecision,
  outcome: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    actionId,
    backend,
    action: action.action,
    ...(action.action === "shell_exec" ? { command: action.command } : { path: action.path }),
    ...(action.cwd !== undefined && { cwd: action.cwd }),
    decision: decision.decision,
    ...(decision.rule !== undefined && { rule: decision.rule }),
    reason: decision.reason,
    outcome,
    ...extra,
  };
}

function deniedError(action: PolicyAction, decision: PolicyDecision): PolicyDeniedError {
  return new PolicyDeniedError({
    action: action.action,
    ...(decision.rule !== undefined && { rule: decision.rule }),
    reason: decision.reason,
  });
}

function hashOf(action: PolicyAction): string {
  return `sha256:${createHash("sha256").update(canonicalJson(action)).digest("hex")}`;
}
