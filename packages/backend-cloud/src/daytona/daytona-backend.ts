import type { Backend, BackendContext, BackendInstance, Capabilities } from "@hermes/core";
import { endSandbox } from "../vendor-deadline.js";
import { daytonaFiles } from "./daytona-files.js";
import { startDaytonaProcess } from "./daytona-process.js";
import { type DaytonaClient, type DaytonaSandbox, daytonaApiKey, daytonaClient, daytonaFailure, withRetries } from "./daytona-sdk.js";
import type { DaytonaBackendOptions } from "./descriptor.js";
import { reapSandboxes } from "./reap-sandboxes.js";

/** Daytona's largest disk per sandbox. */
const maxDiskGib = 10;
const defaultCreateTimeoutMs = 60_000;

/**
 * What Daytona can do, as data (core refuses the rest before calling): stdin through a named pipe (a
 * command's own input cannot be closed); no pty (its terminal sessions merge the streams).
 */
const capabilities: Partial<Capabilities> = {
  stdin: true,
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
    reap: (reapOptions) => reapSandboxes(options, reapOptions),
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
  if (options.archive && !options.persistent) {
    context.warn("daytona-archive-not-persistent", "archive applies to persistent sandboxes only; this one is deleted at dispose");
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
  const name = options.name ?? (options.persistent ? `hermes-${context.backendName}` : `hermes-${context.environmentId}`);
  const timeout = (options.createTimeoutMs ?? defaultCreateTimeoutMs) / 1000;
  const params = {
    name,
    labels: { ...context.labels, ...(options.persistent && { "hermes.persistent": "true" }) },
    ...(options.env !== undefined && { envVars: options.env }),
    autoStopInterval: 0,
    ...source,
  };
  let sandbox: DaytonaSandbox;
  try {
    const kept = options.persistent ? await findSandbox(client, name) : undefined;
    if (kept) {
      context.progress(`starting the kept sandbox ${name} (${kept.state})`);
      if (kept.state !== "started") await kept.start(timeout);
      sandbox = kept;
    } else sandbox = await createOrAdopt(client, name, () => client.create(params, { timeout }));
  } catch (error) {
    await client[Symbol.asyncDispose]();
    throw daytonaFailure(context.backendName, "creating a sandbox", error);
  }
  return {
    ...(options.workspace !== undefined && { defaultCwd: options.workspace }),
    start: (spec) => startDaytonaProcess(sandbox, context.backendName, spec),
    files: daytonaFiles(sandbox, context.backendName),
    dispose: async () => {
      try {
        await endSandbox(
          async (_signal, seconds) => {
            // The SDK takes no signal: its own timeout on the call (seconds) drops the request and its socket.
            try {
              // Kept: stopped (its disk stays, it costs no compute), started again by the next environment of its name;
              // archived, its disk moves to cheaper storage, and that start restores it first.
              if (!options.persistent) await sandbox.delete(seconds);
              else {
                await sandbox.stop(seconds);
                if (options.archive) await sandbox.archive();
              }
            } catch (error) {
              if ((error as { statusCode?: number }).statusCode !== 404)
                throw daytonaFailure(context.backendName, "disposing of the sandbox", error);
            }
          },
          {
            context,
            vendor: "Daytona",
            name,
            doing: options.persistent ? "stopping" : "deleting",
            kept: options.persistent === true,
            ms: options.disposeTimeoutMs,
          },
        );
      } finally {
        // The client's event subscriptions outlive a delete that failed or was not answered (the SDK drops
        // them only after a delete that succeeded), and would keep reconnecting, and this process alive.
        await client[Symbol.asyncDispose]();
      }
    },
  };
}

/**
 * Creates the sandbox, again after a temporary failure; a 409 on a later attempt means the failed one did
 * create it (the name is this environment's own), so that one is used.
 */
async function createOrAdopt(client: DaytonaClient, name: string, create: () => Promise<DaytonaSandbox>): Promise<DaytonaSandbox> {
  let attempt = 0;
  return withRetries(async () => {
    attempt++;
    try {
      return await create();
    } catch (error) {
      const adopted = attempt > 1 && (error as { statusCode?: number }).statusCode === 409 ? await findSandbox(client, name) : undefined;
      if (adopted) return adopted;
      throw error;
    }
  });
}

async function findSandbox(client: DaytonaClient, name: string): Promise<DaytonaSandbox | undefined> {
  try {
    return await withRetries(() => client.get(name));
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}
