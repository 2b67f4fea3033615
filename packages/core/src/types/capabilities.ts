/**
 * What separates commands from the machine the SDK runs on.
 * - `none`: commands run as this user on this machine (local backend).
 * - `namespace`: Linux namespaces around a process tree (bubblewrap, apptainer).
 * - `container`: an OCI container with its own root filesystem (docker).
 * - `microvm`: a separate kernel (cloud sandboxes).
 * - `remote-host`: another machine, shared with whatever else runs there (ssh).
 */
export type IsolationLevel = "none" | "namespace" | "container" | "microvm" | "remote-host";

/** Network reach of commands: the host's network, a private network with egress, or none. */
export type NetworkAccess = "host" | "private" | "none";

/** Declared, checked by core before a call: a missing capability fails early with UnsupportedCapabilityError. */
export interface Capabilities {
  /** cwd and exported variables persist between `exec` calls. */
  persistentSession: boolean;
  /** `exec` and `spawn` accept stdin. */
  stdin: boolean;
  /** `spawn({ pty: true })`. */
  pty: boolean;
  /** `spawn` of background processes. */
  background: boolean;
  snapshot: boolean;
  hibernate: boolean;
  gpu: boolean;
  /** The `files` API. */
  fileAccess: boolean;
  isolation: IsolationLevel;
  network: NetworkAccess;
}
