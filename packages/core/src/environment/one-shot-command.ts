import type { Target } from "../backend/derive-target.js";
import type { TargetProcess } from "../backend/target-process.js";
import type { OutputCapture } from "../session/output-capture.js";
import { collectProcessOutput } from "../session/raw-process-output.js";
import type { RunningCommand } from "./command-run.js";

/**
 * A command in a process of its own (`session: false`, an argv, `spawn`): its output goes to the
 * captures, and ending it kills every process tagged with its exec id, then the process itself.
 */
export function oneShotCommand(
  target: Target,
  process: TargetProcess,
  request: { execId: string; cwd: string; stdout: OutputCapture; stderr: OutputCapture },
): RunningCommand {
  process.stdin?.on("error", () => {});
  const outcome = collectProcessOutput(process, {
    stdout: (bytes) => request.stdout.push(bytes),
    stderr: (bytes) => request.stderr.push(bytes),
  }).then((exit) => ({ exitCode: exit.code, signal: exit.signal, cwd: request.cwd, ...(exit.error && { error: exit.error }) }));
  return {
    outcome,
    exited: process.exited,
    cancel: async (options) => {
      await target.killTagged({ execId: request.execId }, options);
      process.kill("SIGKILL");
    },
  };
}
