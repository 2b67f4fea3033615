import { orphaned, type ReapOptions, type ReapReport } from "@hermes/core";
import { daytonaClient, daytonaFailure } from "./daytona-sdk.js";
import type { DaytonaBackendOptions } from "./descriptor.js";

/** Deletes the sandboxes that environments of crashed processes left: `hermes.*` labels, owner gone. */
export async function reapSandboxes(options: DaytonaBackendOptions, reapOptions: ReapOptions = {}): Promise<ReapReport> {
  const client = await daytonaClient(options);
  const removed: string[] = [];
  try {
    for await (const sandbox of client.list({ limit: 100 })) {
      const labels = sandbox.labels ?? {};
      if (labels["hermes.env-id"] === undefined || !orphaned(labels, reapOptions, Date.parse(sandbox.createdAt ?? ""))) continue;
      if (!reapOptions.dryRun) {
        await sandbox.delete().catch((error: { statusCode?: number }) => {
          // Deleted meanwhile, by its owner or another reaper.
          if (error.statusCode !== 404) throw error;
        });
      }
      removed.push(`daytona sandbox ${sandbox.name} (environment ${labels["hermes.env-id"]})`);
    }
  } catch (error) {
    throw daytonaFailure("daytona", "reaping sandboxes", error);
  }
  return { removed };
}
