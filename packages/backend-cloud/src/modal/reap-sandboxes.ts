import { orphaned, type ReapOptions, type ReapReport } from "@hermes/core";
import type { ModalBackendOptions } from "./descriptor.js";
import { defaultApp } from "./modal-backend.js";
import { bounded, isNotFound, modalClient, modalFailure } from "./modal-sdk.js";

/** Terminates the sandboxes that environments of crashed processes left in the app: `hermes.*` tags, owner gone. */
export async function reapSandboxes(options: ModalBackendOptions, reapOptions: ReapOptions = {}): Promise<ReapReport> {
  const client = await modalClient(options);
  const removed: string[] = [];
  try {
    const app = await client.apps.fromName(options.app ?? defaultApp).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!app) return { removed };
    for await (const sandbox of client.sandboxes.list({ appId: app.appId })) {
      const tags = await sandbox.getTags();
      if (tags["hermes.env-id"] === undefined || !orphaned(tags, reapOptions)) continue;
      if (!reapOptions.dryRun) await bounded(sandbox.terminate(), 60_000, "modal", `terminating ${sandbox.sandboxId}`);
      removed.push(`modal sandbox ${sandbox.sandboxId} (environment ${tags["hermes.env-id"]})`);
    }
  } catch (error) {
    throw modalFailure("modal", "reaping sandboxes", error);
  } finally {
    client.close();
  }
  return { removed };
}
