import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir, userInfo } from "node:os";
import { resolve } from "node:path";
import { ConfigError } from "@hermes/core";
import SSHConfig from "ssh-config";
import type { SshBackendOptions } from "./descriptor.js";

/** Where and as whom to connect, after `~/.ssh/config` is applied: what a connection needs. */
export interface SshTarget {
  /** The name the user gave (an alias or a host), for messages. */
  alias: string;
  host: string;
  port: number;
  user: string;
  /** Private key files to try, in order (the configured `key`, else the config's IdentityFile entries). */
  keyFiles: string[];
  /** `user@host:port` hops to go through, in order. */
  jumps: SshTarget[];
}

/**
 * Resolves the configured host through the OpenSSH client configuration, as `ssh` would: HostName, User,
 * Port, IdentityFile and ProxyJump from the first matching Host blocks; explicit options win over it.
 */
export async function resolveTarget(options: SshBackendOptions): Promise<SshTarget> {
  if (!options.host) {
    throw new ConfigError({
      issues: [{ path: "host", value: options.host, expected: "the host to connect to (ssh_host in the terminal: section)" }],
    });
  }
  const config = await readSshConfig(options.sshConfigFile);
  const target = fromConfig(config, options.host, {
    user: options.user,
    port: options.port,
    keyFiles: options.key ? [options.key] : undefined,
  });
  const configured = config.compute(options.host).ProxyJump;
  const jump = options.proxyJump ?? (typeof configured === "string" ? configured : undefined);
  if (jump && jump.toLowerCase() !== "none") {
    target.jumps = jump.split(",").map((hop) => {
      const parsed = parseHop(hop.trim());
      // A hop without an IdentityFile of its own uses the target's keys: usually the same ones.
      return fromConfig(config, parsed.host, { user: parsed.user, port: parsed.port, keyFiles: undefined }, target.keyFiles);
    });
  }
  return target;
}

/** The identities `ssh` tries when none is configured. */
const defaultIdentities = ["~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"];

function fromConfig(
  config: SSHConfig,
  alias: string,
  explicit: { user: string | undefined; port: number | undefined; keyFiles: string[] | undefined },
  fallbackKeys?: string[],
): SshTarget {
  const computed = config.compute(alias);
  const value = (name: string) => {
    const found = computed[name];
    return Array.isArray(found) ? found[0] : found;
  };
  const identityFiles = computed.IdentityFile === undefined ? [] : ([] as string[]).concat(computed.IdentityFile);
  const port = explicit.port ?? Number(value("Port") ?? 22);
  const host = value("HostName") ?? alias;
  return {
    alias,
    host: host.replace(/%h/g, alias),
    port,
    user: explicit.user ?? value("User") ?? userInfo().username,
    keyFiles: (explicit.keyFiles ?? (identityFiles.length > 0 ? identityFiles : undefined) ?? fallbackKeys ?? existingDefaults()).map(
      expandHome,
    ),
    jumps: [],
  };
}

/** `[user@]host[:port]` as ProxyJump writes a hop. */
function parseHop(hop: string): { user: string | undefined; host: string; port: number | undefined } {
  const match = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hop);
  if (!match?.[2])
    throw new ConfigError({
      issues: [{ path: "proxy_jump", value: hop, expected: "[user@]host[:port], or a comma-separated list of them" }],
    });
  return { user: match[1], host: match[2].replace(/^\[|\]$/g, ""), port: match[3] ? Number(match[3]) : undefined };
}

async function readSshConfig(file: string | undefined): Promise<SSHConfig> {
  const path = expandHome(file ?? "~/.ssh/config");
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (file === undefined && error.code === "ENOENT") return "";
    throw new ConfigError({
      issues: [{ path: "ssh_config", value: file, expected: `a readable OpenSSH client configuration (${error.code})` }],
    });
  });
  return SSHConfig.parse(text);
}

function existingDefaults(): string[] {
  return defaultIdentities.filter((file) => existsSync(expandHome(file)));
}

export function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? resolve(homedir(), `.${path.slice(1)}`) : resolve(path);
}
