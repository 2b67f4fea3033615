import type { EventEmitter } from "eventemitter3";
import { deriveTarget, type Target } from "../backend/derive-target.js";
import { BackendUnavailableError } from "../errors/backend-unavailable-error.js";
import { HermesError } from "../errors/hermes-error.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { ownerLabel } from "../lifecycle/owner-process.js";
import { newId } from "../session/new-id.js";
import { OutputCapture } from "../session/output-capture.js";
import { Session } from "../session/session.js";
import { exportStatement, quoteShellWord } from "../session/shell-quote.js";
import type { ShellState } from "../session/state-restore.js";
import type { Backend } from "../types/backend.js";
import type { EnvironmentEvents } from "../types/execution-environment.js";

export interface StartRequest {
  backend: Backend;
  environmentId: string;
  backendName: string;
  maxShells: number;
  /** createEnv's `cwd` and `env`: the session's starting state. */
  cwd: string | undefined;
  env: Readonly<Record<string, string>> | undefined;
  /** Where warnings, progress, stray output and session restarts are told. */
  events: EventEmitter<EnvironmentEvents>;
  /** A restart while disposing is no news. */
  disposing(): boolean;
}

export interface StartedTarget {
  target: Target;
  session: Session;
  /** The state a fresh shell of this target starts in, before createEnv's cwd and env. */
  baseState: ShellState | undefined;
}

/**
 * Creates the backend's resources, fills in what the backend left out, opens the first session shell and
 * brings it to createEnv's cwd and env. On failure everything created so far is freed and the error is typed.
 */
export async function startTarget(request: StartRequest): Promise<StartedTarget> {
  const { events, environmentId, backendName } = request;
  const context = {
    environmentId,
    backendName,
    warn: (code: string, message: string) => events.emit("warning", { code, message }),
    progress: (message: string, detail?: { current?: number; total?: number }) =>
      events.emit("progress", { backend: backendName, message, ...detail }),
  };
  const owner = ownerLabel();
  const labels = { "hermes.owner": owner, "hermes.env-id": context.environmentId, "hermes.created": new Date().toISOString() };
  let target: Target | undefined;
  let session: Session | undefined;
  try {
    const instance = await request.backend.create({ ...context, labels });
    target = await deriveTarget(instance, { backendName: context.backendName, owner }).catch(async (error: unknown) => {
      await instance.dispose().catch(() => {});
      throw error;
    });
    session = new Session(target, {
      environmentId,
      backendName,
      maxShells: request.maxShells,
      onStray: (stream, bytes) => events.emit("output:stray", { stream, text: bytes.toString("utf8") }),
      onRestart: (reason) => {
        if (!request.disposing()) events.emit("session:restart", { reason });
      },
    });
    await Promise.all([session.warm(), target.ready]);
    const baseState = session.state ?? undefined;
    await applyInitialState(session, request.cwd, request.env);
    return { target, session, baseState };
  } catch (error) {
    await session?.dispose();
    await target?.dispose().catch(() => {});
    if (HermesError.isInstance(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new BackendUnavailableError({ backend: context.backendName, reason, cause: error });
  }
}

/** A missing cwd fails the start with what the shell said. */
async function applyInitialState(session: Session, cwd: string | undefined, env: Readonly<Record<string, string>> | undefined) {
  const steps: string[] = [];
  if (env && Object.keys(env).length > 0) steps.push(exportStatement(env, "createEnv env"));
  if (cwd !== undefined) steps.push(`builtin cd -- ${quoteShellWord(cwd, "createEnv cwd")}`);
  if (steps.length === 0) return;
  const stderr = new OutputCapture(4096);
  const outcome = await session.run({ command: steps.join(" && "), execId: newId(), stdout: new OutputCapture(0), stderr }).outcome;
  if (outcome.exitCode !== 0) {
    throw new InvalidArgumentError({
      argument: "createEnv cwd",
      value: cwd,
      expected: `an existing directory in the environment (${stderr.text().trim()})`,
    });
  }
}
