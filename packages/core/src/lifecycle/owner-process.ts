import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * The variable a backend sets on every process it starts (where processes carry no labels): the
 * `hermes.owner` label, so a reaper can find what an owner that died without disposing left running.
 */
export const ownerVariable = "HERMES_OWNER";

/** The `hermes.owner` label of what this process creates: `host/pid`. */
export function ownerLabel(): string {
  return `${hostname()}/${process.pid}`;
}

/**
 * What became of the process named by a `hermes.owner` label: "running", "gone" (it was on this machine and
 * has ended: what it left is fair game for a reaper), or "elsewhere" (another machine: nothing to check here).
 */
export function ownerState(label: string): "running" | "gone" | "elsewhere" {
  const [host, pid] = label.split("/");
  if (host !== hostname()) return "elsewhere";
  return processRuns(Number(pid)) ? "running" : "gone";
}

/** Whether a process of this machine runs; a zombie (killed, not yet reaped) does not. */
function processRuns(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    // No /proc (macOS): ask the kernel.
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
