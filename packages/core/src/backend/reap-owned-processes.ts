import { ownerState, ownerVariable } from "../lifecycle/owner-process.js";
import type { ProcessSpec, RawProcess, ReapOptions, ReapReport } from "../types/backend.js";
import { runProgram } from "./run-program.js";

/** Prints `pid owner environment-id` for each process readable here that carries an owner (bash builtins and /proc). */
const listOwnedProcesses = `for dir in /proc/[0-9]*; do
  pid=\${dir#/proc/}
  [ "$pid" = "$$" ] && continue
  entries=() owner= env=
  { builtin mapfile -d '' -t entries < "$dir/environ"; } 2>/dev/null || continue
  for entry in "\${entries[@]}"; do
    case $entry in
      ${ownerVariable}=*) owner=\${entry#*=} ;;
      HERMES_ENV_ID=*) env=\${entry#*=} ;;
    esac
  done
  [ -n "$owner" ] && builtin printf '%s %s %s\\n' "$pid" "$owner" "$env"
done
true`;

/**
 * Reaping for targets where processes are the resources (this machine, an ssh host): ends every process
 * whose HERMES_OWNER names a process of this machine that is gone (a command's `nohup` or `&` child
 * outlives its owner). Owners on other machines are left alone. Runs through `start` (a target without
 * an environment), needs /proc there; `describe` names a process in the report.
 */
export async function reapOwnedProcesses(
  start: (spec: ProcessSpec) => Promise<RawProcess>,
  describe: (pid: string, environmentId: string) => string,
  options: ReapOptions = {},
): Promise<ReapReport> {
  const listing = await runProgram(start, ["bash", "--noprofile", "--norc", "-c", listOwnedProcesses]);
  const orphans = listing.stdout
    .toString("utf8")
    .split("\n")
    .map((line) => line.split(" "))
    .filter(([pid, owner]) => pid && owner && ownerState(owner) === "gone");
  if (orphans.length > 0 && !options.dryRun) {
    await runProgram(start, [
      "bash",
      "--noprofile",
      "--norc",
      "-c",
      `builtin kill -KILL ${orphans.map(([pid]) => pid).join(" ")} 2>/dev/null; true`,
    ]);
  }
  return { removed: orphans.map(([pid, , environmentId]) => describe(pid as string, environmentId || "?")) };
}
