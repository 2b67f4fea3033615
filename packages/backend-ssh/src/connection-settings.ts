import { homedir } from "node:os";
import { join } from "node:path";
import type { SshBackendOptions } from "./descriptor.js";
import type { ConnectionSettings } from "./open-connection.js";
import { expandHome, resolveTarget } from "./ssh-target.js";

export const defaults = { connectTimeoutMs: 15_000, keepaliveMs: 15_000 };

/** Everything a connection needs, from the options and ~/.ssh/config (read here, once per connection). */
export async function connectionSettings(options: SshBackendOptions, backendName: string): Promise<ConnectionSettings> {
  return {
    target: await resolveTarget(options),
    backendName,
    ...(options.passphrase !== undefined && { passphrase: options.passphrase }),
    connectTimeoutMs: options.connectTimeoutMs ?? defaults.connectTimeoutMs,
    knownHostsFiles: [expandHome(options.knownHostsFile ?? join(homedir(), ".ssh", "known_hosts")), "/etc/ssh/ssh_known_hosts"],
    trustOnFirstUse: options.trustOnFirstUse ?? false,
  };
}
