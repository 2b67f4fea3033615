import { orphaned, type ReapOptions, type ReapReport } from "@hermes/core";
import type Docker from "dockerode";

/**
 * Removes containers (and their anonymous volumes) that environments of crashed processes left behind,
 * found by their `hermes.*` labels: non-persistent ones whose owner process on this machine is gone.
 * Another machine's containers are removed only when `olderThanMs` is given and they are older.
 */
export async function reapContainers(engine: Docker, options: ReapOptions = {}): Promise<ReapReport> {
  const containers = await engine.listContainers({ all: true, filters: { label: ["hermes.env-id"] } });
  const removed: string[] = [];
  for (const info of containers) {
    if (!orphaned(info.Labels ?? {}, options, info.Created * 1000)) continue;
    const name = info.Names?.[0]?.replace(/^\//, "") ?? info.Id.slice(0, 12);
    if (!options.dryRun) {
      await engine
        .getContainer(info.Id)
        .remove({ force: true, v: true })
        .catch((error: { statusCode?: number }) => {
          // Gone already (removed by its owner or another reaper meanwhile).
          if (error.statusCode !== 404) throw error;
        });
    }
    removed.push(`docker container ${name}`);
  }
  return { removed };
}
