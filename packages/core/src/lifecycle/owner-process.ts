import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { ReapOptions } from "../types/backend.js";

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

/**
 * Whether a reaper may remove a resource with these `hermes.*` labels: not persistent, older than
 * `olderThanMs` when that is given, and its owner gone (another machine's only when `olderThanMs` is given).
 * `createdMs` stands in when the resource has no `hermes.created` label.
 */
export function orphaned(labels: Readonly<Record<string, string>>, options: ReapOptions, createdMs?: number): boolean {
  if (labels["hermes.persistent"] === "true") return false;
  const created = Date.parse(labels["hermes.created"] ?? "") || createdMs || 0;
  if (options.olderThanMs !== undefined && Date.now() - created < options.olderThanMs) return false;
  const owner = ownerState(labels["hermes.owner"] ?? "");
  return owner === "gone" || (owner === "elsewhere" && options.olderThanMs !== undefined);
}
