import { orphaned, type ReapOptions, type ReapReport } from "@hermes/core";
import type { VercelBackendOptions } from "./descriptor.js";
import { loadVercelSdk, vercelAccess, vercelFailure, vercelStatus } from "./vercel-sdk.js";

/** Deletes the sandboxes that environments of crashed processes left: `hermes.*` tags, owner gone. */
export async function reapSandboxes(options: VercelBackendOptions, reapOptions: ReapOptions = {}): Promise<ReapReport> {
  const access = vercelAccess(options);
  const { Sandbox } = await loadVercelSdk();
  const removed: string[] = [];
  try {
    // Vercel filters by one tag at most; every environment's sandbox is named hermes-*.
    for await (const listed of await Sandbox.list({ ...access, namePrefix: "hermes-" })) {
      const tags = listed.tags ?? {};
      if (tags["hermes.env-id"] === undefined || !orphaned(tags, reapOptions, listed.createdAt)) continue;
      if (!reapOptions.dryRun) {
        await Sandbox.get({ ...access, name: listed.name })
          .then((sandbox) => sandbox.delete())
          .catch((error: unknown) => {
            // Deleted meanwhile, by its owner or another reaper.
            if (vercelStatus(error) !== 404) throw error;
          });
      }
      removed.push(`vercel sandbox ${listed.name} (environment ${tags["hermes.env-id"]})`);
    }
  } catch (error) {
    throw vercelFailure("vercel-sandbox", "reaping sandboxes", error);
  }
  return { removed };
}
