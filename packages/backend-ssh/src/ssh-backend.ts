import {
  type Backend,
  type BackendContext,
  type BackendInstance,
  ConfigError,
  type ProcessSpec,
  type RawProcess,
  reapOwnedProcesses,
  ShellFiles,
} from "@hermes/core";
import type { SFTPWrapper } from "ssh2";
import { connectionSettings, defaults } from "./connection-settings.js";
import type { SshBackendOptions } from "./descriptor.js";
import { SshConnection } from "./ssh-connection.js";
import { SshFiles } from "./ssh-files.js";
import { startSshProcess } from "./ssh-process.js";

export type { SshBackendOptions } from "./descriptor.js";

/**
 * Commands on a remote host over one SSH connection (ssh2): host keys verified against known_hosts, a
 * persistent bash session on an exec channel, files over SFTP on the same connection, reconnection when
 * it drops. Does no I/O until an environment starts.
 */
export function ssh(options: SshBackendOptions = {}): Backend {
  checkOptions(options);
  return {
    type: "ssh",
    capabilities: { persistentSession: options.persistentShell ?? true, isolation: "remote-host", network: "host" },
    create: (context) => createSshInstance(options, context),
    health: async () => {
      let connection: SshConnection | undefined;
      try {
        connection = new SshConnection(await connectionSettings(options, "ssh"));
        await connection.connected();
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: (error as Error).message, ...(ConfigError.isInstance(error) && { notConfigured: true }) };
      } finally {
        connection?.close();
      }
    },
    reap: async (reapOptions) => {
      const connection = new SshConnection(await connectionSettings(options, "ssh"));
      const start = (spec: ProcessSpec) => startSshProcess(connection, "ssh", spec);
      try {
        const describe = (pid: string, environmentId: string) =>
          `ssh process ${pid} on ${options.host ?? "?"} (environment ${environmentId})`;
        return await connection.during(() => reapOwnedProcesses(start, describe, reapOptions));
      } finally {
        connection.close();
      }
    },
  };
}

async function createSshInstance(options: SshBackendOptions, context: BackendContext): Promise<BackendInstance> {
  const connection = new SshConnection(await connectionSettings(options, context.backendName));
  try {
    return await connection.during(() => instanceOn(connection, options, context));
  } catch (error) {
    connection.close();
    throw error;
  }
}

async function instanceOn(connection: SshConnection, options: SshBackendOptions, context: BackendContext): Promise<BackendInstance> {
  const home = await realpath(await connection.sftp(), ".");
  const start = (spec: ProcessSpec): Promise<RawProcess> => startSshProcess(connection, context.backendName, spec);
  const keepaliveMs = options.keepaliveMs ?? defaults.keepaliveMs;
  const keepalive = setInterval(() => keepConnectionAlive(connection, keepaliveMs), keepaliveMs).unref();
  return {
    defaultCwd: remoteCwd(options.cwd, home),
    start,
    files: new SshFiles(connection, new ShellFiles(start)),
    // The remote working folder stays, as a server's user expects; only the connection goes.
    dispose: async () => {
      clearInterval(keepalive);
      connection.close();
    },
  };
}

/**
 * A round trip on the open SFTP session; no answer within two intervals means the network path is gone
 * without a word (no FIN, no RST), so the connection is cut: calls in flight fail and the next reconnects.
 * (ssh2's own keepalive timer is not used: it would keep Node running.)
 */
function keepConnectionAlive(connection: SshConnection, keepaliveMs: number): void {
  if (!connection.isLive) return;
  const deadline = setTimeout(() => connection.drop(), keepaliveMs * 2).unref();
  void connection
    .sftp()
    .then((sftp) => realpath(sftp, "."))
    .catch(() => {})
    .finally(() => clearTimeout(deadline));
}

function realpath(sftp: SFTPWrapper, path: string): Promise<string> {
  return new Promise((resolve, reject) => sftp.realpath(path, (error, resolved) => (error ? reject(error) : resolve(resolved))));
}

/** `~` and relative paths are the remote user's home (Hermes's default cwd for ssh is `~`). */
function remoteCwd(cwd: string | undefined, home: string): string {
  if (cwd === undefined || cwd === "~") return home;
  if (cwd.startsWith("~/")) return `${home}/${cwd.slice(2)}`;
  return cwd.startsWith("/") ? cwd : `${home}/${cwd}`;
}

function checkOptions(options: SshBackendOptions): void {
  const issues = [];
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
    issues.push({ path: "port", value: options.port, expected: "a TCP port (1-65535)" });
  }
  if (options.host !== undefined && /\s/.test(options.host))
    issues.push({ path: "host", value: options.host, expected: "a host name or address" });
  if (issues.length > 0) throw new ConfigError({ issues });
}
