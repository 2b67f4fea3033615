import type { Backend, BackendContext, BackendInstance, Capabilities } from "@hermes/core";
import { daytonaFiles } from "./daytona-files.js";
import { startDaytonaProcess } from "./daytona-process.js";
import { daytonaApiKey, daytonaClient, daytonaFailure } from "./daytona-sdk.js";
import type { DaytonaBackendOptions } from "./descriptor.js";

/** Daytona's largest disk per sandbox. */
const maxDiskGib = 10;
const defaultCreateTimeoutMs = 60_000;

/**
 * What Daytona can do, as data (core refuses the rest before calling): no stdin for `exec` or `spawn`,
 * because a command's input cannot be closed; no pty (its terminal sessions merge the streams).
 */
const capabilities: Partial<Capabilities> = {
  stdin: false,
  pty: false,
  snapshot: false,
  gpu: false,
  isolation: "microvm",
  network: "private",
};

/** Daytona sandboxes through `@daytonaio/sdk`. Validates nothing remote and does no I/O until `create`. */
export function daytona(options: DaytonaBackendOptions = {}): Backend {
  return {
    type: "daytona",
    capabilities: { ...capabilities, hibernate: options.persistent === true },
    create: (context) => createDaytonaInstance(options, context),
    health: async () => {
      try {
        daytonaApiKey(options);
      } catch (error) {
        return { ok: false, notConfigured: true, reason: (error as Error).message };
      }
      try {
        const client = await daytonaClient(options);
        await client.list({ limit: 1 }).next();
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: daytonaFailure("daytona", "listing sandboxes", error).message };
      }
    },
  };
}

async function createDaytonaInstance(options: DaytonaBackendOptions, context: BackendContext): Promise<BackendInstance> {
  const client = await daytonaClient(options);
  const diskGib = options.diskMb === undefined ? undefined : Math.ceil(options.diskMb / 1024);
  if (diskGib !== undefined && diskGib > maxDiskGib) {
    context.warn("daytona-disk-capped", `container_disk ${diskGib} GiB is more than Daytona allows; the sandbox gets ${maxDiskGib} GiB`);
  }
  const resources = {
    ...(options.cpu !== undefined && { cpu: options.cpu }),
    ...(options.memoryMb !== undefined && { memory: Math.ceil(options.memoryMb / 1024) }),
    ...(diskGib !== undefined && { disk: Math.min(diskGib, maxDiskGib) }),
  };
  const source =
    options.image !== undefined
      ? { image: options.image, resources }
      : { ...(options.snapshot !== undefined && { snapshot: options.snapshot }) };
  let sandbox: Awaited<ReturnType<typeof client.create>>;
  try {
    sandbox = await client.create(
      {
        name: options.name ?? `hermes-${context.environmentId}`,
        labels: { ...context.labels },
        ...(options.env !== undefined && { envVars: options.env }),
        autoStopInterval: 0,
        ...source,
      },
      { timeout: (options.createTimeoutMs ?? defaultCreateTimeoutMs) / 1000 },
    );
  } catch (error) {
    throw daytonaFailure(context.backendName, "creating a sandbox", error);
  }
  return {
    ...(options.workspace !== undefined && { defaultCwd: options.workspace }),
    start: (spec) => startDaytonaProcess(sandbox, context.backendName, spec),
    files: daytonaFiles(sandbox, context.backendName),
    dispose: async () => {
      try {
        await sandbox.delete();
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw daytonaFailure(context.backendName, "deleting the sandbox", error);
      }
    },
  };
}
