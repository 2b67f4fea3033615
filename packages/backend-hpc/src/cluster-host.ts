import { type BackendContext, type BackendInstance, importPeer } from "@hermes/core";
import type { HpcBackendOptions } from "./descriptor.js";

/**
 * Where Slurm's and the runtime's commands run: this machine (the local backend's processes: their own
 * session, real pipes) or the cluster's login node (the ssh backend's one verified connection). Either is
 * a backend instance of its own, started as core would; this backend only wraps the argv it is given.
 */
export async function openClusterHost(options: HpcBackendOptions, context: BackendContext): Promise<BackendInstance> {
  const login = options.clusterLogin;
  if (login) {
    const { ssh } = await importSibling<typeof import("@hermes/backend-ssh")>("@hermes/backend-ssh", "cluster_login");
    const backend = ssh({
      host: login.host,
      ...(login.user !== undefined && { user: login.user }),
      ...(login.port !== undefined && { port: login.port }),
      ...(login.key !== undefined && { key: login.key }),
      ...(login.knownHostsFile !== undefined && { knownHostsFile: login.knownHostsFile }),
    });
    return backend.create(context);
  }
  const { local } = await importSibling<typeof import("@hermes/backend-local")>("@hermes/backend-local", "a cluster on this machine");
  return local().create(context);
}

/** A sibling backend package, an optional peer: imported as `specifier` from this package. */
function importSibling<T>(specifier: string, use: string): Promise<T> {
  return importPeer(() => import(specifier) as Promise<T>, { backendType: `singularity (${use})`, specifier });
}

/** A context for work outside any environment (health, reap): nothing to label, nobody to tell. */
export function quietContext(purpose: string): BackendContext {
  return { environmentId: purpose, backendName: "singularity", labels: {}, warn: () => {}, progress: () => {} };
}
