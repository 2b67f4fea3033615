import { type BackendContext, type BackendInstance, BackendNotInstalledError } from "@hermes/core";
import type { HpcBackendOptions } from "./descriptor.js";

/**
 * Where Slurm's and the runtime's commands run: this machine (the local backend's processes: their own
 * session, real pipes) or the cluster's login node (the ssh backend's one verified connection). Either is
 * a backend instance of its own, started as core would; this backend only wraps the argv it is given.
 */
export async function openClusterHost(options: HpcBackendOptions, context: BackendContext): Promise<BackendInstance> {
  const login = options.clusterLogin;
  if (login) {
    const { ssh } = await importPeer<typeof import("@hermes/backend-ssh")>("@hermes/backend-ssh", "cluster_login");
    const backend = ssh({
      host: login.host,
      ...(login.user !== undefined && { user: login.user }),
      ...(login.port !== undefined && { port: login.port }),
      ...(login.key !== undefined && { key: login.key }),
      ...(login.knownHostsFile !== undefined && { knownHostsFile: login.knownHostsFile }),
    });
    return backend.create(context);
  }
  const { local } = await importPeer<typeof import("@hermes/backend-local")>("@hermes/backend-local", "a cluster on this machine");
  return local().create(context);
}

async function importPeer<T>(specifier: string, use: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new BackendNotInstalledError({ backendType: `singularity (${use})`, specifier, cause: error });
  }
}

/** A context for work outside any environment (health, reap): nothing to label, nobody to tell. */
export function quietContext(purpose: string): BackendContext {
  return { environmentId: purpose, backendName: "singularity", labels: {}, warn: () => {}, progress: () => {} };
}
