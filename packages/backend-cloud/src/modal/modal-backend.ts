import { type Backend, type BackendContext, type BackendInstance, BackendUnavailableError, type Capabilities } from "@hermes/core";
import { endSandbox } from "../vendor-deadline.js";
import type { ModalBackendOptions } from "./descriptor.js";
import { forgetKeptSnapshot, readKeptSnapshot, saveKeptSnapshot } from "./kept-snapshots.js";
import { modalFiles } from "./modal-files.js";
import { type ExplainFailure, startModalProcess } from "./modal-process.js";
import { bounded, isNotFound, type ModalClient, type ModalSandbox, modalClient, modalFailure } from "./modal-sdk.js";
import { reapSandboxes } from "./reap-sandboxes.js";

/** As Hermes: its app, its default image, a sandbox that lives an hour. */
export const defaultApp = "hermes-agent";
const defaultImage = "nikolaik/python-nodejs:python3.11-nodejs20";
const defaultTimeoutMs = 60 * 60_000;
const defaultCreateTimeoutMs = 5 * 60_000;
/** Longest wait for one call that looks at or snapshots a sandbox. */
const callTimeoutMs = 60_000;

/**
 * What Modal can do, as data (core refuses the rest before calling): an exec has its own stdin; no pty here
 * (its pty merges the streams); a gVisor sandbox with internet access.
 */
const capabilities: Partial<Capabilities> = {
  stdin: true,
  pty: false,
  snapshot: false,
  isolation: "microvm",
  network: "private",
};

/** Modal sandboxes through the `modal` SDK (0.11). Validates nothing remote and does no I/O until `create`. */
export function modal(options: ModalBackendOptions = {}): Backend {
  return {
    type: "modal",
    capabilities: { ...capabilities, gpu: options.gpu !== undefined, hibernate: options.persistent === true },
    create: (context) => createModalInstance(options, context),
    reap: (reapOptions) => reapSandboxes(options, reapOptions),
    health: async () => {
      let client: ModalClient;
      try {
        client = await modalClient(options);
      } catch (error) {
        return { ok: false, notConfigured: true, reason: (error as Error).message };
      }
      try {
        await bounded(client.apps.fromName(options.app ?? defaultApp), 15_000, "modal", "looking up the app").catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        });
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: modalFailure("modal", "looking up the app", error).message };
      } finally {
        client.close();
      }
    },
  };
}

async function createModalInstance(options: ModalBackendOptions, context: BackendContext): Promise<BackendInstance> {
  const backend = context.backendName;
  const client = await modalClient(options);
  const app = options.app ?? defaultApp;
  const name = options.name ?? (options.persistent ? `hermes-${context.backendName}` : `hermes-${context.environmentId}`);
  let sandbox: ModalSandbox;
  try {
    // A sandbox whose creation answers after the deadline is ended at once: nothing is left running.
    const late = (made: ModalSandbox) => void made.terminate().catch(() => {});
    sandbox = await bounded(
      createSandbox(client, options, context, app, name),
      options.createTimeoutMs ?? defaultCreateTimeoutMs,
      backend,
      "creating a sandbox",
      late,
    );
  } catch (error) {
    client.close();
    throw modalFailure(backend, "creating a sandbox", error);
  }
  const explain: ExplainFailure = (doing, error) => explainFailure(sandbox, backend, doing, error);
  const ended = () => sandboxEnded(sandbox, backend, "running the command");
  return {
    start: (spec) => startModalProcess(sandbox, spec, explain, ended),
    files: modalFiles(sandbox, explain),
    dispose: async () => {
      // Terminated even when the snapshot failed: a sandbox left running costs, and its files are not kept either way.
      const notKept = options.persistent
        ? await keepFiles(sandbox, backend, app, name).then(
            () => undefined,
            (error: Error) => error,
          )
        : undefined;
      try {
        await endSandbox(
          async () => {
            try {
              await sandbox.terminate();
            } catch (error) {
              if (!isNotFound(error)) throw modalFailure(backend, "terminating the sandbox", error);
            }
          },
          // Never kept as a sandbox (its files are an image): a reaper ends one left running.
          { context, vendor: "Modal", name, doing: "terminating", kept: false, ms: options.disposeTimeoutMs },
        );
      } finally {
        // Also ends the call and the SDK's retries of it, when Modal did not answer.
        client.close();
      }
      if (notKept) throw notKept;
    },
  };
}

async function createSandbox(client: ModalClient, options: ModalBackendOptions, context: BackendContext, appName: string, name: string) {
  const app = await client.apps.fromName(appName, { createIfMissing: true });
  const secrets = await Promise.all((options.secrets ?? []).map((secret) => client.secrets.fromName(secret)));
  const params = {
    name,
    tags: { ...context.labels },
    secrets,
    timeoutMs: Math.ceil((options.timeoutMs ?? defaultTimeoutMs) / 1000) * 1000,
    ...(options.env !== undefined && { env: options.env }),
    ...(options.cpu !== undefined && { cpu: options.cpu }),
    ...(options.memoryMb !== undefined && { memoryMiB: options.memoryMb }),
    ...(options.gpu !== undefined && { gpu: options.gpu }),
  };
  const image = options.image ?? defaultImage;
  const kept = options.persistent ? await readKeptSnapshot(appName, name) : undefined;
  if (kept) {
    try {
      const sandbox = await client.sandboxes.create(app, await client.images.fromId(kept.imageId), params);
      context.progress(`started ${name} from its snapshot ${kept.imageId} (${kept.takenAt})`);
      return sandbox;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      context.warn(
        "modal-snapshot-missing",
        `the snapshot ${kept.imageId} of ${name} is gone: starting from ${image}, without the kept files`,
      );
      await forgetKeptSnapshot(appName, name);
    }
  }
  const base = image.startsWith("im-") ? await client.images.fromId(image) : client.images.fromRegistry(image);
  return client.sandboxes.create(app, base, params);
}

/** Snapshots the sandbox's files into an image and records it for the next environment of this name. */
async function keepFiles(sandbox: ModalSandbox, backend: string, app: string, name: string): Promise<void> {
  try {
    const image = await bounded(sandbox.snapshotFilesystem(), callTimeoutMs, backend, "snapshotting the sandbox's files");
    await saveKeptSnapshot(app, name, { imageId: image.imageId, sandboxId: sandbox.sandboxId, takenAt: new Date().toISOString() });
  } catch (error) {
    throw modalFailure(backend, `keeping the files of ${name} (they were not kept)`, error);
  }
}

/** Why a call into the sandbox failed: the sandbox has ended (its timeout, or terminated elsewhere), or the SDK's error. */
async function explainFailure(sandbox: ModalSandbox, backend: string, doing: string, error: unknown): Promise<Error> {
  return (await sandboxEnded(sandbox, backend, doing, error)) ?? modalFailure(backend, doing, error);
}

/** The error to give when the sandbox has ended (asked of Modal, briefly); undefined while it runs or cannot be asked. */
async function sandboxEnded(sandbox: ModalSandbox, backend: string, doing: string, cause?: unknown): Promise<Error | undefined> {
  const code = await bounded(sandbox.poll(), 5_000, backend, "asking whether the sandbox runs").catch(() => null);
  if (code === null) return undefined;
  const why =
    code === 124
      ? "its timeout passed (the backend's `timeout` sets it)"
      : code === 137
        ? "it was terminated outside this environment"
        : `it exited with ${code}`;
  return new BackendUnavailableError({ backend, reason: `${doing}: the sandbox has ended: ${why}`, retryable: false, cause });
}
