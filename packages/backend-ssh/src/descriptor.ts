import {
  type BackendDescriptor,
  backendOptionsSchema,
  type CommonBackendOptions,
  duration,
  port,
  renamedOptions,
  text,
} from "@hermes/core";
import { z } from "zod";
import { ssh } from "./ssh-backend.js";

export interface SshBackendOptions extends CommonBackendOptions {
  host?: string;
  user?: string;
  port?: number;
  /** Private key file. */
  key?: string;
  passphrase?: string;
  connectTimeoutMs?: number;
  keepaliveMs?: number;
  knownHostsFile?: string;
  trustOnFirstUse?: boolean;
  proxyJump?: string;
  persistentShell?: boolean;
  /** OpenSSH client configuration read for host aliases. Default `~/.ssh/config`. */
  sshConfigFile?: string;
}

/** Hermes `terminal:` keys -> ssh options. */
const terminalOptions: Record<string, keyof SshBackendOptions & string> = {
  ssh_host: "host",
  ssh_user: "user",
  ssh_port: "port",
  ssh_key: "key",
  persistent_shell: "persistentShell",
};

/** The ssh backend, as core's configuration, pricing, routing and policy see it. */
export const descriptor: BackendDescriptor<SshBackendOptions> = {
  type: "ssh",
  factory: ssh,
  options: backendOptionsSchema<SshBackendOptions>(
    {
      host: text.optional(),
      user: text.optional(),
      port: port.optional(),
      key: text.optional(),
      passphrase: z.string().optional(),
      timeout: duration.optional(),
      keepalive: duration.optional(),
      known_hosts: text.optional(),
      trust_on_first_use: z.boolean().optional(),
      proxy_jump: text.optional(),
      persistent_shell: z.boolean().optional(),
      ssh_config: text.optional(),
    },
    { timeout: "connectTimeoutMs", keepalive: "keepaliveMs", known_hosts: "knownHostsFile", ssh_config: "sshConfigFile" },
  ),
  terminal: {
    keys: { ssh_host: "text", ssh_user: "text", ssh_port: "port", ssh_key: "text", persistent_shell: "boolean" },
    options: renamedOptions<SshBackendOptions>(terminalOptions),
  },
  isolation: "remote-host",
  prices: { cpuHourUsd: 0, memoryGibHourUsd: 0, source: "your own server" },
  // Paths are the remote host's: links there cannot be resolved from here.
  policy: { paths: "remote" },
};
