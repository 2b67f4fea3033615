import { readdir, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { ownerState, type ReapOptions, type ReapReport, reapOwnedProcesses } from "@hermes/core";
import { pipeDirectoryPrefix } from "./fifo-pipes.js";
import { startLocalProcess } from "./local-process.js";

/**
 * Ends processes that environments of crashed processes left on this machine (core's reaper over /proc),
 * and removes the named-pipe directories they left in the temporary directory. Processes of other users
 * are not readable and not touched.
 */
export async function reapProcesses(options: ReapOptions = {}): Promise<ReapReport> {
  const start = (spec: Parameters<typeof startLocalProcess>[0]) => startLocalProcess(spec, process.env as Record<string, string>);
  const { removed } = await reapOwnedProcesses(
    start,
    (pid, environmentId) => `local process ${pid} (environment ${environmentId})`,
    options,
  );
  for (const entry of await readdir(tmpdir()).catch(() => [] as string[])) {
    if (!entry.startsWith(pipeDirectoryPrefix)) continue;
    const pid = entry.slice(pipeDirectoryPrefix.length).split("-")[0];
    if (ownerState(`${hostname()}/${pid}`) !== "gone") continue;
    if (!options.dryRun) await rm(join(tmpdir(), entry), { recursive: true, force: true });
    removed.push(`local pipe directory ${join(tmpdir(), entry)}`);
  }
  return { removed };
}
