import { readdir, readFile, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { ownerState, ownerVariable, type ReapOptions, type ReapReport } from "@hermes/core";
import { pipeDirectoryPrefix } from "./fifo-pipes.js";

/**
 * Ends processes that environments of crashed processes left on this machine (a command's `nohup` or `&`
 * child survives its owner): found by the `HERMES_OWNER` variable they inherit, whose process is gone.
 * Reads /proc, so Linux only; processes of other users are not readable and not touched.
 */
export async function reapProcesses(options: ReapOptions = {}): Promise<ReapReport> {
  const removed: string[] = [];
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const environ = await readFile(`/proc/${pid}/environ`, "latin1").catch(() => "");
    const variables = new Map(environ.split("\0").map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
    const owner = variables.get(ownerVariable);
    if (!owner || ownerState(owner) !== "gone") continue;
    if (!options.dryRun) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Ended meanwhile.
        continue;
      }
    }
    removed.push(`local process ${pid} (environment ${variables.get("HERMES_ENV_ID") ?? "?"})`);
  }
  for (const entry of await readdir(tmpdir()).catch(() => [] as string[])) {
    if (!entry.startsWith(pipeDirectoryPrefix)) continue;
    const pid = entry.slice(pipeDirectoryPrefix.length).split("-")[0];
    if (ownerState(`${hostname()}/${pid}`) !== "gone") continue;
    if (!options.dryRun) await rm(join(tmpdir(), entry), { recursive: true, force: true });
    removed.push(`local pipe directory ${join(tmpdir(), entry)}`);
  }
  return { removed };
}
