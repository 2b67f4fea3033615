import { randomBytes } from "node:crypto";
import {
  type Backend,
  type BackendContext,
  type BackendInstance,
  type Capabilities,
  ConfigError,
  ControlShell,
  type ProcessSpec,
  type RawProcess,
  type SshBackendOptions,
} from "@hermes/core";
import { connectionSettings, defaults } from "./connection-settings.js";
import { reapRemoteProcesses } from "./reap-remote-processes.js";
import { SshConnection } from "./ssh-connection.js";
import { SshFiles } from "./ssh-files.js";
import { startSshProcess } from "./ssh-process.js";

export type { SshBackendOptions } from "@hermes/core";

const bashPath = "bash";

/**
 * Commands on a remote host over one SSH connection (ssh2): host keys verified against known_hosts, a
 * persistent bash session on an exec channel, files over SFTP on the same connection, reconnection when
 * it drops. Does no I/O until an environment starts.
 */
export function ssh(options: SshBackendOptions = {}): Backend {
  checkOptions(options);
  const capabilities: Capabilities = {
    persistentSession: options.persistentShell ?? true,
    stdin: true,
    pty: false,
    background: true,
    snapshot: false,
    hibernate: false,
    gpu: false,
    fileAccess: true,
    isolation: "remote-host",
    network: "host",
  };
  return {
    type: "ssh",
    capabilities,
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
      try {
        return await reapRemoteProcesses(connection, options.host ?? "?", reapOptions);
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
  const sftp = await connection.sftp();
  const home = await new Promise<string>((resolve, reject) => sftp.realpath(".", (error, path) => (error ? reject(error) : resolve(path))));
  const processContext = {
    connection,
    backendName: context.backendName,
    owner: context.labels["hermes.owner"],
    newTag: () => randomBytes(8).toString("hex"),
    signal: async (tag: string, signal: NodeJS.Signals) => {
      await control.signalTagged(tag, signal);
    },
  };
  const start = (spec: ProcessSpec): Promise<RawProcess> => startSshProcess(processContext, spec);
  const control = new ControlShell(() => start({ argv: [bashPath, "--noprofile", "--norc", "-s"], stdin: "pipe" }));
  await control.warm();
  const keepaliveMs = options.keepaliveMs ?? defaults.keepaliveMs;
  const keepalive = setInterval(() => keepConnectionAlive(connection, control, keepaliveMs), keepaliveMs).unref();
  const runRemote = async (argv: string[]) => {
    const process = await start({ argv, stdin: "ignore" });
    const stderr: Buffer[] = [];
    process.stdout.resume();
    process.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const exit = await process.exited;
    if (exit.error) throw exit.error;
    return { code: exit.code, stderr: Buffer.concat(stderr).toString("utf8") };
  };
  return {
    defaultCwd: remoteCwd(options.cwd, home),
    bashPath,
    start,
    killTagged: (selector, kill) => control.killTagged(selector, kill),
    files: new SshFiles(connection, runRemote),
    // The remote working folder stays, as a server's user expects; only the connection goes.
    dispose: async () => {
      clearInterval(keepalive);
      control.close();
      connection.close();
    },
  };
}

/**
 * A round trip through the control shell; no answer within two intervals means the network path is gone
 * without a word (no FIN, no RST), so the connection is cut: calls in flight fail and the next reconnects.
 * (ssh2's own keepalive timer is not used: it would keep Node running.)
 */
function keepConnectionAlive(connection: SshConnection, control: ControlShell, keepaliveMs: number): void {
  if (!connection.isLive) return;
  const deadline = setTimeout(() => connection.drop(), keepaliveMs * 2).unref();
  control.run(":").then(
    () => clearTimeout(deadline),
    () => clearTimeout(deadline),
  );
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
