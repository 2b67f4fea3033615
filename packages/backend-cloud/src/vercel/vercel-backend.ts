import type { Backend, BackendContext, BackendInstance, Capabilities } from "@hermes/core";
import { endSandbox } from "../vendor-deadline.js";
import { memoryPerCpuMb, type VercelBackendOptions, vercelCpus } from "./descriptor.js";
import { reapSandboxes } from "./reap-sandboxes.js";
import { vercelFiles } from "./vercel-files.js";
import { startVercelProcess } from "./vercel-process.js";
import { loadVercelSdk, type VercelSandbox, vercelAccess, vercelFailure, vercelStatus } from "./vercel-sdk.js";

const defaultTimeoutMs = 30 * 60_000;
const defaultCreateTimeoutMs = 60_000;

/**
 * What Vercel Sandbox can do, as data (core refuses the rest before calling): stdin through a named pipe
 * (Vercel's commands have none of their own), no pty, no GPU, a Firecracker microVM with internet access.
 */
const capabilities: Partial<Capabilities> = {
  stdin: true,
  pty: false,
  snapshot: false,
  gpu: false,
  isolation: "microvm",
  network: "private",
};

/** Vercel sandboxes through `@vercel/sandbox`. Validates nothing remote and does no I/O until `create`. */
export function vercelSandbox(options: VercelBackendOptions = {}): Backend {
  return {
    type: "vercel-sandbox",
    capabilities: { ...capabilities, hibernate: options.persistent === true },
    create: (context) => createVercelInstance(options, context),
    reap: (reapOptions) => reapSandboxes(options, reapOptions),
    health: async () => {
      let access: ReturnType<typeof vercelAccess>;
      try {
        access = vercelAccess(options);
      } catch (error) {
        return { ok: false, notConfigured: true, reason: (error as Error).message };
      }
      try {
        const { Sandbox } = await loadVercelSdk();
        await Sandbox.list({ ...access, limit: 1 });
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: vercelFailure("vercel-sandbox", "listing sandboxes", error).message };
      }
    },
  };
}

async function createVercelInstance(options: VercelBackendOptions, context: BackendContext): Promise<BackendInstance> {
  const access = vercelAccess(options);
  const { Sandbox } = await loadVercelSdk();
  const vcpus = vercelCpus(options);
  if (vcpus > Math.ceil(options.cpu ?? 1)) {
    context.warn(
      "vercel-memory-per-cpu",
      `Vercel gives ${memoryPerCpuMb} MB per vCPU: the sandbox gets ${vcpus} vCPUs for ${options.memoryMb} MB`,
    );
  }
  const name = options.name ?? (options.persistent ? `hermes-${context.backendName}` : `hermes-${context.environmentId}`);
  const signal = AbortSignal.timeout(options.createTimeoutMs ?? defaultCreateTimeoutMs);
  let sandbox: VercelSandbox;
  try {
    // A kept sandbox resumes from the snapshot Vercel took when it stopped. It is never created again from
    // that snapshot with `runtime` set, which Vercel refuses (Hermes bug #74753).
    const kept = options.persistent ? await findSandbox(() => Sandbox.get({ ...access, name, resume: true, signal })) : undefined;
    if (kept) context.progress(`resumed the kept sandbox ${name}`);
    sandbox =
      kept ??
      (await Sandbox.create({
        ...access,
        name,
        tags: { ...context.labels, ...(options.persistent && { "hermes.persistent": "true" }) },
        ...(options.runtime !== undefined ? { runtime: options.runtime } : options.image !== undefined && { image: options.image }),
        ...(options.region !== undefined && { region: options.region }),
        ...(options.env !== undefined && { env: options.env }),
        resources: { vcpus },
        timeout: options.timeoutMs ?? defaultTimeoutMs,
        persistent: options.persistent === true,
        signal,
      }));
  } catch (error) {
    throw vercelFailure(context.backendName, "creating a sandbox", error);
  }
  // Commands and files go to this session, not through the sandbox: the SDK's sandbox resumes a stopped
  // session on the next call, which would bring back a sandbox that timed out (empty, unless persistent)
  // or one being disposed. Once this session has stopped, every call fails with a typed error instead.
  const session = sandbox.currentSession();
  return {
    defaultCwd: session.cwd,
    start: (spec) => startVercelProcess(session, context.backendName, spec),
    files: vercelFiles(session, context.backendName),
    dispose: () =>
      endSandbox(
        async (signal) => {
          try {
            // Kept: stopped (Vercel snapshots a persistent sandbox's files then; it costs no compute), resumed by the next environment of its name.
            if (options.persistent) await sandbox.stop({ signal });
            else await sandbox.delete({ signal });
          } catch (error) {
            // Gone already (404), or stopped already (410: its timeout passed).
            const status = vercelStatus(error);
            if (status !== 404 && !(options.persistent && status === 410))
              throw vercelFailure(context.backendName, "disposing of the sandbox", error);
          }
        },
        {
          context,
          vendor: "Vercel",
          name,
          doing: options.persistent ? "stopping" : "deleting",
          kept: options.persistent === true,
          ms: options.disposeTimeoutMs,
        },
      ),
  };
}

async function findSandbox<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    if (vercelStatus(error) === 404) return undefined;
    throw error;
  }
}
