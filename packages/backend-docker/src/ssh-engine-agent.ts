import { Agent } from "node:http";
import type { Duplex } from "node:stream";
import type { SshBackendOptions, SshCommandStreams } from "@hermes/backend-ssh";
import { BackendNotInstalledError } from "@hermes/core";

/** How long the ssh connection outlives its last HTTP connection, so back-to-back API calls share it. */
const idleCloseMs = 2_000;

/**
 * An HTTP agent for an `ssh://` engine address: each HTTP connection is a `docker system dial-stdio` channel
 * on one verified ssh connection (the ssh backend's: known_hosts, keys, agent, ~/.ssh/config), where the
 * docker CLI and docker-modem start a new ssh connection per request. The connection closes when unused.
 */
export function sshEngineAgent(target: SshBackendOptions): Agent {
  let streams: Promise<SshCommandStreams> | undefined;
  let open = 0;
  let idle: NodeJS.Timeout | undefined;
  const closed = () => {
    if (--open > 0) return;
    idle = setTimeout(() => {
      const unused = streams;
      streams = undefined;
      void unused?.then((s) => s.close()).catch(() => {});
    }, idleCloseMs).unref();
  };
  const dial = async (): Promise<Duplex> => {
    clearTimeout(idle);
    open++;
    try {
      streams ??= import("@hermes/backend-ssh").then(
        (ssh) => ssh.openSshCommandStreams(target, "docker"),
        (error: unknown) => {
          throw new BackendNotInstalledError({
            backendType: "docker (ssh:// engine address)",
            specifier: "@hermes/backend-ssh",
            cause: error,
          });
        },
      );
      streams.catch(() => {
        streams = undefined;
      });
      const stream = await (await streams).open("docker system dial-stdio");
      stream.once("close", closed);
      return stream;
    } catch (error) {
      closed();
      throw error;
    }
  };
  const agent = new Agent({ keepAlive: false });
  // Node's Agent accepts a connection handed over later through the callback when this returns nothing.
  agent.createConnection = ((_options: unknown, callback: (error: Error | null, stream?: Duplex) => void) => {
    dial().then(
      (stream) => callback(null, stream),
      (error: Error) => callback(error),
    );
    return undefined;
  }) as unknown as Agent["createConnection"];
  return agent;
}

/** The ssh target of an `ssh://[user@]host[:port]` engine address; ~/.ssh/config fills in the rest. */
export function sshEngineTarget(url: URL): SshBackendOptions {
  return {
    host: url.hostname,
    ...(url.port && { port: Number(url.port) }),
    ...(url.username && { user: decodeURIComponent(url.username) }),
  };
}
