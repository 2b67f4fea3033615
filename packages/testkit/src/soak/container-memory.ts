/** The part of a Docker engine client (dockerode's) that the memory figure needs. */
export interface ContainerEngine {
  listContainers(options: { filters: { label: string[] } }): Promise<Array<{ Id: string; Labels: Record<string, string> }>>;
  getContainer(id: string): { stats(options: { stream: false; "one-shot"?: boolean }): Promise<unknown> };
}

interface MemoryStats {
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

/**
 * Memory in use inside the containers of these environments (by their `hermes.env-id` label), in MB, summed:
 * the cgroup's usage less its inactive file cache, the figure `docker stats` prints.
 */
export async function containerMemoryMb(engine: ContainerEngine, environmentIds: Iterable<string>): Promise<number> {
  const wanted = new Set(environmentIds);
  const containers = await engine.listContainers({ filters: { label: ["hermes.env-id"] } });
  const usage = await Promise.all(
    containers
      .filter((container) => wanted.has(container.Labels["hermes.env-id"] ?? ""))
      .map(async (container) => {
        const { memory_stats: memory } = (await engine
          .getContainer(container.Id)
          .stats({ stream: false, "one-shot": true })) as MemoryStats;
        const cache = memory?.stats?.inactive_file ?? memory?.stats?.total_inactive_file ?? 0;
        return Math.max(0, (memory?.usage ?? 0) - cache);
      }),
  );
  return usage.reduce((sum, bytes) => sum + bytes, 0) / 2 ** 20;
}
