import { readFile } from "node:fs/promises";

/**
 * Whether a process of this (Linux) host still runs: a /proc entry that is not a zombie. A zombie counts
 * as gone, since in containers and microVMs PID 1 may reap orphans late.
 */
export async function hostProcessAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z";
}
