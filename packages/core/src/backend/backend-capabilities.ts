import type { Backend } from "../types/backend.js";
import type { Capabilities } from "../types/capabilities.js";

/**
 * What a backend that declares nothing gets: everything core derives from `start` (a persistent session,
 * stdin, background processes, the files API), nothing it cannot derive (a pty, snapshots, GPUs), and
 * no claim of isolation.
 */
export const defaultCapabilities: Capabilities = {
  persistentSession: true,
  stdin: true,
  pty: false,
  background: true,
  snapshot: false,
  hibernate: false,
  gpu: false,
  fileAccess: true,
  isolation: "none",
  network: "host",
};

export function capabilitiesOf(backend: Pick<Backend, "capabilities">): Capabilities {
  return { ...defaultCapabilities, ...backend.capabilities };
}
