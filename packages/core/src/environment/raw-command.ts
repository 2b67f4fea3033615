import type { Target } from "../backend/derive-target.js";
import { oneShotScript, type ShellState, stateRestore } from "../session/state-restore.js";
import type { ProcessSpec } from "../types/backend.js";

export interface RawCommandRequest {
  command: string | readonly string[];
  environmentId: string;
  execId: string;
  /** The session's state, and the state a fresh shell of this backend starts in. */
  session: { state: ShellState; base: ShellState } | undefined;
  cwd?: string;
  env?: Readonly<Record<string, string>>;
  stdin: boolean;
}

/**
 * A fresh bash that applies the backend's prelude and the session's cwd and variables, then runs the
 * command (a string) or execs the program (an argv array, so no shell interprets its arguments).
 */
export function rawCommandSpec(instance: Target, request: RawCommandRequest): ProcessSpec {
  const isArgv = typeof request.command !== "string";
  const script = oneShotScript({
    prelude: instance.shellPrelude,
    restore: request.session ? stateRestore(request.session.base, request.session.state) : { variables: "" },
    cwd: request.cwd,
    env: request.env,
    command: isArgv ? undefined : (request.command as string),
  });
  return {
    argv: [instance.bashPath, "--noprofile", "--norc", "-c", script, "bash", ...(isArgv ? (request.command as readonly string[]) : [])],
    cwd: request.session?.base.cwd ?? instance.defaultCwd,
    env: { HERMES_ENV_ID: request.environmentId, HERMES_EXEC_ID: request.execId },
    stdin: request.stdin ? "pipe" : "ignore",
  };
}
